/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Small helpers of vtpm-verify, shared with the attestation test tools
 * (tools/testing/attest) and the fuzzer: hex and uuid text, whole files.
 */
#ifndef _VTPM_VERIFY_UTIL_H
#define _VTPM_VERIFY_UTIL_H

#include <stdio.h>

#include "mlog.h"

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" and its NUL */
#define VV_UUID_STR_SIZE	37

/*
 * Decode the hex string @s (an even number of hex digits, nothing else) into
 * at most @cap bytes at @out; 0 with *@len set, or -EINVAL.
 */
int vv_hex_decode(const char *s, u8 *out, size_t cap, size_t *len);
/* @n bytes as lower-case hex into @out (2 * @n + 1 bytes) */
void vv_hex_encode(const u8 *p, size_t n, char *out);
/* print @n bytes as lower-case hex */
void vv_hex_print(FILE *f, const u8 *p, size_t n);
/* the canonical 8-4-4-4-12 form (either case); 0 or -EINVAL */
int vv_uuid_parse(const char *s, u8 *uuid);
void vv_uuid_format(const u8 *uuid, char *out);
/*
 * Read the whole file @path into a malloc'ed buffer (*@buf, NUL-terminated
 * beyond *@len); 0 or -errno.
 */
int vv_read_file(const char *path, u8 **buf, size_t *len);
/* TPM_ALG_ID of "sha1", "sha256", "sha384", "sha512"; 0 if none */
u16 vv_alg_by_name(const char *name);
/* "ALG:HEX" (sha256:9f86...): its algorithm and value; 0 or -EINVAL */
int vv_parse_pcr(const char *s, u16 *alg, u8 *val, size_t *len);

#endif /* _VTPM_VERIFY_UTIL_H */
