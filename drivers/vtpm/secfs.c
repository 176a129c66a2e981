// SPDX-License-Identifier: GPL-2.0
/*
 * securityfs: /sys/kernel/security/vtpm_mux/
 *
 *   log			the full mapping log (root only)
 *   status		the mux's state and counters (text)
 *   ak.pem, ak.pub, ak.name	the attestation key's public key (everyone)
 *   vtpmN/view		instance N's concealed view (its owner)
 *   vtpmN/ascii_measurements	its own records as ASCII lines (its owner)
 *
 * A file shows the log at the cut published when it was opened, rendered
 * as it is read (log.c, struct vtpm_log_reader): an open file costs a few
 * KiB, charged to its opener, whatever the size of the log.  vtpmN/
 * belongs to the owner and group of /dev/vtpmN, its files have the read
 * permissions of the mode /dev/vtpmN was created with, and it goes with
 * the instance; a file that is still open reads on to its cut's end.
 */
#include <linux/fs.h>
#include <linux/security.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "vtpm.h"
#include "attest.h"
#include "mux.h"
#include "secfs.h"

/* vtpm_mux/, log, status, ak.*: set at init, read-only until exit */
static struct dentry *vtpm_secfs_dir;
static struct dentry *vtpm_secfs_top[2 + VTPM_AK_NR];

static int vtpm_secfs_render(struct file *file,
			     const struct vtpm_tenant *viewer, bool ascii)
{
	struct vtpm_log_reader *rd = vtpm_log_reader_now(viewer, ascii);

	if (IS_ERR(rd))
		return PTR_ERR(rd);
	file->private_data = rd;
	return 0;
}

static int vtpm_secfs_log_open(struct inode *inode, struct file *file)
{
	return vtpm_secfs_render(file, NULL, false);
}

static int vtpm_secfs_view_open(struct inode *inode, struct file *file)
{
	return vtpm_secfs_render(file, inode->i_private, false);
}

static int vtpm_secfs_ascii_open(struct inode *inode, struct file *file)
{
	return vtpm_secfs_render(file, inode->i_private, true);
}

static ssize_t vtpm_secfs_read(struct file *file, char __user *buf,
			       size_t count, loff_t *ppos)
{
	return vtpm_log_reader_read(file->private_data, buf, count, ppos);
}

static int vtpm_secfs_release(struct inode *inode, struct file *file)
{
	vtpm_log_reader_free(file->private_data);
	return 0;
}

static const struct file_operations vtpm_secfs_log_fops = {
	.owner = THIS_MODULE,
	.open = vtpm_secfs_log_open,
	.read = vtpm_secfs_read,
	.release = vtpm_secfs_release,
	.llseek = default_llseek,
};

static const struct file_operations vtpm_secfs_view_fops = {
	.owner = THIS_MODULE,
	.open = vtpm_secfs_view_open,
	.read = vtpm_secfs_read,
	.release = vtpm_secfs_release,
	.llseek = default_llseek,
};

static const struct file_operations vtpm_secfs_ascii_fops = {
	.owner = THIS_MODULE,
	.open = vtpm_secfs_ascii_open,
	.read = vtpm_secfs_read,
	.release = vtpm_secfs_release,
	.llseek = default_llseek,
};

static int vtpm_secfs_status_show(struct seq_file *m, void *v)
{
	struct vtpm_mux_stats s;
	struct vtpm_log_cut cut;
	u64 quotes, answered;

	vtpm_mux_stats(&s);
	vtpm_log_cut(&cut);
	seq_printf(m, "pcr %u\n", vtpm_pcr);
	seq_printf(m, "state %s\n", vtpm_mux_state_name());
	seq_printf(m, "batches %llu\n", cut.batches);
	seq_printf(m, "records %llu\n", cut.records);
	seq_printf(m, "max_log_entries %u\n", vtpm_log_max_entries());
	seq_printf(m, "hw_extends %lld\n", atomic64_read(&s.hw_extends));
	seq_printf(m, "hw_errors %lld\n", atomic64_read(&s.hw_errors));
	seq_printf(m, "coalesced %lld\n", atomic64_read(&s.coalesced));
	seq_printf(m, "aborts %lld\n", atomic64_read(&s.aborts));
	seq_printf(m, "refused_full %lld\n", atomic64_read(&s.refused_full));
	seq_printf(m, "hw_ns %lld\n", atomic64_read(&s.hw_ns));
	seq_printf(m, "lead_ns %lld\n", atomic64_read(&s.lead_ns));
	seq_printf(m, "gather_waits %lld\n", atomic64_read(&s.gather_waits));
	seq_printf(m, "gather_timeouts %lld\n",
		   atomic64_read(&s.gather_timeouts));
	vtpm_attest_stats(&quotes, &answered);
	seq_printf(m, "attestation %s\n",
		   vtpm_attest_available() ? "ok" : "unavailable");
	seq_printf(m, "quotes %llu\n", quotes);
	seq_printf(m, "attestations %llu\n", answered);
	seq_printf(m, "quote_ns %lld\n", atomic64_read(&s.quote_ns));
	seq_printf(m, "paced %lld\n", atomic64_read(&s.paced));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(vtpm_secfs_status);

/* ak.pem, ak.pub, ak.name: constant for the module's lifetime */
static ssize_t vtpm_secfs_ak_read(struct file *file, char __user *buf,
				  size_t count, loff_t *ppos)
{
	int what = (long)file_inode(file)->i_private;
	const void *data;
	size_t len;

	data = vtpm_attest_ak(what, &len);
	if (!data)
		return -ENODEV;
	return simple_read_from_buffer(buf, count, ppos, data, len);
}

static const struct file_operations vtpm_secfs_ak_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = vtpm_secfs_ak_read,
	.llseek = default_llseek,
};

static const char *const vtpm_secfs_ak_names[VTPM_AK_NR] = {
	[VTPM_AK_PEM] = "ak.pem",
	[VTPM_AK_PUB] = "ak.pub",
	[VTPM_AK_NAME] = "ak.name",
};

int vtpm_secfs_init(void)
{
	struct dentry *d;
	int i;

	d = securityfs_create_dir("vtpm_mux", NULL);
	if (IS_ERR(d)) {
		pr_warn("no securityfs (%ld): the log is readable through /dev/vtpmN only\n",
			PTR_ERR(d));
		return 0;
	}
	vtpm_secfs_dir = d;
	d = securityfs_create_file("log", 0400, vtpm_secfs_dir, NULL,
				   &vtpm_secfs_log_fops);
	if (IS_ERR(d))
		goto err;
	vtpm_secfs_top[0] = d;
	d = securityfs_create_file("status", 0444, vtpm_secfs_dir, NULL,
				   &vtpm_secfs_status_fops);
	if (IS_ERR(d))
		goto err;
	vtpm_secfs_top[1] = d;
	for (i = 0; i < VTPM_AK_NR && vtpm_attest_available(); i++) {
		d = securityfs_create_file(vtpm_secfs_ak_names[i], 0444,
					   vtpm_secfs_dir, (void *)(long)i,
					   &vtpm_secfs_ak_fops);
		if (IS_ERR(d))
			goto err;
		vtpm_secfs_top[2 + i] = d;
	}
	return 0;
err:
	vtpm_secfs_exit();
	return PTR_ERR(d);
}

void vtpm_secfs_exit(void)
{
	int i;

	/* securityfs_remove() of 6.1 is not recursive: files first */
	for (i = ARRAY_SIZE(vtpm_secfs_top) - 1; i >= 0; i--) {
		securityfs_remove(vtpm_secfs_top[i]);
		vtpm_secfs_top[i] = NULL;
	}
	securityfs_remove(vtpm_secfs_dir);
	vtpm_secfs_dir = NULL;
}

static struct dentry *vtpm_secfs_owned(const char *name, umode_t mode,
				       struct dentry *parent,
				       const struct vtpm_instance *inst,
				       const struct file_operations *fops)
{
	struct dentry *d;

	if (fops)
		d = securityfs_create_file(name, mode, parent, inst->tenant,
					   fops);
	else
		d = securityfs_create_dir(name, parent);
	if (!IS_ERR(d)) {
		d_inode(d)->i_uid = inst->uid;
		d_inode(d)->i_gid = inst->gid;
	}
	return d;
}

/**
 * vtpm_secfs_add() - vtpmN/ for a new instance
 * @inst: the instance
 *
 * Failures are reported, not fatal: /dev/vtpmN serves the view as well.
 * Whoever may read /dev/vtpmN may read its view and ASCII list: the files
 * get the read bits of the device's mode.
 */
void vtpm_secfs_add(struct vtpm_instance *inst)
{
	umode_t mode = inst->mode & 0444;
	struct dentry *d;
	char name[16];

	if (!vtpm_secfs_dir)
		return;
	snprintf(name, sizeof(name), "vtpm%u", inst->index);
	d = vtpm_secfs_owned(name, 0, vtpm_secfs_dir, inst, NULL);
	if (IS_ERR(d))
		goto err;
	inst->secfs[0] = d;
	d = vtpm_secfs_owned("view", mode, inst->secfs[0], inst,
			     &vtpm_secfs_view_fops);
	if (IS_ERR(d))
		goto err;
	inst->secfs[1] = d;
	d = vtpm_secfs_owned("ascii_measurements", mode, inst->secfs[0], inst,
			     &vtpm_secfs_ascii_fops);
	if (IS_ERR(d))
		goto err;
	inst->secfs[2] = d;
	return;
err:
	pr_warn("securityfs entries of vtpm%u failed: %ld\n", inst->index,
		PTR_ERR(d));
}

void vtpm_secfs_remove(struct vtpm_instance *inst)
{
	int i;

	for (i = ARRAY_SIZE(inst->secfs) - 1; i >= 0; i--) {
		securityfs_remove(inst->secfs[i]);
		inst->secfs[i] = NULL;
	}
}
