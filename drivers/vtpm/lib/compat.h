/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure code of vtpm-mux (TPM marshalling, command execution, vPCRs)
 * builds both in the kernel and in user space, where the unit tests and the
 * fuzzers link the very same files.  This header is the only place that
 * knows the difference.
 */
#ifndef _VTPM_LIB_COMPAT_H
#define _VTPM_LIB_COMPAT_H

#ifdef __KERNEL__
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/minmax.h>
#include <linux/stddef.h>
#include <asm/unaligned.h>
#else
#include <vtpm/compat-user.h>	/* tools/include */
#endif /* __KERNEL__ */

#endif /* _VTPM_LIB_COMPAT_H */
