/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel IMA: every vTPM that ever existed, in the host's measurement log.
 */
#ifndef _VTPM_IMA_H
#define _VTPM_IMA_H

#include "log.h"

extern bool vtpm_ima;

void vtpm_ima_genesis(const struct vtpm_genesis *g, const u8 *leaf);
void vtpm_ima_tenant(const char *what, const struct vtpm_tenant *t);

#endif /* _VTPM_IMA_H */
