/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpmd: the supervisor of the engines of sw-backed vtpm-mux instances.
 */
#ifndef VTPMD_H
#define VTPMD_H

#include <stdint.h>

#define VTPMD_KEY_SIZE	32	/* AES-256 */
/*
 * The engine of /dev/vtpmN runs as uid and gid VTPMD_UID_BASE + N: above
 * systemd's container range (524288..1879048191), below its foreign range
 * (2147352576..).  Documentation/backends.md, "Engines".
 */
#define VTPMD_UID_BASE	2130706432u

#define __printf(a, b)	__attribute__((format(printf, a, b)))

void logmsg(const char *fmt, ...) __printf(1, 2);

/* seal.c */
int state_key(const char *dir, const char *tcti, uint8_t *key);

#endif /* VTPMD_H */
