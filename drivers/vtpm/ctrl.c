// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/vtpm-mux: create, destroy, describe and list
 * instances (include/uapi/linux/vtpm_mux.h).  Anyone may describe and
 * list; changing anything needs CAP_SYS_ADMIN.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "vtpm.h"
#include "attest.h"
#include "backend.h"
#include "ctrl.h"
#include "instance.h"

/*
 * Every argument starts with its size: check it before copying the rest, so
 * that a structure of another size gets -EINVAL, not a partial copy.
 */
static int vtpm_copy_arg(void *arg, const void __user *uarg, u32 size)
{
	u32 usize;

	if (get_user(usize, (const u32 __user *)uarg))
		return -EFAULT;
	if (usize != size)
		return -EINVAL;
	return copy_from_user(arg, uarg, size) ? -EFAULT : 0;
}

static bool vtpm_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* NUL-terminated printable ASCII */
static bool vtpm_label_valid(const char *label)
{
	size_t i, len = strnlen(label, VTPM_MUX_LABEL_MAX);

	if (len == VTPM_MUX_LABEL_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (label[i] < 0x20 || label[i] > 0x7e)
			return false;
	return true;
}

static long vtpm_ctrl_create(struct vtpm_mux_create __user *uarg)
{
	struct vtpm_create_args a = {
		.uid = GLOBAL_ROOT_UID,
		.gid = GLOBAL_ROOT_GID,
		.mode = 0600,
	};
	struct vtpm_instance *inst;
	struct vtpm_mux_create c;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = vtpm_copy_arg(&c, uarg, sizeof(c));
	if (ret)
		return ret;
	if (c.flags & ~VTPM_MUX_CREATE_FLAGS_ALL ||
	    c.index || c.reserved0 || !vtpm_zero(c.uuid, sizeof(c.uuid)) ||
	    !vtpm_zero(c.reserved, sizeof(c.reserved)) ||
	    (c.backend != VTPM_MUX_BACKEND_NONE &&
	     c.backend != VTPM_MUX_BACKEND_SW) || !vtpm_label_valid(c.label))
		return -EINVAL;
	if (c.flags & VTPM_MUX_CREATE_OWNER) {
		a.uid = make_kuid(current_user_ns(), c.uid);
		a.gid = make_kgid(current_user_ns(), c.gid);
		if (!uid_valid(a.uid) || !gid_valid(a.gid))
			return -EINVAL;
	} else if (c.uid || c.gid) {
		return -EINVAL;
	}
	if (c.flags & VTPM_MUX_CREATE_MODE) {
		/* devtmpfs would read mode 0 as its default, 0600 */
		if (!c.mode || c.mode & ~0777)
			return -EINVAL;
		a.mode = c.mode;
	} else if (c.mode) {
		return -EINVAL;
	}
	a.label = c.label;
	a.backend = c.backend;

	inst = vtpm_instance_create(&a);
	if (IS_ERR(inst))
		return PTR_ERR(inst);
	c.index = inst->index;
	export_uuid(c.uuid, &inst->uuid);
	if (copy_to_user(uarg, &c, sizeof(c))) {
		vtpm_instance_destroy(c.index);
		return -EFAULT;
	}
	return 0;
}

static long vtpm_ctrl_destroy(struct vtpm_mux_destroy __user *uarg)
{
	struct vtpm_mux_destroy d;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = vtpm_copy_arg(&d, uarg, sizeof(d));
	if (ret)
		return ret;
	if (d.flags || d.reserved0 ||
	    !vtpm_zero(d.reserved, sizeof(d.reserved)))
		return -EINVAL;
	return vtpm_instance_destroy(d.index);
}

static long vtpm_ctrl_info(struct vtpm_mux_info __user *uarg)
{
	const struct vtpm_banks *banks;
	struct vtpm_instance *inst;
	struct vtpm_mux_info info;
	u32 index, i;
	int ret;

	ret = vtpm_copy_arg(&info, uarg, sizeof(info));
	if (ret)
		return ret;
	if (info.flags ||
	    !vtpm_zero(info.reserved, sizeof(info.reserved)))
		return -EINVAL;
	index = info.index;
	inst = vtpm_instance_get(index);
	if (!inst)
		return -ENODEV;

	memset(&info, 0, sizeof(info));
	info.size = sizeof(info);
	info.index = index;
	info.uid = from_kuid_munged(current_user_ns(), inst->uid);
	info.gid = from_kgid_munged(current_user_ns(), inst->gid);
	info.mode = inst->mode;
	info.backend = inst->backend;
	memcpy(info.label, inst->label, sizeof(info.label));
	export_uuid(info.uuid, &inst->uuid);
	info.open_count = atomic_read(&inst->open_count);
	info.engine = vtpm_backend_engine(inst, &info.attaches);

	/*
	 * A snapshot, without the instance's lock: INFO never waits for a
	 * command in progress (which may wait for its engine).
	 */
	banks = inst->tpm->banks;
	info.nr_banks = banks->nr;
	for (i = 0; i < banks->nr; i++)
		info.banks[i] = banks->bank[i].alg;
	info.started = READ_ONCE(inst->tpm->started);
	info.commands = READ_ONCE(inst->tpm->commands);
	info.extends = READ_ONCE(inst->tpm->extends);
	vtpm_instance_put(inst);

	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long vtpm_ctrl_list(struct vtpm_mux_list __user *uarg)
{
	struct vtpm_mux_list l;
	u32 *ids = NULL, total;
	int n, ret;

	ret = vtpm_copy_arg(&l, uarg, sizeof(l));
	if (ret)
		return ret;
	if (l.flags || l.reserved0 ||
	    !vtpm_zero(l.reserved, sizeof(l.reserved)))
		return -EINVAL;
	if (l.count) {
		ids = kvcalloc(min(l.count, vtpm_max_instances), sizeof(*ids),
			       GFP_KERNEL);
		if (!ids)
			return -ENOMEM;
	}
	ret = 0;
	n = vtpm_instance_list(ids, min(l.count, vtpm_max_instances), &total);
	if (n && copy_to_user(u64_to_user_ptr(l.indices), ids,
			      n * sizeof(*ids))) {
		ret = -EFAULT;
		goto out;
	}
	l.count = total;
	if (copy_to_user(uarg, &l, sizeof(l)))
		ret = -EFAULT;
out:
	kvfree(ids);
	return ret;
}

/* A new engine for a sw-backed instance: its server file descriptor. */
static long vtpm_ctrl_attach(struct vtpm_mux_attach __user *uarg)
{
	struct vtpm_instance *inst;
	struct vtpm_mux_attach a;
	int ret, fd;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = vtpm_copy_arg(&a, uarg, sizeof(a));
	if (ret)
		return ret;
	if (a.flags & ~VTPM_MUX_ATTACH_FLAGS_ALL || a.fd ||
	    !vtpm_zero(a.reserved, sizeof(a.reserved)))
		return -EINVAL;
	inst = vtpm_instance_get(a.index);
	if (!inst)
		return -ENODEV;
	fd = vtpm_backend_attach(inst, a.flags);
	vtpm_instance_put(inst);
	if (fd < 0)
		return fd;
	/* the descriptor is installed: it stays, whatever happens here */
	a.fd = fd;
	if (copy_to_user(uarg, &a, sizeof(a)))
		return -EFAULT;
	return fd;
}

/* The host attests an instance on its behalf. */
static long vtpm_ctrl_attest(void __user *uarg)
{
	struct vtpm_attest_req req;
	struct vtpm_instance *inst;
	long ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = vtpm_attest_get_req(&req, uarg);
	if (ret)
		return ret;
	inst = vtpm_instance_get(req.index);
	if (!inst)
		return -ENODEV;
	ret = vtpm_attest_answer(inst->tenant, inst->index, &req, uarg);
	vtpm_instance_put(inst);
	return ret;
}

static long vtpm_ctrl_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VTPM_MUX_IOC_CREATE:
		return vtpm_ctrl_create(uarg);
	case VTPM_MUX_IOC_DESTROY:
		return vtpm_ctrl_destroy(uarg);
	case VTPM_MUX_IOC_INFO:
		return vtpm_ctrl_info(uarg);
	case VTPM_MUX_IOC_LIST:
		return vtpm_ctrl_list(uarg);
	case VTPM_MUX_IOC_ATTEST:
		return vtpm_ctrl_attest(uarg);
	case VTPM_MUX_IOC_ATTACH:
		return vtpm_ctrl_attach(uarg);
	}
	return -ENOTTY;
}

static const struct file_operations vtpm_ctrl_fops = {
	.owner = THIS_MODULE,
	.open = nonseekable_open,
	.unlocked_ioctl = vtpm_ctrl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = no_llseek,
};

static struct miscdevice vtpm_ctrl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "vtpm-mux",
	.fops = &vtpm_ctrl_fops,
	.mode = 0666,
};

int vtpm_ctrl_init(void)
{
	return misc_register(&vtpm_ctrl_dev);
}

void vtpm_ctrl_exit(void)
{
	misc_deregister(&vtpm_ctrl_dev);
}
