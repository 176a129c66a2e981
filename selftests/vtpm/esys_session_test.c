// SPDX-License-Identifier: GPL-2.0
/*
 * A tenant's ESAPI client with sessions: salted HMAC sessions with
 * parameter encryption in both directions (NV_Write/NV_Read, Create of a
 * sealed object and Unseal, GetRandom), HMAC authorisations that fail
 * with a wrong auth value (on objects without dictionary-attack
 * protection, so that no lockout follows), and a policy session whose PolicyPCR digest
 * must equal the one computed here with OpenSSL from the PCR the TPM
 * reports, before and after an extend.
 *
 * The very same program runs against the hardware TPM through the
 * kernel's resource manager (VTPM_DEV=/dev/tpmrm0) and against a
 * sw-backed instance (VTPM_DEV=/dev/vtpmN): sw_backend_test.sh runs both.
 * On a sw instance the PCR commands are answered by the kernel and
 * everything else by the engine, so the policy test checks that the
 * engine's PCRs are the vPCRs that the mux anchored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"
#include "esys_fixture.h"

#define NV_INDEX	0x01500031	/* owner range; defined and removed here */
#define POLICY_PCR	16		/* resettable debug PCR */
#define TPM_CC_POLICY_PCR 0x0000017F
#define RC_BAD_AUTH_S1	0x9A2		/* TPM_RC_BAD_AUTH, session 1 (NO_DA) */

static const TPMT_SYM_DEF aes128cfb = {
	.algorithm = TPM2_ALG_AES,
	.keyBits.aes = 128,
	.mode.aes = TPM2_ALG_CFB,
};

static void auth_set(TPM2B_AUTH *a, const char *s)
{
	a->size = strlen(s);
	memcpy(a->buffer, s, a->size);
}

/*
 * An ECC P-256 storage primary in the owner hierarchy, the salt's key.
 * Nothing here is subject to dictionary-attack protection: a TPM counts a
 * reset after such a use as a failure, and test targets are reset often.
 */
static TSS2_RC storage_primary(ESYS_CONTEXT *ctx, ESYS_TR *out)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC pub = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPMT_PUBLIC *p = &pub.publicArea;

	p->type = TPM2_ALG_ECC;
	p->nameAlg = TPM2_ALG_SHA256;
	p->objectAttributes = TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT |
			      TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_SENSITIVEDATAORIGIN |
			      TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
	p->parameters.eccDetail.symmetric.algorithm = TPM2_ALG_AES;
	p->parameters.eccDetail.symmetric.keyBits.aes = 128;
	p->parameters.eccDetail.symmetric.mode.aes = TPM2_ALG_CFB;
	p->parameters.eccDetail.scheme.scheme = TPM2_ALG_NULL;
	p->parameters.eccDetail.curveID = TPM2_ECC_NIST_P256;
	p->parameters.eccDetail.kdf.scheme = TPM2_ALG_NULL;
	return Esys_CreatePrimary(ctx, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				  ESYS_TR_NONE, ESYS_TR_NONE, &sens, &pub,
				  &outside, &none, out, NULL, NULL, NULL, NULL);
}

/* a salted HMAC session that encrypts the first parameter both ways */
static TSS2_RC enc_session(ESYS_CONTEXT *ctx, ESYS_TR salt_key, ESYS_TR *s)
{
	TSS2_RC rc;

	rc = Esys_StartAuthSession(ctx, salt_key, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, NULL,
				   TPM2_SE_HMAC, &aes128cfb, TPM2_ALG_SHA256, s);
	if (rc)
		return rc;
	return Esys_TRSess_SetAttributes(ctx, *s,
					 TPMA_SESSION_CONTINUESESSION |
					 TPMA_SESSION_DECRYPT |
					 TPMA_SESSION_ENCRYPT, 0xff);
}

/* NV_UndefineSpace of NV_INDEX if a failed earlier run left it */
static void nv_remove(ESYS_CONTEXT *ctx)
{
	ESYS_TR nv;

	if (Esys_TR_FromTPMPublic(ctx, NV_INDEX, ESYS_TR_NONE, ESYS_TR_NONE,
				  ESYS_TR_NONE, &nv))
		return;
	Esys_NV_UndefineSpace(ctx, ESYS_TR_RH_OWNER, nv, ESYS_TR_PASSWORD,
			      ESYS_TR_NONE, ESYS_TR_NONE);
}

/*
 * The digest of PolicyPCR over sha256 PCR pcr holding value, from an
 * empty policy: H(0^32 || TPM_CC_PolicyPCR || TPML_PCR_SELECTION ||
 * H(value)).
 */
static void policy_pcr_digest(unsigned int pcr, const uint8_t *value,
			      uint8_t *out)
{
	uint8_t buf[32 + 4 + 10 + 32], pcrd[32];
	uint8_t *q = buf;

	memset(q, 0, 32);
	q += 32;
	put_be32(q, TPM_CC_POLICY_PCR);
	q += 4;
	put_be32(q, 1);				/* count */
	put_be16(q + 4, TPM2_ALG_SHA256);
	q[6] = 3;				/* sizeofSelect */
	memset(q + 7, 0, 3);
	q[7 + pcr / 8] = 1 << (pcr % 8);
	q += 10;
	ossl_digest(ALG_SHA256, value, 32, pcrd);
	memcpy(q, pcrd, 32);
	q += 32;
	ossl_digest(ALG_SHA256, buf, q - buf, out);
}

/* the policy digest of a fresh policy session after PolicyPCR(pcr) */
static TSS2_RC policy_pcr_now(ESYS_CONTEXT *ctx, unsigned int pcr,
			      uint8_t *out)
{
	TPML_PCR_SELECTION sel;
	TPM2B_DIGEST empty = { 0 };
	TPM2B_DIGEST *d = NULL;
	ESYS_TR s;
	TSS2_RC rc;

	pcr_select_one(&sel, TPM2_ALG_SHA256, pcr);
	rc = Esys_StartAuthSession(ctx, ESYS_TR_NONE, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, TPM2_SE_POLICY, &aes128cfb,
				   TPM2_ALG_SHA256, &s);
	if (rc)
		return rc;
	rc = Esys_PolicyPCR(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
			    &empty, &sel);
	if (!rc)
		rc = Esys_PolicyGetDigest(ctx, s, ESYS_TR_NONE, ESYS_TR_NONE,
					  ESYS_TR_NONE, &d);
	if (!rc && d->size != 32)
		rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
	if (!rc)
		memcpy(out, d->buffer, 32);
	Esys_Free(d);
	Esys_FlushContext(ctx, s);
	return rc;
}

TEST_F(tpm, nv_write_read_with_parameter_encryption)
{
	TPM2B_NV_PUBLIC pub = { 0 };
	TPM2B_MAX_NV_BUFFER data = { .size = 48 };
	TPM2B_MAX_NV_BUFFER *back = NULL;
	TPM2B_AUTH auth;
	ESYS_TR prim, s, nv;

	TPM_TEST_BEGIN();
	START();
	nv_remove(self->e.ctx);
	ASSERT_EQ(0, storage_primary(self->e.ctx, &prim));
	ASSERT_EQ(0, enc_session(self->e.ctx, prim, &s));

	auth_set(&auth, "nv-secret");
	pub.nvPublic.nvIndex = NV_INDEX;
	pub.nvPublic.nameAlg = TPM2_ALG_SHA256;
	pub.nvPublic.attributes = TPMA_NV_AUTHREAD | TPMA_NV_AUTHWRITE |
				  TPMA_NV_NO_DA;
	pub.nvPublic.dataSize = data.size;
	/* the auth value itself travels encrypted (DefineSpace's 1st param) */
	ASSERT_EQ(0, Esys_NV_DefineSpace(self->e.ctx, ESYS_TR_RH_OWNER, s,
					 ESYS_TR_NONE, ESYS_TR_NONE, &auth,
					 &pub, &nv));
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, nv, &auth));
	test_pattern("esys nv", data.buffer, data.size);
	EXPECT_EQ(0, Esys_NV_Write(self->e.ctx, nv, nv, s, ESYS_TR_NONE,
				   ESYS_TR_NONE, &data, 0));
	EXPECT_EQ(0, Esys_NV_Read(self->e.ctx, nv, nv, s, ESYS_TR_NONE,
				  ESYS_TR_NONE, data.size, 0, &back));
	if (back) {
		EXPECT_EQ(data.size, back->size);
		EXPECT_EQ(0, memcmp(data.buffer, back->buffer, data.size))
			TH_LOG("NV data read back through the encrypted session differs");
	}
	Esys_Free(back);

	/* a wrong auth value: the HMAC fails, nothing is read */
	auth_set(&auth, "not-it");
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, nv, &auth));
	back = NULL;
	EXPECT_EQ(TPM_RC(RC_BAD_AUTH_S1),
		  Esys_NV_Read(self->e.ctx, nv, nv, s, ESYS_TR_NONE,
			       ESYS_TR_NONE, data.size, 0, &back));
	Esys_Free(back);

	EXPECT_EQ(0, Esys_NV_UndefineSpace(self->e.ctx, ESYS_TR_RH_OWNER, nv,
					   s, ESYS_TR_NONE, ESYS_TR_NONE));
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, s));
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, prim));
}

TEST_F(tpm, seal_unseal_with_parameter_encryption)
{
	TPM2B_SENSITIVE_CREATE sens = { 0 };
	TPM2B_PUBLIC pub = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION none = { 0 };
	TPM2B_PRIVATE *opriv = NULL;
	TPM2B_PUBLIC *opub = NULL;
	TPM2B_SENSITIVE_DATA *out = NULL;
	TPM2B_AUTH auth;
	ESYS_TR prim, s, obj;
	TPMT_PUBLIC *p = &pub.publicArea;
	uint8_t secret[64];

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, storage_primary(self->e.ctx, &prim));
	ASSERT_EQ(0, enc_session(self->e.ctx, prim, &s));

	test_pattern("esys sealed", secret, sizeof(secret));
	auth_set(&sens.sensitive.userAuth, "seal-pw");
	sens.sensitive.data.size = sizeof(secret);
	memcpy(sens.sensitive.data.buffer, secret, sizeof(secret));
	p->type = TPM2_ALG_KEYEDHASH;
	p->nameAlg = TPM2_ALG_SHA256;
	/* NODA: the wrong password below must not count towards a lockout */
	p->objectAttributes = TPMA_OBJECT_FIXEDTPM | TPMA_OBJECT_FIXEDPARENT |
			      TPMA_OBJECT_USERWITHAUTH | TPMA_OBJECT_NODA;
	p->parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL;
	/* the secret goes in encrypted: Create's first parameter */
	ASSERT_EQ(0, Esys_Create(self->e.ctx, prim, s, ESYS_TR_NONE,
				 ESYS_TR_NONE, &sens, &pub, &outside, &none,
				 &opriv, &opub, NULL, NULL, NULL));
	ASSERT_EQ(0, Esys_Load(self->e.ctx, prim, s, ESYS_TR_NONE,
			       ESYS_TR_NONE, opriv, opub, &obj));
	Esys_Free(opriv);
	Esys_Free(opub);
	auth_set(&auth, "seal-pw");
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, obj, &auth));
	/* and comes out encrypted: Unseal's first response parameter */
	EXPECT_EQ(0, Esys_Unseal(self->e.ctx, obj, s, ESYS_TR_NONE,
				 ESYS_TR_NONE, &out));
	if (out) {
		EXPECT_EQ(sizeof(secret), out->size);
		EXPECT_EQ(0, memcmp(secret, out->buffer, sizeof(secret)))
			TH_LOG("unsealed data differs from the sealed secret");
	}
	Esys_Free(out);

	auth_set(&auth, "wrong");
	ASSERT_EQ(0, Esys_TR_SetAuth(self->e.ctx, obj, &auth));
	out = NULL;
	EXPECT_EQ(TPM_RC(RC_BAD_AUTH_S1),
		  Esys_Unseal(self->e.ctx, obj, s, ESYS_TR_NONE, ESYS_TR_NONE,
			      &out));
	Esys_Free(out);
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, obj));
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, s));
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, prim));
}

TEST_F(tpm, get_random_with_response_encryption)
{
	TPM2B_DIGEST *r1 = NULL, *r2 = NULL;
	ESYS_TR prim, s;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, storage_primary(self->e.ctx, &prim));
	ASSERT_EQ(0, enc_session(self->e.ctx, prim, &s));
	/* GetRandom has no handle to authorise: an encrypt-only session */
	ASSERT_EQ(0, Esys_TRSess_SetAttributes(self->e.ctx, s,
					       TPMA_SESSION_CONTINUESESSION |
					       TPMA_SESSION_ENCRYPT, 0xff));
	ASSERT_EQ(0, Esys_GetRandom(self->e.ctx, s, ESYS_TR_NONE,
				    ESYS_TR_NONE, 32, &r1));
	ASSERT_EQ(0, Esys_GetRandom(self->e.ctx, s, ESYS_TR_NONE,
				    ESYS_TR_NONE, 32, &r2));
	EXPECT_EQ(32, r1->size);
	EXPECT_EQ(32, r2->size);
	EXPECT_NE(0, memcmp(r1->buffer, r2->buffer, 32));
	Esys_Free(r1);
	Esys_Free(r2);
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, s));
	EXPECT_EQ(0, Esys_FlushContext(self->e.ctx, prim));
}

TEST_F(tpm, policy_pcr_sees_the_pcr_before_and_after_an_extend)
{
	uint16_t sha256 = ALG_SHA256;
	uint8_t value[64], want[32], got[32], before[32], next[32];
	TPML_DIGEST_VALUES dv;
	unsigned int len = 0;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, pcr_read_one(self->e.ctx, ALG_SHA256, POLICY_PCR, value,
				  &len));
	ASSERT_EQ(32, len);
	policy_pcr_digest(POLICY_PCR, value, want);
	ASSERT_EQ(0, policy_pcr_now(self->e.ctx, POLICY_PCR, got));
	EXPECT_EQ(0, memcmp(want, got, 32))
		TH_LOG("PolicyPCR does not see the PCR that PCR_Read reports");
	memcpy(before, got, 32);

	/* extend in the sha256 bank only, expected value by OpenSSL */
	make_digests("esys policy", &sha256, 1, &dv);
	ASSERT_EQ(32, ossl_digest2(ALG_SHA256, value, 32,
				   &dv.digests[0].digest, 32, next));
	ASSERT_EQ(0, pcr_extend(self->e.ctx, POLICY_PCR, &dv));
	ASSERT_EQ(0, pcr_read_one(self->e.ctx, ALG_SHA256, POLICY_PCR, value,
				  &len));
	ASSERT_EQ(0, memcmp(next, value, 32));
	policy_pcr_digest(POLICY_PCR, next, want);
	ASSERT_EQ(0, policy_pcr_now(self->e.ctx, POLICY_PCR, got));
	EXPECT_EQ(0, memcmp(want, got, 32))
		TH_LOG("after the extend, PolicyPCR sees another PCR value");
	EXPECT_NE(0, memcmp(before, got, 32));
}

TEST_HARNESS_MAIN
