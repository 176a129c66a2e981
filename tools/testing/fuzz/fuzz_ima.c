// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: vtpm-verify's IMA measurement list parser
 * (tools/vtpm-verify/ima.c) on arbitrary input, ASCII or binary, for the
 * four banks; on success its replay and prefix search over every PCR.
 *
 * Invariants: a refusal has a reason, and its entry is at most one past
 * the entries parsed; a parsed list names PCRs 0..23 only, every entry has
 * a description and a digest in each bank, a violation's digests are all
 * ones; parsing the same bytes again gives the same entries; the value
 * after all of a PCR's entries is found by the prefix search at that
 * count.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "ima.h"

int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

static const u16 algs[] = {
	VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
};

static void check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_ima: invariant broken: %s\n", what);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct vv_ima_list l, again;
	char why[256], why2[256];
	u8 v[VTPM_MAX_DIGEST_SIZE];
	size_t at, at2, i, n, total, count;
	unsigned int b, k;
	u8 *buf;
	u32 pcr;
	int ret;

	/* the parser reads a NUL-terminated buffer, as vv_read_file() gives */
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	why[0] = '\0';
	ret = vv_ima_parse(buf, size, algs, ARRAY_SIZE(algs), &l, why,
			   sizeof(why), &at);
	if (ret) {
		check(ret == -EINVAL || ret == -ENOMEM, "errno");
		check(ret != -EINVAL || why[0], "a refusal has a reason");
		goto out;
	}
	for (i = 0; i < l.n; i++) {
		const struct vv_ima_entry *e = &l.e[i];

		check(e->pcr < VTPM_NUM_PCRS, "PCR in range");
		check(e->desc != NULL, "description");
		check(e->count == ARRAY_SIZE(algs), "a digest per bank");
		for (b = 0; e->violation && b < e->count; b++)
			for (k = 0; k < vtpm_alg_digest_size(algs[b]); k++)
				check(e->d[b].digest[k] == 0xff,
				      "a violation extends all ones");
	}
	ret = vv_ima_parse(buf, size, algs, ARRAY_SIZE(algs), &again, why2,
			   sizeof(why2), &at2);
	check(!ret && again.n == l.n, "the same bytes parse the same");
	for (i = 0; i < l.n; i++)
		check(!memcmp(l.e[i].d, again.e[i].d, sizeof(l.e[i].d)) &&
		      l.e[i].pcr == again.e[i].pcr &&
		      !strcmp(l.e[i].desc, again.e[i].desc),
		      "the same entries");
	vv_ima_free(&again);
	for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++) {
		vv_ima_replay(&l, pcr, VTPM_ALG_SHA256, SIZE_MAX, v, &total);
		if (!total)
			continue;
		check(vv_ima_prefix(&l, pcr, VTPM_ALG_SHA256, v, &n, &count) &&
		      count == total, "the prefix search finds the replay");
	}
	vv_ima_free(&l);
out:
	free(buf);
	return 0;
}
