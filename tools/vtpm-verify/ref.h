/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reference values (Documentation/attestation.md, "Reference values"): a
 * text file of rules, one a line,
 *
 *	<vpcr> <alg> final <hex>	the vPCR's value must be this
 *	<vpcr> <alg> allow <hex>	an allowed digest of an extend or event
 *
 * and check 11 of vtpm-verify, which holds an instance's reconstructed
 * vPCRs and records against them.
 */
#ifndef _VTPM_VERIFY_REF_H
#define _VTPM_VERIFY_REF_H

#include "verify.h"

/**
 * struct vtpm_ref_rule - one line
 * @line:   its line number in the file, from 1
 * @pcr:    the vPCR, 0..23
 * @alg:    the bank (TPM_ALG_ID)
 * @final:  a "final" rule, else an "allow" rule
 * @digest: vtpm_alg_digest_size(@alg) bytes
 */
struct vtpm_ref_rule {
	u32 line;
	u32 pcr;
	u16 alg;
	bool final;
	u8 digest[VTPM_MAX_DIGEST_SIZE];
};

/**
 * struct vtpm_ref - a reference file
 * @rules: the rules in file order (malloc'ed)
 * @nr:	   their number
 */
struct vtpm_ref {
	struct vtpm_ref_rule *rules;
	size_t nr;
};

/*
 * Parse the text @text of @len bytes.  0; -EINVAL for a malformed file
 * (@err, of @cap bytes, then says which line and why: "line N: ..."), or
 * -ENOMEM.
 */
int vtpm_ref_parse(const char *text, size_t len, struct vtpm_ref *ref,
		   char *err, size_t cap);
void vtpm_ref_free(struct vtpm_ref *ref);

/*
 * Check 11: the reconstructed vPCRs and events of @res against @ref.
 * Returns VTPM_VERIFY_TRUSTED, VTPM_VERIFY_UNTRUSTED or VTPM_VERIFY_INPUT
 * (a rule for a bank the instance does not have), with the reason in
 * @reason (@cap bytes).
 */
int vtpm_ref_check(const struct vtpm_ref *ref,
		   const struct vtpm_verify_result *res, char *reason,
		   size_t cap);

#endif /* _VTPM_VERIFY_REF_H */
