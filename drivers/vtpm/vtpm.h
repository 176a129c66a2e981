/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpm-mux: what the files of the module share.
 */
#ifndef _VTPM_VTPM_H
#define _VTPM_VTPM_H

#include <linux/module.h>
#include <linux/printk.h>

#define VTPM_MUX_VERSION	"0.1"

extern unsigned int vtpm_max_instances;
extern unsigned int vtpm_pcr;
extern unsigned int vtpm_batch_wait_us;
extern unsigned int vtpm_attest_share_pct;
extern unsigned int vtpm_engine_timeout_ms;
extern unsigned int vtpm_engine_wait_ms;

#endif /* _VTPM_VTPM_H */
