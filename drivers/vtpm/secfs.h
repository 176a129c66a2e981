/* SPDX-License-Identifier: GPL-2.0 */
/*
 * securityfs: /sys/kernel/security/vtpm_mux/
 */
#ifndef _VTPM_SECFS_H
#define _VTPM_SECFS_H

#include "instance.h"

int vtpm_secfs_init(void);
void vtpm_secfs_exit(void);
void vtpm_secfs_add(struct vtpm_instance *inst);
void vtpm_secfs_remove(struct vtpm_instance *inst);

#endif /* _VTPM_SECFS_H */
