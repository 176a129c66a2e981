/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpm-verify --ima-log: a Linux IMA runtime measurement list, ASCII
 * (ascii_runtime_measurements) or binary (binary_runtime_measurements),
 * parsed into the digests IMA extended, and matched against what a PCR
 * says (Documentation/attestation.md, "IMA measurement lists").  No I/O,
 * so that the CLI, the tests and the fuzzer run the very same path.
 */
#ifndef _VTPM_VERIFY_IMA_H
#define _VTPM_VERIFY_IMA_H

#include <stdio.h>

#include "mlog.h"

struct vtpm_verify_result;

/* IMA's limits, as in security/integrity/ima */
#define VV_IMA_NAME_MAX		255	/* IMA_EVENT_NAME_LEN_MAX */
/* a name, or a format ("d-ng|n-ng|sig") of a template without one */
#define VV_IMA_TEMPLATE_MAX	63
/* a bound of ours on one entry's template data */
#define VV_IMA_DATA_MAX		(1U << 20)

/**
 * struct vv_ima_entry - one measurement
 * @pcr:	  the PCR IMA extended
 * @violation:	  a violation: its template hash is zero in the list and
 *		  IMA extended all ones
 * @template:	  the template's name
 * @desc:	  its first two fields as IMA's ASCII list shows them
 *		  (the file's digest and name), malloc'ed
 * @count:	  number of @d
 * @d:		  what IMA extended into each bank the caller asked for
 */
struct vv_ima_entry {
	u32 pcr;
	bool violation;
	char template[VV_IMA_TEMPLATE_MAX + 1];
	char *desc;
	u32 count;
	struct vtpm_log_digest d[VTPM_MAX_BANKS];
};

/**
 * struct vv_ima_list - a parsed list
 * @binary:	the binary format (else ASCII)
 * @list_alg:	the algorithm of the list's template hashes
 * @n:		number of @e
 * @e:		the entries, in the list's order (malloc'ed)
 */
struct vv_ima_list {
	bool binary;
	u16 list_alg;
	size_t n;
	struct vv_ima_entry *e;
};

/*
 * Parse the list at @buf (@len bytes; NUL-terminated beyond @len) and
 * compute, for every entry, what IMA extended into each of the @nr_algs
 * banks @algs: the hash of its template data in that algorithm (all ones
 * for a violation).  Every entry's template data is rebuilt (from the
 * ASCII fields) or read (binary) and must hash to the template hash the
 * list shows: the list's text is then bound by the digests.  Returns 0,
 * -EINVAL with @why (and the entry, 1-based, in *@at; 0 for the list as
 * a whole) or -ENOMEM; on an error @l is empty (nothing to free).
 */
int vv_ima_parse(const u8 *buf, size_t len, const u16 *algs,
		 unsigned int nr_algs, struct vv_ima_list *l, char *why,
		 size_t why_len, size_t *at);
void vv_ima_free(struct vv_ima_list *l);

/*
 * The value the entries of PCR @pcr extend it to from zeros, in the bank
 * @alg, after their first @n (all of them if @n is larger); the number of
 * entries of @pcr in the list in *@total.
 */
void vv_ima_replay(const struct vv_ima_list *l, u32 pcr, u16 alg, size_t n,
		   u8 *out, size_t *total);

/*
 * Is @want (a value of PCR @pcr in the bank @alg) what the first *@n of the
 * list's entries of @pcr extend it to from zeros?  The longest such prefix
 * in *@n (entries after it were measured after the value was read), the
 * number of entries of @pcr in *@total.
 */
bool vv_ima_prefix(const struct vv_ima_list *l, u32 pcr, u16 alg,
		   const u8 *want, size_t *n, size_t *total);

/**
 * struct vv_ima_match - how a list matches an attested instance
 * @matched:	entries matched to a vPCR change of the log, in order
 * @after:	entries after the last change of their vPCR (measured after
 *		the quote: not attested)
 */
struct vv_ima_match {
	size_t matched;
	size_t after;
};

/*
 * Match the list against the changes of the instance's vPCRs in @res (a
 * trusted bundle): for each PCR the list names, its n-th entry must be the
 * n-th extend of that vPCR since the vPCR was last reset, in every bank
 * the extend carries, and every extend must have its entry.  Returns 0
 * (@m filled) or -EINVAL with @why naming the first entry (or change)
 * that does not match.
 */
int vv_ima_match(const struct vv_ima_list *l,
		 const struct vtpm_verify_result *res, struct vv_ima_match *m,
		 char *why, size_t why_len);

#endif /* _VTPM_VERIFY_IMA_H */
