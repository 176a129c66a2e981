/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The hardware TPM: the only part of vtpm-mux that talks to a tpm_chip.
 */
#ifndef _VTPM_HWTPM_H
#define _VTPM_HWTPM_H

#include "lib/engine.h"

int vtpm_hwtpm_init(struct vtpm_banks *banks);
void vtpm_hwtpm_exit(void);

#endif /* _VTPM_HWTPM_H */
