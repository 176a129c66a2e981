// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-verify --log: replay a whole mapping log (securityfs
 * vtpm_mux/log) with the module's own code, and compare the hardware PCR
 * it replays to with a value read from the TPM.
 */
#include <stdlib.h>
#include <time.h>

#include "util.h"
#include "verify.h"
#include "replay.h"

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/**
 * vv_replay_log() - replay a full log and report what it leads to
 * @path: the log
 * @pcr:  NULL, or "ALG:HEX", the hardware PCR's value in one bank
 *
 * Prints "REPLAYED" and the figures (records, batches, the PCR in every
 * bank, the time the replay took) or "NOT CONSISTENT: <reason>".
 *
 * Return: 0 the log replays (to @pcr), 1 it does not, 2 input error.
 */
int vv_replay_log(const char *path, const char *pcr)
{
	static const u16 warm[] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	const struct vtpm_iov none = { .p = NULL, .len = 0 };
	u8 want[VTPM_MAX_DIGEST_SIZE], d[VTPM_MAX_DIGEST_SIZE], *buf = NULL;
	struct vtpm_replay *r;
	size_t len, want_len = 0;
	u16 want_alg = 0;
	double t0, t1;
	u32 b;
	int ret;

	if (pcr && vv_parse_pcr(pcr, &want_alg, want, &want_len)) {
		fprintf(stderr, "vtpm-verify: bad --pcr \"%s\": ALG:HEX, e.g. sha256:<64 hex digits>\n",
			pcr);
		return VTPM_VERIFY_INPUT;
	}
	ret = vv_read_file(path, &buf, &len);
	if (ret) {
		fprintf(stderr, "vtpm-verify: %s: %s\n", path, strerror(-ret));
		return VTPM_VERIFY_INPUT;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		free(buf);
		fprintf(stderr, "vtpm-verify: out of memory\n");
		return VTPM_VERIFY_INPUT;
	}
	r->nr_sets = vtpm_replay_sets_for(len);
	r->sets = calloc(r->nr_sets, sizeof(*r->sets));
	if (!r->sets) {
		free(r);
		free(buf);
		fprintf(stderr, "vtpm-verify: out of memory\n");
		return VTPM_VERIFY_INPUT;
	}
	/* the digests' one-time set-up (OpenSSL's fetch) is not replay */
	for (b = 0; b < ARRAY_SIZE(warm); b++)
		vtpm_plat_hashv(warm[b], &none, 1, d);
	t0 = seconds();
	ret = vtpm_log_replay(buf, len, r);
	t1 = seconds();
	if (!ret && r->hdr.kind != VTPM_LOG_FULL) {
		r->why = "a view, not the whole log (verify views with --bundle)";
		ret = -EINVAL;
	}
	if (ret) {
		printf("NOT CONSISTENT: %s (at byte %zu)\n",
		       r->why ? r->why : strerror(-ret), r->err_offset);
		ret = VTPM_VERIFY_UNTRUSTED;
		goto out;
	}
	ret = VTPM_VERIFY_TRUSTED;
	if (want_alg) {
		ret = VTPM_VERIFY_UNTRUSTED;
		for (b = 0; b < r->banks.nr; b++)
			if (r->banks.bank[b].alg == want_alg &&
			    r->banks.bank[b].size == want_len &&
			    !memcmp(r->pcr[b], want, want_len))
				ret = VTPM_VERIFY_TRUSTED;
		if (ret) {
			printf("NOT CONSISTENT: the log replays to another value of PCR %u than %s\n",
			       r->hdr.hw_pcr, pcr);
			goto out;
		}
	}
	printf("REPLAYED%s\n", want_alg ? " to the given PCR value" : "");
	printf("records: %llu in %llu batches (%llu voided by ABORT)\n",
	       (unsigned long long)r->records,
	       (unsigned long long)r->batches,
	       (unsigned long long)r->aborted);
	for (b = 0; b < r->banks.nr; b++) {
		printf("PCR %u %s: ", r->hdr.hw_pcr,
		       vtpm_alg_name(r->banks.bank[b].alg));
		vv_hex_print(stdout, r->pcr[b], r->banks.bank[b].size);
		printf("\n");
	}
	printf("replay: %zu bytes in %.6f s, %.0f records/s\n", len, t1 - t0,
	       t1 > t0 ? r->records / (t1 - t0) : 0.0);
out:
	free(r->sets);
	free(r);
	free(buf);
	return ret;
}
