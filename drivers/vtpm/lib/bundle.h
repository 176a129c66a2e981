/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attestation bundles (Documentation/attestation.md): a hardware quote of
 * the mux PCR, the Merkle proof that binds one request to it, and the
 * instance's view of the log.  Pure code, built in the kernel (which
 * writes bundles) and in user space (where vtpm-verify parses them).
 */
#ifndef _VTPM_LIB_BUNDLE_H
#define _VTPM_LIB_BUNDLE_H

#include "marshal.h"
#include "merkle.h"
#include "mlog.h"

#define VTPM_BUNDLE_MAGIC	"VTPMATT"	/* 8 bytes with the NUL */
#define VTPM_BUNDLE_MAGIC_SIZE	8
#define VTPM_BUNDLE_VERSION	2	/* 2: the request value commits to the instance */
#define VTPM_NONCE_MAX		64
#define VTPM_ATTEST_MAX		1024	/* TPMS_ATTEST and TPMT_SIGNATURE */
#define VTPM_LOG_ID_SIZE	16
#define VTPM_ATTEST_DOMAIN	"vtpm-mux attest v2"	/* 18 bytes */

/**
 * struct vtpm_bundle - a bundle's fields
 * @uuid:	the instance
 * @batches:	the log position quoted: the view covers batches 0..B-1
 * @nonce_len:	1..VTPM_NONCE_MAX
 * @nonce:	the verifier's nonce
 * @leaf_index:	this request's position among the quote's requests
 * @nr_leaves:	number of requests the quote answered
 * @path_len:	nodes in @path
 * @path:	the inclusion proof, bottom up
 * @attest:	the TPMS_ATTEST the TPM signed (parse: points into the input)
 * @attest_len:	its length
 * @sig:	the TPMT_SIGNATURE (parse: points into the input)
 * @sig_len:	its length
 * @view:	the instance's view (parse: points into the input)
 * @view_len:	its length
 */
struct vtpm_bundle {
	u8 uuid[VTPM_UUID_SIZE];
	u64 batches;
	u8 nonce_len;
	u8 nonce[VTPM_NONCE_MAX];
	u32 leaf_index;
	u32 nr_leaves;
	u8 path_len;
	u8 path[VTPM_MERKLE_MAX_DEPTH][VTPM_MERKLE_HASH_SIZE];
	const u8 *attest;
	u16 attest_len;
	const u8 *sig;
	u16 sig_len;
	const u8 *view;
	u32 view_len;
};

int vtpm_attest_value(const u8 *log_id, u64 batches, const u8 *uuid,
		      const struct vtpm_log_commit *commit, const u8 *nonce,
		      u8 nonce_len, u8 *value);
size_t vtpm_bundle_size(const struct vtpm_bundle *b);
size_t vtpm_bundle_write(const struct vtpm_bundle *b, u8 *buf, size_t cap);
size_t vtpm_bundle_write_head(const struct vtpm_bundle *b, u8 *buf,
			      size_t cap);
int vtpm_bundle_parse(const u8 *buf, size_t len, struct vtpm_bundle *b,
		      const char **why, size_t *err_offset);

#endif /* _VTPM_LIB_BUNDLE_H */
