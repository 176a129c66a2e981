/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Merkle trees of 32-byte values in the shape and hashing of RFC 6962
 * (Certificate Transparency), SHA-256: the root that one hardware quote
 * covers when it answers several attestation requests at once, and the
 * inclusion proof each request's bundle carries.  Pure code, built in the
 * kernel and in user space.
 */
#ifndef _VTPM_LIB_MERKLE_H
#define _VTPM_LIB_MERKLE_H

#include "engine.h"

#define VTPM_MERKLE_HASH_SIZE	32
/* at most 2^16 leaves, so at most 16 nodes in a proof */
#define VTPM_MERKLE_MAX_LEAVES	65536
#define VTPM_MERKLE_MAX_DEPTH	16

int vtpm_merkle_root(const u8 *values, u32 n, u8 *scratch, u8 *root);
int vtpm_merkle_proof(const u8 *values, u32 n, u32 index, u8 *scratch,
		      u8 *path, u32 *path_len);
int vtpm_merkle_verify(const u8 *value, u32 index, u32 n, const u8 *path,
		       u32 path_len, const u8 *root);

#endif /* _VTPM_LIB_MERKLE_H */
