/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Attestation: the hardware TPM's attestation key, and quotes of the mux
 * PCR that answer one or many attestation requests
 * (Documentation/attestation.md).
 */
#ifndef _VTPM_ATTEST_H
#define _VTPM_ATTEST_H

#include <linux/types.h>

#include "lib/bundle.h"
#include "log.h"

/**
 * struct vtpm_attestation - one attestation request on its way
 * @tenant:	in: the instance
 * @nonce_len:	in: 1..VTPM_NONCE_MAX
 * @nonce:	in: the verifier's nonce
 * @err:	out: 0 or a negative errno
 * @cut:	out: the log position quoted
 * @commit:	out: the instance's records up to @cut, as the quote proves
 * @quote_id:	out: the hardware quote that answered (from 1)
 * @nr_leaves:	out: requests that quote answered
 * @leaf_index:	out: this request's position among them
 * @path_len:	out: nodes in @path
 * @path:	out: the inclusion proof
 * @attest_len: out: length of @attest
 * @attest:	out: the TPMS_ATTEST
 * @sig_len:	out: length of @sig
 * @sig:	out: the TPMT_SIGNATURE
 *
 * The "out" fields are written by the mux leader that quotes, before it
 * marks the request done (mux.c); the caller reads them after.
 */
struct vtpm_attestation {
	const struct vtpm_tenant *tenant;
	u8 nonce_len;
	u8 nonce[VTPM_NONCE_MAX];
	int err;
	struct vtpm_log_cut cut;
	struct vtpm_log_commit commit;
	u64 quote_id;
	u32 nr_leaves;
	u32 leaf_index;
	u8 path_len;
	u8 path[VTPM_MERKLE_MAX_DEPTH][VTPM_MERKLE_HASH_SIZE];
	u16 attest_len;
	u8 attest[VTPM_ATTEST_MAX];
	u16 sig_len;
	u8 sig[VTPM_ATTEST_MAX];
};

/* at most this many requests per hardware quote */
#define VTPM_MAX_ATTEST_BATCH	256

int vtpm_attest_init(const struct vtpm_banks *banks, u32 hw_pcr,
		     u32 ak_handle);
void vtpm_attest_exit(void);
bool vtpm_attest_available(void);

/* The AK's public key: PEM text, TPM2B_PUBLIC, name in hex (NULL: none) */
enum vtpm_ak_form { VTPM_AK_PEM, VTPM_AK_PUB, VTPM_AK_NAME, VTPM_AK_NR };
const void *vtpm_attest_ak(int what, size_t *len);

/* The mux leader, with no extend in flight, at log position @cut: */
void vtpm_attest_quote(struct vtpm_attestation **reqs, u32 n,
		       const struct vtpm_log_cut *cut);

void vtpm_attest_stats(u64 *quotes, u64 *answered);

struct vtpm_attest_req;
int vtpm_attest_get_req(struct vtpm_attest_req *req, void __user *uarg);
long vtpm_attest_answer(const struct vtpm_tenant *tenant, u32 index,
			struct vtpm_attest_req *req, void __user *uarg);

#endif /* _VTPM_ATTEST_H */
