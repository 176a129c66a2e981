/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTPM_UNIT_PLAT_H
#define _VTPM_UNIT_PLAT_H

#include "../../../drivers/vtpm/lib/engine.h"

#define PLAT_MAX_CHANGES 64

struct plat_state {
	u64 rng;
	u64 now_ms;
	size_t stirred;
	u32 anchor_rc;		/* non-zero: the anchor refuses */
	unsigned int nr_changes;
	struct vtpm_pcr_change changes[PLAT_MAX_CHANGES];
};

extern struct plat_state plat;

#endif
