// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-mux: virtual TPM 2.0 instances whose measurements are anchored in the
 * host's hardware TPM.  Module parameters and the order things start in;
 * nothing else.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "vtpm.h"
#include "attest.h"
#include "chardev.h"
#include "ctrl.h"
#include "hwtpm.h"
#include "ima.h"
#include "instance.h"
#include "log.h"
#include "mux.h"
#include "platform.h"
#include "secfs.h"

unsigned int vtpm_max_instances = 1024;
module_param_named(max_instances, vtpm_max_instances, uint, 0444);
MODULE_PARM_DESC(max_instances, "most instances at once (1..65536, default 1024)");

/*
 * PCR 13: non-resettable, and left alone by the boot chain of a usual
 * server (firmware 0-7, shim 14, GRUB 8-9, IMA 10); only systemd-stub
 * measures system extension images into it on UKI boots
 * (Documentation/overview.md, "The mux PCR").
 */
unsigned int vtpm_pcr = 13;
module_param_named(pcr, vtpm_pcr, uint, 0444);
MODULE_PARM_DESC(pcr, "the hardware PCR every vPCR change is extended into (0..23, default 13)");

static unsigned int vtpm_max_log_entries = 262144;
module_param_named(max_log_entries, vtpm_max_log_entries, uint, 0444);
MODULE_PARM_DESC(max_log_entries, "mapping log records before vPCR changes fail with TPM_RC_NV_SPACE (default 262144)");

/*
 * How long a leader may wait for the callers of the last batch to come
 * back before it takes the queue (mux.c, "Gathering"); also at most half
 * the last hardware extend's time.
 */
unsigned int vtpm_batch_wait_us = 1000;
module_param_named(batch_wait_us, vtpm_batch_wait_us, uint, 0644);
MODULE_PARM_DESC(batch_wait_us, "longest wait, in microseconds, of a batch for the callers of the last one (0: none; default 1000)");

/*
 * The share of the hardware TPM's time quotes may take (mux.c,
 * "Pacing"), in percent.
 */
unsigned int vtpm_attest_share_pct = 25;

static int vtpm_set_share(const char *val, const struct kernel_param *kp)
{
	unsigned int v;
	int ret = kstrtouint(val, 0, &v);

	if (ret)
		return ret;
	if (v < 1 || v > 100)
		return -EINVAL;
	WRITE_ONCE(vtpm_attest_share_pct, v);
	return 0;
}

static const struct kernel_param_ops vtpm_share_ops = {
	.set = vtpm_set_share,
	.get = param_get_uint,
};
module_param_cb(attest_share_pct, &vtpm_share_ops, &vtpm_attest_share_pct,
		0644);
MODULE_PARM_DESC(attest_share_pct, "most of the hardware TPM's time, in percent, that attestation quotes may take (1..100, default 25)");

/* The sw backend (backend.c): how long a command waits for its engine. */
unsigned int vtpm_engine_timeout_ms = 120000;
module_param_named(engine_timeout_ms, vtpm_engine_timeout_ms, uint, 0644);
MODULE_PARM_DESC(engine_timeout_ms, "longest wait, in ms, for an engine's response before it is detached and the tenant gets TPM_RC_FAILURE (default 120000)");

unsigned int vtpm_engine_wait_ms = 5000;
module_param_named(engine_wait_ms, vtpm_engine_wait_ms, uint, 0644);
MODULE_PARM_DESC(engine_wait_ms, "longest wait, in ms, of a command of a sw instance for an engine to be attached, before TPM_RC_RETRY (default 5000)");

bool vtpm_ima = true;
module_param_named(ima, vtpm_ima, bool, 0444);
MODULE_PARM_DESC(ima, "measure the genesis and every instance's creation and destruction with IMA (default on)");

static unsigned int vtpm_ak_handle;
module_param_named(ak_handle, vtpm_ak_handle, uint, 0444);
MODULE_PARM_DESC(ak_handle, "persistent handle (0x81xxxxxx) of the attestation key; default 0: a primary key in the endorsement hierarchy");

/* The hardware's PCR banks, which every instance has; read-only. */
static struct vtpm_banks vtpm_banks;

static int __init vtpm_module_init(void)
{
	int ret;

	if (!vtpm_max_instances || vtpm_max_instances > 65536) {
		pr_err("max_instances must be 1..65536\n");
		return -EINVAL;
	}
	if (vtpm_pcr >= VTPM_NUM_PCRS) {
		pr_err("pcr must be 0..23\n");
		return -EINVAL;
	}
	if (vtpm_pcr == 16 || vtpm_pcr == 23)
		pr_warn("PCR %u can be reset by anyone: the log proves nothing\n",
			vtpm_pcr);
	if (vtpm_max_log_entries < 16) {
		pr_err("max_log_entries must be at least 16\n");
		return -EINVAL;
	}
	ret = vtpm_hwtpm_init(&vtpm_banks);
	if (ret)
		return ret;
	ret = vtpm_platform_init(&vtpm_banks);
	if (ret)
		goto err_hwtpm;
	ret = vtpm_log_init(&vtpm_banks, vtpm_pcr, vtpm_max_log_entries);
	if (ret)
		goto err_platform;
	ret = vtpm_mux_init(&vtpm_banks, vtpm_pcr);
	if (ret)
		goto err_log;
	ret = vtpm_attest_init(&vtpm_banks, vtpm_pcr, vtpm_ak_handle);
	if (ret)
		goto err_mux;
	ret = vtpm_chardev_init();
	if (ret)
		goto err_attest;
	ret = vtpm_instances_init(&vtpm_banks);
	if (ret)
		goto err_chardev;
	ret = vtpm_secfs_init();
	if (ret)
		goto err_instances;
	ret = vtpm_ctrl_init();
	if (ret)
		goto err_secfs;
	pr_info("vtpm-mux " VTPM_MUX_VERSION " loaded\n");
	return 0;

err_secfs:
	vtpm_secfs_exit();
err_instances:
	vtpm_instances_exit();
err_chardev:
	vtpm_chardev_exit();
err_attest:
	vtpm_attest_exit();
err_mux:
	vtpm_mux_exit();
err_log:
	vtpm_log_exit();
err_platform:
	vtpm_platform_exit();
err_hwtpm:
	vtpm_hwtpm_exit();
	return ret;
}

static void __exit vtpm_module_exit(void)
{
	vtpm_ctrl_exit();
	vtpm_instances_exit();
	vtpm_secfs_exit();
	vtpm_chardev_exit();
	vtpm_attest_exit();
	vtpm_mux_exit();
	vtpm_log_exit();
	vtpm_platform_exit();
	vtpm_hwtpm_exit();
}

module_init(vtpm_module_init);
module_exit(vtpm_module_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual TPM 2.0 instances multiplexed into the hardware TPM");
MODULE_VERSION(VTPM_MUX_VERSION);
