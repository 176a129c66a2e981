/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The "sw" backend: a user-space TPM 2.0 engine per instance, attached
 * through a server file descriptor.
 */
#ifndef _VTPM_BACKEND_H
#define _VTPM_BACKEND_H

#include <linux/types.h>

#include "lib/engine.h"

struct vtpm_instance;
struct vtpm_space;

int vtpm_backend_create(struct vtpm_instance *inst);
void vtpm_backend_free(struct vtpm_instance *inst);
void vtpm_backend_kill(struct vtpm_instance *inst);
int vtpm_backend_attach(struct vtpm_instance *inst, u32 flags);
u32 vtpm_backend_engine(struct vtpm_instance *inst, u32 *attaches);
struct vtpm_space *vtpm_backend_open(struct vtpm_instance *inst);
void vtpm_backend_close(struct vtpm_instance *inst, struct vtpm_space *space);
ssize_t vtpm_backend_execute(struct vtpm_instance *inst,
			     struct vtpm_space *space, const u8 *cmd,
			     size_t len, u8 *rsp, size_t cap);
void vtpm_backend_anchored(struct vtpm_instance *inst,
			   const struct vtpm_pcr_change *chg);

#endif /* _VTPM_BACKEND_H */
