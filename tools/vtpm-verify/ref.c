// SPDX-License-Identifier: GPL-2.0
/*
 * Reference values: the parser of the reference file and check 11.
 *
 * Semantics (Documentation/attestation.md, "Reference values"):
 *  - "final": vPCR <vpcr> of bank <alg> must hold exactly <hex>;
 *  - "allow": once a vPCR and bank has allow rules, every digest of that
 *    bank extended into that vPCR by an applied EXTEND or EVENT record of
 *    the instance must be one of them (records of voided batches changed
 *    nothing and are not held against the reference);
 *  - a rule for a bank the instance does not have is an input error.
 * The digests are checked first, in log order, then the final values, in
 * file order, so that the first offending record is named.
 */
#include <stdlib.h>

#include "ref.h"
#include "util.h"

#define REF_TOKENS	4

static bool ref_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* split @line (NUL-terminated, modified) into at most @max tokens */
static int ref_split(char *line, char **tok, int max)
{
	int n = 0;

	for (;;) {
		while (ref_space(*line))
			line++;
		if (!*line)
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = line;
		while (*line && !ref_space(*line))
			line++;
		if (*line)
			*line++ = '\0';
	}
}

static int ref_line(char *line, u32 lineno, struct vtpm_ref_rule *rule,
		    char *err, size_t cap)
{
	char *tok[REF_TOKENS], *end;
	unsigned long pcr;
	size_t len;
	int n;

	n = ref_split(line, tok, REF_TOKENS);
	if (!n)
		return 0;
	if (n != REF_TOKENS) {
		snprintf(err, cap,
			 "line %u: expected \"<vpcr> <alg> final|allow <hex>\"",
			 lineno);
		return -EINVAL;
	}
	if (tok[0][0] < '0' || tok[0][0] > '9' || strlen(tok[0]) > 2) {
		snprintf(err, cap, "line %u: vPCR \"%s\" is not 0..23", lineno,
			 tok[0]);
		return -EINVAL;
	}
	pcr = strtoul(tok[0], &end, 10);
	if (*end || pcr >= VTPM_NUM_PCRS) {
		snprintf(err, cap, "line %u: vPCR \"%s\" is not 0..23", lineno,
			 tok[0]);
		return -EINVAL;
	}
	rule->line = lineno;
	rule->pcr = pcr;
	rule->alg = vv_alg_by_name(tok[1]);
	if (!rule->alg) {
		snprintf(err, cap,
			 "line %u: unknown bank \"%s\" (sha1, sha256, sha384, sha512)",
			 lineno, tok[1]);
		return -EINVAL;
	}
	if (!strcmp(tok[2], "final")) {
		rule->final = true;
	} else if (!strcmp(tok[2], "allow")) {
		rule->final = false;
	} else {
		snprintf(err, cap, "line %u: \"%s\" is neither final nor allow",
			 lineno, tok[2]);
		return -EINVAL;
	}
	if (vv_hex_decode(tok[3], rule->digest, sizeof(rule->digest), &len) ||
	    len != vtpm_alg_digest_size(rule->alg)) {
		snprintf(err, cap, "line %u: \"%.140s\" is not %u hex bytes of %s",
			 lineno, tok[3], vtpm_alg_digest_size(rule->alg),
			 tok[1]);
		return -EINVAL;
	}
	return 1;
}

int vtpm_ref_parse(const char *text, size_t len, struct vtpm_ref *ref,
		   char *err, size_t cap)
{
	struct vtpm_ref_rule rule, *rules;
	size_t i, start = 0, room = 0;
	u32 lineno = 0;
	char *line;
	int ret = 0;

	ref->rules = NULL;
	ref->nr = 0;
	line = malloc(len + 1);
	if (!line)
		return -ENOMEM;
	while (start < len && !ret) {
		size_t end = start, n;

		while (end < len && text[end] != '\n')
			end++;
		lineno++;
		n = end - start;
		memcpy(line, text + start, n);
		line[n] = '\0';
		start = end + 1;
		if (strlen(line) != n) {
			snprintf(err, cap, "line %u: a NUL byte", lineno);
			ret = -EINVAL;
			break;
		}
		for (i = 0; i < n; i++)
			if (line[i] == '#')
				line[i] = '\0';
		ret = ref_line(line, lineno, &rule, err, cap);
		if (ret <= 0)
			continue;
		ret = 0;
		for (i = 0; i < ref->nr; i++) {
			const struct vtpm_ref_rule *o = &ref->rules[i];

			if (o->final && rule.final && o->pcr == rule.pcr &&
			    o->alg == rule.alg) {
				snprintf(err, cap,
					 "line %u: a second final value of vPCR %u %s (line %u)",
					 lineno, rule.pcr,
					 vtpm_alg_name(rule.alg), o->line);
				ret = -EINVAL;
			}
		}
		if (ret)
			break;
		if (ref->nr == room) {
			room = room ? 2 * room : 16;
			rules = realloc(ref->rules, room * sizeof(*rules));
			if (!rules) {
				ret = -ENOMEM;
				break;
			}
			ref->rules = rules;
		}
		ref->rules[ref->nr++] = rule;
	}
	free(line);
	if (ret)
		vtpm_ref_free(ref);
	return ret;
}

void vtpm_ref_free(struct vtpm_ref *ref)
{
	free(ref->rules);
	ref->rules = NULL;
	ref->nr = 0;
}

static bool ref_bank(const struct vtpm_verify_result *res, u16 alg, u32 *idx)
{
	u32 i;

	for (i = 0; i < res->banks.nr; i++) {
		if (res->banks.bank[i].alg == alg) {
			*idx = i;
			return true;
		}
	}
	return false;
}

/* has vPCR @pcr of @alg allow rules, and is @digest one of them? */
static bool ref_allowed(const struct vtpm_ref *ref, u32 pcr, u16 alg,
			const u8 *digest, bool *restricted)
{
	size_t i;

	*restricted = false;
	for (i = 0; i < ref->nr; i++) {
		const struct vtpm_ref_rule *r = &ref->rules[i];

		if (r->final || r->pcr != pcr || r->alg != alg)
			continue;
		*restricted = true;
		if (!memcmp(r->digest, digest, vtpm_alg_digest_size(alg)))
			return true;
	}
	return false;
}

int vtpm_ref_check(const struct vtpm_ref *ref,
		   const struct vtpm_verify_result *res, char *reason,
		   size_t cap)
{
	char hex[2 * VTPM_MAX_DIGEST_SIZE + 1], want[2 * VTPM_MAX_DIGEST_SIZE + 1];
	bool restricted;
	size_t i;
	u32 j, bank = 0;

	for (i = 0; i < ref->nr; i++) {
		if (!ref_bank(res, ref->rules[i].alg, &bank)) {
			snprintf(reason, cap,
				 "reference line %u: the instance has no %s bank",
				 ref->rules[i].line,
				 vtpm_alg_name(ref->rules[i].alg));
			return VTPM_VERIFY_INPUT;
		}
	}
	for (i = 0; i < res->nr_events; i++) {
		const struct vtpm_verify_event *e = &res->events[i];

		if (!e->applied || (e->type != VTPM_REC_EXTEND &&
				    e->type != VTPM_REC_EVENT))
			continue;
		for (j = 0; j < e->count; j++) {
			u16 alg = e->d[j].alg;

			if (ref_allowed(ref, e->pcr, alg, e->d[j].digest,
					&restricted) || !restricted)
				continue;
			vv_hex_encode(e->d[j].digest, vtpm_alg_digest_size(alg),
				      hex);
			snprintf(reason, cap,
				 "reference: vPCR %u %s was extended with %s, which is not allowed (record %llu, batch %llu)",
				 e->pcr, vtpm_alg_name(alg), hex,
				 (unsigned long long)e->seq,
				 (unsigned long long)e->batch);
			return VTPM_VERIFY_UNTRUSTED;
		}
	}
	for (i = 0; i < ref->nr; i++) {
		const struct vtpm_ref_rule *r = &ref->rules[i];
		u16 size = vtpm_alg_digest_size(r->alg);
		const u8 *v;

		if (!r->final)
			continue;
		ref_bank(res, r->alg, &bank);
		v = vtpm_verify_vpcr(res, r->pcr, bank);
		if (!memcmp(v, r->digest, size))
			continue;
		vv_hex_encode(v, size, hex);
		vv_hex_encode(r->digest, size, want);
		snprintf(reason, cap,
			 "reference: vPCR %u %s is %s, not the final value %s (line %u)",
			 r->pcr, vtpm_alg_name(r->alg), hex, want, r->line);
		return VTPM_VERIFY_UNTRUSTED;
	}
	return VTPM_VERIFY_TRUSTED;
}
