// SPDX-License-Identifier: GPL-2.0
/*
 * PCR commands through ESAPI: PCR_Read, PCR_Extend, PCR_Event, PCR_Reset,
 * locality and authorization rules.  Every expected PCR value is computed
 * with OpenSSL from the initial value and the data extended:
 * new = H(old || digest), PCR_Event extends H(event data).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"
#include "esys_fixture.h"

static const uint16_t all_banks[] = {
	ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512,
};

/* the values we expect, kept alongside the TPM: model[bank][pcr] */
struct model {
	uint8_t v[4][24][64];
};

static int bank_idx(uint16_t alg)
{
	const struct alg_desc *a = alg_by_id(alg);

	return a ? (int)(a - known_hash_algs) : -1;
}

static void model_init(struct model *m)
{
	for (int b = 0; b < 4; b++)
		for (unsigned int p = 0; p < 24; p++)
			pcr_initial_value(p, 64, m->v[b][p]);
}

static void model_extend(struct model *m, unsigned int pcr, uint16_t alg,
			 const uint8_t *digest)
{
	int b = bank_idx(alg);
	unsigned int size = known_hash_algs[b].size;
	uint8_t out[64];

	ossl_digest2(alg, m->v[b][pcr], size, digest, size, out);
	memcpy(m->v[b][pcr], out, size);
}

static void model_apply(struct model *m, unsigned int pcr,
			const TPML_DIGEST_VALUES *dv)
{
	for (UINT32 i = 0; i < dv->count; i++)
		model_extend(m, pcr, dv->digests[i].hashAlg,
			     (const uint8_t *)&dv->digests[i].digest);
}

/* compares one PCR of every bank with the model */
static void check_pcr(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		      const struct model *m, unsigned int pcr)
{
	for (int b = 0; b < 4; b++) {
		const struct alg_desc *a = &known_hash_algs[b];
		uint8_t got[64];
		unsigned int len = 0;

		ASSERT_EQ(0, pcr_read_one(ctx, a->alg, pcr, got, &len));
		ASSERT_EQ(a->size, len);
		EXPECT_EQ(0, memcmp(m->v[b][pcr], got, len))
			TH_LOG("PCR %u %s differs", pcr, a->name);
	}
}

static void check_all(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		      const struct model *m)
{
	for (unsigned int p = 0; p < 24; p++)
		check_pcr(_metadata, ctx, m, p);
}

/*
 * Reads all 24 PCRs of a bank with one selection: the TPM returns at most
 * 8 digests per response and says in pcrSelectionOut which ones.
 */
TEST_F(tpm, pcr_read_initial_values)
{
	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	for (size_t b = 0; b < ARRAY_LEN(all_banks); b++) {
		const struct alg_desc *a = alg_by_id(all_banks[b]);
		uint32_t want = 0xFFFFFF;
		int rounds = 0;

		while (want && rounds++ < 10) {
			TPML_PCR_SELECTION sel = { .count = 1 }, *out = NULL;
			TPML_DIGEST *vals = NULL;
			UINT32 counter;
			uint32_t got;
			UINT32 k = 0;

			sel.pcrSelections[0].hash = a->alg;
			sel.pcrSelections[0].sizeofSelect = 3;
			for (int i = 0; i < 3; i++)
				sel.pcrSelections[0].pcrSelect[i] = want >> (8 * i);
			ASSERT_EQ(0, Esys_PCR_Read(self->e.ctx, NO_SESS, &sel,
						   &counter, &out, &vals));
			ASSERT_EQ(1, out->count);
			ASSERT_EQ(a->alg, out->pcrSelections[0].hash);
			got = out->pcrSelections[0].pcrSelect[0] |
			      out->pcrSelections[0].pcrSelect[1] << 8 |
			      out->pcrSelections[0].pcrSelect[2] << 16;
			/* only PCRs asked for, at most 8, one digest each */
			ASSERT_NE(0, got);
			EXPECT_EQ(0, got & ~want);
			EXPECT_LE(vals->count, 8);
			EXPECT_EQ((UINT32)__builtin_popcount(got), vals->count);
			for (unsigned int p = 0; p < 24 && k < vals->count; p++) {
				uint8_t init[64];

				if (!(got & (1u << p)))
					continue;
				pcr_initial_value(p, a->size, init);
				ASSERT_EQ(a->size, vals->digests[k].size);
				EXPECT_EQ(0, memcmp(init, vals->digests[k].buffer,
						    a->size))
					TH_LOG("%s PCR %u", a->name, p);
				k++;
			}
			want &= ~got;
			Esys_Free(out);
			Esys_Free(vals);
		}
		EXPECT_EQ(0, want) TH_LOG("%s: PCRs never returned", a->name);
	}
}

TEST_F(tpm, pcr_read_two_banks_in_one_command)
{
	TPML_PCR_SELECTION sel = { .count = 2 }, *out = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	uint8_t ff[64];

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	sel.pcrSelections[0].hash = TPM2_ALG_SHA1;
	sel.pcrSelections[0].sizeofSelect = 3;
	sel.pcrSelections[0].pcrSelect[0] = 1 << 3;		/* PCR 3 */
	sel.pcrSelections[1].hash = TPM2_ALG_SHA512;
	sel.pcrSelections[1].sizeofSelect = 3;
	sel.pcrSelections[1].pcrSelect[2] = 1 << (20 - 16);	/* PCR 20 */
	ASSERT_EQ(0, Esys_PCR_Read(self->e.ctx, NO_SESS, &sel, &counter, &out,
				   &vals));
	ASSERT_EQ(2, vals->count);
	ASSERT_EQ(2, out->count);
	EXPECT_EQ(TPM2_ALG_SHA1, out->pcrSelections[0].hash);
	EXPECT_EQ(TPM2_ALG_SHA512, out->pcrSelections[1].hash);
	ASSERT_EQ(20, vals->digests[0].size);
	ASSERT_EQ(64, vals->digests[1].size);
	memset(ff, 0xFF, sizeof(ff));
	EXPECT_EQ(0, memcmp(ff, vals->digests[1].buffer, 64));
	for (int i = 0; i < 20; i++) {
		EXPECT_EQ(0, vals->digests[0].buffer[i]);
	}
	Esys_Free(out);
	Esys_Free(vals);
}

TEST_F(tpm, extend_all_banks)
{
	static const unsigned int pcrs[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23,
	};
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	for (size_t i = 0; i < ARRAY_LEN(pcrs); i++) {
		TPML_DIGEST_VALUES dv;
		char seed[32];

		snprintf(seed, sizeof(seed), "all/%u", pcrs[i]);
		make_digests(seed, all_banks, ARRAY_LEN(all_banks), &dv);
		ASSERT_EQ(0, pcr_extend(self->e.ctx, pcrs[i], &dv))
			TH_LOG("PCR %u", pcrs[i]);
		model_apply(&m, pcrs[i], &dv);
	}
	/* a second extend chains on the first */
	for (int round = 0; round < 2; round++) {
		TPML_DIGEST_VALUES dv;
		char seed[32];

		snprintf(seed, sizeof(seed), "again/%d", round);
		make_digests(seed, all_banks, ARRAY_LEN(all_banks), &dv);
		ASSERT_EQ(0, pcr_extend(self->e.ctx, 5, &dv));
		model_apply(&m, 5, &dv);
	}
	check_all(_metadata, self->e.ctx, &m);
}

TEST_F(tpm, extend_subset_of_banks)
{
	static const uint16_t only256[] = { ALG_SHA256 };
	static const uint16_t sha1_384[] = { ALG_SHA1, ALG_SHA384 };
	static const uint16_t order[] = { ALG_SHA512, ALG_SHA1 };
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	make_digests("subset/1", only256, 1, &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 1, &dv));
	model_apply(&m, 1, &dv);
	make_digests("subset/2", sha1_384, 2, &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 2, &dv));
	model_apply(&m, 2, &dv);
	/* banks in any order */
	make_digests("subset/16", order, 2, &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 16, &dv));
	model_apply(&m, 16, &dv);
	/* no digest at all: nothing changes */
	dv.count = 0;
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 3, &dv));
	check_all(_metadata, self->e.ctx, &m);
}

/* a bank named twice is extended twice, in list order */
TEST_F(tpm, extend_same_bank_twice_in_one_command)
{
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	memset(&dv, 0, sizeof(dv));
	dv.count = 2;
	dv.digests[0].hashAlg = TPM2_ALG_SHA256;
	test_pattern("twice/a", dv.digests[0].digest.sha256, 32);
	dv.digests[1].hashAlg = TPM2_ALG_SHA256;
	test_pattern("twice/b", dv.digests[1].digest.sha256, 32);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 23, &dv));
	model_apply(&m, 23, &dv);
	check_pcr(_metadata, self->e.ctx, &m, 23);
}

TEST_F(tpm, extend_locality_protected_pcrs)
{
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	make_digests("loc", all_banks, ARRAY_LEN(all_banks), &dv);
	for (unsigned int p = 17; p <= 22; p++) {
		EXPECT_EQ(TPM_RC(0x907), pcr_extend(self->e.ctx, p, &dv))
			TH_LOG("PCR %u", p);
		check_pcr(_metadata, self->e.ctx, &m, p);
	}
}

TEST_F(tpm, extend_wrong_password)
{
	TPM2B_AUTH bad = { .size = 5, .buffer = "wrong" };
	TPM2B_AUTH empty = { .size = 0 };
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	make_digests("pw", all_banks, ARRAY_LEN(all_banks), &dv);
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, ESYS_TR_PCR0 + 4, &bad));
	/* TPM_RC_BAD_AUTH + session 1: PCRs are exempt from dictionary attack */
	EXPECT_EQ(TPM_RC(0x9A2), pcr_extend(self->e.ctx, 4, &dv));
	check_pcr(_metadata, self->e.ctx, &m, 4);
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, ESYS_TR_PCR0 + 4, &empty));
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 4, &dv));
	model_apply(&m, 4, &dv);
	check_pcr(_metadata, self->e.ctx, &m, 4);
}

/* PCR_Event: returns H(data) for every bank and extends it */
static void event_case(struct __test_metadata *_metadata, struct esys *e,
		       struct model *m, unsigned int pcr, const uint8_t *data,
		       UINT16 len)
{
	TPM2B_EVENT ev = { .size = len };
	TPML_DIGEST_VALUES *out = NULL;
	unsigned int seen = 0;

	memcpy(ev.buffer, data, len);
	ASSERT_EQ(0, Esys_PCR_Event(e->ctx, ESYS_TR_PCR0 + pcr,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE, &ev, &out));
	ASSERT_EQ(4, out->count);
	for (UINT32 i = 0; i < out->count; i++) {
		uint16_t alg = out->digests[i].hashAlg;
		uint8_t want[64];
		int b = bank_idx(alg);

		ASSERT_LE(0, b) TH_LOG("bank 0x%x", alg);
		seen |= 1u << b;
		ASSERT_EQ(known_hash_algs[b].size,
			  ossl_digest(alg, data, len, want));
		EXPECT_EQ(0, memcmp(want, &out->digests[i].digest,
				    known_hash_algs[b].size))
			TH_LOG("%s(event) differs", known_hash_algs[b].name);
		model_extend(m, pcr, alg, want);
	}
	EXPECT_EQ(0xF, seen);
	Esys_Free(out);
	check_pcr(_metadata, e->ctx, m, pcr);
}

TEST_F(tpm, event_digests_and_extend)
{
	static const char msg[] = "vtpm-mux selftest event";
	uint8_t big[1024];
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	event_case(_metadata, &self->e, &m, 8, (const uint8_t *)msg,
		   sizeof(msg) - 1);
	/* the same event again chains */
	event_case(_metadata, &self->e, &m, 8, (const uint8_t *)msg,
		   sizeof(msg) - 1);
	/* empty and largest events */
	event_case(_metadata, &self->e, &m, 9, (const uint8_t *)"", 0);
	test_pattern("event/1024", big, sizeof(big));
	event_case(_metadata, &self->e, &m, 16, big, sizeof(big));
	event_case(_metadata, &self->e, &m, 23, big, 1);
	check_all(_metadata, self->e.ctx, &m);
}

TEST_F(tpm, event_locality_protected_pcr)
{
	TPM2B_EVENT ev = { .size = 3, .buffer = "abc" };
	TPML_DIGEST_VALUES *out = NULL;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	EXPECT_EQ(TPM_RC(0x907), Esys_PCR_Event(self->e.ctx, ESYS_TR_PCR0 + 17,
						ESYS_TR_PASSWORD, ESYS_TR_NONE,
						ESYS_TR_NONE, &ev, &out));
	check_pcr(_metadata, self->e.ctx, &m, 17);
}

TEST_F(tpm, reset_16_and_23)
{
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	make_digests("reset", all_banks, ARRAY_LEN(all_banks), &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 16, &dv));
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 23, &dv));
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 15, &dv));
	model_apply(&m, 16, &dv);
	model_apply(&m, 23, &dv);
	model_apply(&m, 15, &dv);
	check_all(_metadata, self->e.ctx, &m);
	ASSERT_EQ(0, Esys_PCR_Reset(self->e.ctx, ESYS_TR_PCR0 + 16,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE));
	ASSERT_EQ(0, Esys_PCR_Reset(self->e.ctx, ESYS_TR_PCR0 + 23,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE));
	model_init(&m);
	model_apply(&m, 15, &dv);
	check_all(_metadata, self->e.ctx, &m);
}

TEST_F(tpm, reset_other_pcrs_is_locality)
{
	TPML_DIGEST_VALUES dv;
	struct model m;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	model_init(&m);
	make_digests("noreset", all_banks, ARRAY_LEN(all_banks), &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 0, &dv));
	model_apply(&m, 0, &dv);
	for (unsigned int p = 0; p < 24; p++) {
		if (p == 16 || p == 23)
			continue;
		EXPECT_EQ(TPM_RC(0x907),
			  Esys_PCR_Reset(self->e.ctx, ESYS_TR_PCR0 + p,
					 ESYS_TR_PASSWORD, ESYS_TR_NONE,
					 ESYS_TR_NONE))
			TH_LOG("PCR %u", p);
	}
	check_all(_metadata, self->e.ctx, &m);
}

/* abi.md: INFO counts vPCR changes (extend, event, reset) and commands */
TEST_F(tpm, mux_counts_extends)
{
	TPM2B_EVENT ev = { .size = 1, .buffer = "x" };
	TPML_DIGEST_VALUES dv, *out = NULL;
	struct vtpm_mux_info before, after;
	char buf[64];

	TPM_TEST_BEGIN();
	if (!target_is_mux(&self->t))
		SKIP(return, "vtpm-mux instances only");
	START();
	ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &before));
	make_digests("count", all_banks, ARRAY_LEN(all_banks), &dv);
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 1, &dv));
	ASSERT_EQ(0, pcr_extend(self->e.ctx, 2, &dv));
	ASSERT_EQ(0, Esys_PCR_Event(self->e.ctx, ESYS_TR_PCR0 + 3,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE, &ev, &out));
	Esys_Free(out);
	ASSERT_EQ(0, Esys_PCR_Reset(self->e.ctx, ESYS_TR_PCR0 + 16,
				    ESYS_TR_PASSWORD, ESYS_TR_NONE,
				    ESYS_TR_NONE));
	ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &after));
	EXPECT_EQ(before.extends + 4, after.extends);
	EXPECT_EQ(before.commands + 4, after.commands);
	ASSERT_LT(0, read_sysfs(self->t.index, "extends", buf, sizeof(buf)));
	EXPECT_EQ(after.extends, strtoull(buf, NULL, 10));
	ASSERT_LT(0, read_sysfs(self->t.index, "commands", buf, sizeof(buf)));
	EXPECT_EQ(after.commands, strtoull(buf, NULL, 10));
}

TEST_HARNESS_MAIN
