// SPDX-License-Identifier: GPL-2.0
/*
 * Instance lifetime: creation, the vtpm class and its sysfs attributes,
 * lookup, and destruction while files are still open.
 *
 * An instance lives as long as its struct device has references: the
 * registry holds one from creation to destruction, each open file holds one
 * (through its cdev and explicitly), and a lookup holds one until
 * vtpm_instance_put().  Destruction marks the instance dead under its lock,
 * so that a command in progress finishes and every later call fails with
 * -ENODEV, removes the device node, and drops the registry's reference.
 */
#include <linux/idr.h>
#include <linux/slab.h>

#include "vtpm.h"
#include "backend.h"
#include "instance.h"
#include "chardev.h"
#include "ima.h"
#include "mux.h"
#include "secfs.h"

/*
 * The registry: index -> instance.  vtpm_registry_lock protects
 * vtpm_registry and vtpm_nr_instances, and is held for IDR operations and
 * reference grabs only: never while taking an instance's or an engine's
 * lock, nor across anything that waits for an instance, so that LIST,
 * INFO, CREATE, ATTACH and DESTROY of everyone never wait for one
 * instance's command or engine.  A NULL entry is an index reserved by a
 * creation or a destruction in progress: lookups and LIST do not see it,
 * and nothing else gets that index until the device is created or gone.
 */
static DEFINE_MUTEX(vtpm_registry_lock);
static DEFINE_IDR(vtpm_registry);
static u32 vtpm_nr_instances;

/* Set at init, read-only until exit. */
static const struct vtpm_banks *vtpm_inst_banks;
static dev_t vtpm_devt;
static struct class *vtpm_class;
/*
 * The instances' vPCR state, vtpm_tpm_size() bytes: 4408 with 4 banks,
 * which kmalloc() would round up to 8 KiB, half of an idle instance's
 * memory.
 */
static struct kmem_cache *vtpm_tpm_cache;

#define to_vtpm_instance(d) container_of(d, struct vtpm_instance, dev)

static void vtpm_instance_release(struct device *dev)
{
	struct vtpm_instance *inst = to_vtpm_instance(dev);

	vtpm_backend_free(inst);
	if (inst->tpm) {
		memzero_explicit(inst->tpm, vtpm_tpm_size(vtpm_inst_banks));
		kmem_cache_free(vtpm_tpm_cache, inst->tpm);
	}
	kfree(inst);
}

static ssize_t label_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", to_vtpm_instance(dev)->label);
}
static DEVICE_ATTR_RO(label);

static ssize_t uuid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%pUb\n", &to_vtpm_instance(dev)->uuid);
}
static DEVICE_ATTR_RO(uuid);

static ssize_t pcr_banks_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	const struct vtpm_banks *b = vtpm_inst_banks;
	int len = 0;
	u32 i;

	for (i = 0; i < b->nr; i++)
		len += sysfs_emit_at(buf, len, "%s%s", i ? " " : "",
				     vtpm_alg_name(b->bank[i].alg));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(pcr_banks);

static ssize_t backend_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vtpm_instance *inst = to_vtpm_instance(dev);

	return sysfs_emit(buf, "%s\n", inst->backend == VTPM_MUX_BACKEND_SW ?
			  "sw" : "none");
}
static DEVICE_ATTR_RO(backend);

/* The engine of a sw-backed instance: none, attached or synced. */
static ssize_t engine_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	static const char * const names[] = {
		[VTPM_MUX_ENGINE_NONE] = "none",
		[VTPM_MUX_ENGINE_ATTACHED] = "attached",
		[VTPM_MUX_ENGINE_SYNCED] = "synced",
	};
	u32 attaches, e;

	e = vtpm_backend_engine(to_vtpm_instance(dev), &attaches);
	return sysfs_emit(buf, "%s %u\n", names[e], attaches);
}
static DEVICE_ATTR_RO(engine);

static ssize_t commands_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct vtpm_instance *inst = to_vtpm_instance(dev);
	u64 n;

	n = READ_ONCE(inst->tpm->commands);	/* never waits for a command */
	return sysfs_emit(buf, "%llu\n", n);
}
static DEVICE_ATTR_RO(commands);

static ssize_t extends_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct vtpm_instance *inst = to_vtpm_instance(dev);
	u64 n;

	n = READ_ONCE(inst->tpm->extends);	/* never waits for a command */
	return sysfs_emit(buf, "%llu\n", n);
}
static DEVICE_ATTR_RO(extends);

static struct attribute *vtpm_instance_attrs[] = {
	&dev_attr_label.attr,
	&dev_attr_uuid.attr,
	&dev_attr_pcr_banks.attr,
	&dev_attr_backend.attr,
	&dev_attr_engine.attr,
	&dev_attr_commands.attr,
	&dev_attr_extends.attr,
	NULL,
};
ATTRIBUTE_GROUPS(vtpm_instance);

#ifdef VTPM_HAVE_CONST_DEVNODE
static char *vtpm_devnode(const struct device *dev, umode_t *mode,
			  kuid_t *uid, kgid_t *gid)
#else
static char *vtpm_devnode(struct device *dev, umode_t *mode, kuid_t *uid,
			  kgid_t *gid)
#endif
{
	const struct vtpm_instance *inst =
		container_of(dev, struct vtpm_instance, dev);

	if (mode)
		*mode = inst->mode;
	if (uid)
		*uid = inst->uid;
	if (gid)
		*gid = inst->gid;
	return NULL;
}

static const struct device_type vtpm_instance_type = {
	.name = "vtpm",
	.groups = vtpm_instance_groups,
	.devnode = vtpm_devnode,
	.release = vtpm_instance_release,
};

/* Anchor an instance's CREATE or DESTROY record; a TPM_RC. */
static u32 vtpm_instance_record(const struct vtpm_tenant *t, u8 type)
{
	struct vtpm_krec *k;
	u32 rc;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return VTPM_RC_MEMORY;
	k->tenant = t->id;
	k->type = type;
	rc = vtpm_mux_submit(k);
	kfree(k);
	return rc;
}

/**
 * vtpm_instance_create() - create /dev/vtpmN
 * @a: what the control device was asked for (validated there)
 *
 * The instance's CREATE record is anchored in the hardware PCR before its
 * device appears.
 *
 * Return: the new instance (the caller does not own a reference), or an
 * ERR_PTR: -ENOSPC beyond max_instances or with the log full, -EIO when
 * the hardware TPM failed, -ENOMEM.
 */
struct vtpm_instance *vtpm_instance_create(const struct vtpm_create_args *a)
{
	struct vtpm_instance *inst;
	u8 uuid[VTPM_UUID_SIZE];
	int ret, index;
	u32 rc;

	inst = kzalloc(sizeof(*inst), GFP_KERNEL);
	if (!inst)
		return ERR_PTR(-ENOMEM);
	inst->tpm = kmem_cache_zalloc(vtpm_tpm_cache, GFP_KERNEL);
	if (!inst->tpm) {
		kfree(inst);
		return ERR_PTR(-ENOMEM);
	}
	vtpm_tpm_init(inst->tpm, vtpm_inst_banks);
	inst->tpm->plat = inst;
	mutex_init(&inst->lock);
	init_waitqueue_head(&inst->dead_wq);
	atomic_set(&inst->open_count, 0);
	uuid_gen(&inst->uuid);
	strscpy(inst->label, a->label, sizeof(inst->label));
	inst->uid = a->uid;
	inst->gid = a->gid;
	inst->mode = a->mode;
	inst->backend = a->backend;

	device_initialize(&inst->dev);
	inst->dev.class = vtpm_class;
	inst->dev.type = &vtpm_instance_type;
	if (a->backend == VTPM_MUX_BACKEND_SW) {
		ret = vtpm_backend_create(inst);
		if (ret)
			goto err_put;
	}

	/* reserve the index: lookups see nothing until the device exists */
	mutex_lock(&vtpm_registry_lock);
	if (vtpm_nr_instances >= vtpm_max_instances) {
		mutex_unlock(&vtpm_registry_lock);
		ret = -ENOSPC;
		goto err_put;
	}
	index = idr_alloc(&vtpm_registry, NULL, 0, vtpm_max_instances,
			  GFP_KERNEL);
	if (index >= 0)
		vtpm_nr_instances++;
	mutex_unlock(&vtpm_registry_lock);
	if (index < 0) {
		ret = index == -ENOSPC ? -ENOSPC : -ENOMEM;
		goto err_put;
	}
	inst->index = index;
	inst->dev.devt = MKDEV(MAJOR(vtpm_devt), index);
	ret = dev_set_name(&inst->dev, "vtpm%d", index);
	if (ret)
		goto err_idr;

	export_uuid(uuid, &inst->uuid);
	inst->tenant = vtpm_log_add_tenant(index, uuid, inst->label);
	if (IS_ERR(inst->tenant)) {
		ret = PTR_ERR(inst->tenant);
		inst->tenant = NULL;
		goto err_idr;
	}
	rc = vtpm_instance_record(inst->tenant, VTPM_REC_CREATE);
	if (rc) {
		ret = rc == VTPM_RC_NV_SPACE ? -ENOSPC : -EIO;
		/*
		 * Refused before it was queued: no record names the tenant.
		 * (A CREATE the hardware failed may be in the log, voided.)
		 */
		if (rc == VTPM_RC_NV_SPACE || rc == VTPM_RC_MEMORY)
			vtpm_log_drop_tenant(inst->tenant);
		inst->tenant = NULL;
		goto err_idr;
	}
	vtpm_ima_tenant("create", inst->tenant);

	cdev_init(&inst->cdev, &vtpm_chardev_fops);
	inst->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&inst->cdev, &inst->dev);
	if (ret)
		goto err_destroyed;
	vtpm_secfs_add(inst);
	mutex_lock(&vtpm_registry_lock);
	idr_replace(&vtpm_registry, inst, index);
	mutex_unlock(&vtpm_registry_lock);
	return inst;

err_destroyed:
	/* created in the log: its end belongs there too */
	vtpm_instance_record(inst->tenant, VTPM_REC_DESTROY);
	vtpm_ima_tenant("destroy", inst->tenant);
err_idr:
	mutex_lock(&vtpm_registry_lock);
	idr_remove(&vtpm_registry, index);
	vtpm_nr_instances--;
	mutex_unlock(&vtpm_registry_lock);
err_put:
	put_device(&inst->dev);
	return ERR_PTR(ret);
}

/*
 * Tear down an instance that is no longer in the registry (its index is
 * still reserved: the caller releases it); drops the registry's reference.
 * Bounded in time whatever the engine does: a command waiting for the
 * engine gives up at once, one waiting for the hardware TPM within the
 * TPM's own timeouts.  Returns the instance's tenant, whose DESTROY record
 * the caller anchors.
 */
static struct vtpm_tenant *vtpm_instance_kill(struct vtpm_instance *inst)
{
	struct vtpm_tenant *t = inst->tenant;

	/* a command waiting for the engine gives up, and the lock with it */
	vtpm_backend_kill(inst);
	mutex_lock(&inst->lock);
	WRITE_ONCE(inst->dead, true);
	mutex_unlock(&inst->lock);
	wake_up_interruptible_all(&inst->dead_wq);

	vtpm_secfs_remove(inst);
	cdev_device_del(&inst->cdev, &inst->dev);
	put_device(&inst->dev);
	return t;
}

/* Unpublish instance @index, keeping the index reserved; or NULL. */
static struct vtpm_instance *vtpm_instance_unpublish(u32 index)
{
	struct vtpm_instance *inst;

	mutex_lock(&vtpm_registry_lock);
	inst = idr_find(&vtpm_registry, index);
	if (inst)
		idr_replace(&vtpm_registry, NULL, index);
	mutex_unlock(&vtpm_registry_lock);
	return inst;
}

/* Free a reserved index once its instance's device is gone. */
static void vtpm_instance_release_index(u32 index)
{
	mutex_lock(&vtpm_registry_lock);
	idr_remove(&vtpm_registry, index);
	vtpm_nr_instances--;
	mutex_unlock(&vtpm_registry_lock);
}

/**
 * vtpm_instance_destroy() - destroy /dev/vtpmN
 * @index: N
 *
 * Waits for a command in progress on the instance (one waiting for the
 * engine gives up at once); open files stay valid but every later call on
 * them fails with -ENODEV.  The DESTROY record is anchored before this
 * returns, or, if the hardware TPM fails, with the next batch that
 * succeeds: the instance is gone either way.  Holds no lock that another
 * instance or the control device needs while it waits.
 *
 * Return: 0, or -ENODEV if there is no instance N.
 */
int vtpm_instance_destroy(u32 index)
{
	struct vtpm_instance *inst;
	struct vtpm_tenant *t;

	inst = vtpm_instance_unpublish(index);
	if (!inst)
		return -ENODEV;
	t = vtpm_instance_kill(inst);
	vtpm_instance_release_index(index);

	if (vtpm_instance_record(t, VTPM_REC_DESTROY))
		pr_warn("vtpm%u destroyed; its DESTROY record waits for the hardware TPM\n",
			index);
	vtpm_ima_tenant("destroy", t);
	return 0;
}

/**
 * vtpm_instance_get() - look up /dev/vtpmN
 * @index: N
 *
 * Return: the instance with a reference the caller drops with
 * vtpm_instance_put(), or NULL.
 */
struct vtpm_instance *vtpm_instance_get(u32 index)
{
	struct vtpm_instance *inst;

	mutex_lock(&vtpm_registry_lock);
	inst = idr_find(&vtpm_registry, index);
	if (inst)
		get_device(&inst->dev);
	mutex_unlock(&vtpm_registry_lock);
	return inst;
}

void vtpm_instance_put(struct vtpm_instance *inst)
{
	put_device(&inst->dev);
}

/**
 * vtpm_instance_list() - the indices of all instances, ascending
 * @indices: where to put up to @max of them
 * @max:     room at @indices
 * @total:   set to the number of instances
 *
 * Return: the number of indices stored.
 */
int vtpm_instance_list(u32 *indices, u32 max, u32 *total)
{
	struct vtpm_instance *inst;
	int id, n = 0;

	mutex_lock(&vtpm_registry_lock);
	idr_for_each_entry(&vtpm_registry, inst, id) {
		if (n < max)
			indices[n++] = id;
	}
	*total = vtpm_nr_instances;
	mutex_unlock(&vtpm_registry_lock);
	return n;
}

/**
 * vtpm_instance_execute() - run one TPM command on an instance
 * @inst: the instance
 * @space: the open file's space (sw backend: vtpm_backend_open())
 * @cmd:  the command
 * @len:  its length
 * @rsp:  the response buffer
 * @cap:  its capacity (VTPM_MAX_RESPONSE_SIZE)
 *
 * Sleeps: commands of one instance run one at a time under its lock.
 *
 * Return: the length of the response, or -ENODEV once destroyed.
 */
ssize_t vtpm_instance_execute(struct vtpm_instance *inst,
			      struct vtpm_space *space, const u8 *cmd,
			      size_t len, u8 *rsp, size_t cap)
{
	ssize_t ret;

	mutex_lock(&inst->lock);
	if (inst->dead)
		ret = -ENODEV;
	else if (inst->be)
		ret = vtpm_backend_execute(inst, space, cmd, len, rsp,
					   cap);
	else
		ret = vtpm_execute(inst->tpm, cmd, len, rsp, cap);
	mutex_unlock(&inst->lock);
	return ret;
}

int vtpm_instances_init(const struct vtpm_banks *banks)
{
	int ret;

	vtpm_inst_banks = banks;
	vtpm_tpm_cache = kmem_cache_create("vtpm_tpm", vtpm_tpm_size(banks),
					   0, 0, NULL);
	if (!vtpm_tpm_cache)
		return -ENOMEM;
	ret = alloc_chrdev_region(&vtpm_devt, 0, vtpm_max_instances, "vtpm");
	if (ret)
		goto err_cache;
#ifdef VTPM_HAVE_CLASS_CREATE_NAME
	vtpm_class = class_create(VTPM_MUX_CLASS);
#else
	vtpm_class = class_create(THIS_MODULE, VTPM_MUX_CLASS);
#endif
	if (IS_ERR(vtpm_class)) {
		ret = PTR_ERR(vtpm_class);
		goto err_region;
	}
	return 0;

err_region:
	unregister_chrdev_region(vtpm_devt, vtpm_max_instances);
err_cache:
	kmem_cache_destroy(vtpm_tpm_cache);
	return ret;
}

/* No file can be open (they pin the module): destroy what is left. */
void vtpm_instances_exit(void)
{
	struct vtpm_instance *inst;
	int id;

	/* the log goes with the module: only IMA keeps their end */
	for (;;) {
		mutex_lock(&vtpm_registry_lock);
		id = 0;
		inst = idr_get_next(&vtpm_registry, &id);
		if (inst)
			idr_replace(&vtpm_registry, NULL, id);
		mutex_unlock(&vtpm_registry_lock);
		if (!inst)
			break;
		vtpm_ima_tenant("destroy", vtpm_instance_kill(inst));
		vtpm_instance_release_index(id);
	}
	idr_destroy(&vtpm_registry);
	class_destroy(vtpm_class);
	unregister_chrdev_region(vtpm_devt, vtpm_max_instances);
	kmem_cache_destroy(vtpm_tpm_cache);
}
