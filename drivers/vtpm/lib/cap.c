// SPDX-License-Identifier: GPL-2.0
/*
 * TPM2_GetCapability and TPM2_TestParms: what a mux-only instance reports
 * about itself.
 */
#include "command.h"

/* limits of one TPMS_CAPABILITY_DATA (MAX_CAP_DATA / element size) */
#define VTPM_MAX_CAP_ALGS	(VTPM_MAX_CAP_DATA / 6)
#define VTPM_MAX_CAP_HANDLES	(VTPM_MAX_CAP_DATA / 4)
#define VTPM_MAX_CAP_CC		(VTPM_MAX_CAP_DATA / 4)
#define VTPM_MAX_TPM_PROPS	(VTPM_MAX_CAP_DATA / 8)
#define VTPM_MAX_PCR_PROPS	(VTPM_MAX_CAP_DATA / 8)

static const struct {
	u16 alg;
	u32 attrs;
} vtpm_algs[] = {
	{ VTPM_ALG_SHA1, VTPM_ALGA_HASH },
	{ VTPM_ALG_HMAC, VTPM_ALGA_HASH | VTPM_ALGA_SIGNING },
	{ VTPM_ALG_KEYEDHASH, VTPM_ALGA_HASH | VTPM_ALGA_OBJECT |
			      VTPM_ALGA_SIGNING | VTPM_ALGA_ENCRYPTING },
	{ VTPM_ALG_XOR, VTPM_ALGA_SYMMETRIC | VTPM_ALGA_HASH },
	{ VTPM_ALG_SHA256, VTPM_ALGA_HASH },
	{ VTPM_ALG_SHA384, VTPM_ALGA_HASH },
	{ VTPM_ALG_SHA512, VTPM_ALGA_HASH },
	{ VTPM_ALG_NULL, 0 },
	{ VTPM_ALG_KDF1_SP800_108, VTPM_ALGA_HASH | VTPM_ALGA_METHOD },
};

/**
 * vtpm_alg_implemented() - whether an instance implements an algorithm
 * @alg: a TPM_ALG_ID
 *
 * Return: true for the algorithms TPM_CAP_ALGS lists (TPM_ALG_NULL aside).
 */
bool vtpm_alg_implemented(u16 alg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtpm_algs); i++)
		if (vtpm_algs[i].alg == alg)
			return alg != VTPM_ALG_NULL;
	return false;
}

static const u32 vtpm_permanent_handles[] = {
	VTPM_RH_OWNER, VTPM_RH_NULL, VTPM_RS_PW, VTPM_RH_LOCKOUT,
	VTPM_RH_ENDORSEMENT, VTPM_RH_PLATFORM, VTPM_RH_PLATFORM_NV,
};

#define VTPM_FOURCC(a, b, c, d) \
	((u32)(a) << 24 | (u32)(b) << 16 | (u32)(c) << 8 | (u32)(d))

/* TPM_PT_FIXED group, from TPM_PT_FAMILY_INDICATOR (0x100) on */
static const u32 vtpm_fixed_props[] = {
	VTPM_FOURCC('2', '.', '0', 0),	/* FAMILY_INDICATOR */
	0,				/* LEVEL */
	164,				/* REVISION (1.64) */
	75,				/* DAY_OF_YEAR */
	2021,				/* YEAR */
	VTPM_FOURCC('V', 'M', 'U', 'X'),/* MANUFACTURER */
	VTPM_FOURCC('v', 't', 'p', 'm'),/* VENDOR_STRING_1 */
	VTPM_FOURCC('-', 'm', 'u', 'x'),/* VENDOR_STRING_2 */
	0,				/* VENDOR_STRING_3 */
	0,				/* VENDOR_STRING_4 */
	0,				/* VENDOR_TPM_TYPE */
	0x00010000,			/* FIRMWARE_VERSION_1: 1.0 */
	0,				/* FIRMWARE_VERSION_2 */
	1024,				/* INPUT_BUFFER */
	0,				/* HR_TRANSIENT_MIN */
	0,				/* HR_PERSISTENT_MIN */
	VTPM_MAX_LOADED_SESSIONS,	/* HR_LOADED_MIN */
	VTPM_MAX_LOADED_SESSIONS,	/* ACTIVE_SESSIONS_MAX */
	VTPM_NUM_PCRS,			/* PCR_COUNT */
	VTPM_PCR_SELECT_SIZE,		/* PCR_SELECT_MIN */
	0xffff,				/* CONTEXT_GAP_MAX */
	0,				/* (reserved 0x115) */
	0,				/* NV_COUNTERS_MAX */
	0,				/* NV_INDEX_MAX */
	0,				/* MEMORY */
	1000,				/* CLOCK_UPDATE */
	VTPM_ALG_SHA256,		/* CONTEXT_HASH */
	VTPM_ALG_NULL,			/* CONTEXT_SYM */
	0,				/* CONTEXT_SYM_SIZE */
	0,				/* ORDERLY_COUNT */
	VTPM_MAX_COMMAND_SIZE,		/* MAX_COMMAND_SIZE */
	VTPM_MAX_RESPONSE_SIZE,		/* MAX_RESPONSE_SIZE */
	VTPM_MAX_DIGEST_SIZE,		/* MAX_DIGEST */
	0,				/* MAX_OBJECT_CONTEXT */
	0,				/* MAX_SESSION_CONTEXT */
	1,				/* PS_FAMILY_INDICATOR: PC Client */
	0,				/* PS_LEVEL */
	0x105,				/* PS_REVISION */
	0,				/* PS_DAY_OF_YEAR */
	0,				/* PS_YEAR */
	0,				/* SPLIT_MAX */
	0,				/* TOTAL_COMMANDS (computed) */
	0,				/* LIBRARY_COMMANDS (computed) */
	0,				/* VENDOR_COMMANDS */
	0,				/* NV_BUFFER_MAX */
	0,				/* MODES */
	1024,				/* MAX_CAP_BUFFER */
};

#define VTPM_PT_RESERVED_115	0x115
#define VTPM_PT_TOTAL_COMMANDS	0x129
#define VTPM_PT_LIBRARY_COMMANDS 0x12A
#define VTPM_PT_STARTUP_CLEAR	0x201
#define VTPM_PT_VAR_LAST	0x214	/* AUDIT_COUNTER_1 */

static u32 vtpm_property(u32 pt)
{
	switch (pt) {
	case VTPM_PT_TOTAL_COMMANDS:
	case VTPM_PT_LIBRARY_COMMANDS:
		return vtpm_nr_commands;
	case VTPM_PT_STARTUP_CLEAR:
		/* phEnable, shEnable, ehEnable, phEnableNV */
		return 0xf;
	}
	if (pt >= VTPM_PT_FIXED && pt < VTPM_PT_FIXED + ARRAY_SIZE(vtpm_fixed_props))
		return vtpm_fixed_props[pt - VTPM_PT_FIXED];
	return 0;
}

static bool vtpm_property_exists(u32 pt)
{
	if (pt == VTPM_PT_RESERVED_115)
		return false;
	if (pt >= VTPM_PT_FIXED && pt < VTPM_PT_FIXED + ARRAY_SIZE(vtpm_fixed_props))
		return true;
	return pt >= VTPM_PT_VAR && pt <= VTPM_PT_VAR_LAST;
}

/*
 * Properties are reported one group at a time, from @first to the end of
 * the group it falls in, as the reference implementation does.
 */
static bool vtpm_cap_properties(struct tpm_wr *w, u32 first, u32 max)
{
	size_t count_at = w->pos;
	u32 pt, end, n = 0;
	bool more = false;

	if (first < VTPM_PT_FIXED)
		first = VTPM_PT_FIXED;
	end = (first & ~(VTPM_PT_GROUP - 1)) + VTPM_PT_GROUP;
	tpm_wr_u32(w, 0);
	for (pt = first; pt < end; pt++) {
		if (!vtpm_property_exists(pt))
			continue;
		if (n == max) {
			more = true;
			break;
		}
		tpm_wr_u32(w, pt);
		tpm_wr_u32(w, vtpm_property(pt));
		n++;
	}
	if (!w->err)
		put_unaligned_be32(n, w->p + count_at);
	return more;
}

static bool vtpm_cap_algs(struct tpm_wr *w, u32 first, u32 max)
{
	size_t count_at = w->pos;
	bool more = false;
	u32 i, n = 0;

	tpm_wr_u32(w, 0);
	for (i = 0; i < ARRAY_SIZE(vtpm_algs); i++) {
		if (vtpm_algs[i].alg < first)
			continue;
		if (n == max) {
			more = true;
			break;
		}
		tpm_wr_u16(w, vtpm_algs[i].alg);
		tpm_wr_u32(w, vtpm_algs[i].attrs);
		n++;
	}
	if (!w->err)
		put_unaligned_be32(n, w->p + count_at);
	return more;
}

static bool vtpm_cap_commands(struct tpm_wr *w, u32 first, u32 max)
{
	size_t count_at = w->pos;
	bool more = false;
	u32 i, n = 0;

	tpm_wr_u32(w, 0);
	for (i = 0; i < vtpm_nr_commands; i++) {
		const struct vtpm_command_desc *d = &vtpm_commands[i];

		if (d->cc < first)
			continue;
		if (n == max) {
			more = true;
			break;
		}
		tpm_wr_u32(w, (d->cc & 0xffff) |
			   (u32)d->handles << VTPM_CCA_CHANDLES_SHIFT |
			   (d->rhandle ? VTPM_CCA_RHANDLE : 0) |
			   (d->flags & VTPM_CMD_NV ? VTPM_CCA_NV : 0));
		n++;
	}
	if (!w->err)
		put_unaligned_be32(n, w->p + count_at);
	return more;
}

/* Returns a TPM_RC; *@more says whether the list was cut at @max. */
static u32 vtpm_cap_handles(const struct vtpm_tpm *t, struct tpm_wr *w,
			    u32 first, u32 max, bool *more)
{
	size_t count_at = w->pos;
	u32 h, i, n = 0;

	tpm_wr_u32(w, 0);
	switch (first >> 24) {
	case VTPM_HT_PCR:
		for (h = first; h < VTPM_NUM_PCRS; h++) {
			if (n == max) {
				*more = true;
				break;
			}
			tpm_wr_u32(w, h);
			n++;
		}
		break;
	case VTPM_HT_PERMANENT:
		for (i = 0; i < ARRAY_SIZE(vtpm_permanent_handles); i++) {
			h = vtpm_permanent_handles[i];
			if (h < first)
				continue;
			if (n == max) {
				*more = true;
				break;
			}
			tpm_wr_u32(w, h);
			n++;
		}
		break;
	case VTPM_HT_HMAC_SESSION:
		for (i = 0; i < VTPM_MAX_LOADED_SESSIONS; i++) {
			h = t->sessions[i].handle;
			if (!h || h < first)
				continue;
			if (n == max) {
				*more = true;
				break;
			}
			tpm_wr_u32(w, h);
			n++;
		}
		break;
	case VTPM_HT_NV_INDEX:
	case VTPM_HT_POLICY_SESSION:
	case VTPM_HT_TRANSIENT:
	case VTPM_HT_PERSISTENT:
	case VTPM_HT_AC:
		break;		/* none of these exist */
	default:
		return vtpm_rc_p(VTPM_RC_HANDLE, 2);
	}
	if (!w->err)
		put_unaligned_be32(n, w->p + count_at);
	return VTPM_RC_SUCCESS;
}

static void vtpm_cap_pcrs(const struct vtpm_tpm *t, struct tpm_wr *w)
{
	u32 b;

	tpm_wr_u32(w, t->banks->nr);
	for (b = 0; b < t->banks->nr; b++) {
		tpm_wr_u16(w, t->banks->bank[b].alg);
		tpm_wr_u8(w, VTPM_PCR_SELECT_SIZE);
		tpm_wr_u8(w, 0xff);
		tpm_wr_u8(w, 0xff);
		tpm_wr_u8(w, 0xff);
	}
}

u32 vtpm_cmd_get_capability(struct vtpm_cmd *c)
{
	u32 cap, prop, count, rc = VTPM_RC_SUCCESS;
	struct tpm_wr *w = &c->out;
	bool more = false;
	size_t more_at;

	cap = tpm_rd_u32(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	prop = tpm_rd_u32(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 2);
	count = tpm_rd_u32(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 3);
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;

	more_at = w->pos;
	tpm_wr_u8(w, 0);
	tpm_wr_u32(w, cap);
	switch (cap) {
	case VTPM_CAP_ALGS:
		more = vtpm_cap_algs(w, prop, min_t(u32, count,
						    VTPM_MAX_CAP_ALGS));
		break;
	case VTPM_CAP_HANDLES:
		rc = vtpm_cap_handles(c->t, w, prop,
				      min_t(u32, count, VTPM_MAX_CAP_HANDLES),
				      &more);
		break;
	case VTPM_CAP_COMMANDS:
		more = vtpm_cap_commands(w, prop, min_t(u32, count,
							VTPM_MAX_CAP_CC));
		break;
	case VTPM_CAP_PP_COMMANDS:
	case VTPM_CAP_AUDIT_COMMANDS:
	case VTPM_CAP_ECC_CURVES:
		tpm_wr_u32(w, 0);	/* empty TPML_CC / TPML_ECC_CURVE */
		break;
	case VTPM_CAP_PCRS:
		vtpm_cap_pcrs(c->t, w);
		break;
	case VTPM_CAP_TPM_PROPERTIES:
		more = vtpm_cap_properties(w, prop,
					   min_t(u32, count,
						 VTPM_MAX_TPM_PROPS));
		break;
	case VTPM_CAP_PCR_PROPERTIES:
		more = vtpm_pcr_properties(w, prop, min_t(u32, count,
							  VTPM_MAX_PCR_PROPS));
		break;
	case VTPM_CAP_AUTH_POLICIES:
	case VTPM_CAP_ACT:
		/* property must name a permanent handle; none has a policy */
		if ((prop >> 24) != VTPM_HT_PERMANENT)
			return vtpm_rc_p(VTPM_RC_VALUE, 2);
		tpm_wr_u32(w, 0);
		break;
	default:
		return vtpm_rc_p(VTPM_RC_VALUE, 1);
	}
	if (!rc && !w->err)
		w->p[more_at] = more;
	return rc;
}

static u32 vtpm_test_keyedhash(struct tpm_rd *in)
{
	u16 scheme, hash, kdf;

	scheme = tpm_rd_u16(in);
	if (in->err)
		return VTPM_RC_INSUFFICIENT;
	switch (scheme) {
	case VTPM_ALG_NULL:
		return VTPM_RC_SUCCESS;
	case VTPM_ALG_HMAC:
	case VTPM_ALG_XOR:
		hash = tpm_rd_u16(in);
		if (in->err)
			return VTPM_RC_INSUFFICIENT;
		if (!vtpm_hash_implemented(hash))
			return VTPM_RC_HASH;
		if (scheme == VTPM_ALG_HMAC)
			return VTPM_RC_SUCCESS;
		kdf = tpm_rd_u16(in);
		if (in->err)
			return VTPM_RC_INSUFFICIENT;
		if (kdf != VTPM_ALG_KDF1_SP800_108)
			return VTPM_RC_KDF;
		return VTPM_RC_SUCCESS;
	}
	return VTPM_RC_VALUE;
}

/* A mux-only instance has no asymmetric or symmetric engine. */
u32 vtpm_cmd_test_parms(struct vtpm_cmd *c)
{
	u16 type;
	u32 rc;

	type = tpm_rd_u16(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (type != VTPM_ALG_KEYEDHASH)
		return vtpm_rc_p(VTPM_RC_TYPE, 1);
	rc = vtpm_test_keyedhash(&c->in);
	return rc ? vtpm_rc_p(rc, 1) : VTPM_RC_SUCCESS;
}
