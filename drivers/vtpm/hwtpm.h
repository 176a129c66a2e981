/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware TPM: the only part of vtpm-mux that talks to a tpm_chip.
 */
#ifndef _VTPM_HWTPM_H
#define _VTPM_HWTPM_H

#include "lib/engine.h"

int vtpm_hwtpm_init(struct vtpm_banks *banks);
void vtpm_hwtpm_exit(void);
int vtpm_hwtpm_extend(u32 pcr, const u8 *digests);
int vtpm_hwtpm_read(u32 pcr, u32 bank, u8 *out);
int vtpm_hwtpm_transmit(u8 *buf, const char *desc);
int vtpm_hwtpm_lock(void);
void vtpm_hwtpm_unlock(void);
int vtpm_hwtpm_transmit_locked(u8 *buf, const char *desc);

#endif /* _VTPM_HWTPM_H */
