// SPDX-License-Identifier: GPL-2.0
/*
 * TPM2_GetCapability through ESAPI: ALGS, COMMANDS, PCRS, TPM_PROPERTIES
 * (with moreData paging), HANDLES, PCR_PROPERTIES.
 *
 * The expected values are those of a PC Client TPM 2.0 with the four banks
 * sha1/sha256/sha384/sha512 (swtpm's answers), except where a mux-only
 * instance answers for itself (abi.md: COMMANDS lists exactly the commands
 * it implements).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"
#include "esys_fixture.h"

/*
 * The commands of a mux-only instance with the TPMA_CC swtpm reports for
 * them (command index, nv bit 22, cHandles bits 25-27, rHandle bit 28).
 */
static const struct {
	uint32_t cc;
	uint32_t attr;
	const char *name;
} mux_commands[] = {
	{ 0x13C, 0x0240013C, "PCR_Event" },
	{ 0x13D, 0x0240013D, "PCR_Reset" },
	{ 0x142, 0x00400142, "IncrementalSelfTest" },
	{ 0x143, 0x00400143, "SelfTest" },
	{ 0x144, 0x00400144, "Startup" },
	{ 0x145, 0x00400145, "Shutdown" },
	{ 0x146, 0x00400146, "StirRandom" },
	{ 0x165, 0x00000165, "FlushContext" },
	{ 0x176, 0x14000176, "StartAuthSession" },
	{ 0x17A, 0x0000017A, "GetCapability" },
	{ 0x17B, 0x0000017B, "GetRandom" },
	{ 0x17C, 0x0000017C, "GetTestResult" },
	{ 0x17E, 0x0000017E, "PCR_Read" },
	{ 0x181, 0x00000181, "ReadClock" },
	{ 0x182, 0x02400182, "PCR_Extend" },
	{ 0x18A, 0x0000018A, "TestParms" },
};

static const uint32_t permanent_handles[] = {
	0x40000001,	/* TPM_RH_OWNER */
	0x40000007,	/* TPM_RH_NULL */
	0x40000009,	/* TPM_RS_PW */
	0x4000000A,	/* TPM_RH_LOCKOUT */
	0x4000000B,	/* TPM_RH_ENDORSEMENT */
	0x4000000C,	/* TPM_RH_PLATFORM */
	0x4000000D,	/* TPM_RH_PLATFORM_NV */
};

static TSS2_RC getcap(struct esys *e, TPM2_CAP cap, UINT32 prop, UINT32 count,
		      TPMI_YES_NO *more, TPMS_CAPABILITY_DATA **data)
{
	*data = NULL;
	return Esys_GetCapability(e->ctx, NO_SESS, cap, prop, count, more,
				  data);
}

TEST_F(tpm, algs_has_the_four_hashes)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;
	unsigned int found = 0;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_ALGS, 0, TPM2_MAX_CAP_ALGS,
			    &more, &d));
	ASSERT_EQ(TPM2_CAP_ALGS, d->capability);
	EXPECT_EQ(TPM2_NO, more);
	for (UINT32 i = 0; i < d->data.algorithms.count; i++) {
		const TPMS_ALG_PROPERTY *p = &d->data.algorithms.algProperties[i];

		if (i) {
			EXPECT_LT(d->data.algorithms.algProperties[i - 1].alg,
				  p->alg);
		}
		if (alg_by_id(p->alg)) {
			found |= 1u << (alg_by_id(p->alg) - known_hash_algs);
			/* TPMA_ALGORITHM: hash, nothing else */
			EXPECT_EQ(TPMA_ALGORITHM_HASH, p->algProperties)
				TH_LOG("alg 0x%x", p->alg);
		}
	}
	EXPECT_EQ(0xF, found);
	Esys_Free(d);

	/* starting at sha256 with room for one: just sha256, more follow */
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_ALGS, TPM2_ALG_SHA256, 1, &more,
			    &d));
	ASSERT_EQ(1, d->data.algorithms.count);
	EXPECT_EQ(TPM2_ALG_SHA256, d->data.algorithms.algProperties[0].alg);
	EXPECT_EQ(TPM2_YES, more);
	Esys_Free(d);
}

/* all commands, in pages of page_size; returns the count or -1 */
static int all_commands(struct __test_metadata *_metadata, struct esys *e,
			UINT32 page_size, TPMA_CC *out, int max)
{
	UINT32 start = TPM2_CC_FIRST;
	TPMI_YES_NO more;
	int n = 0;

	for (int pages = 0; pages < 1000; pages++) {
		TPMS_CAPABILITY_DATA *d;
		UINT32 cnt;

		EXPECT_EQ(0, getcap(e, TPM2_CAP_COMMANDS, start, page_size,
				    &more, &d));
		if (_metadata->passed == 0)
			return -1;
		cnt = d->data.command.count;
		EXPECT_LE(cnt, page_size);
		EXPECT_TRUE(cnt > 0 || more == TPM2_NO);
		for (UINT32 i = 0; i < cnt && n < max; i++) {
			TPMA_CC a = d->data.command.commandAttributes[i];

			EXPECT_GE(a & TPMA_CC_COMMANDINDEX_MASK, start);
			if (n) {
				EXPECT_LT(out[n - 1] & TPMA_CC_COMMANDINDEX_MASK,
					  a & TPMA_CC_COMMANDINDEX_MASK);
			}
			out[n++] = a;
		}
		Esys_Free(d);
		if (more == TPM2_NO || !cnt)
			return n;
		start = (out[n - 1] & TPMA_CC_COMMANDINDEX_MASK) + 1;
	}
	return -1;
}

TEST_F(tpm, commands_lists_the_mux_set)
{
	TPMA_CC cmds[512];
	int n;

	TPM_TEST_BEGIN();
	START();
	n = all_commands(_metadata, &self->e, TPM2_MAX_CAP_CC, cmds,
			 ARRAY_LEN(cmds));
	ASSERT_GT(n, 0);
	for (size_t i = 0; i < ARRAY_LEN(mux_commands); i++) {
		int j;

		for (j = 0; j < n; j++)
			if ((cmds[j] & TPMA_CC_COMMANDINDEX_MASK) ==
			    mux_commands[i].cc)
				break;
		ASSERT_LT(j, n) TH_LOG("%s missing", mux_commands[i].name);
		EXPECT_EQ(mux_commands[i].attr, cmds[j])
			TH_LOG("TPMA_CC of %s", mux_commands[i].name);
	}
	/* a mux-only instance lists exactly what it executes */
	if (target_is_mux(&self->t)) {
		EXPECT_EQ((int)ARRAY_LEN(mux_commands), n);
	} else {
		EXPECT_GE(n, (int)ARRAY_LEN(mux_commands));
	}
}

TEST_F(tpm, commands_paging)
{
	TPMA_CC big[512], small[512];
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;
	int nb, ns;

	TPM_TEST_BEGIN();
	START();
	nb = all_commands(_metadata, &self->e, TPM2_MAX_CAP_CC, big,
			  ARRAY_LEN(big));
	ns = all_commands(_metadata, &self->e, 3, small, ARRAY_LEN(small));
	ASSERT_GT(nb, 3);
	ASSERT_EQ(nb, ns);
	EXPECT_EQ(0, memcmp(big, small, nb * sizeof(big[0])));

	/* a page smaller than the list: exactly that many, more follow */
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_COMMANDS, TPM2_CC_FIRST, 2, &more,
			    &d));
	EXPECT_EQ(2, d->data.command.count);
	EXPECT_EQ(TPM2_YES, more);
	EXPECT_EQ(big[0], d->data.command.commandAttributes[0]);
	EXPECT_EQ(big[1], d->data.command.commandAttributes[1]);
	Esys_Free(d);
}

TEST_F(tpm, pcrs_four_banks_of_24)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;
	unsigned int found = 0;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_PCRS, 0, 1, &more, &d));
	ASSERT_EQ(TPM2_CAP_PCRS, d->capability);
	EXPECT_EQ(TPM2_NO, more);
	ASSERT_EQ(4, d->data.assignedPCR.count);
	for (UINT32 i = 0; i < d->data.assignedPCR.count; i++) {
		const TPMS_PCR_SELECTION *s = &d->data.assignedPCR.pcrSelections[i];
		const struct alg_desc *a = alg_by_id(s->hash);

		ASSERT_NE(NULL, a) TH_LOG("bank 0x%x", s->hash);
		found |= 1u << (a - known_hash_algs);
		ASSERT_EQ(3, s->sizeofSelect);
		EXPECT_EQ(0xFF, s->pcrSelect[0]);
		EXPECT_EQ(0xFF, s->pcrSelect[1]);
		EXPECT_EQ(0xFF, s->pcrSelect[2]);
	}
	EXPECT_EQ(0xF, found);
	if (target_is_mux(&self->t)) {
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &info));
		ASSERT_EQ(d->data.assignedPCR.count, info.nr_banks);
		for (UINT32 i = 0; i < info.nr_banks; i++) {
			EXPECT_EQ(info.banks[i],
				  d->data.assignedPCR.pcrSelections[i].hash);
		}
	}
	Esys_Free(d);
}

static bool find_prop(const TPMS_CAPABILITY_DATA *d, TPM2_PT pt, UINT32 *v)
{
	for (UINT32 i = 0; i < d->data.tpmProperties.count; i++) {
		if (d->data.tpmProperties.tpmProperty[i].property == pt) {
			*v = d->data.tpmProperties.tpmProperty[i].value;
			return true;
		}
	}
	return false;
}

TEST_F(tpm, fixed_properties)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;
	UINT32 v;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_FIXED,
			    TPM2_MAX_TPM_PROPERTIES, &more, &d));
	ASSERT_EQ(TPM2_CAP_TPM_PROPERTIES, d->capability);
	ASSERT_TRUE(find_prop(d, TPM2_PT_FAMILY_INDICATOR, &v));
	EXPECT_EQ(0x322E3000, v);			/* "2.0" */
	ASSERT_TRUE(find_prop(d, TPM2_PT_PCR_COUNT, &v));
	EXPECT_EQ(24, v);
	ASSERT_TRUE(find_prop(d, TPM2_PT_PCR_SELECT_MIN, &v));
	EXPECT_EQ(3, v);
	ASSERT_TRUE(find_prop(d, TPM2_PT_MAX_DIGEST, &v));
	EXPECT_EQ(64, v);
	ASSERT_TRUE(find_prop(d, TPM2_PT_MAX_COMMAND_SIZE, &v));
	EXPECT_EQ(4096, v);
	ASSERT_TRUE(find_prop(d, TPM2_PT_MAX_RESPONSE_SIZE, &v));
	EXPECT_EQ(4096, v);
	/*
	 * The largest TPM2B_MAX_BUFFER: swtpm says 1024, the PC Client
	 * minimum; it cannot exceed a command.
	 */
	ASSERT_TRUE(find_prop(d, TPM2_PT_INPUT_BUFFER, &v));
	EXPECT_GE(v, 1024);
	EXPECT_LE(v, 4096);
	Esys_Free(d);

	/* the first fixed property alone */
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_FIXED, 1,
			    &more, &d));
	ASSERT_EQ(1, d->data.tpmProperties.count);
	EXPECT_EQ(TPM2_PT_FAMILY_INDICATOR,
		  d->data.tpmProperties.tpmProperty[0].property);
	EXPECT_EQ(0x322E3000, d->data.tpmProperties.tpmProperty[0].value);
	EXPECT_EQ(TPM2_YES, more);
	Esys_Free(d);
}

/* collects TPM_PROPERTIES from TPM2_PT_FIXED on in pages of page_size */
static int all_props(struct __test_metadata *_metadata, struct esys *e,
		     UINT32 page_size, TPMS_TAGGED_PROPERTY *out, int max)
{
	UINT32 start = TPM2_PT_FIXED;
	TPMI_YES_NO more;
	int n = 0;

	for (int pages = 0; pages < 1000; pages++) {
		TPMS_CAPABILITY_DATA *d;
		UINT32 cnt;

		EXPECT_EQ(0, getcap(e, TPM2_CAP_TPM_PROPERTIES, start,
				    page_size, &more, &d));
		if (_metadata->passed == 0)
			return -1;
		cnt = d->data.tpmProperties.count;
		EXPECT_LE(cnt, page_size);
		for (UINT32 i = 0; i < cnt && n < max; i++) {
			TPMS_TAGGED_PROPERTY p = d->data.tpmProperties.tpmProperty[i];

			EXPECT_GE(p.property, start);
			if (n) {
				EXPECT_LT(out[n - 1].property, p.property);
			}
			out[n++] = p;
		}
		Esys_Free(d);
		if (more == TPM2_NO || !cnt)
			return n;
		start = out[n - 1].property + 1;
	}
	return -1;
}

TEST_F(tpm, properties_paging)
{
	TPMS_TAGGED_PROPERTY big[256], small[256];
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;
	int nb, ns;

	TPM_TEST_BEGIN();
	START();
	/* a small page: at most that many, and more to come */
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_TPM_PROPERTIES, TPM2_PT_FIXED, 2,
			    &more, &d));
	EXPECT_EQ(2, d->data.tpmProperties.count);
	EXPECT_EQ(TPM2_YES, more);
	Esys_Free(d);

	nb = all_props(_metadata, &self->e, TPM2_MAX_TPM_PROPERTIES, big,
		       ARRAY_LEN(big));
	ns = all_props(_metadata, &self->e, 3, small, ARRAY_LEN(small));
	ASSERT_GT(nb, 10);
	ASSERT_EQ(nb, ns);
	for (int i = 0; i < nb; i++) {
		EXPECT_EQ(big[i].property, small[i].property);
		/* fixed properties do not change */
		if (big[i].property < TPM2_PT_VAR) {
			EXPECT_EQ(big[i].value, small[i].value)
				TH_LOG("property 0x%x", big[i].property);
		}
	}
}

TEST_F(tpm, handles_pcr)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_HANDLES, TPM2_HR_PCR,
			    TPM2_MAX_CAP_HANDLES, &more, &d));
	ASSERT_EQ(24, d->data.handles.count);
	for (UINT32 i = 0; i < 24; i++) {
		EXPECT_EQ(i, d->data.handles.handle[i]);
	}
	EXPECT_EQ(TPM2_NO, more);
	Esys_Free(d);

	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_HANDLES, TPM2_HR_PCR, 5, &more,
			    &d));
	ASSERT_EQ(5, d->data.handles.count);
	for (UINT32 i = 0; i < 5; i++) {
		EXPECT_EQ(i, d->data.handles.handle[i]);
	}
	EXPECT_EQ(TPM2_YES, more);
	Esys_Free(d);

	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_HANDLES, 23, 8, &more, &d));
	ASSERT_EQ(1, d->data.handles.count);
	EXPECT_EQ(23, d->data.handles.handle[0]);
	EXPECT_EQ(TPM2_NO, more);
	Esys_Free(d);
}

TEST_F(tpm, handles_permanent)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_HANDLES, TPM2_HR_PERMANENT,
			    TPM2_MAX_CAP_HANDLES, &more, &d));
	ASSERT_EQ(ARRAY_LEN(permanent_handles), d->data.handles.count);
	for (UINT32 i = 0; i < ARRAY_LEN(permanent_handles); i++) {
		EXPECT_EQ(permanent_handles[i], d->data.handles.handle[i]);
	}
	EXPECT_EQ(TPM2_NO, more);
	Esys_Free(d);
}

TEST_F(tpm, handles_transient_empty)
{
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_HANDLES, TPM2_HR_TRANSIENT,
			    TPM2_MAX_CAP_HANDLES, &more, &d));
	ASSERT_EQ(TPM2_CAP_HANDLES, d->capability);
	EXPECT_EQ(0, d->data.handles.count);
	EXPECT_EQ(TPM2_NO, more);
	Esys_Free(d);
}

static uint32_t select_mask(const TPMS_TAGGED_PCR_SELECT *s)
{
	uint32_t m = 0;

	for (int i = 0; i < s->sizeofSelect && i < 4; i++)
		m |= (uint32_t)s->pcrSelect[i] << (8 * i);
	return m;
}

TEST_F(tpm, pcr_properties)
{
	/* PC Client rules at locality 0 (swtpm's values) */
	static const struct {
		TPM2_PT_PCR tag;
		uint32_t pcrs;
	} want[] = {
		{ TPM2_PT_PCR_SAVE, 0x00FFFF },		/* 0-15 */
		{ TPM2_PT_PCR_EXTEND_L0, 0x81FFFF },	/* 0-16, 23 */
		{ TPM2_PT_PCR_RESET_L0, 0x810000 },	/* 16, 23 */
	};
	TPMS_CAPABILITY_DATA *d;
	TPMI_YES_NO more;

	TPM_TEST_BEGIN();
	START();
	ASSERT_EQ(0, getcap(&self->e, TPM2_CAP_PCR_PROPERTIES, TPM2_PT_TPM2_PCR_FIRST,
			    TPM2_MAX_PCR_PROPERTIES, &more, &d));
	ASSERT_EQ(TPM2_CAP_PCR_PROPERTIES, d->capability);
	EXPECT_EQ(TPM2_NO, more);
	for (size_t w = 0; w < ARRAY_LEN(want); w++) {
		UINT32 i;

		for (i = 0; i < d->data.pcrProperties.count; i++)
			if (d->data.pcrProperties.pcrProperty[i].tag ==
			    want[w].tag)
				break;
		ASSERT_LT(i, d->data.pcrProperties.count)
			TH_LOG("tag 0x%x missing", want[w].tag);
		EXPECT_EQ(3, d->data.pcrProperties.pcrProperty[i].sizeofSelect);
		EXPECT_EQ(want[w].pcrs,
			  select_mask(&d->data.pcrProperties.pcrProperty[i]))
			TH_LOG("tag 0x%x", want[w].tag);
	}
	Esys_Free(d);
}

TEST_HARNESS_MAIN
