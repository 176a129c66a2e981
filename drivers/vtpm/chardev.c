// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/vtpmN: the semantics of /dev/tpm0 (drivers/char/tpm/tpm-dev-common.c)
 * for one open file: write one whole command, read its response, possibly
 * in parts; one command at a time per file; O_NONBLOCK and poll().
 *
 * Unlike /dev/tpm0, every write of 1..4096 bytes is handed to the TPM,
 * which answers a malformed one with a TPM error response.
 */
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "vtpm.h"
#include "attest.h"
#include "backend.h"
#include "chardev.h"
#include "instance.h"

/* Runs the commands of files opened with O_NONBLOCK. */
static struct workqueue_struct *vtpm_wq;

/**
 * struct vtpm_file - one open /dev/vtpmN
 * @inst:	the instance (a reference is held)
 * @space:	what it loaded in the engine of a sw-backed instance
 * @work:	executes a command written with O_NONBLOCK
 * @wq:		woken when a command completes
 * @lock:	protects everything below; held while this file's command
 *		executes (it may sleep)
 * @in_flight:	a command was queued and has not completed
 * @rsp_read:	some of the response has been read
 * @err:	error of an asynchronous command, reported by the next read
 * @cmd_len:	length of the queued command
 * @rsp_off:	offset of the unread part of the response
 * @rsp_len:	bytes of the response not read yet
 * @cmd:	the command
 * @rsp:	the response
 */
struct vtpm_file {
	struct vtpm_instance *inst;
	struct vtpm_space *space;
	struct work_struct work;
	wait_queue_head_t wq;

	struct mutex lock;	/* see above */
	bool in_flight;
	bool rsp_read;
	int err;
	size_t cmd_len;
	size_t rsp_off;
	size_t rsp_len;
	u8 cmd[VTPM_MAX_COMMAND_SIZE];
	u8 rsp[VTPM_MAX_RESPONSE_SIZE];
};

/* Called with f->lock held. */
static int vtpm_file_run(struct vtpm_file *f, size_t len)
{
	ssize_t n;

	lockdep_assert_held(&f->lock);
	n = vtpm_instance_execute(f->inst, f->space, f->cmd, len, f->rsp,
				  sizeof(f->rsp));
	if (n < 0)
		return n;
	f->rsp_off = 0;
	f->rsp_len = n;
	f->rsp_read = false;
	return 0;
}

static void vtpm_file_work(struct work_struct *work)
{
	struct vtpm_file *f = container_of(work, struct vtpm_file, work);

	mutex_lock(&f->lock);
	f->err = vtpm_file_run(f, f->cmd_len);
	f->in_flight = false;
	mutex_unlock(&f->lock);
	wake_up_interruptible(&f->wq);
}

static int vtpm_open(struct inode *inode, struct file *file)
{
	struct vtpm_instance *inst =
		container_of(inode->i_cdev, struct vtpm_instance, cdev);
	struct vtpm_file *f;

	if (vtpm_instance_dead(inst))
		return -ENODEV;
	f = kvzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		return -ENOMEM;
	f->space = vtpm_backend_open(inst);
	if (IS_ERR(f->space)) {
		kvfree(f);
		return -ENOMEM;
	}
	get_device(&inst->dev);
	f->inst = inst;
	mutex_init(&f->lock);
	init_waitqueue_head(&f->wq);
	INIT_WORK(&f->work, vtpm_file_work);
	atomic_inc(&inst->open_count);
	file->private_data = f;
	return stream_open(inode, file);
}

static int vtpm_release(struct inode *inode, struct file *file)
{
	struct vtpm_file *f = file->private_data;

	flush_work(&f->work);
	vtpm_backend_close(f->inst, f->space);
	atomic_dec(&f->inst->open_count);
	vtpm_instance_put(f->inst);
	kvfree(f);
	return 0;
}

static ssize_t vtpm_write(struct file *file, const char __user *buf,
			  size_t size, loff_t *off)
{
	struct vtpm_file *f = file->private_data;
	ssize_t ret;

	if (size > VTPM_MAX_COMMAND_SIZE)
		return -E2BIG;
	if (!size)
		return -EINVAL;
	if (vtpm_instance_dead(f->inst))
		return -ENODEV;

	mutex_lock(&f->lock);
	if (f->in_flight || (f->rsp_len && !f->rsp_read)) {
		ret = -EBUSY;
		goto out;
	}
	if (copy_from_user(f->cmd, buf, size)) {
		ret = -EFAULT;
		goto out;
	}
	/* a new command discards what is left of the last response */
	f->rsp_len = 0;
	f->err = 0;

	if (file->f_flags & O_NONBLOCK) {
		f->cmd_len = size;
		f->in_flight = true;
		queue_work(vtpm_wq, &f->work);
		ret = size;
		goto out;
	}
	ret = vtpm_file_run(f, size);
	if (!ret)
		ret = size;
out:
	mutex_unlock(&f->lock);
	return ret;
}

static ssize_t vtpm_read(struct file *file, char __user *buf, size_t size,
			 loff_t *off)
{
	struct vtpm_file *f = file->private_data;
	ssize_t ret;

	mutex_lock(&f->lock);
	while (f->in_flight) {
		mutex_unlock(&f->lock);
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		if (wait_event_interruptible(f->wq, !READ_ONCE(f->in_flight)))
			return -ERESTARTSYS;
		mutex_lock(&f->lock);
	}
	if (vtpm_instance_dead(f->inst)) {
		ret = -ENODEV;
	} else if (f->err) {
		ret = f->err;
		f->err = 0;
	} else if (f->rsp_len) {
		ret = min(size, f->rsp_len);
		if (copy_to_user(buf, f->rsp + f->rsp_off, ret)) {
			ret = -EFAULT;
		} else {
			f->rsp_off += ret;
			f->rsp_len -= ret;
			f->rsp_read = true;
		}
	} else {
		ret = 0;
	}
	mutex_unlock(&f->lock);
	return ret;
}

static __poll_t vtpm_poll(struct file *file, poll_table *wait)
{
	struct vtpm_file *f = file->private_data;
	__poll_t mask = 0;

	poll_wait(file, &f->wq, wait);
	poll_wait(file, &f->inst->dead_wq, wait);
	if (vtpm_instance_dead(f->inst))
		return EPOLLERR | EPOLLHUP;

	mutex_lock(&f->lock);
	if (f->rsp_len || f->err)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (!f->in_flight)
		mask = EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&f->lock);
	return mask;
}

/*
 * VTPM_IOC_GET_LOG: the instance's concealed view, or its ASCII list, as
 * the log was at one cut.  Too small a buffer gets -ENOSPC and the size
 * needed in @len.
 */
static long vtpm_ioctl_get_log(struct vtpm_file *f, void __user *uarg)
{
	struct vtpm_log_reader *rd;
	struct vtpm_log_req req;
	size_t len, i;
	loff_t pos = 0;
	long ret;
	u32 size;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size != sizeof(req))
		return -EINVAL;
	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags & ~VTPM_LOG_REQ_FLAGS_ALL)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(req.reserved); i++)
		if (req.reserved[i])
			return -EINVAL;

	/* rendered straight into the caller's buffer: nothing of its size */
	rd = vtpm_log_reader_now(f->inst->tenant,
				 req.flags & VTPM_LOG_REQ_ASCII);
	if (IS_ERR(rd))
		return PTR_ERR(rd);
	ret = vtpm_log_reader_size(rd, &len);
	if (ret)
		goto out;
	if (len > req.len) {
		ret = -ENOSPC;
	} else {
		ret = vtpm_log_reader_read(rd, u64_to_user_ptr(req.buf), len,
					   &pos);
		if (ret >= 0 && (size_t)ret != len)
			/* a fault or a fatal signal after the first bytes */
			ret = fatal_signal_pending(current) ? -EINTR : -EFAULT;
		if (ret < 0)
			goto out;
		ret = 0;
	}
	req.len = len;
	req.batches = vtpm_log_reader_cut(rd)->batches;
	if (copy_to_user(uarg, &req, sizeof(req)))
		ret = -EFAULT;
out:
	vtpm_log_reader_free(rd);
	return ret;
}

/* VTPM_IOC_ATTEST: the instance attests itself (anyone who opened it). */
static long vtpm_ioctl_attest(struct vtpm_file *f, void __user *uarg)
{
	struct vtpm_attest_req req;
	int ret;

	ret = vtpm_attest_get_req(&req, uarg);
	if (ret)
		return ret;
	return vtpm_attest_answer(f->inst->tenant, f->inst->index, &req, uarg);
}

static long vtpm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct vtpm_file *f = file->private_data;

	if (vtpm_instance_dead(f->inst))
		return -ENODEV;
	switch (cmd) {
	case VTPM_IOC_GET_LOG:
		return vtpm_ioctl_get_log(f, (void __user *)arg);
	case VTPM_IOC_ATTEST:
		return vtpm_ioctl_attest(f, (void __user *)arg);
	}
	return -ENOTTY;
}

const struct file_operations vtpm_chardev_fops = {
	.owner = THIS_MODULE,
	.open = vtpm_open,
	.release = vtpm_release,
	.read = vtpm_read,
	.write = vtpm_write,
	.poll = vtpm_poll,
	.unlocked_ioctl = vtpm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

int vtpm_chardev_init(void)
{
	vtpm_wq = alloc_workqueue("vtpm_mux", WQ_UNBOUND, 0);
	return vtpm_wq ? 0 : -ENOMEM;
}

void vtpm_chardev_exit(void)
{
	destroy_workqueue(vtpm_wq);
}
