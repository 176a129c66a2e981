// SPDX-License-Identifier: GPL-2.0
/*
 * TPM 2.0 housekeeping commands through ESAPI: Startup/Shutdown rules,
 * self tests, GetRandom/StirRandom, ReadClock, TestParms.
 *
 * Runs against a new vtpm-mux instance per test, or VTPM_TCTI /
 * VTPM_DEV (see vtpm_util.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"
#include "esys_fixture.h"

static const uint16_t all_banks[] = {
	ALG_SHA1, ALG_SHA256, ALG_SHA384, ALG_SHA512,
};

static void expect_pcr(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		       uint16_t alg, unsigned int pcr, const uint8_t *want)
{
	uint8_t got[64];
	unsigned int len = 0;

	ASSERT_EQ(0, pcr_read_one(ctx, alg, pcr, got, &len));
	ASSERT_EQ(alg_by_id(alg)->size, len);
	EXPECT_EQ(0, memcmp(want, got, len))
		TH_LOG("PCR %u bank 0x%x differs", pcr, alg);
}

static void expect_pcr_initial(struct __test_metadata *_metadata,
			       ESYS_CONTEXT *ctx, unsigned int pcr)
{
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++) {
		uint8_t init[64];

		pcr_initial_value(pcr, alg_by_id(all_banks[i])->size, init);
		expect_pcr(_metadata, ctx, all_banks[i], pcr, init);
	}
}

/* extends pcr in every bank, returns the expected new values in out[bank] */
static void extend_all(struct __test_metadata *_metadata, ESYS_CONTEXT *ctx,
		       unsigned int pcr, const char *seed,
		       uint8_t out[4][64])
{
	TPML_DIGEST_VALUES dv;

	make_digests(seed, all_banks, ARRAY_LEN(all_banks), &dv);
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++) {
		const struct alg_desc *a = alg_by_id(all_banks[i]);
		uint8_t old[64];
		unsigned int len;

		ASSERT_EQ(0, pcr_read_one(ctx, a->alg, pcr, old, &len));
		ASSERT_EQ(a->size, ossl_digest2(a->alg, old, len,
						&dv.digests[i].digest, a->size,
						out[i]));
	}
	ASSERT_EQ(0, pcr_extend(ctx, pcr, &dv));
}

TEST_F(tpm, startup_clear)
{
	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
	if (target_is_mux(&self->t)) {
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &info));
		EXPECT_EQ(1, info.started);
	}
}

TEST_F(tpm, second_startup_is_initialize)
{
	TPM_TEST_BEGIN();
	START();
	EXPECT_EQ(0x100, tpm_startup(&self->e, TPM2_SU_CLEAR));
	EXPECT_EQ(0x100, tpm_startup(&self->e, TPM2_SU_STATE));
}

TEST_F(tpm, commands_before_startup_are_initialize)
{
	TPM2B_DIGEST *rnd = NULL;
	TPMS_TIME_INFO *ti = NULL;
	uint8_t d[64];
	unsigned int len;

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	if (target_is_mux(&self->t)) {
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &info));
		EXPECT_EQ(0, info.started);
	}
	EXPECT_EQ(TPM_RC(0x100), Esys_GetRandom(self->e.ctx, NO_SESS, 8, &rnd));
	EXPECT_EQ(TPM_RC(0x100), pcr_read_one(self->e.ctx, ALG_SHA256, 0, d,
					      &len));
	EXPECT_EQ(TPM_RC(0x100), Esys_SelfTest(self->e.ctx, NO_SESS, TPM2_YES));
	EXPECT_EQ(TPM_RC(0x100), Esys_ReadClock(self->e.ctx, NO_SESS, &ti));
	EXPECT_EQ(TPM_RC(0x100), Esys_Shutdown(self->e.ctx, NO_SESS,
					       TPM2_SU_CLEAR));
	/* and the TPM still takes its Startup */
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 8, &rnd));
	EXPECT_EQ(8, rnd->size);
	Esys_Free(rnd);
}

TEST_F(tpm, startup_state_without_saved_state)
{
	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	/* TPM_RC_VALUE + TPM_RC_P + TPM_RC_1 */
	EXPECT_EQ(0x1C4, tpm_startup(&self->e, TPM2_SU_STATE));
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
}

TEST_F(tpm, startup_state_after_shutdown_clear)
{
	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_Shutdown(self->e.ctx, NO_SESS, TPM2_SU_CLEAR));
	ASSERT_EQ(0, target_power_cycle(&self->t));
	EXPECT_EQ(0x1C4, tpm_startup(&self->e, TPM2_SU_STATE));
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
}

/*
 * Resume: PCR 0-15 keep their values (TPM_PT_PCR_SAVE), the resettable
 * PCR 16 and 23 come back as zeros, 17-22 keep 0xFF.
 */
TEST_F(tpm, shutdown_state_then_startup_state_resumes)
{
	uint8_t v0[4][64], v16[4][64], v23[4][64], v7[4][64];

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	extend_all(_metadata, self->e.ctx, 0, "resume/0", v0);
	extend_all(_metadata, self->e.ctx, 7, "resume/7", v7);
	extend_all(_metadata, self->e.ctx, 16, "resume/16", v16);
	extend_all(_metadata, self->e.ctx, 23, "resume/23", v23);
	ASSERT_EQ(TPM_RC(0), Esys_Shutdown(self->e.ctx, NO_SESS, TPM2_SU_STATE));
	ASSERT_EQ(0, target_power_cycle(&self->t));
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_STATE));
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++) {
		expect_pcr(_metadata, self->e.ctx, all_banks[i], 0, v0[i]);
		expect_pcr(_metadata, self->e.ctx, all_banks[i], 7, v7[i]);
	}
	expect_pcr_initial(_metadata, self->e.ctx, 16);
	expect_pcr_initial(_metadata, self->e.ctx, 23);
	expect_pcr_initial(_metadata, self->e.ctx, 17);
	expect_pcr_initial(_metadata, self->e.ctx, 22);
	/* the resumed TPM is started */
	EXPECT_EQ(0x100, tpm_startup(&self->e, TPM2_SU_CLEAR));
}

/* a Startup(CLEAR) after an orderly shutdown is a TPM Reset: all PCRs reset */
TEST_F(tpm, shutdown_then_startup_clear_resets_pcrs)
{
	uint8_t v0[4][64];

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	extend_all(_metadata, self->e.ctx, 0, "reset/0", v0);
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++)
		expect_pcr(_metadata, self->e.ctx, all_banks[i], 0, v0[i]);
	ASSERT_EQ(TPM_RC(0), Esys_Shutdown(self->e.ctx, NO_SESS, TPM2_SU_STATE));
	ASSERT_EQ(0, target_power_cycle(&self->t));
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
	expect_pcr_initial(_metadata, self->e.ctx, 0);
}

/* a saved PCR that changes after Shutdown(STATE) voids the saved state */
TEST_F(tpm, pcr_change_after_shutdown_state_voids_it)
{
	uint8_t v0[4][64];

	TPM_TEST_BEGIN();
	REQUIRE_FRESH();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_Shutdown(self->e.ctx, NO_SESS, TPM2_SU_STATE));
	/* the instance keeps executing commands after Shutdown */
	extend_all(_metadata, self->e.ctx, 0, "void/0", v0);
	for (size_t i = 0; i < ARRAY_LEN(all_banks); i++)
		expect_pcr(_metadata, self->e.ctx, all_banks[i], 0, v0[i]);
	ASSERT_EQ(0, target_power_cycle(&self->t));
	EXPECT_EQ(0x1C4, tpm_startup(&self->e, TPM2_SU_STATE));
	ASSERT_EQ(0, tpm_startup(&self->e, TPM2_SU_CLEAR));
	expect_pcr_initial(_metadata, self->e.ctx, 0);
}

TEST_F(tpm, selftest)
{
	TPM_TEST_BEGIN();
	START();
	EXPECT_EQ(TPM_RC(0), Esys_SelfTest(self->e.ctx, NO_SESS, TPM2_NO));
	EXPECT_EQ(TPM_RC(0), Esys_SelfTest(self->e.ctx, NO_SESS, TPM2_YES));
}

TEST_F(tpm, incremental_selftest_after_full_selftest)
{
	TPML_ALG to_test = { .count = 2,
			     .algorithms = { TPM2_ALG_SHA256, TPM2_ALG_SHA1 } };
	TPML_ALG none = { .count = 0 };
	TPML_ALG *todo = NULL;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_SelfTest(self->e.ctx, NO_SESS, TPM2_YES));
	ASSERT_EQ(TPM_RC(0), Esys_IncrementalSelfTest(self->e.ctx, NO_SESS,
						      &to_test, &todo));
	/* everything was tested by the full self test: nothing left to do */
	EXPECT_EQ(0, todo->count);
	Esys_Free(todo);
	todo = NULL;
	ASSERT_EQ(TPM_RC(0), Esys_IncrementalSelfTest(self->e.ctx, NO_SESS,
						      &none, &todo));
	EXPECT_EQ(0, todo->count);
	Esys_Free(todo);
}

TEST_F(tpm, gettestresult_passed)
{
	TPM2B_MAX_BUFFER *out = NULL;
	TPM2_RC result = 0xFFFFFFFF;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_SelfTest(self->e.ctx, NO_SESS, TPM2_YES));
	ASSERT_EQ(TPM_RC(0), Esys_GetTestResult(self->e.ctx, NO_SESS, &out,
						&result));
	EXPECT_EQ(TPM2_RC_SUCCESS, result);
	Esys_Free(out);
}

TEST_F(tpm, getrandom_lengths)
{
	static const UINT16 sizes[] = { 1, 8, 20, 32, 48, 63, 64 };
	TPM2B_DIGEST *rnd = NULL;

	TPM_TEST_BEGIN();
	START();
	for (size_t i = 0; i < ARRAY_LEN(sizes); i++) {
		ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS,
						    sizes[i], &rnd));
		EXPECT_EQ(sizes[i], rnd->size);
		Esys_Free(rnd);
		rnd = NULL;
	}
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 0, &rnd));
	EXPECT_EQ(0, rnd->size);
	Esys_Free(rnd);
}

/*
 * More than the largest digest: the TPM returns the size of the largest
 * digest it supports (Part 3, TPM2_GetRandom), 64 with SHA-512.
 */
TEST_F(tpm, getrandom_caps_at_64)
{
	TPM2B_DIGEST *rnd = NULL;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 100, &rnd));
	EXPECT_EQ(64, rnd->size);
	Esys_Free(rnd);
	rnd = NULL;
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 0xFFFF, &rnd));
	EXPECT_EQ(64, rnd->size);
	Esys_Free(rnd);
}

TEST_F(tpm, getrandom_differs)
{
	TPM2B_DIGEST *a = NULL, *b = NULL;
	static const uint8_t zero[32];

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 32, &a));
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 32, &b));
	ASSERT_EQ(32, a->size);
	ASSERT_EQ(32, b->size);
	EXPECT_NE(0, memcmp(a->buffer, b->buffer, 32));
	EXPECT_NE(0, memcmp(a->buffer, zero, 32));
	EXPECT_NE(0, memcmp(b->buffer, zero, 32));
	Esys_Free(a);
	Esys_Free(b);
}

TEST_F(tpm, stirrandom)
{
	TPM2B_SENSITIVE_DATA in = { .size = 16 };
	TPM2B_DIGEST *rnd = NULL;

	TPM_TEST_BEGIN();
	START();
	memset(in.buffer, 0xA5, sizeof(in.buffer));
	ASSERT_EQ(TPM_RC(0), Esys_StirRandom(self->e.ctx, NO_SESS, &in));
	in.size = 128;		/* the largest TPM2B_SENSITIVE_DATA */
	ASSERT_EQ(TPM_RC(0), Esys_StirRandom(self->e.ctx, NO_SESS, &in));
	in.size = 0;
	ASSERT_EQ(TPM_RC(0), Esys_StirRandom(self->e.ctx, NO_SESS, &in));
	ASSERT_EQ(TPM_RC(0), Esys_GetRandom(self->e.ctx, NO_SESS, 16, &rnd));
	EXPECT_EQ(16, rnd->size);
	Esys_Free(rnd);
}

TEST_F(tpm, readclock_monotonic)
{
	TPMS_TIME_INFO *a = NULL, *b = NULL;
	struct timespec t0, t1;
	uint64_t host_ms;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(TPM_RC(0), Esys_ReadClock(self->e.ctx, NO_SESS, &a));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	usleep(300 * 1000);
	ASSERT_EQ(TPM_RC(0), Esys_ReadClock(self->e.ctx, NO_SESS, &b));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	host_ms = (t1.tv_sec - t0.tv_sec) * 1000 +
		  (t1.tv_nsec - t0.tv_nsec) / 1000000;
	TH_LOG("time %llu -> %llu, clock %llu -> %llu, host %llu ms",
	       (unsigned long long)a->time, (unsigned long long)b->time,
	       (unsigned long long)a->clockInfo.clock,
	       (unsigned long long)b->clockInfo.clock,
	       (unsigned long long)host_ms);
	EXPECT_GE(b->time, a->time + 250);
	EXPECT_GE(b->clockInfo.clock, a->clockInfo.clock + 250);
	/* not faster than the host's clock (with slack for a slow VM) */
	EXPECT_LE(b->time - a->time, host_ms + 1000);
	EXPECT_LE(b->clockInfo.clock - a->clockInfo.clock, host_ms + 1000);
	EXPECT_EQ(a->clockInfo.resetCount, b->clockInfo.resetCount);
	EXPECT_EQ(a->clockInfo.restartCount, b->clockInfo.restartCount);
	Esys_Free(a);
	Esys_Free(b);
}

TEST_F(tpm, testparms_keyedhash)
{
	TPMT_PUBLIC_PARMS p;

	TPM_TEST_BEGIN();
	START();
	memset(&p, 0, sizeof(p));
	p.type = TPM2_ALG_KEYEDHASH;
	p.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	EXPECT_EQ(TPM_RC(0), Esys_TestParms(self->e.ctx, NO_SESS, &p));
	p.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_HMAC;
	p.parameters.keyedHashDetail.scheme.details.hmac.hashAlg =
		TPM2_ALG_SHA256;
	EXPECT_EQ(TPM_RC(0), Esys_TestParms(self->e.ctx, NO_SESS, &p));
	p.parameters.keyedHashDetail.scheme.details.hmac.hashAlg =
		TPM2_ALG_SHA512;
	EXPECT_EQ(TPM_RC(0), Esys_TestParms(self->e.ctx, NO_SESS, &p));
}

TEST_F(tpm, testparms_unsupported)
{
	TPMT_PUBLIC_PARMS p;

	TPM_TEST_BEGIN();
	START();
	memset(&p, 0, sizeof(p));
	/* HMAC with the NULL hash: TPM_RC_HASH + P1 */
	p.type = TPM2_ALG_KEYEDHASH;
	p.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_HMAC;
	p.parameters.keyedHashDetail.scheme.details.hmac.hashAlg =
		TPM2_ALG_NULL;
	EXPECT_EQ(TPM_RC(0x1C3), Esys_TestParms(self->e.ctx, NO_SESS, &p));
	/* RSA: supported by swtpm, TPM_RC_TYPE + P1 on a mux-only instance */
	memset(&p, 0, sizeof(p));
	p.type = TPM2_ALG_RSA;
	p.parameters.rsaDetail.symmetric.algorithm = TPM2_ALG_NULL;
	p.parameters.rsaDetail.scheme.scheme = TPM2_ALG_NULL;
	p.parameters.rsaDetail.keyBits = 2048;
	if (target_is_mux(&self->t)) {
		EXPECT_EQ(TPM_RC(0x1CA), Esys_TestParms(self->e.ctx, NO_SESS,
							&p));
	} else {
		EXPECT_EQ(TPM_RC(0), Esys_TestParms(self->e.ctx, NO_SESS, &p));
	}
}

TEST_HARNESS_MAIN
