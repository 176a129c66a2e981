// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-mux: virtual TPM 2.0 instances whose measurements are anchored in the
 * host's hardware TPM.  Module parameters and the order things start in;
 * nothing else.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "vtpm.h"
#include "chardev.h"
#include "ctrl.h"
#include "hwtpm.h"
#include "instance.h"
#include "platform.h"

unsigned int vtpm_max_instances = 1024;
module_param_named(max_instances, vtpm_max_instances, uint, 0444);
MODULE_PARM_DESC(max_instances, "most instances at once (1..65536, default 1024)");

/* The hardware's PCR banks, which every instance has; read-only. */
static struct vtpm_banks vtpm_banks;

static int __init vtpm_mux_init(void)
{
	int ret;

	if (!vtpm_max_instances || vtpm_max_instances > 65536) {
		pr_err("max_instances must be 1..65536\n");
		return -EINVAL;
	}
	ret = vtpm_hwtpm_init(&vtpm_banks);
	if (ret)
		return ret;
	ret = vtpm_platform_init(&vtpm_banks);
	if (ret)
		goto err_hwtpm;
	ret = vtpm_chardev_init();
	if (ret)
		goto err_platform;
	ret = vtpm_instances_init(&vtpm_banks);
	if (ret)
		goto err_chardev;
	ret = vtpm_ctrl_init();
	if (ret)
		goto err_instances;
	pr_info("vtpm-mux " VTPM_MUX_VERSION " loaded\n");
	return 0;

err_instances:
	vtpm_instances_exit();
err_chardev:
	vtpm_chardev_exit();
err_platform:
	vtpm_platform_exit();
err_hwtpm:
	vtpm_hwtpm_exit();
	return ret;
}

static void __exit vtpm_mux_exit(void)
{
	vtpm_ctrl_exit();
	vtpm_instances_exit();
	vtpm_chardev_exit();
	vtpm_platform_exit();
	vtpm_hwtpm_exit();
}

module_init(vtpm_mux_init);
module_exit(vtpm_mux_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Virtual TPM 2.0 instances multiplexed into the hardware TPM");
MODULE_VERSION(VTPM_MUX_VERSION);
