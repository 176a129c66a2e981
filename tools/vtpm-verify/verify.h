/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpm-verify: the checks of Documentation/attestation.md, "What
 * vtpm-verify checks", on one bundle in memory.  No I/O, so that the CLI
 * (main.c), the tests and the fuzzer (tools/testing/fuzz) run the very same
 * path.
 */
#ifndef _VTPM_VERIFY_H
#define _VTPM_VERIFY_H

#include <stdio.h>
#include <openssl/evp.h>

#include "bundle.h"
#include "mlog.h"

struct vtpm_ref;

/* the exit statuses of vtpm-verify */
enum vtpm_verify_status {
	VTPM_VERIFY_TRUSTED = 0,
	VTPM_VERIFY_UNTRUSTED = 1,
	VTPM_VERIFY_INPUT = 2,	/* usage or input error */
};

/* the checks, numbered as in Documentation/attestation.md */
enum vtpm_verify_check {
	VTPM_CHECK_NONE = 0,
	VTPM_CHECK_PARSE = 1,
	VTPM_CHECK_UUID,
	VTPM_CHECK_NONCE,
	VTPM_CHECK_SIGNATURE,
	VTPM_CHECK_ATTEST,
	VTPM_CHECK_VIEW,
	VTPM_CHECK_BATCHES,
	VTPM_CHECK_MERKLE,
	VTPM_CHECK_SELECTION,
	VTPM_CHECK_PCR_DIGEST,
	VTPM_CHECK_REF,
};

/**
 * struct vtpm_verify_opts - what the verifier expects
 * @ak:		the attestation key (EC or RSA public key)
 * @nonce:	the nonce the verifier sent
 * @nonce_len:	its length, 1..VTPM_NONCE_MAX
 * @uuid:	NULL, or the instance the bundle must be of
 * @ref:	NULL, or the reference values to check (ref.h)
 * @skip_signature: for fuzzers only: check 4 is skipped, so that random
 *		quotes reach the checks after it.  Never set it elsewhere.
 */
struct vtpm_verify_opts {
	EVP_PKEY *ak;
	const u8 *nonce;
	size_t nonce_len;
	const u8 *uuid;
	const struct vtpm_ref *ref;
	bool skip_signature;
};

/**
 * struct vtpm_verify_event - one record of the instance in the view
 * @seq:	its number in the log
 * @batch:	its batch
 * @type:	&enum vtpm_rec_type
 * @pcr:	its vPCR (VTPM_LOG_NO_PCR for records without one)
 * @count:	number of @d
 * @d:		its digests
 * @leaf:	its leaf
 * @applied:	false for a record of a batch voided by an ABORT
 */
struct vtpm_verify_event {
	u64 seq;
	u64 batch;
	u8 type;
	u32 pcr;
	u32 count;
	struct vtpm_log_digest d[VTPM_MAX_BANKS];
	u8 leaf[VTPM_LEAF_SIZE];
	bool applied;
};

#define VTPM_VERIFY_REASON_MAX	512
/* one vPCR in every bank */
#define VTPM_VERIFY_ROW_MAX	(VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE)

/**
 * struct vtpm_verify_result - the verdict and what the report shows
 * @status:	 &enum vtpm_verify_status
 * @check:	 the check that failed (&enum vtpm_verify_check), or 0
 * @reason:	 why (empty when trusted): one line, no "NOT TRUSTED: "
 * @bundle:	 the bundle's fields (pointers into the caller's buffer)
 * @sig_alg:	 the signature's scheme (TPM_ALG_ID)
 * @hash_alg:	 the signature's hash (TPM_ALG_ID)
 * @clock:	 the quote's clockInfo.clock
 * @reset_count: its resetCount
 * @restart_count: its restartCount
 * @safe:	 its safe flag
 * @firmware_version: the quote's firmwareVersion
 * @hw_pcr:	 the mux PCR (the view's)
 * @banks:	 the view's banks, in its order
 * @pcr:	 the mux PCR the view replays to, per bank of @banks
 * @genesis:	 the view's genesis record
 * @records:	 records in the view
 * @aborted:	 batches voided by ABORT records
 * @index:	 the instance's index (its CREATE record)
 * @label:	 its label (its CREATE record)
 * @destroyed:	 its DESTROY record is in the view
 * @vpcr:	 its vPCRs: VTPM_NUM_PCRS rows of @banks.stride bytes, at
 *		 @banks.bank[i].offset in each
 * @events:	 its records in log order (malloc'ed)
 * @nr_events:	 their number
 *
 * The fields are filled as far as the checks went.  Free @events with
 * vtpm_verify_result_free().
 */
struct vtpm_verify_result {
	int status;
	int check;
	char reason[VTPM_VERIFY_REASON_MAX];
	char bound[256];
	struct vtpm_bundle bundle;
	u16 sig_alg;
	u16 hash_alg;
	u64 clock;
	u32 reset_count;
	u32 restart_count;
	bool safe;
	u64 firmware_version;
	u32 hw_pcr;
	struct vtpm_banks banks;
	u8 pcr[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	struct vtpm_genesis genesis;
	u64 records;
	u64 aborted;
	u32 index;
	char label[VTPM_LABEL_MAX + 1];
	bool destroyed;
	u8 vpcr[VTPM_NUM_PCRS][VTPM_VERIFY_ROW_MAX];
	struct vtpm_verify_event *events;
	size_t nr_events;
};

/*
 * Verify the bundle at @bundle (@len bytes) against @o, checks 1 to 11 in
 * order, stopping at the first that fails.  Returns @res->status:
 * VTPM_VERIFY_TRUSTED, VTPM_VERIFY_UNTRUSTED (@res->check and @res->reason
 * say which check and why) or VTPM_VERIFY_INPUT (not a bundle at all, a
 * reference rule for a bank the instance does not have, no memory;
 * @res->reason says what).
 */
int vtpm_verify(const struct vtpm_verify_opts *o, const u8 *bundle,
		size_t len, struct vtpm_verify_result *res);
void vtpm_verify_result_free(struct vtpm_verify_result *res);

/* the report of a trusted bundle (first line "TRUSTED") */
void vtpm_verify_report(FILE *f, const struct vtpm_verify_result *res);

/* is vPCR @pcr of bank index @bank in @res at its initial value? */
bool vtpm_verify_vpcr_initial(const struct vtpm_verify_result *res, u32 pcr,
			      u32 bank);
/* the value of vPCR @pcr in bank index @bank */
static inline const u8 *vtpm_verify_vpcr(const struct vtpm_verify_result *res,
					 u32 pcr, u32 bank)
{
	return res->vpcr[pcr] + res->banks.bank[bank].offset;
}

#endif /* _VTPM_VERIFY_H */
