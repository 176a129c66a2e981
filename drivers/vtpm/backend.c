// SPDX-License-Identifier: GPL-2.0
/*
 * The "sw" backend: every command of a sw-backed instance that the kernel
 * does not answer itself goes to a user-space TPM 2.0 engine (swtpm),
 * attached through a server file descriptor (VTPM_MUX_IOC_ATTACH), which
 * reads one command and writes its response, as vtpm_proxy's server does.
 *
 * The vPCRs stay the truth.  The kernel answers the PCR commands, anchors
 * every change in the hardware PCR (mux.c), then repeats it in the engine
 * (lib/mirror.c), so that the engine's PCRs, seen by its TPM2_Quote,
 * TPM2_PolicyPCR and PCR-bound objects, always equal the vPCRs.  A newly
 * attached engine is started with TPM2_Startup(CLEAR) and given every
 * extend of the instance's log since each vPCR was last reset, before it
 * answers anything ("sync"); the result is checked against the vPCRs first.
 * A vTPM has no power pin: when the tenant starts its vTPM again (TPM2_
 * Startup after TPM2_Shutdown), the engine is detached, so that its
 * supervisor (tools/vtpmd) starts it afresh, and synced again.
 *
 * The engine is untrusted for the kernel's own sake: a response that is
 * not a well-formed TPM response is refused, and one that does not come
 * within engine_timeout_ms detaches the engine.  The tenant then gets a
 * TPM error, never a hang: TPM_RC_RETRY when no engine was there to start
 * its command (none attached within engine_wait_ms, or detached before it
 * read the command), TPM_RC_FAILURE when the engine took the command and
 * failed to answer.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uio.h>

#include "vtpm.h"
#include "backend.h"
#include "instance.h"
#include "lib/mirror.h"

/**
 * enum vtpm_srv_state - where the command of the instance is
 * @VTPM_SRV_IDLE: none
 * @VTPM_SRV_CMD:  in @buf, for the engine to read
 * @VTPM_SRV_SENT: read by the engine, its response awaited
 * @VTPM_SRV_RSP:  the response is in @buf
 */
enum vtpm_srv_state {
	VTPM_SRV_IDLE,
	VTPM_SRV_CMD,
	VTPM_SRV_SENT,
	VTPM_SRV_RSP,
};

/**
 * struct vtpm_backend - the engine side of one sw-backed instance
 * @wq:		woken whenever @gen or @state changes: the engine's readers
 *		and pollers and the command waiting for its response
 * @lock:	protects the fields up to @buf; held for a few stores and
 *		copies between kernel buffers only: never while waiting, never
 *		across a copy to or from user space (the engine's read and
 *		write go through bounce buffers), so that an engine whose
 *		memory never faults in stalls nobody but its own instance's
 *		command, and that for engine_timeout_ms at most
 * @dead:	the instance is destroyed: nothing attaches any more
 * @gen:	generation of the attached engine, 0 when there is none
 * @next_gen:	the last generation handed out
 * @cmd_seq:	number of the command in @buf, so that an engine's read that
 *		copied it out commits only that command as read
 * @state:	&enum vtpm_srv_state
 * @read:	the engine read the command in @buf
 * @synced:	the engine is started and its PCRs equal the vPCRs
 * @attaches:	engines attached so far
 * @len:	bytes in @buf
 * @buf:	the command, then its response
 * @nr_changes:	vPCR changes the command in progress anchored (at most 1)
 * @change:	the first of them
 * @mirror:	the command that repeats it in the engine
 * @spaces:	the &struct vtpm_space of every open file
 *
 * @nr_changes, @change, @mirror and @spaces belong to the command in progress, which holds
 * the instance's lock; so does every call into the engine (one command of
 * the instance at a time).
 */
struct vtpm_backend {
	wait_queue_head_t wq;

	struct mutex lock;	/* see above */
	bool dead;
	u64 gen;
	u64 next_gen;
	u64 cmd_seq;
	u8 state;
	bool read;
	bool synced;
	u32 attaches;
	size_t len;
	u8 buf[VTPM_MAX_COMMAND_SIZE];

	u32 nr_changes;
	struct vtpm_pcr_change change;
	u8 mirror[VTPM_MIRROR_MAX];
	struct list_head spaces;
};

#define VTPM_SPACE_HANDLES	16

/**
 * struct vtpm_space - what one open file of a sw-backed instance loaded
 * @node:   in &struct vtpm_backend.spaces
 * @gen:    the engine the handles are in
 * @nr:	    number of @handle
 * @handle: transient objects, sequences and sessions its commands created
 *	    and did not flush (nor, for a session, save); they are flushed
 *	    when the file is closed, as /dev/tpmrm0 does, so that one tool
 *	    after the other does not fill the engine's few object and
 *	    session slots
 *
 * Belongs to the instance's lock.
 */
struct vtpm_space {
	struct list_head node;
	u64 gen;
	u32 nr;
	u32 handle[VTPM_SPACE_HANDLES];
};

/**
 * struct vtpm_server - one open server file descriptor
 * @inst: the instance (a reference is held)
 * @gen:  the generation it was attached as; it serves the instance while
 *	  that is the backend's @gen
 */
struct vtpm_server {
	struct vtpm_instance *inst;
	u64 gen;
};

int vtpm_backend_create(struct vtpm_instance *inst)
{
	struct vtpm_backend *be;

	be = kvzalloc(sizeof(*be), GFP_KERNEL);
	if (!be)
		return -ENOMEM;
	init_waitqueue_head(&be->wq);
	mutex_init(&be->lock);
	INIT_LIST_HEAD(&be->spaces);
	inst->be = be;
	return 0;
}

void vtpm_backend_free(struct vtpm_instance *inst)
{
	if (inst->be)
		kvfree_sensitive(inst->be, sizeof(*inst->be));
	inst->be = NULL;
}

/* Detach the engine; called with be->lock held. */
static void vtpm_backend_detach(struct vtpm_backend *be)
{
	lockdep_assert_held(&be->lock);
	be->gen = 0;
	be->synced = false;
	be->state = VTPM_SRV_IDLE;
}

/**
 * vtpm_backend_kill() - the instance is being destroyed
 * @inst: the instance
 *
 * Detaches the engine (its file descriptor reports EPOLLHUP, so that swtpm
 * exits) and wakes a command waiting for it, so that the destruction,
 * which takes the instance's lock next, does not wait for the engine.
 */
void vtpm_backend_kill(struct vtpm_instance *inst)
{
	struct vtpm_backend *be = inst->be;

	if (!be)
		return;
	mutex_lock(&be->lock);
	be->dead = true;
	vtpm_backend_detach(be);
	mutex_unlock(&be->lock);
	wake_up_all(&be->wq);
}

/**
 * vtpm_backend_engine() - the state of the instance's engine
 * @inst:     the instance
 * @attaches: set to the number of engines attached so far
 *
 * Return: &enum vtpm_mux_engine.
 */
u32 vtpm_backend_engine(struct vtpm_instance *inst, u32 *attaches)
{
	struct vtpm_backend *be = inst->be;
	u32 ret;

	*attaches = 0;
	if (!be)
		return VTPM_MUX_ENGINE_NONE;
	mutex_lock(&be->lock);
	ret = !be->gen ? VTPM_MUX_ENGINE_NONE :
	      be->synced ? VTPM_MUX_ENGINE_SYNCED : VTPM_MUX_ENGINE_ATTACHED;
	*attaches = be->attaches;
	mutex_unlock(&be->lock);
	return ret;
}

/* ---- the server file descriptor ---- */

static bool vtpm_srv_attached(const struct vtpm_server *srv)
{
	return READ_ONCE(srv->inst->be->gen) == srv->gen;
}

/*
 * The command, to the engine.  It is copied out under the lock into a
 * bounce buffer and to user space without it; only then is it marked read,
 * if it is still the same command: a copy that faults (-EFAULT) leaves it
 * unread, as does one that never completes.
 */
static ssize_t vtpm_srv_read(struct file *file, char __user *buf,
			     size_t size, loff_t *off)
{
	struct vtpm_server *srv = file->private_data;
	struct vtpm_backend *be = srv->inst->be;
	size_t len = 0;
	ssize_t ret;
	u8 *bounce;
	u64 seq;

	bounce = kmalloc(VTPM_MAX_COMMAND_SIZE, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
again:
	mutex_lock(&be->lock);
	while (be->gen == srv->gen && be->state != VTPM_SRV_CMD) {
		mutex_unlock(&be->lock);
		ret = -EAGAIN;
		if (file->f_flags & O_NONBLOCK)
			goto out;
		ret = -ERESTARTSYS;
		if (wait_event_interruptible(be->wq, !vtpm_srv_attached(srv) ||
					     READ_ONCE(be->state) ==
					     VTPM_SRV_CMD))
			goto out;
		mutex_lock(&be->lock);
	}
	if (be->gen != srv->gen) {
		ret = -EPIPE;
	} else if (size < be->len) {
		ret = -EINVAL;
	} else {
		len = be->len;
		seq = be->cmd_seq;
		memcpy(bounce, be->buf, len);
		ret = 0;
	}
	mutex_unlock(&be->lock);
	if (ret)
		goto out;

	ret = -EFAULT;
	if (copy_to_user(buf, bounce, len))
		goto out;

	mutex_lock(&be->lock);
	if (be->gen != srv->gen) {
		ret = -EPIPE;
	} else if (be->state != VTPM_SRV_CMD || be->cmd_seq != seq) {
		/* another reader of this engine took it: wait for the next */
		mutex_unlock(&be->lock);
		goto again;
	} else {
		ret = len;
		be->state = VTPM_SRV_SENT;
		be->read = true;
	}
	mutex_unlock(&be->lock);
	if (ret > 0)
		wake_up_all(&be->wq);
out:
	kfree_sensitive(bounce);
	return ret;
}

/*
 * The response, in one write() or writev(), however it is cut; copied from
 * user space into a bounce buffer before the lock is taken.
 */
static ssize_t vtpm_srv_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct vtpm_server *srv = iocb->ki_filp->private_data;
	struct vtpm_backend *be = srv->inst->be;
	size_t len = iov_iter_count(from);
	ssize_t ret;
	u8 *bounce;

	if (len < VTPM_HEADER_SIZE || len > VTPM_MAX_RESPONSE_SIZE)
		return -EINVAL;
	bounce = kmalloc(len, GFP_KERNEL_ACCOUNT);
	if (!bounce)
		return -ENOMEM;
	ret = -EFAULT;
	if (!copy_from_iter_full(bounce, len, from))
		goto out;

	mutex_lock(&be->lock);
	if (be->gen != srv->gen) {
		ret = -EPIPE;
	} else if (be->state != VTPM_SRV_SENT) {
		ret = -EIO;		/* no command awaits a response */
	} else if (get_unaligned_be32(bounce + 2) != len) {
		ret = -EINVAL;
	} else {
		memcpy(be->buf, bounce, len);
		be->len = len;
		be->state = VTPM_SRV_RSP;
		ret = len;
	}
	mutex_unlock(&be->lock);
	if (ret > 0)
		wake_up_all(&be->wq);
out:
	kfree_sensitive(bounce);
	return ret;
}

static __poll_t vtpm_srv_poll(struct file *file, poll_table *wait)
{
	struct vtpm_server *srv = file->private_data;
	struct vtpm_backend *be = srv->inst->be;
	__poll_t mask = 0;

	poll_wait(file, &be->wq, wait);
	mutex_lock(&be->lock);
	if (be->gen != srv->gen)
		mask = EPOLLHUP | EPOLLERR;
	else if (be->state == VTPM_SRV_CMD)
		mask = EPOLLIN | EPOLLRDNORM;
	else if (be->state == VTPM_SRV_SENT)
		mask = EPOLLOUT | EPOLLWRNORM;
	mutex_unlock(&be->lock);
	return mask;
}

static int vtpm_srv_release(struct inode *inode, struct file *file)
{
	struct vtpm_server *srv = file->private_data;
	struct vtpm_backend *be = srv->inst->be;

	mutex_lock(&be->lock);
	if (be->gen == srv->gen)
		vtpm_backend_detach(be);
	mutex_unlock(&be->lock);
	wake_up_all(&be->wq);
	vtpm_instance_put(srv->inst);
	kfree(srv);
	return 0;
}

static const struct file_operations vtpm_srv_fops = {
	.owner = THIS_MODULE,
	.read = vtpm_srv_read,
	.write_iter = vtpm_srv_write_iter,
	.poll = vtpm_srv_poll,
	.release = vtpm_srv_release,
	.llseek = no_llseek,
};

/**
 * vtpm_backend_attach() - attach a new engine to a sw-backed instance
 * @inst:  the instance (the caller holds a reference)
 * @flags: &enum vtpm_mux_attach_flags
 *
 * The engine attached before, if any, is detached.
 *
 * Return: the new server file descriptor, -EINVAL if @inst is not
 * sw-backed, -ENODEV if it is destroyed, or another -errno.
 */
int vtpm_backend_attach(struct vtpm_instance *inst, u32 flags)
{
	struct vtpm_backend *be = inst->be;
	struct vtpm_server *srv;
	struct file *file;
	int fd, ret;

	if (!be)
		return -EINVAL;
	srv = kzalloc(sizeof(*srv), GFP_KERNEL);
	if (!srv)
		return -ENOMEM;
	fd = get_unused_fd_flags(O_RDWR |
				 (flags & VTPM_MUX_ATTACH_CLOEXEC ? O_CLOEXEC : 0));
	if (fd < 0) {
		ret = fd;
		goto err_free;
	}
	get_device(&inst->dev);
	srv->inst = inst;
	file = anon_inode_getfile("[vtpm-engine]", &vtpm_srv_fops, srv, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_put;
	}

	mutex_lock(&be->lock);
	if (be->dead) {
		mutex_unlock(&be->lock);
		/* its release drops the reference and frees srv */
		fput(file);
		put_unused_fd(fd);
		return -ENODEV;
	}
	vtpm_backend_detach(be);
	srv->gen = ++be->next_gen;
	be->gen = srv->gen;
	be->attaches++;
	mutex_unlock(&be->lock);
	wake_up_all(&be->wq);
	fd_install(fd, file);
	return fd;

err_put:
	put_device(&inst->dev);
	put_unused_fd(fd);
err_free:
	kfree(srv);
	return ret;
}

/* ---- commands ---- */

/* The command engine @gen had is answered, or the engine is gone. */
static bool vtpm_backend_answered(struct vtpm_backend *be, u64 gen)
{
	return READ_ONCE(be->gen) != gen ||
	       READ_ONCE(be->state) != VTPM_SRV_SENT;
}

/*
 * Hand @cmd to the engine and wait for its response, into be->buf.  Called
 * with the instance's lock held.  Returns 0, a TPM_RC for the tenant, or
 * -EINTR (fatal signal) / -ENODEV (the instance is destroyed).
 */
static int vtpm_backend_exchange(struct vtpm_backend *be, const u8 *cmd,
				 size_t len)
{
	long timeout = msecs_to_jiffies(READ_ONCE(vtpm_engine_timeout_ms));
	long wait = msecs_to_jiffies(READ_ONCE(vtpm_engine_wait_ms));
	long left;
	u64 gen;
	int ret;

	left = wait_event_killable_timeout(be->wq, READ_ONCE(be->gen) ||
					   READ_ONCE(be->dead), wait);
	if (left < 0)
		return -EINTR;

	mutex_lock(&be->lock);
	/* a command whose caller was killed may still be with the engine */
	while (be->gen && be->state == VTPM_SRV_SENT) {
		gen = be->gen;
		mutex_unlock(&be->lock);
		left = wait_event_killable_timeout(be->wq,
						   vtpm_backend_answered(be, gen),
						   timeout);
		if (left < 0)
			return -EINTR;
		mutex_lock(&be->lock);
		if (!left && be->gen == gen && be->state == VTPM_SRV_SENT) {
			pr_warn_ratelimited("engine of an instance did not answer within %u ms: detached\n",
					    vtpm_engine_timeout_ms);
			vtpm_backend_detach(be);
			be->state = VTPM_SRV_IDLE;
			wake_up_all(&be->wq);
		}
	}
	if (be->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	if (!be->gen) {
		be->state = VTPM_SRV_IDLE;
		ret = VTPM_RC_RETRY;
		goto out_unlock;
	}
	gen = be->gen;
	memcpy(be->buf, cmd, len);
	be->len = len;
	be->read = false;
	be->cmd_seq++;
	be->state = VTPM_SRV_CMD;
	mutex_unlock(&be->lock);
	wake_up_all(&be->wq);

	left = wait_event_killable_timeout(be->wq, READ_ONCE(be->gen) != gen ||
					   READ_ONCE(be->state) == VTPM_SRV_RSP,
					   timeout);
	if (left < 0)
		return -EINTR;	/* the engine may still answer: see above */

	mutex_lock(&be->lock);
	if (be->gen == gen && be->state == VTPM_SRV_RSP) {
		be->state = VTPM_SRV_IDLE;
		ret = 0;
	} else if (be->dead) {
		ret = -ENODEV;
	} else {
		if (be->gen == gen) {
			pr_warn_ratelimited("engine of an instance did not answer within %u ms: detached\n",
					    vtpm_engine_timeout_ms);
			vtpm_backend_detach(be);
			wake_up_all(&be->wq);
		}
		ret = be->read ? VTPM_RC_FAILURE : VTPM_RC_RETRY;
		be->state = VTPM_SRV_IDLE;
	}
out_unlock:
	mutex_unlock(&be->lock);
	return ret;
}

/* Hand a command of the kernel's own to the engine; 0 or a TPM_RC. */
static int vtpm_backend_call(struct vtpm_backend *be, const u8 *cmd,
			     size_t len)
{
	int ret = vtpm_backend_exchange(be, cmd, len);

	if (ret)
		return ret;
	return vtpm_response_rc(be->buf, be->len);
}

/* The engine cannot be trusted to hold the vPCRs any more: detach it. */
static void vtpm_backend_drop(struct vtpm_backend *be, const char *why)
{
	mutex_lock(&be->lock);
	if (be->gen) {
		pr_warn_ratelimited("engine of an instance detached: %s\n",
				    why);
		vtpm_backend_detach(be);
	}
	mutex_unlock(&be->lock);
	wake_up_all(&be->wq);
}

/**
 * struct vtpm_sync - state of one sync of an engine
 * @inst: the instance
 * @plan: which records to repeat (lib/mirror.h)
 * @sim:  the vPCRs the plan gives, checked before the engine gets them
 * @cmd:  scratch: the command to the engine
 * @rc:   the first failure of the engine, a TPM_RC
 */
struct vtpm_sync {
	struct vtpm_instance *inst;
	struct vtpm_mirror_plan plan;
	struct vtpm_tpm *sim;
	u8 cmd[VTPM_MIRROR_MAX];
	int rc;
};

static void vtpm_change_of(const struct vtpm_banks *banks,
			   const struct vtpm_krec *r,
			   struct vtpm_pcr_change *chg)
{
	u32 i;

	chg->type = r->type;
	chg->pcr = r->pcr;
	chg->count = r->count;
	for (i = 0; i < r->count && i < VTPM_MAX_BANKS; i++) {
		chg->d[i].bank = r->bank[i];
		memcpy(chg->d[i].digest, r->digest[i],
		       banks->bank[r->bank[i]].size);
	}
}

static int vtpm_sync_note(void *ctx, const struct vtpm_krec *r, u64 seq)
{
	struct vtpm_sync *s = ctx;

	vtpm_mirror_plan_note(&s->plan, r->type, r->pcr, seq);
	return 0;
}

static int vtpm_sync_simulate(void *ctx, const struct vtpm_krec *r, u64 seq)
{
	struct vtpm_sync *s = ctx;
	struct vtpm_pcr_change chg = { };

	if (!vtpm_mirror_plan_wanted(&s->plan, r->type, r->pcr, seq))
		return 0;
	vtpm_change_of(s->sim->banks, r, &chg);
	return vtpm_pcr_change_apply(s->sim, &chg) ? -EINVAL : 0;
}

static int vtpm_sync_send(void *ctx, const struct vtpm_krec *r, u64 seq)
{
	struct vtpm_sync *s = ctx;
	struct vtpm_pcr_change chg = { };
	size_t len;
	int rc;

	if (!vtpm_mirror_plan_wanted(&s->plan, r->type, r->pcr, seq))
		return 0;
	vtpm_change_of(s->sim->banks, r, &chg);
	len = vtpm_mirror_command(s->sim->banks, &chg, s->cmd, sizeof(s->cmd));
	if (!len)
		return -EINVAL;
	rc = vtpm_backend_call(s->inst->be, s->cmd, len);
	if (rc) {
		s->rc = rc;
		return -EIO;
	}
	return 0;
}

/*
 * Start the engine and give it the vPCRs, if the instance is started (an
 * engine of an instance that is not started stays so: the tenant's
 * Startup starts both).  Called with the instance's lock held; 0 or a
 * TPM_RC (or -errno) for the tenant.
 */
static int vtpm_backend_sync(struct vtpm_instance *inst)
{
	const struct vtpm_banks *banks = inst->tpm->banks;
	struct vtpm_pcr_change startup = { .type = VTPM_CHANGE_STARTUP };
	struct vtpm_backend *be = inst->be;
	struct vtpm_log_cut cut;
	struct vtpm_sync *s;
	size_t len;
	int ret;

	if (READ_ONCE(be->synced) || !inst->tpm->started)
		return 0;
	s = kvzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);
	if (!s)
		return VTPM_RC_MEMORY;
	s->inst = inst;
	s->sim = kzalloc(vtpm_tpm_size(banks), GFP_KERNEL_ACCOUNT);
	if (!s->sim) {
		ret = VTPM_RC_MEMORY;
		goto out;
	}
	vtpm_tpm_init(s->sim, banks);
	vtpm_pcr_change_apply(s->sim, &startup);

	/* the plan, and what it gives: it must be the vPCRs */
	vtpm_log_cut(&cut);
	ret = vtpm_log_walk(&cut, inst->tenant, vtpm_sync_note, s);
	if (!ret)
		ret = vtpm_log_walk(&cut, inst->tenant, vtpm_sync_simulate, s);
	if (ret || memcmp(s->sim->pcr, inst->tpm->pcr,
			  VTPM_NUM_PCRS * banks->stride)) {
		/* a batch in doubt, not yet voided: try again later */
		ret = VTPM_RC_RETRY;
		goto out;
	}

	len = vtpm_mirror_command(banks, &startup, s->cmd, sizeof(s->cmd));
	ret = vtpm_backend_call(be, s->cmd, len);
	if (ret) {
		if (ret > 0 && ret != VTPM_RC_RETRY) {
			vtpm_backend_drop(be, "its TPM2_Startup failed");
			ret = VTPM_RC_FAILURE;
		}
		goto out;
	}
	ret = vtpm_log_walk(&cut, inst->tenant, vtpm_sync_send, s);
	if (ret) {
		vtpm_backend_drop(be, "the replay of its vPCRs failed");
		ret = s->rc == -EINTR || s->rc == -ENODEV ? s->rc :
		      VTPM_RC_FAILURE;
		goto out;
	}
	mutex_lock(&be->lock);
	if (be->gen)
		be->synced = true;
	mutex_unlock(&be->lock);
out:
	kfree(s->sim);
	kvfree(s);
	return ret;
}

static void vtpm_space_drop(struct vtpm_space *space, u32 h)
{
	u32 i;

	for (i = 0; i < space->nr; i++) {
		if (space->handle[i] == h) {
			space->handle[i] = space->handle[--space->nr];
			return;
		}
	}
}

/*
 * Note what the engine's response to @cmd loaded or flushed.  A handle
 * flushed is dropped from every space: another file's object may have got
 * its number since.
 */
static void vtpm_space_track(struct vtpm_backend *be, struct vtpm_space *space,
			     const u8 *cmd, size_t len, const u8 *rsp,
			     size_t rlen)
{
	struct vtpm_space *s;
	u32 h;

	if (!space)
		return;
	list_for_each_entry(s, &be->spaces, node) {
		if (s->gen != READ_ONCE(be->gen)) {
			s->gen = READ_ONCE(be->gen);
			s->nr = 0;
		}
	}
	h = vtpm_handle_released(cmd, len, rsp, rlen);
	if (h)
		list_for_each_entry(s, &be->spaces, node)
			vtpm_space_drop(s, h);
	h = vtpm_handle_created(cmd, len, rsp, rlen);
	if (h) {
		/* the same number may have been freed behind our back */
		list_for_each_entry(s, &be->spaces, node)
			vtpm_space_drop(s, h);
		if (space->nr < VTPM_SPACE_HANDLES)
			space->handle[space->nr++] = h;
	}
}

/**
 * vtpm_backend_anchored() - a vPCR change of a sw-backed instance is
 *			     anchored (platform.c)
 * @inst: the instance
 * @chg:  the change
 *
 * Called with the instance's lock held, by the command in progress; the
 * change is repeated in the engine once the command is done.
 */
void vtpm_backend_anchored(struct vtpm_instance *inst,
			   const struct vtpm_pcr_change *chg)
{
	struct vtpm_backend *be = inst->be;

	if (!be)
		return;
	if (!be->nr_changes++)
		be->change = *chg;
}

/* Repeat in the engine what the kernel's command changed. */
static void vtpm_backend_mirror(struct vtpm_instance *inst)
{
	struct vtpm_backend *be = inst->be;
	struct vtpm_pcr_change *chg = &be->change;
	size_t len;
	int rc;

	if (!be->nr_changes || !READ_ONCE(be->synced))
		goto out;
	if (be->nr_changes > 1) {
		vtpm_backend_drop(be, "more than one change to repeat");
		goto out;
	}
	if (chg->type == VTPM_CHANGE_STARTUP ||
	    chg->type == VTPM_CHANGE_RESUME) {
		/* a started engine starts again only after a power cycle */
		vtpm_backend_drop(be, "the tenant started its vTPM again");
		goto out;
	}
	len = vtpm_mirror_command(inst->tpm->banks, chg, be->mirror,
				  sizeof(be->mirror));
	rc = len ? vtpm_backend_call(be, be->mirror, len) : -EINVAL;
	if (rc)
		vtpm_backend_drop(be, "it refused a vPCR change");
out:
	be->nr_changes = 0;
}

/**
 * vtpm_backend_execute() - run one command of a sw-backed instance
 * @inst:  the instance; the caller holds its lock
 * @space: the open file's, from vtpm_backend_open()
 * @cmd:  the command
 * @len:  its length
 * @rsp:  the response buffer
 * @cap:  its capacity (VTPM_MAX_RESPONSE_SIZE)
 *
 * Return: the length of the response, -EINTR if a fatal signal came
 * while the engine had the command, or -ENODEV once destroyed.
 */
ssize_t vtpm_backend_execute(struct vtpm_instance *inst,
			     struct vtpm_space *space, const u8 *cmd,
			     size_t len, u8 *rsp, size_t cap)
{
	struct vtpm_backend *be = inst->be;
	enum vtpm_route route = vtpm_mirror_route(cmd, len);
	size_t n = 0;
	int rc;

	if (route != VTPM_ROUTE_ENGINE) {
		be->nr_changes = 0;
		n = vtpm_execute(inst->tpm, cmd, len, rsp, cap);
		vtpm_backend_mirror(inst);
		if (route == VTPM_ROUTE_KERNEL ||
		    vtpm_response_rc(rsp, n) != VTPM_RC_SUCCESS)
			return n;
		/* TPM2_Shutdown: the engine too, if it is there */
		if (!READ_ONCE(be->gen))
			return n;
	}

	rc = vtpm_backend_sync(inst);
	if (!rc)
		rc = vtpm_backend_exchange(be, cmd, len);
	if (rc < 0)
		return rc == -EINTR ? -EINTR : -ENODEV;
	if (rc)
		return n ? n : vtpm_response_error(rc, rsp, cap);

	mutex_lock(&be->lock);
	n = min(be->len, cap);
	memcpy(rsp, be->buf, n);
	mutex_unlock(&be->lock);
	vtpm_space_track(be, space, cmd, len, rsp, n);
	return n;
}

/**
 * vtpm_backend_open() - a file of a sw-backed instance is opened
 * @inst: the instance
 *
 * Return: its space (NULL for an instance without a backend), or an
 * ERR_PTR.
 */
struct vtpm_space *vtpm_backend_open(struct vtpm_instance *inst)
{
	struct vtpm_space *space;

	if (!inst->be)
		return NULL;
	space = kzalloc(sizeof(*space), GFP_KERNEL_ACCOUNT);
	if (!space)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&inst->lock);
	list_add(&space->node, &inst->be->spaces);
	mutex_unlock(&inst->lock);
	return space;
}

/**
 * vtpm_backend_close() - a file of a sw-backed instance is closed
 * @inst:  the instance
 * @space: the file's space (may be NULL)
 *
 * Flushes the objects and sessions the file left loaded in the engine.
 */
void vtpm_backend_close(struct vtpm_instance *inst, struct vtpm_space *space)
{
	struct vtpm_backend *be = inst->be;
	u8 cmd[VTPM_HEADER_SIZE + 4];
	u32 i;

	if (!space)
		return;
	mutex_lock(&inst->lock);
	for (i = 0; i < space->nr && !inst->dead; i++) {
		if (space->gen != READ_ONCE(be->gen))
			break;
		put_unaligned_be16(VTPM_ST_NO_SESSIONS, cmd);
		put_unaligned_be32(sizeof(cmd), cmd + 2);
		put_unaligned_be32(VTPM_CC_FLUSH_CONTEXT, cmd + 6);
		put_unaligned_be32(space->handle[i], cmd + VTPM_HEADER_SIZE);
		if (vtpm_backend_exchange(be, cmd, sizeof(cmd)) < 0)
			break;
	}
	list_del(&space->node);
	mutex_unlock(&inst->lock);
	kfree(space);
}
