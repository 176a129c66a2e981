// SPDX-License-Identifier: GPL-2.0
/*
 * Isolation between two instances: what one does to its PCRs, its startup
 * state or its shutdown state never shows in the other.
 *
 * Two new vtpm-mux instances, or VTPM_TCTI + VTPM_TCTI2 (two swtpm).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_util.h"
#include "vtpm_esys.h"
#include "kselftest_harness.h"

#define NO_SESS ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE

static const uint16_t all_banks[] = {
	ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512,
};

FIXTURE(two) {
	struct vtpm_target t[2];
	struct esys e[2];
	bool skip;
};

FIXTURE_SETUP(two)
{
	static const char *const suffix[2] = { "", "2" };
	char err[256];

	for (int i = 0; i < 2; i++) {
		int r = target_setup(&self->t[i], suffix[i], err, sizeof(err));

		if (r == -ENOENT && self->t[i].kind == TARGET_MUX) {
			self->skip = true;
			SKIP(return, "%s", err);
		}
		ASSERT_EQ(0, r) TH_LOG("%s", err);
		if (!target_is_fresh(&self->t[i])) {
			self->skip = true;
			SKIP(return, "needs two fresh TPMs (VTPM_TCTI + VTPM_TCTI2)");
		}
	}
	if (self->t[0].kind != self->t[1].kind ||
	    !strcmp(self->t[0].tcti, self->t[1].tcti)) {
		self->skip = true;
		SKIP(return, "needs two distinct TPMs (VTPM_TCTI + VTPM_TCTI2)");
	}
	for (int i = 0; i < 2; i++) {
		TSS2_RC rc = esys_open(&self->e[i], self->t[i].tcti);

		ASSERT_EQ(0, rc) TH_LOG("ESAPI on %s: 0x%x", self->t[i].tcti, rc);
	}
}

FIXTURE_TEARDOWN(two)
{
	for (int i = 0; i < 2; i++) {
		esys_close(&self->e[i]);
		target_teardown(&self->t[i]);
	}
}

struct model {
	uint8_t v[4][24][64];
};

static void model_init(struct model *m)
{
	for (int b = 0; b < 4; b++)
		for (unsigned int p = 0; p < 24; p++)
			pcr_initial_value(p, 64, m->v[b][p]);
}

static void model_apply(struct model *m, unsigned int pcr,
			const TPML_DIGEST_VALUES *dv)
{
	for (UINT32 i = 0; i < dv->count; i++) {
		const struct alg_desc *a = alg_by_id(dv->digests[i].hashAlg);
		int b = a - known_hash_algs;
		uint8_t out[64];

		ossl_digest2(a->alg, m->v[b][pcr], a->size,
			     &dv->digests[i].digest, a->size, out);
		memcpy(m->v[b][pcr], out, a->size);
	}
}

static void check_all(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		      const struct model *m)
{
	for (int b = 0; b < 4; b++) {
		for (unsigned int p = 0; p < 24; p++) {
			const struct alg_desc *a = &known_hash_algs[b];
			uint8_t got[64];
			unsigned int len = 0;

			ASSERT_EQ(0, pcr_read_one(ctx, a->alg, p, got, &len));
			ASSERT_EQ(a->size, len);
			EXPECT_EQ(0, memcmp(m->v[b][p], got, len))
				TH_LOG("PCR %u %s", p, a->name);
		}
	}
}

TEST_F(two, startup_is_per_instance)
{
	TPM2B_DIGEST *rnd = NULL;

	if (self->skip)
		return;
	ASSERT_EQ(0, tpm_startup(&self->e[0], TPM2_SU_CLEAR));
	/* B has not been started */
	EXPECT_EQ(TPM_RC(0x100), Esys_GetRandom(self->e[1].ctx, NO_SESS, 8,
						&rnd));
	ASSERT_EQ(0, Esys_GetRandom(self->e[0].ctx, NO_SESS, 8, &rnd));
	Esys_Free(rnd);
	ASSERT_EQ(0, tpm_startup(&self->e[1], TPM2_SU_CLEAR));
	EXPECT_EQ(0x100, tpm_startup(&self->e[0], TPM2_SU_CLEAR));
	EXPECT_EQ(0x100, tpm_startup(&self->e[1], TPM2_SU_CLEAR));
	if (target_is_mux(&self->t[0])) {
		struct vtpm_mux_info a, b;

		ASSERT_EQ(0, mux_info(self->t[0].ctl, self->t[0].index, &a));
		ASSERT_EQ(0, mux_info(self->t[1].ctl, self->t[1].index, &b));
		EXPECT_EQ(1, a.started);
		EXPECT_EQ(1, b.started);
		EXPECT_NE(0, memcmp(a.uuid, b.uuid, sizeof(a.uuid)));
	}
}

TEST_F(two, extends_stay_in_their_instance)
{
	static const unsigned int pcrs[] = { 0, 7, 10, 16, 23 };
	TPM2B_EVENT ev = { .size = 5, .buffer = "event" };
	struct model ma, mb;

	if (self->skip)
		return;
	ASSERT_EQ(0, tpm_startup(&self->e[0], TPM2_SU_CLEAR));
	ASSERT_EQ(0, tpm_startup(&self->e[1], TPM2_SU_CLEAR));
	model_init(&ma);
	model_init(&mb);

	for (size_t i = 0; i < ARRAY_LEN(pcrs); i++) {
		TPML_DIGEST_VALUES dv;
		char seed[32];

		snprintf(seed, sizeof(seed), "A/%u", pcrs[i]);
		make_digests(seed, all_banks, ARRAY_LEN(all_banks), &dv);
		ASSERT_EQ(0, pcr_extend(self->e[0].ctx, pcrs[i], &dv));
		model_apply(&ma, pcrs[i], &dv);
	}
	/* B untouched by everything done to A */
	check_all(_metadata, self->e[1].ctx, &mb);

	for (size_t i = 0; i < ARRAY_LEN(pcrs); i++) {
		TPML_DIGEST_VALUES dv;
		char seed[32];

		snprintf(seed, sizeof(seed), "B/%u", pcrs[i]);
		make_digests(seed, all_banks, ARRAY_LEN(all_banks), &dv);
		ASSERT_EQ(0, pcr_extend(self->e[1].ctx, pcrs[i], &dv));
		model_apply(&mb, pcrs[i], &dv);
	}
	{
		TPML_DIGEST_VALUES *out = NULL;

		ASSERT_EQ(0, Esys_PCR_Event(self->e[1].ctx, ESYS_TR_PCR0 + 4,
					    ESYS_TR_PASSWORD, ESYS_TR_NONE,
					    ESYS_TR_NONE, &ev, &out));
		for (UINT32 i = 0; i < out->count; i++) {
			TPML_DIGEST_VALUES one = { .count = 1 };

			one.digests[0].hashAlg = out->digests[i].hashAlg;
			ASSERT_NE(0, ossl_digest(out->digests[i].hashAlg,
						 ev.buffer, ev.size,
						 (uint8_t *)&one.digests[0].digest));
			model_apply(&mb, 4, &one);
		}
		Esys_Free(out);
	}
	/* resetting B's PCR 16 leaves A's */
	ASSERT_EQ(0, Esys_PCR_Reset(self->e[1].ctx, ESYS_TR_PCR0 + 16,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE));
	for (int b = 0; b < 4; b++)
		pcr_initial_value(16, 64, mb.v[b][16]);

	check_all(_metadata, self->e[0].ctx, &ma);
	check_all(_metadata, self->e[1].ctx, &mb);
}

TEST_F(two, shutdown_is_per_instance)
{
	TPML_DIGEST_VALUES dv;
	struct model ma, mb;

	if (self->skip)
		return;
	ASSERT_EQ(0, tpm_startup(&self->e[0], TPM2_SU_CLEAR));
	ASSERT_EQ(0, tpm_startup(&self->e[1], TPM2_SU_CLEAR));
	model_init(&ma);
	model_init(&mb);
	make_digests("shutdown", all_banks, ARRAY_LEN(all_banks), &dv);
	ASSERT_EQ(0, pcr_extend(self->e[0].ctx, 0, &dv));
	ASSERT_EQ(0, pcr_extend(self->e[1].ctx, 0, &dv));
	model_apply(&ma, 0, &dv);
	model_apply(&mb, 0, &dv);
	/* A: orderly shutdown and a new Startup(CLEAR) resets A only */
	ASSERT_EQ(0, Esys_Shutdown(self->e[0].ctx, NO_SESS, TPM2_SU_CLEAR));
	ASSERT_EQ(0, target_power_cycle(&self->t[0]));
	ASSERT_EQ(0, tpm_startup(&self->e[0], TPM2_SU_CLEAR));
	model_init(&ma);
	/* B was not shut down: still started, PCR 0 kept */
	EXPECT_EQ(0x100, tpm_startup(&self->e[1], TPM2_SU_CLEAR));
	check_all(_metadata, self->e[0].ctx, &ma);
	check_all(_metadata, self->e[1].ctx, &mb);
}

TEST_HARNESS_MAIN
