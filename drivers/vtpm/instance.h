/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpm-mux instances: one virtual TPM each, /dev/vtpmN.
 */
#ifndef _VTPM_INSTANCE_H
#define _VTPM_INSTANCE_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/mutex.h>
#include <linux/uuid.h>
#include <linux/wait.h>
#include <uapi/linux/vtpm_mux.h>

#include "lib/engine.h"
#include "log.h"

struct vtpm_backend;
struct vtpm_space;

/**
 * struct vtpm_instance - one virtual TPM
 * @dev:	the device in class vtpm; its refcount is the instance's
 * @cdev:	/dev/vtpmN; an open file holds a reference on @dev through it
 * @index:	N
 * @uuid:	random at creation, never reused
 * @label:	free text given at creation
 * @uid:	owner of the device node
 * @gid:	group of the device node
 * @mode:	permission bits of the device node
 * @backend:	&enum vtpm_mux_backend
 * @open_count:	open files
 * @dead_wq:	woken when the instance is destroyed (pollers)
 * @lock:	serialises the commands of the instance and protects @dead
 *		and @tpm; may sleep (hardware extends happen under it)
 * @dead:	destroyed: every call but close() fails with -ENODEV
 * @tpm:	the TPM state (lib/engine.h)
 * @tenant:	the instance in the mapping log (outlives the instance)
 * @secfs:	its securityfs directory and files (secfs.c)
 * @be:		the engine side of a sw-backed instance (backend.c), else
 *		NULL
 *
 * Everything but @lock, @dead, @open_count and @tpm is set at creation and
 * read-only afterwards.
 */
struct vtpm_instance {
	struct device dev;
	struct cdev cdev;
	u32 index;
	uuid_t uuid;
	char label[VTPM_MUX_LABEL_MAX];
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 backend;
	atomic_t open_count;
	wait_queue_head_t dead_wq;

	struct mutex lock;	/* see above */
	bool dead;
	struct vtpm_tpm *tpm;
	struct vtpm_tenant *tenant;
	struct dentry *secfs[3];
	struct vtpm_backend *be;
};

struct vtpm_create_args {
	const char *label;
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	u32 backend;
};

int vtpm_instances_init(const struct vtpm_banks *banks);
void vtpm_instances_exit(void);

struct vtpm_instance *vtpm_instance_create(const struct vtpm_create_args *a);
int vtpm_instance_destroy(u32 index);
struct vtpm_instance *vtpm_instance_get(u32 index);
void vtpm_instance_put(struct vtpm_instance *inst);
int vtpm_instance_list(u32 *indices, u32 max, u32 *total);
ssize_t vtpm_instance_execute(struct vtpm_instance *inst,
			      struct vtpm_space *space, const u8 *cmd,
			      size_t len, u8 *rsp, size_t cap);

static inline bool vtpm_instance_dead(const struct vtpm_instance *inst)
{
	return READ_ONCE(inst->dead);
}

#endif /* _VTPM_INSTANCE_H */
