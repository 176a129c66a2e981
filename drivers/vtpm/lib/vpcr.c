// SPDX-License-Identifier: GPL-2.0
/*
 * vPCRs: 24 PCRs in each bank of the hardware TPM, the PC Client rules for
 * which of them locality 0 may extend and reset, and the PCR commands.
 *
 * Every change goes through vtpm_pcr_apply(): the change is described in a
 * &struct vtpm_pcr_change, handed to the anchor (vtpm_plat_anchor()), and
 * only once the anchor said yes do the vPCR values change.
 */
#include "command.h"

static const struct {
	u16 alg;
	u16 size;
	const char *name;
} vtpm_hashes[] = {
	{ VTPM_ALG_SHA1, 20, "sha1" },
	{ VTPM_ALG_SHA256, 32, "sha256" },
	{ VTPM_ALG_SHA384, 48, "sha384" },
	{ VTPM_ALG_SHA512, 64, "sha512" },
};

/* PC Client PCR rules at locality 0 (what swtpm reports, too) */
#define VTPM_PCR_RESETTABLE	(BIT(16) | BIT(23))
#define VTPM_PCR_EXTENDABLE	(0x00ffffUL | BIT(16) | BIT(23))
#define VTPM_PCR_INIT_ONES	(0x7eUL << 16)	/* PCR 17-22 start at all ones */
#define VTPM_PCR_NO_INCREMENT	(BIT(16) | BIT(21) | BIT(22) | BIT(23))
#define VTPM_PCR_STATE_SAVED	0x00ffffUL

static int vtpm_hash_index(u16 alg)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(vtpm_hashes); i++)
		if (vtpm_hashes[i].alg == alg)
			return i;
	return -1;
}

bool vtpm_hash_implemented(u16 alg)
{
	return vtpm_hash_index(alg) >= 0;
}

/**
 * vtpm_alg_name() - the kernel crypto API's name of a TPM hash algorithm
 * @alg: TPM_ALG_ID
 *
 * Return: "sha256" etc., or NULL if the engine does not implement @alg.
 */
const char *vtpm_alg_name(u16 alg)
{
	int i = vtpm_hash_index(alg);

	return i < 0 ? NULL : vtpm_hashes[i].name;
}

u16 vtpm_alg_digest_size(u16 alg)
{
	int i = vtpm_hash_index(alg);

	return i < 0 ? 0 : vtpm_hashes[i].size;
}

/**
 * vtpm_banks_add() - add a bank to the set every instance will have
 * @banks: the set
 * @alg:   TPM_ALG_ID of the bank's hash
 *
 * Return: 0, or -EINVAL for a hash the engine does not implement, a bank
 * already present, or one bank too many.
 */
int vtpm_banks_add(struct vtpm_banks *banks, u16 alg)
{
	struct vtpm_bank *b;
	u32 i;

	if (!vtpm_hash_implemented(alg) || banks->nr == VTPM_MAX_BANKS)
		return -EINVAL;
	for (i = 0; i < banks->nr; i++)
		if (banks->bank[i].alg == alg)
			return -EINVAL;
	b = &banks->bank[banks->nr++];
	b->alg = alg;
	b->size = vtpm_alg_digest_size(alg);
	b->offset = banks->stride;
	banks->stride += b->size;
	return 0;
}

bool vtpm_pcr_selection_bank(const struct vtpm_banks *b, u16 alg, u32 *idx)
{
	u32 i;

	for (i = 0; i < b->nr; i++) {
		if (b->bank[i].alg == alg) {
			*idx = i;
			return true;
		}
	}
	return false;
}

static u8 *vtpm_pcr(struct vtpm_tpm *t, u32 pcr, u32 bank)
{
	return t->pcr + pcr * t->banks->stride + t->banks->bank[bank].offset;
}

static void vtpm_pcr_init_one(struct vtpm_tpm *t, u32 pcr)
{
	u32 b;

	for (b = 0; b < t->banks->nr; b++)
		memset(vtpm_pcr(t, pcr, b),
		       (VTPM_PCR_INIT_ONES & BIT(pcr)) ? 0xff : 0,
		       t->banks->bank[b].size);
}

/**
 * vtpm_tpm_init() - a new instance's TPM state, before TPM2_Startup
 * @t:     state of vtpm_tpm_size(@banks) bytes
 * @banks: the PCR banks
 */
void vtpm_tpm_init(struct vtpm_tpm *t, const struct vtpm_banks *banks)
{
	u32 pcr;

	memset(t, 0, sizeof(*t));
	t->banks = banks;
	t->created_ms = vtpm_plat_now_ms();
	for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++)
		vtpm_pcr_init_one(t, pcr);
}

/**
 * vtpm_pcr_change_row() - a vPCR's value after an extend, event or reset
 * @t:	 the instance
 * @chg: a change of type EXTEND, EVENT or RESET
 * @row: out: the new value of vPCR @chg->pcr in every bank
 *	 (@t->banks->stride bytes)
 *
 * Computes without changing @t, so that the engine can have the change
 * anchored first and then only copy the row.
 *
 * Return: 0, or -EINVAL for a bad change, or the hash's error.
 */
int vtpm_pcr_change_row(const struct vtpm_tpm *t,
			const struct vtpm_pcr_change *chg, u8 *row)
{
	const struct vtpm_banks *b = t->banks;
	u8 buf[2 * VTPM_MAX_DIGEST_SIZE];
	u32 i;
	int ret;

	if (chg->pcr >= VTPM_NUM_PCRS || chg->count > VTPM_CHANGE_MAX_DIGESTS)
		return -EINVAL;
	if (chg->type == VTPM_CHANGE_RESET) {
		for (i = 0; i < b->nr; i++)
			memset(row + b->bank[i].offset,
			       (VTPM_PCR_INIT_ONES & BIT(chg->pcr)) ? 0xff : 0,
			       b->bank[i].size);
		return 0;
	}
	if (chg->type != VTPM_CHANGE_EXTEND && chg->type != VTPM_CHANGE_EVENT)
		return -EINVAL;
	memcpy(row, t->pcr + chg->pcr * b->stride, b->stride);
	for (i = 0; i < chg->count; i++) {
		const struct vtpm_bank *bk;
		u8 *v;

		if (chg->d[i].bank >= b->nr)
			return -EINVAL;
		bk = &b->bank[chg->d[i].bank];
		v = row + bk->offset;
		memcpy(buf, v, bk->size);
		memcpy(buf + bk->size, chg->d[i].digest, bk->size);
		ret = vtpm_plat_hash(bk->alg, buf, 2 * bk->size, v);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * vtpm_pcr_change_apply() - apply an anchored change to the vPCRs
 * @t:	 the instance
 * @chg: the change
 *
 * Only the values: the engine's counters are the engine's business.  The
 * replay of the mapping log reconstructs an instance's vPCRs with this
 * function, the engine changes them with it.
 *
 * Return: 0, -EINVAL for a bad change, or the hash's error (then @t is
 * unchanged).
 */
int vtpm_pcr_change_apply(struct vtpm_tpm *t,
			  const struct vtpm_pcr_change *chg)
{
	u8 row[VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE];
	u32 pcr;
	int ret;

	switch (chg->type) {
	case VTPM_CHANGE_STARTUP:
		for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++)
			vtpm_pcr_init_one(t, pcr);
		return 0;
	case VTPM_CHANGE_RESUME:
		for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++)
			if (!(VTPM_PCR_STATE_SAVED & BIT(pcr)))
				vtpm_pcr_init_one(t, pcr);
		return 0;
	}
	ret = vtpm_pcr_change_row(t, chg, row);
	if (ret)
		return ret;
	memcpy(t->pcr + chg->pcr * t->banks->stride, row, t->banks->stride);
	return 0;
}

/*
 * Anchor @chg, then apply it.  The new values are computed first, so that
 * nothing can fail between the hardware's yes and the change: a change
 * that is anchored is always applied, one that is not never is.
 */
static u32 vtpm_pcr_apply(struct vtpm_tpm *t, const struct vtpm_pcr_change *chg)
{
	u8 row[VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE];
	bool one_row = chg->type != VTPM_CHANGE_STARTUP &&
		       chg->type != VTPM_CHANGE_RESUME;
	u32 rc;

	if (one_row && vtpm_pcr_change_row(t, chg, row))
		return VTPM_RC_FAILURE;
	rc = vtpm_plat_anchor(t, chg);
	if (rc)
		return rc;

	/* the state a Shutdown(STATE) saved is no longer the state */
	if (t->shutdown == VTPM_SHUTDOWN_STATE)
		t->shutdown = VTPM_SHUTDOWN_CLEAR;
	if (!one_row) {
		/* cannot fail: no hashing */
		vtpm_pcr_change_apply(t, chg);
		return VTPM_RC_SUCCESS;
	}
	memcpy(t->pcr + chg->pcr * t->banks->stride, row, t->banks->stride);
	t->extends++;
	if (!(VTPM_PCR_NO_INCREMENT & BIT(chg->pcr)))
		t->pcr_update_counter++;
	return VTPM_RC_SUCCESS;
}

/**
 * vtpm_pcr_startup() - the vPCR part of TPM2_Startup
 * @t:     the instance
 * @clear: Startup(CLEAR) (TPM Reset or Restart) rather than Resume
 *
 * CLEAR sets every vPCR to its initial value; STATE keeps PCR 0-15 and
 * re-initialises the others.  Both are anchored changes.
 *
 * Return: a TPM_RC.
 */
u32 vtpm_pcr_startup(struct vtpm_tpm *t, bool clear)
{
	struct vtpm_pcr_change chg = {
		.type = clear ? VTPM_CHANGE_STARTUP : VTPM_CHANGE_RESUME,
	};
	u32 rc;

	rc = vtpm_pcr_apply(t, &chg);
	if (!rc && clear)
		t->pcr_update_counter = 0;
	return rc;
}

/*
 * TPML_PCR_SELECTION in: the selection is checked and normalised into @sel
 * (one entry per selection in the command, unallocated banks with an
 * empty bitmap, as the reference implementation does).
 */
struct vtpm_selection {
	u32 count;
	struct {
		u16 alg;
		u8 select[VTPM_PCR_SELECT_SIZE];
	} s[ARRAY_SIZE(vtpm_hashes)];
};

static u32 vtpm_rd_selection(struct tpm_rd *in, struct vtpm_selection *sel)
{
	u32 i;
	u8 n;

	sel->count = tpm_rd_u32(in);
	if (in->err)
		return VTPM_RC_INSUFFICIENT;
	if (sel->count > ARRAY_SIZE(vtpm_hashes))
		return VTPM_RC_SIZE;
	for (i = 0; i < sel->count; i++) {
		const u8 *bits;

		sel->s[i].alg = tpm_rd_u16(in);
		if (in->err)
			return VTPM_RC_INSUFFICIENT;
		if (!vtpm_hash_implemented(sel->s[i].alg))
			return VTPM_RC_HASH;
		n = tpm_rd_u8(in);
		if (in->err)
			return VTPM_RC_INSUFFICIENT;
		if (n < VTPM_PCR_SELECT_SIZE || n > VTPM_PCR_SELECT_SIZE)
			return VTPM_RC_VALUE;
		bits = tpm_rd_bytes(in, n);
		if (!bits)
			return VTPM_RC_INSUFFICIENT;
		memcpy(sel->s[i].select, bits, VTPM_PCR_SELECT_SIZE);
	}
	return VTPM_RC_SUCCESS;
}

static void vtpm_wr_selection(struct tpm_wr *w, const struct vtpm_selection *sel)
{
	u32 i;

	tpm_wr_u32(w, sel->count);
	for (i = 0; i < sel->count; i++) {
		tpm_wr_u16(w, sel->s[i].alg);
		tpm_wr_u8(w, VTPM_PCR_SELECT_SIZE);
		tpm_wr_bytes(w, sel->s[i].select, VTPM_PCR_SELECT_SIZE);
	}
}

#define VTPM_PCR_READ_MAX	8	/* TPML_DIGEST holds at most 8 */

u32 vtpm_cmd_pcr_read(struct vtpm_cmd *c)
{
	struct vtpm_selection sel;
	u32 rc, i, pcr, bank, n = 0;
	struct tpm_wr digests;
	u8 buf[VTPM_PCR_READ_MAX * (2 + VTPM_MAX_DIGEST_SIZE)];

	rc = vtpm_rd_selection(&c->in, &sel);
	if (rc)
		return vtpm_rc_p(rc, 1);

	tpm_wr_init(&digests, buf, sizeof(buf));
	for (i = 0; i < sel.count; i++) {
		u8 *bits = sel.s[i].select;

		if (!vtpm_pcr_selection_bank(c->t->banks, sel.s[i].alg,
					     &bank)) {
			memset(bits, 0, VTPM_PCR_SELECT_SIZE);
			continue;
		}
		for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++) {
			if (!(bits[pcr / 8] & BIT(pcr % 8)))
				continue;
			if (n == VTPM_PCR_READ_MAX) {
				bits[pcr / 8] &= ~BIT(pcr % 8);
				continue;
			}
			tpm_wr_tpm2b(&digests, vtpm_pcr(c->t, pcr, bank),
				     c->t->banks->bank[bank].size);
			n++;
		}
	}

	tpm_wr_u32(&c->out, c->t->pcr_update_counter);
	vtpm_wr_selection(&c->out, &sel);
	tpm_wr_u32(&c->out, n);
	tpm_wr_bytes(&c->out, buf, digests.pos);
	return VTPM_RC_SUCCESS;
}

static bool vtpm_pcr_extend_allowed(u32 pcr)
{
	return VTPM_PCR_EXTENDABLE & BIT(pcr);
}

u32 vtpm_cmd_pcr_extend(struct vtpm_cmd *c)
{
	struct vtpm_pcr_change chg = { .type = VTPM_CHANGE_EXTEND };
	u32 count, i, bank, pcr = c->handle[0];

	count = tpm_rd_u32(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (count > ARRAY_SIZE(vtpm_hashes))
		return vtpm_rc_p(VTPM_RC_SIZE, 1);
	for (i = 0; i < count; i++) {
		u16 alg = tpm_rd_u16(&c->in);
		const u8 *d;

		if (c->in.err)
			return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
		if (!vtpm_hash_implemented(alg))
			return vtpm_rc_p(VTPM_RC_HASH, 1);
		d = tpm_rd_bytes(&c->in, vtpm_alg_digest_size(alg));
		if (!d)
			return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
		/* digests for banks the TPM did not allocate are ignored */
		if (!vtpm_pcr_selection_bank(c->t->banks, alg, &bank))
			continue;
		chg.d[chg.count].bank = bank;
		memcpy(chg.d[chg.count].digest, d, vtpm_alg_digest_size(alg));
		chg.count++;
	}
	if (tpm_rd_left(&c->in))
		return VTPM_RC_SIZE;
	if (pcr == VTPM_RH_NULL)
		return VTPM_RC_SUCCESS;
	if (!vtpm_pcr_extend_allowed(pcr))
		return VTPM_RC_LOCALITY;
	/* no digest of an allocated bank: nothing changes, nothing to log */
	if (!chg.count)
		return VTPM_RC_SUCCESS;
	chg.pcr = pcr;
	return vtpm_pcr_apply(c->t, &chg);
}

u32 vtpm_cmd_pcr_event(struct vtpm_cmd *c)
{
	struct vtpm_pcr_change chg = { .type = VTPM_CHANGE_EVENT };
	u32 pcr = c->handle[0], b;
	const u8 *data;
	u16 size;
	u32 rc;

	size = tpm_rd_u16(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (size > VTPM_MAX_EVENT_SIZE)
		return vtpm_rc_p(VTPM_RC_SIZE, 1);
	data = tpm_rd_bytes(&c->in, size);
	if (!data)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (tpm_rd_left(&c->in))
		return VTPM_RC_SIZE;
	if (pcr != VTPM_RH_NULL && !vtpm_pcr_extend_allowed(pcr))
		return VTPM_RC_LOCALITY;

	for (b = 0; b < c->t->banks->nr; b++) {
		chg.d[b].bank = b;
		if (vtpm_plat_hash(c->t->banks->bank[b].alg, data, size,
				   chg.d[b].digest))
			return VTPM_RC_FAILURE;
	}
	chg.count = c->t->banks->nr;
	if (pcr != VTPM_RH_NULL) {
		chg.pcr = pcr;
		rc = vtpm_pcr_apply(c->t, &chg);
		if (rc)
			return rc;
	}

	tpm_wr_u32(&c->out, chg.count);
	for (b = 0; b < chg.count; b++) {
		const struct vtpm_bank *bk = &c->t->banks->bank[b];

		tpm_wr_u16(&c->out, bk->alg);
		tpm_wr_bytes(&c->out, chg.d[b].digest, bk->size);
	}
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_pcr_reset(struct vtpm_cmd *c)
{
	struct vtpm_pcr_change chg = { .type = VTPM_CHANGE_RESET };
	u32 pcr = c->handle[0];

	/* no parameters: bytes after the handle area are an error */
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;
	if (!(VTPM_PCR_RESETTABLE & BIT(pcr)))
		return VTPM_RC_LOCALITY;
	chg.pcr = pcr;
	return vtpm_pcr_apply(c->t, &chg);
}

/* TPM_CAP_PCR_PROPERTIES: what a PC Client TPM reports, as swtpm does */
static const struct {
	u32 tag;
	u32 pcrs;
} vtpm_pcr_props[] = {
	{ 0x00, VTPM_PCR_STATE_SAVED },			/* SAVE */
	{ 0x01, VTPM_PCR_EXTENDABLE },			/* EXTEND_L0 */
	{ 0x02, VTPM_PCR_RESETTABLE },			/* RESET_L0 */
	{ 0x03, VTPM_PCR_EXTENDABLE | BIT(20) },	/* EXTEND_L1 */
	{ 0x04, VTPM_PCR_RESETTABLE },			/* RESET_L1 */
	{ 0x05, 0xffffffUL },				/* EXTEND_L2 */
	{ 0x06, VTPM_PCR_RESETTABLE | (0x7UL << 20) },	/* RESET_L2 */
	{ 0x07, 0x9fffffUL },				/* EXTEND_L3 */
	{ 0x08, VTPM_PCR_RESETTABLE },			/* RESET_L3 */
	{ 0x09, 0x87ffffUL },				/* EXTEND_L4 */
	{ 0x0a, VTPM_PCR_INIT_ONES },			/* RESET_L4 */
	{ 0x11, VTPM_PCR_NO_INCREMENT },		/* NO_INCREMENT */
	{ 0x12, VTPM_PCR_INIT_ONES },			/* DRTM_RESET */
	{ 0x13, 0x7UL << 20 },				/* POLICY */
	{ 0x14, 0x7UL << 20 },				/* AUTH */
};

/**
 * vtpm_pcr_properties() - TPML_TAGGED_PCR_PROPERTY from tag @first
 * @w:     where to write the list
 * @first: the first TPM_PT_PCR wanted
 * @max:   most entries to write
 *
 * Return: true if more entries exist than were written.
 */
bool vtpm_pcr_properties(struct tpm_wr *w, u32 first, u32 max)
{
	size_t count_at = w->pos;
	bool more = false;
	u32 i, n = 0;

	tpm_wr_u32(w, 0);
	for (i = 0; i < ARRAY_SIZE(vtpm_pcr_props); i++) {
		u32 p = vtpm_pcr_props[i].pcrs;

		if (vtpm_pcr_props[i].tag < first)
			continue;
		if (n == max) {
			more = true;
			break;
		}
		tpm_wr_u32(w, vtpm_pcr_props[i].tag);
		tpm_wr_u8(w, VTPM_PCR_SELECT_SIZE);
		tpm_wr_u8(w, p);
		tpm_wr_u8(w, p >> 8);
		tpm_wr_u8(w, p >> 16);
		n++;
	}
	if (!w->err)
		put_unaligned_be32(n, w->p + count_at);
	return more;
}
