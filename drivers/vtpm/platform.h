/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's side of the engine's platform hooks (lib/engine.h).
 */
#ifndef _VTPM_PLATFORM_H
#define _VTPM_PLATFORM_H

#include "lib/engine.h"

int vtpm_platform_init(const struct vtpm_banks *banks);
void vtpm_platform_exit(void);

#endif /* _VTPM_PLATFORM_H */
