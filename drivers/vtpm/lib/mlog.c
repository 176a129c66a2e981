// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping log (see mlog.h and Documentation/log-format.md): records and
 * their leaves, batch digests, the serialised log, and its replay.
 *
 * Every function here is bounded in stack and time, allocates nothing and
 * never recurses: the same file runs in the kernel, which writes the log,
 * and in user space, where verifiers replay it and fuzzers feed it garbage.
 */
#include "command.h"
#include "mlog.h"

/* offsets of the fixed fields of a record body */
#define VTPM_REC_OFF_TYPE	1
#define VTPM_REC_OFF_SEQ	2
#define VTPM_REC_OFF_UUID	10
#define VTPM_REC_OFF_PCR	26
#define VTPM_REC_OFF_COUNT	30
#define VTPM_REC_OFF_DIGESTS	31
/* ABORT's batch: no digests, then xlen */
#define VTPM_REC_OFF_ABORT	(VTPM_REC_OFF_DIGESTS + 2)

#define VTPM_REC_VERSION	1
#define VTPM_LOG_HDR_UUID_OFF	(VTPM_LOG_MAGIC_SIZE + 2 + 2 + 4 + 1)

/* a batch: u64 number, u32 entries */
#define VTPM_BATCH_HDR_SIZE	12

static bool vtpm_is_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

static bool vtpm_rec_is_global(u8 type)
{
	return type == VTPM_REC_GENESIS || type == VTPM_REC_ABORT;
}

static bool vtpm_rec_type_known(u8 type)
{
	return (type >= VTPM_REC_EXTEND && type <= VTPM_REC_STARTUP_STATE) ||
	       (type >= VTPM_REC_GENESIS && type <= VTPM_REC_ABORT);
}

static bool vtpm_rec_has_pcr(u8 type)
{
	return type == VTPM_REC_EXTEND || type == VTPM_REC_EVENT ||
	       type == VTPM_REC_RESET;
}

static size_t vtpm_label_len(const struct vtpm_log_rec *r)
{
	return strnlen(r->create.label, sizeof(r->create.label));
}

/*
 * The rules every record obeys (Documentation/log-format.md, "Record
 * body"), checked on the decoded form: NULL if @r is valid, else the reason
 * and in @off the offset in the body of the offending field.
 */
static const char *vtpm_rec_bad(const struct vtpm_log_rec *r, size_t *off)
{
	size_t x = VTPM_REC_OFF_DIGESTS, label_len;
	bool global = vtpm_rec_is_global(r->type);
	u32 i, j;

	*off = VTPM_REC_OFF_TYPE;
	if (!vtpm_rec_type_known(r->type))
		return "unknown record type";
	*off = VTPM_REC_OFF_UUID;
	if (global && !vtpm_is_zero(r->uuid, VTPM_UUID_SIZE))
		return "a global record with an instance uuid";
	if (!global && vtpm_is_zero(r->uuid, VTPM_UUID_SIZE))
		return "an instance record without uuid";
	*off = VTPM_REC_OFF_PCR;
	if (vtpm_rec_has_pcr(r->type) && r->pcr >= VTPM_NUM_PCRS)
		return "vPCR index out of range";
	if (!vtpm_rec_has_pcr(r->type) && r->pcr != VTPM_LOG_NO_PCR)
		return "a vPCR index in a record without one";
	*off = VTPM_REC_OFF_COUNT;
	if (r->type == VTPM_REC_EXTEND || r->type == VTPM_REC_EVENT) {
		if (!r->count || r->count > VTPM_MAX_BANKS)
			return "bad number of digests";
	} else if (r->count) {
		return "digests in a record without any";
	}
	for (i = 0; i < r->count; i++) {
		*off = x;
		if (!vtpm_alg_digest_size(r->d[i].alg))
			return "unknown hash algorithm";
		for (j = 0; r->type == VTPM_REC_EVENT && j < i; j++)
			if (r->d[j].alg == r->d[i].alg)
				return "two event digests of one bank";
		x += 2 + vtpm_alg_digest_size(r->d[i].alg);
	}
	x += 2;		/* xlen: x starts here */
	switch (r->type) {
	case VTPM_REC_GENESIS:
		*off = x;
		if (r->genesis.hw_pcr >= VTPM_NUM_PCRS)
			return "hardware PCR out of range";
		*off = x + 4;
		if (!r->genesis.nr_banks || r->genesis.nr_banks > VTPM_MAX_BANKS)
			return "bad number of banks";
		x += 5;
		for (i = 0; i < r->genesis.nr_banks; i++) {
			u16 alg = r->genesis.start[i].alg;

			*off = x;
			if (!vtpm_alg_digest_size(alg))
				return "unknown hash algorithm";
			for (j = 0; j < i; j++)
				if (r->genesis.start[j].alg == alg)
					return "a bank listed twice";
			x += 2 + vtpm_alg_digest_size(alg);
		}
		break;
	case VTPM_REC_CREATE:
		*off = x + 4;
		label_len = vtpm_label_len(r);
		if (label_len > VTPM_LABEL_MAX)
			return "label too long";
		for (i = 0; i < label_len; i++) {
			*off = x + 5 + i;
			if (r->create.label[i] < 0x20 || r->create.label[i] > 0x7e)
				return "label not printable";
		}
		break;
	}
	return NULL;
}

/* bytes of the type-specific part (x) of a valid @r */
static size_t vtpm_rec_x_size(const struct vtpm_log_rec *r)
{
	size_t n;
	u32 i;

	switch (r->type) {
	case VTPM_REC_GENESIS:
		n = 4 + 1 + 4 + 4 + 8 + sizeof(r->genesis.log_id);
		for (i = 0; i < r->genesis.nr_banks; i++)
			n += 2 + vtpm_alg_digest_size(r->genesis.start[i].alg);
		return n;
	case VTPM_REC_CREATE:
		return 4 + 1 + vtpm_label_len(r);
	case VTPM_REC_ABORT:
		return 8;
	}
	return 0;
}

/**
 * vtpm_rec_encode() - the body of a record
 * @r:   the record
 * @buf: where to write it
 * @cap: room at @buf
 *
 * Return: the body's length, or 0 if @r breaks a rule of the format or the
 * body does not fit in @cap bytes.
 */
size_t vtpm_rec_encode(const struct vtpm_log_rec *r, u8 *buf, size_t cap)
{
	struct tpm_wr w;
	size_t off, xlen;
	u32 i;

	if (vtpm_rec_bad(r, &off))
		return 0;
	xlen = vtpm_rec_x_size(r);
	tpm_wr_init(&w, buf, cap);
	tpm_wr_u8(&w, VTPM_REC_VERSION);
	tpm_wr_u8(&w, r->type);
	tpm_wr_u64(&w, r->seq);
	tpm_wr_bytes(&w, r->uuid, VTPM_UUID_SIZE);
	tpm_wr_u32(&w, r->pcr);
	tpm_wr_u8(&w, r->count);
	for (i = 0; i < r->count; i++) {
		tpm_wr_u16(&w, r->d[i].alg);
		tpm_wr_bytes(&w, r->d[i].digest,
			     vtpm_alg_digest_size(r->d[i].alg));
	}
	tpm_wr_u16(&w, xlen);
	switch (r->type) {
	case VTPM_REC_GENESIS:
		tpm_wr_u32(&w, r->genesis.hw_pcr);
		tpm_wr_u8(&w, r->genesis.nr_banks);
		for (i = 0; i < r->genesis.nr_banks; i++) {
			const struct vtpm_log_digest *s = &r->genesis.start[i];

			tpm_wr_u16(&w, s->alg);
			tpm_wr_bytes(&w, s->digest,
				     vtpm_alg_digest_size(s->alg));
		}
		tpm_wr_u32(&w, r->genesis.reset_count);
		tpm_wr_u32(&w, r->genesis.restart_count);
		tpm_wr_u64(&w, r->genesis.clock);
		tpm_wr_bytes(&w, r->genesis.log_id,
			     sizeof(r->genesis.log_id));
		break;
	case VTPM_REC_CREATE:
		tpm_wr_u32(&w, r->create.index);
		tpm_wr_u8(&w, vtpm_label_len(r));
		tpm_wr_bytes(&w, r->create.label, vtpm_label_len(r));
		break;
	case VTPM_REC_ABORT:
		tpm_wr_u64(&w, r->abort_batch);
		break;
	}
	return w.err ? 0 : w.pos;
}

/* one digest: u16 alg, then its bytes */
static int vtpm_rd_digest(struct tpm_rd *rd, struct vtpm_log_digest *d,
			  const char **why)
{
	const u8 *p;
	u16 size;

	d->alg = tpm_rd_u16(rd);
	if (rd->err) {
		*why = "record truncated";
		return -EINVAL;
	}
	size = vtpm_alg_digest_size(d->alg);
	if (!size) {
		rd->pos -= 2;
		*why = "unknown hash algorithm";
		return -EINVAL;
	}
	p = tpm_rd_bytes(rd, size);
	if (!p) {
		*why = "record truncated";
		return -EINVAL;
	}
	memcpy(d->digest, p, size);
	return 0;
}

/* the type-specific part of a record: @rd holds exactly its xlen bytes */
static int vtpm_rd_x(struct tpm_rd *rd, struct vtpm_log_rec *r,
		     const char **why)
{
	const u8 *p;
	u32 i;
	u8 n;
	int ret;

	switch (r->type) {
	case VTPM_REC_GENESIS:
		r->genesis.hw_pcr = tpm_rd_u32(rd);
		n = tpm_rd_u8(rd);
		if (rd->err)
			break;
		if (!n || n > VTPM_MAX_BANKS) {
			rd->pos--;
			*why = "bad number of banks";
			return -EINVAL;
		}
		r->genesis.nr_banks = n;
		for (i = 0; i < n; i++) {
			ret = vtpm_rd_digest(rd, &r->genesis.start[i], why);
			if (ret)
				return ret;
		}
		r->genesis.reset_count = tpm_rd_u32(rd);
		r->genesis.restart_count = tpm_rd_u32(rd);
		r->genesis.clock = tpm_rd_u64(rd);
		p = tpm_rd_bytes(rd, sizeof(r->genesis.log_id));
		if (p)
			memcpy(r->genesis.log_id, p, sizeof(r->genesis.log_id));
		break;
	case VTPM_REC_CREATE:
		r->create.index = tpm_rd_u32(rd);
		n = tpm_rd_u8(rd);
		if (rd->err)
			break;
		if (n > VTPM_LABEL_MAX) {
			rd->pos--;
			*why = "label too long";
			return -EINVAL;
		}
		p = tpm_rd_bytes(rd, n);
		if (!p)
			break;
		memcpy(r->create.label, p, n);
		r->create.label[n] = '\0';
		for (i = 0; i < n; i++) {
			if (p[i] < 0x20 || p[i] > 0x7e) {
				rd->pos -= n - i;
				*why = "label not printable";
				return -EINVAL;
			}
		}
		break;
	case VTPM_REC_ABORT:
		r->abort_batch = tpm_rd_u64(rd);
		break;
	}
	if (rd->err) {
		*why = "type-specific part shorter than its length";
		return -EINVAL;
	}
	if (tpm_rd_left(rd)) {
		*why = "type-specific part longer than its contents";
		return -EINVAL;
	}
	return 0;
}

/*
 * Decode and check a body; on failure @why and @off (offset in the body)
 * say what is wrong.
 */
static int vtpm_rec_parse(const u8 *body, size_t len, struct vtpm_log_rec *r,
			  size_t *off, const char **why)
{
	struct tpm_rd rd, xr;
	const u8 *p;
	u16 xlen;
	u32 i;
	int ret;

	memset(r, 0, sizeof(*r));
	tpm_rd_init(&rd, body, len);
	*why = "record truncated";
	if (tpm_rd_u8(&rd) != VTPM_REC_VERSION) {
		*off = 0;
		if (rd.err)
			return -EINVAL;
		*why = "unknown record version";
		return -EBADMSG;
	}
	r->type = tpm_rd_u8(&rd);
	if (!rd.err && !vtpm_rec_type_known(r->type)) {
		*off = VTPM_REC_OFF_TYPE;
		*why = "unknown record type";
		return -EBADMSG;
	}
	r->seq = tpm_rd_u64(&rd);
	p = tpm_rd_bytes(&rd, VTPM_UUID_SIZE);
	if (p)
		memcpy(r->uuid, p, VTPM_UUID_SIZE);
	r->pcr = tpm_rd_u32(&rd);
	r->count = tpm_rd_u8(&rd);
	if (rd.err)
		goto short_read;
	if (r->count > VTPM_MAX_BANKS) {
		*off = VTPM_REC_OFF_COUNT;
		*why = "bad number of digests";
		return -EINVAL;
	}
	for (i = 0; i < r->count; i++) {
		ret = vtpm_rd_digest(&rd, &r->d[i], why);
		if (ret) {
			*off = rd.pos;
			return ret;
		}
	}
	xlen = tpm_rd_u16(&rd);
	p = tpm_rd_bytes(&rd, xlen);
	if (!p)
		goto short_read;
	tpm_rd_init(&xr, p, xlen);
	ret = vtpm_rd_x(&xr, r, why);
	if (ret) {
		*off = rd.pos - xlen + xr.pos;
		return ret;
	}
	if (tpm_rd_left(&rd)) {
		*off = rd.pos;
		*why = "trailing bytes after the record";
		return -EINVAL;
	}
	*why = vtpm_rec_bad(r, off);
	return *why ? -EINVAL : 0;

short_read:
	*off = rd.pos;
	*why = "record truncated";
	return -EINVAL;
}

/**
 * vtpm_rec_decode() - decode and check the body of a record
 * @body: the body
 * @len:  its length
 * @r:    out: the record
 *
 * Return: 0; -EBADMSG for an unknown version or record type; -EINVAL for
 * any other violation of the format (truncated, trailing bytes, a field
 * out of range).
 */
int vtpm_rec_decode(const u8 *body, size_t len, struct vtpm_log_rec *r)
{
	const char *why;
	size_t off;

	return vtpm_rec_parse(body, len, r, &off, &why);
}

/**
 * vtpm_rec_leaf() - the leaf of a record
 * @salt: its salt (VTPM_SALT_SIZE bytes)
 * @tag:  its instance's tag (VTPM_TAG_SIZE bytes; zero for global records)
 * @body: its body
 * @len:  the body's length
 * @leaf: out: SHA-256(VTPM_LEAF_DOMAIN || salt || tag || body)
 *
 * Return: 0 or the hash's error.
 */
int vtpm_rec_leaf(const u8 *salt, const u8 *tag, const u8 *body, size_t len,
		  u8 *leaf)
{
	const struct vtpm_iov iov[] = {
		{ VTPM_LEAF_DOMAIN, sizeof(VTPM_LEAF_DOMAIN) - 1 },
		{ salt, VTPM_SALT_SIZE },
		{ tag, VTPM_TAG_SIZE },
		{ body, len },
	};

	return vtpm_plat_hashv(VTPM_LOG_HASH_ALG, iov, ARRAY_SIZE(iov), leaf);
}

/**
 * vtpm_rec_salt() - the salt of record @seq
 * @key:     the log's salt key
 * @key_len: its length
 * @seq:     the record's number
 * @salt:    out: HMAC-SHA-256(key, VTPM_SALT_DOMAIN || u64 seq)
 *
 * Return: 0 or the hash's error.
 */
int vtpm_rec_salt(const u8 *key, size_t key_len, u64 seq, u8 *salt)
{
	u8 be[8];
	struct vtpm_iov iov[] = {
		{ VTPM_SALT_DOMAIN, sizeof(VTPM_SALT_DOMAIN) - 1 },
		{ be, sizeof(be) },
	};

	put_unaligned_be32(seq >> 32, be);
	put_unaligned_be32((u32)seq, be + 4);
	return vtpm_hmac(VTPM_LOG_HASH_ALG, key, key_len, iov, ARRAY_SIZE(iov),
			 salt);
}

/**
 * vtpm_batch_digest() - the digest of one batch in one bank
 * @alg:    TPM_ALG_ID of the bank
 * @batch:  the batch's number
 * @leaves: its @n leaves, contiguous
 * @n:      1..VTPM_MAX_BATCH
 * @out:    out: H_alg(VTPM_BATCH_DOMAIN || u64 batch || u32 n || leaves)
 *
 * Return: 0, -EINVAL for a bad @n or @alg, or the hash's error.
 */
int vtpm_batch_digest(u16 alg, u64 batch, const u8 *leaves, u32 n, u8 *out)
{
	u8 hdr[VTPM_BATCH_HDR_SIZE];
	const struct vtpm_iov iov[] = {
		{ VTPM_BATCH_DOMAIN, sizeof(VTPM_BATCH_DOMAIN) - 1 },
		{ hdr, sizeof(hdr) },
		{ leaves, (size_t)n * VTPM_LEAF_SIZE },
	};

	if (!n || n > VTPM_MAX_BATCH || !vtpm_alg_digest_size(alg))
		return -EINVAL;
	put_unaligned_be32(batch >> 32, hdr);
	put_unaligned_be32((u32)batch, hdr + 4);
	put_unaligned_be32(n, hdr + 8);
	return vtpm_plat_hashv(alg, iov, ARRAY_SIZE(iov), out);
}

/**
 * vtpm_pcr_extend_value() - what a hardware PCR extend computes
 * @alg:    TPM_ALG_ID of the bank
 * @pcr:    in: the PCR's value; out: H_alg(pcr || digest)
 * @digest: the digest extended
 *
 * Return: 0, -EINVAL for an unknown @alg, or the hash's error (then @pcr
 * is unchanged).
 */
int vtpm_pcr_extend_value(u16 alg, u8 *pcr, const u8 *digest)
{
	u16 size = vtpm_alg_digest_size(alg);
	u8 out[VTPM_MAX_DIGEST_SIZE];
	const struct vtpm_iov iov[] = {
		{ pcr, size },
		{ digest, size },
	};
	int ret;

	if (!size)
		return -EINVAL;
	ret = vtpm_plat_hashv(alg, iov, ARRAY_SIZE(iov), out);
	if (!ret)
		memcpy(pcr, out, size);
	return ret;
}

/**
 * vtpm_commit_add() - one more record in an instance's commitment
 * @c:	  the commitment; @c->chain becomes
 *	  SHA-256(VTPM_CHAIN_DOMAIN || @c->chain || @leaf), @c->records + 1
 * @leaf: the record's leaf
 *
 * Return: 0 or the hash's error (then @c is unchanged).
 */
int vtpm_commit_add(struct vtpm_log_commit *c, const u8 *leaf)
{
	u8 out[VTPM_LEAF_SIZE];
	const struct vtpm_iov iov[] = {
		{ VTPM_CHAIN_DOMAIN, sizeof(VTPM_CHAIN_DOMAIN) - 1 },
		{ c->chain, VTPM_LEAF_SIZE },
		{ leaf, VTPM_LEAF_SIZE },
	};
	int ret;

	ret = vtpm_plat_hashv(VTPM_ALG_SHA256, iov, ARRAY_SIZE(iov), out);
	if (ret)
		return ret;
	memcpy(c->chain, out, VTPM_LEAF_SIZE);
	c->records++;
	return 0;
}

/**
 * vtpm_log_wr_header() - write the header of a serialised log
 * @w: the writer
 * @h: the header (@h->nr_banks 1..VTPM_MAX_BANKS, else @w->err is set)
 */
void vtpm_log_wr_header(struct tpm_wr *w, const struct vtpm_log_header *h)
{
	u32 i;

	if (!h->nr_banks || h->nr_banks > VTPM_MAX_BANKS) {
		w->err = true;
		return;
	}
	tpm_wr_bytes(w, VTPM_LOG_MAGIC, VTPM_LOG_MAGIC_SIZE);
	tpm_wr_u16(w, VTPM_LOG_VERSION);
	tpm_wr_u16(w, h->kind);
	tpm_wr_u32(w, h->hw_pcr);
	tpm_wr_u8(w, h->nr_banks);
	for (i = 0; i < h->nr_banks; i++)
		tpm_wr_u16(w, h->algs[i]);
	tpm_wr_bytes(w, h->uuid, VTPM_UUID_SIZE);
	tpm_wr_u64(w, h->first_batch);
	tpm_wr_u64(w, h->nr_batches);
	if (h->kind == VTPM_LOG_VIEW) {
		tpm_wr_u64(w, h->commit.records);
		tpm_wr_bytes(w, h->commit.chain, VTPM_LEAF_SIZE);
	}
}

/**
 * vtpm_log_wr_batch() - start a batch of a serialised log
 * @w:          the writer
 * @batch:      its number
 * @nr_entries: the number of entries that follow (1..VTPM_MAX_BATCH)
 */
void vtpm_log_wr_batch(struct tpm_wr *w, u64 batch, u32 nr_entries)
{
	tpm_wr_u64(w, batch);
	tpm_wr_u32(w, nr_entries);
}

/**
 * vtpm_log_wr_leaf() - an entry shown only by its leaf
 * @w:    the writer
 * @leaf: VTPM_LEAF_SIZE bytes
 */
void vtpm_log_wr_leaf(struct tpm_wr *w, const u8 *leaf)
{
	tpm_wr_u8(w, VTPM_ENTRY_LEAF);
	tpm_wr_bytes(w, leaf, VTPM_LEAF_SIZE);
}

/**
 * vtpm_log_wr_clear() - an entry in the clear
 * @w:    the writer
 * @salt: the record's salt (VTPM_SALT_SIZE bytes)
 * @tag:  its tag (VTPM_TAG_SIZE bytes)
 * @body: its body
 * @len:  the body's length
 */
void vtpm_log_wr_clear(struct tpm_wr *w, const u8 *salt, const u8 *tag,
		       const u8 *body, u16 len)
{
	tpm_wr_u8(w, VTPM_ENTRY_CLEAR);
	tpm_wr_bytes(w, salt, VTPM_SALT_SIZE);
	tpm_wr_bytes(w, tag, VTPM_TAG_SIZE);
	tpm_wr_u16(w, len);
	tpm_wr_bytes(w, body, len);
}

/**
 * vtpm_rec_apply() - the vPCR effect of one record
 * @t: the instance's state
 * @r: a record; only EXTEND, EVENT, RESET and STARTUP_* change vPCRs
 *
 * Converts @r into a &struct vtpm_pcr_change (algorithm to bank index) and
 * applies it with vtpm_pcr_change_apply(), as the engine does.
 *
 * Return: 0; -EINVAL for a digest of a bank @t does not have or a bad
 * vPCR index; or the hash's error.
 */
int vtpm_rec_apply(struct vtpm_tpm *t, const struct vtpm_log_rec *r)
{
	struct vtpm_pcr_change chg;
	u32 i, bank;

	memset(&chg, 0, sizeof(chg));
	chg.type = r->type;
	switch (r->type) {
	case VTPM_REC_STARTUP_CLEAR:
	case VTPM_REC_STARTUP_STATE:
		return vtpm_pcr_change_apply(t, &chg);
	case VTPM_REC_EXTEND:
	case VTPM_REC_EVENT:
	case VTPM_REC_RESET:
		break;
	default:
		return 0;
	}
	if (r->pcr >= VTPM_NUM_PCRS || r->count > VTPM_CHANGE_MAX_DIGESTS)
		return -EINVAL;
	chg.pcr = r->pcr;
	if (r->type == VTPM_REC_RESET)
		return vtpm_pcr_change_apply(t, &chg);
	for (i = 0; i < r->count; i++) {
		if (!vtpm_pcr_selection_bank(t->banks, r->d[i].alg, &bank))
			return -EINVAL;
		chg.d[i].bank = bank;
		memcpy(chg.d[i].digest, r->d[i].digest,
		       t->banks->bank[bank].size);
	}
	chg.count = r->count;
	return vtpm_pcr_change_apply(t, &chg);
}

static const char * const vtpm_rec_names[] = {
	[VTPM_REC_EXTEND] = "extend",
	[VTPM_REC_EVENT] = "event",
	[VTPM_REC_RESET] = "reset",
	[VTPM_REC_STARTUP_CLEAR] = "startup_clear",
	[VTPM_REC_STARTUP_STATE] = "startup_state",
	[VTPM_REC_GENESIS] = "genesis",
	[VTPM_REC_CREATE] = "create",
	[VTPM_REC_DESTROY] = "destroy",
	[VTPM_REC_ABORT] = "abort",
};

/**
 * vtpm_rec_type_name() - the name of a record type
 * @type: &enum vtpm_rec_type
 *
 * Return: "extend", "event", ..., "abort", or "unknown".
 */
const char *vtpm_rec_type_name(u8 type)
{
	if (type < ARRAY_SIZE(vtpm_rec_names) && vtpm_rec_names[type])
		return vtpm_rec_names[type];
	return "unknown";
}

static const char vtpm_hex_digits[] = "0123456789abcdef";

static char *vtpm_put_hex(char *p, const u8 *b, size_t n)
{
	while (n--) {
		*p++ = vtpm_hex_digits[*b >> 4];
		*p++ = vtpm_hex_digits[*b++ & 0xf];
	}
	return p;
}

static char *vtpm_put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

/* the longest line: "23 " leaf " vtpm-mux sha512:" digest " startup_state\n" */
#define VTPM_ASCII_MAX	(3 + 2 * VTPM_LEAF_SIZE + 17 + \
			 2 * VTPM_MAX_DIGEST_SIZE + 15)

/**
 * vtpm_rec_ascii() - one line of an instance's ASCII measurement list
 * @r:    the record
 * @leaf: its leaf
 * @buf:  where to write the line
 * @cap:  room at @buf
 *
 * "<vPCR> <leaf> vtpm-mux <alg>:<digest> <event>\n", lower-case hex, as
 * IMA's ascii_runtime_measurements: the digest is the record's sha256
 * digest, else its first one; RESET, STARTUP_*, CREATE and DESTROY show
 * 32 zero bytes of sha256, and the last four "-" for the vPCR.  The line
 * is NUL-terminated when @cap leaves room for the NUL.
 *
 * Return: the line's length, or 0 when @r has no line (GENESIS, ABORT, an
 * invalid record) or it does not fit in @cap.
 */
size_t vtpm_rec_ascii(const struct vtpm_log_rec *r, const u8 *leaf,
		      char *buf, size_t cap)
{
	static const u8 zero[32];
	char line[VTPM_ASCII_MAX];
	const u8 *digest = zero;
	u16 alg = VTPM_ALG_SHA256;
	const char *event, *name;
	bool pcr = true;
	char *p = line;
	size_t len;
	u32 i;

	switch (r->type) {
	case VTPM_REC_EXTEND:
	case VTPM_REC_EVENT:
		if (!r->count || r->count > VTPM_MAX_BANKS)
			return 0;
		event = r->type == VTPM_REC_EXTEND ? "pcr_extend" : "pcr_event";
		for (i = 0; i < r->count; i++)
			if (r->d[i].alg == VTPM_ALG_SHA256)
				break;
		if (i == r->count)
			i = 0;
		alg = r->d[i].alg;
		digest = r->d[i].digest;
		break;
	case VTPM_REC_RESET:
		event = "pcr_reset";
		break;
	case VTPM_REC_STARTUP_CLEAR:
	case VTPM_REC_STARTUP_STATE:
	case VTPM_REC_CREATE:
	case VTPM_REC_DESTROY:
		event = vtpm_rec_type_name(r->type);
		pcr = false;
		break;
	default:
		return 0;
	}
	name = vtpm_alg_name(alg);
	if (!name || (pcr && r->pcr >= VTPM_NUM_PCRS))
		return 0;

	if (!pcr) {
		*p++ = '-';
	} else {
		if (r->pcr >= 10)
			*p++ = '0' + r->pcr / 10;
		*p++ = '0' + r->pcr % 10;
	}
	*p++ = ' ';
	p = vtpm_put_hex(p, leaf, VTPM_LEAF_SIZE);
	p = vtpm_put_str(p, " vtpm-mux ");
	p = vtpm_put_str(p, name);
	*p++ = ':';
	p = vtpm_put_hex(p, digest, vtpm_alg_digest_size(alg));
	*p++ = ' ';
	p = vtpm_put_str(p, event);
	*p++ = '\n';
	len = p - line;
	if (len > cap)
		return 0;
	memcpy(buf, line, len);
	if (len < cap)
		buf[len] = '\0';
	return len;
}

/*
 * Replay.  A batch is walked twice: first to check every entry, compute
 * its leaves and the batch digest (and extend the PCR with it), then,
 * once the first entry of the next batch told whether an ABORT voids this
 * one, to hand its records to the caller and apply them to the instance
 * being reconstructed.  Nothing is allocated: @r holds the leaves of one
 * batch and a cache of the instances met.
 */

static int vtpm_replay_fail(struct vtpm_replay *r, int err, size_t off,
			    const char *why)
{
	r->err_offset = off;
	r->why = why;
	return err;
}

static int vtpm_hdr_fail(const char **why, size_t *off, int err, size_t at,
			 const char *reason)
{
	*why = reason;
	*off = at;
	return err;
}

/**
 * vtpm_log_rd_header() - read and check the header of a serialised log
 * @rd:	   the reader, at the log's first byte; after the header on success
 * @h:	   out: the header
 * @banks: out: the banks of @h->algs (vtpm_banks_add(); zero it first)
 * @why:   out: on failure, the reason (a static string)
 * @off:   out: on failure, the offset of the offending field
 *
 * Rule 1 of Documentation/log-format.md, "Replay": the one place that
 * decides whether a header is valid, for vtpm_log_replay() and for tools
 * that walk a log themselves.
 *
 * Return: 0, -EINVAL (malformed) or -EBADMSG (first_batch not 0, no
 * batches).
 */
int vtpm_log_rd_header(struct tpm_rd *rd, struct vtpm_log_header *h,
		       struct vtpm_banks *banks, const char **why, size_t *off)
{
	const u8 *p;
	size_t at;
	u32 i;

	p = tpm_rd_bytes(rd, VTPM_LOG_MAGIC_SIZE);
	if (p && memcmp(p, VTPM_LOG_MAGIC, VTPM_LOG_MAGIC_SIZE))
		return vtpm_hdr_fail(why, off, -EINVAL, 0, "bad magic");
	at = rd->pos;
	i = tpm_rd_u16(rd);
	if (i == 1 && !rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, at,
					"log version 1 (views without their instance's commitment) is no longer supported");
	if (i != VTPM_LOG_VERSION && !rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, at,
					"unsupported log version");
	at = rd->pos;
	h->kind = tpm_rd_u16(rd);
	if (h->kind != VTPM_LOG_FULL && h->kind != VTPM_LOG_VIEW && !rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, at, "unknown log kind");
	at = rd->pos;
	h->hw_pcr = tpm_rd_u32(rd);
	if (h->hw_pcr >= VTPM_NUM_PCRS && !rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, at,
					"hardware PCR out of range");
	at = rd->pos;
	h->nr_banks = tpm_rd_u8(rd);
	if ((!h->nr_banks || h->nr_banks > VTPM_MAX_BANKS) && !rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, at, "bad number of banks");
	for (i = 0; i < h->nr_banks && !rd->err; i++) {
		at = rd->pos;
		h->algs[i] = tpm_rd_u16(rd);
		if (!rd->err && vtpm_banks_add(banks, h->algs[i]))
			return vtpm_hdr_fail(why, off, -EINVAL, at,
						"unknown or repeated bank");
	}
	at = rd->pos;
	p = tpm_rd_bytes(rd, VTPM_UUID_SIZE);
	if (p) {
		memcpy(h->uuid, p, VTPM_UUID_SIZE);
		if (h->kind == VTPM_LOG_FULL &&
		    !vtpm_is_zero(h->uuid, VTPM_UUID_SIZE))
			return vtpm_hdr_fail(why, off, -EINVAL, at,
						"a full log with an instance uuid");
		if (h->kind == VTPM_LOG_VIEW &&
		    vtpm_is_zero(h->uuid, VTPM_UUID_SIZE))
			return vtpm_hdr_fail(why, off, -EINVAL, at,
						"a view without an instance uuid");
	}
	at = rd->pos;
	h->first_batch = tpm_rd_u64(rd);
	if (h->first_batch && !rd->err)
		return vtpm_hdr_fail(why, off, -EBADMSG, at,
					"the first batch is not batch 0");
	at = rd->pos;
	h->nr_batches = tpm_rd_u64(rd);
	if (h->kind == VTPM_LOG_VIEW) {
		h->commit.records = tpm_rd_u64(rd);
		p = tpm_rd_bytes(rd, VTPM_LEAF_SIZE);
		if (p)
			memcpy(h->commit.chain, p, VTPM_LEAF_SIZE);
	}
	if (rd->err)
		return vtpm_hdr_fail(why, off, -EINVAL, rd->pos, "header truncated");
	if (!h->nr_batches)
		return vtpm_hdr_fail(why, off, -EBADMSG, at, "no genesis batch");
	return 0;
}

static int vtpm_replay_header(struct vtpm_replay *r, struct tpm_rd *rd)
{
	int ret;

	ret = vtpm_log_rd_header(rd, &r->hdr, &r->banks, &r->why,
				 &r->err_offset);
	if (ret)
		return ret;
	memcpy(r->commit_uuid, r->hdr.kind == VTPM_LOG_VIEW ? r->hdr.uuid :
	       r->uuid, VTPM_UUID_SIZE);
	return 0;
}

static struct vtpm_replay_set *vtpm_replay_set(struct vtpm_replay *r,
					       const u8 *uuid)
{
	struct vtpm_replay_set *set;
	u32 h = 0;
	int i;

	for (i = 0; i < VTPM_UUID_SIZE; i++)
		h = h * 31 + uuid[i];
	set = &r->set[(h ^ h >> 16) & r->set_mask];
	if (set->gen != r->gen) {
		memset(set, 0, sizeof(*set));
		set->gen = r->gen;
	}
	return set;
}

/*
 * What the log from @from to @to (offsets of batch headers and entries
 * already checked) says of instance @uuid: whether it was created, its
 * tag and whether (and in which batch, last) it was destroyed.  Used when
 * the cache forgot it.
 */
static bool vtpm_replay_scan(const u8 *log, size_t from, size_t to,
			     const u8 *uuid, struct vtpm_replay_inst *inst)
{
	struct tpm_rd rd;
	bool seen = false;
	const u8 *tag, *body;
	size_t batch_at;
	u16 blen;
	u32 n;

	tpm_rd_init(&rd, log, to);
	rd.pos = from;
	while (tpm_rd_left(&rd) && !rd.err) {
		batch_at = rd.pos;
		tpm_rd_bytes(&rd, VTPM_BATCH_HDR_SIZE - 4);
		n = tpm_rd_u32(&rd);
		for (; n && tpm_rd_left(&rd) && !rd.err; n--) {
			if (tpm_rd_u8(&rd) == VTPM_ENTRY_LEAF) {
				tpm_rd_bytes(&rd, VTPM_LEAF_SIZE);
				continue;
			}
			tpm_rd_bytes(&rd, VTPM_SALT_SIZE);
			tag = tpm_rd_bytes(&rd, VTPM_TAG_SIZE);
			blen = tpm_rd_u16(&rd);
			body = tpm_rd_bytes(&rd, blen);
			if (!body || blen < VTPM_REC_OFF_PCR ||
			    memcmp(body + VTPM_REC_OFF_UUID, uuid,
				   VTPM_UUID_SIZE))
				continue;
			if (!seen)
				memcpy(inst->tag, tag, VTPM_TAG_SIZE);
			seen = true;
			if (body[VTPM_REC_OFF_TYPE] == VTPM_REC_DESTROY) {
				inst->destroyed = true;
				inst->destroy_at = batch_at;
			}
		}
	}
	return seen;
}

/*
 * The cache entry of instance @uuid, or NULL if the log before offset @to
 * has no record of it.
 */
static struct vtpm_replay_inst *
vtpm_replay_inst(struct vtpm_replay *r, const u8 *log, size_t from,
		 size_t to, const u8 *uuid)
{
	struct vtpm_replay_set *set = vtpm_replay_set(r, uuid);
	struct vtpm_replay_inst *inst = set->way, found;
	u32 way;

	for (way = 0; way < VTPM_REPLAY_WAYS; way++)
		if (inst[way].used && !memcmp(inst[way].uuid, uuid,
					      VTPM_UUID_SIZE))
			return &inst[way];
	if (!set->evicted)
		return NULL;	/* never forgot one: never seen */
	memset(&found, 0, sizeof(found));
	if (!vtpm_replay_scan(log, from, to, uuid, &found))
		return NULL;
	memcpy(found.uuid, uuid, VTPM_UUID_SIZE);
	found.used = true;
	way = set->next_way;
	set->next_way = (way + 1) % VTPM_REPLAY_WAYS;
	inst[way] = found;
	return &inst[way];
}

/* remember a new instance, forgetting another one if need be */
static void vtpm_replay_inst_add(struct vtpm_replay *r, const u8 *uuid,
				 const u8 *tag)
{
	struct vtpm_replay_set *set = vtpm_replay_set(r, uuid);
	struct vtpm_replay_inst *e = &set->way[set->next_way];

	if (e->used)
		set->evicted = true;
	set->next_way = (set->next_way + 1) % VTPM_REPLAY_WAYS;
	memcpy(e->uuid, uuid, VTPM_UUID_SIZE);
	memcpy(e->tag, tag, VTPM_TAG_SIZE);
	e->used = true;
	e->destroyed = false;
}

/*
 * An ABORT record has a zero salt and a zero tag, so that its leaf is public:
 * whoever cuts a view cannot hide one as a leaf (its records would then
 * count as applied).  Is @leaf the leaf of "record @seq: ABORT of @batch"?
 */
static bool vtpm_is_abort_leaf(const u8 *leaf, u64 seq, u64 batch)
{
	static const u8 zero[VTPM_SALT_SIZE];
	u8 body[VTPM_REC_OFF_ABORT + 8], mine[VTPM_LEAF_SIZE];

	memset(body, 0, sizeof(body));
	body[0] = VTPM_REC_VERSION;
	body[VTPM_REC_OFF_TYPE] = VTPM_REC_ABORT;
	put_unaligned_be32(seq >> 32, body + 2);
	put_unaligned_be32((u32)seq, body + 6);
	put_unaligned_be32(VTPM_LOG_NO_PCR, body + VTPM_REC_OFF_PCR);
	put_unaligned_be16(8, body + VTPM_REC_OFF_ABORT - 2);
	put_unaligned_be32(batch >> 32, body + VTPM_REC_OFF_ABORT);
	put_unaligned_be32((u32)batch, body + VTPM_REC_OFF_ABORT + 4);
	return !vtpm_rec_leaf(zero, zero, body, sizeof(body), mine) &&
	       !memcmp(mine, leaf, VTPM_LEAF_SIZE);
}

/* where one clear entry is: for the checks and their error offsets */
struct vtpm_replay_at {
	const u8 *log;
	size_t from;	/* batch 0 */
	size_t batch_at; /* its batch's header */
	size_t entry;	/* the entry's form byte */
	size_t body;	/* its body */
	u64 batch;
	u32 index;	/* in its batch */
};

static int vtpm_replay_genesis(struct vtpm_replay *r,
			       const struct vtpm_replay_at *at)
{
	const struct vtpm_genesis *g = &r->rec.genesis;
	u32 i;

	if (g->hw_pcr != r->hdr.hw_pcr)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"genesis and header name different hardware PCRs");
	if (g->nr_banks != r->hdr.nr_banks)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"genesis and header list different banks");
	for (i = 0; i < g->nr_banks; i++) {
		if (g->start[i].alg != r->hdr.algs[i])
			return vtpm_replay_fail(r, -EBADMSG, at->body,
						"genesis and header list different banks");
		memcpy(r->pcr[i], g->start[i].digest, r->banks.bank[i].size);
	}
	r->genesis = *g;
	return 0;
}

/* the body of the first entry of the batch at @rd if it is clear, or NULL */
static const u8 *vtpm_rd_first_clear(struct tpm_rd *rd, u16 *blen)
{
	tpm_rd_bytes(rd, VTPM_BATCH_HDR_SIZE);
	if (tpm_rd_u8(rd) != VTPM_ENTRY_CLEAR)
		return NULL;
	tpm_rd_bytes(rd, VTPM_SALT_SIZE + VTPM_TAG_SIZE);
	*blen = tpm_rd_u16(rd);
	return tpm_rd_bytes(rd, *blen);
}

/*
 * Was the batch whose header is at @pos voided, i.e. is the first entry of
 * the batch after it an ABORT?  Everything before @to was checked already
 * (rule 7: an ABORT, in the clear, first in its batch, of the batch before).
 */
static bool vtpm_replay_was_voided(const u8 *log, size_t to, size_t pos)
{
	const u8 *body;
	struct tpm_rd rd;
	u16 blen;
	u32 n;

	tpm_rd_init(&rd, log, to);
	rd.pos = pos;
	tpm_rd_bytes(&rd, VTPM_BATCH_HDR_SIZE - 4);
	for (n = tpm_rd_u32(&rd); n && !rd.err; n--) {
		if (tpm_rd_u8(&rd) == VTPM_ENTRY_LEAF) {
			tpm_rd_bytes(&rd, VTPM_LEAF_SIZE);
			continue;
		}
		tpm_rd_bytes(&rd, VTPM_SALT_SIZE + VTPM_TAG_SIZE);
		tpm_rd_bytes(&rd, tpm_rd_u16(&rd));
	}
	body = vtpm_rd_first_clear(&rd, &blen);
	return body && blen > VTPM_REC_OFF_TYPE &&
	       body[VTPM_REC_OFF_TYPE] == VTPM_REC_ABORT;
}

/*
 * Is the instance still destroyed when a record of it is read at @at?  Not
 * if its DESTROY was in an earlier batch that an ABORT voided: the kernel
 * logged that DESTROY again later (log-format.md, "Faults").
 */
static bool vtpm_replay_destroyed(const struct vtpm_replay_at *at,
				  struct vtpm_replay_inst *inst)
{
	if (!inst->destroyed || inst->destroy_at == at->batch_at)
		return inst->destroyed;
	if (vtpm_replay_was_voided(at->log, at->entry, inst->destroy_at))
		inst->destroyed = false;
	return inst->destroyed;
}

/* the rules of one instance's records, @tag the entry's tag */
static int vtpm_replay_instance(struct vtpm_replay *r,
				const struct vtpm_replay_at *at, const u8 *tag)
{
	const struct vtpm_log_rec *rec = &r->rec;
	struct vtpm_replay_inst *inst;
	u32 i, bank;

	if (r->hdr.kind == VTPM_LOG_VIEW &&
	    memcmp(rec->uuid, r->hdr.uuid, VTPM_UUID_SIZE))
		return vtpm_replay_fail(r, -EBADMSG,
					at->body + VTPM_REC_OFF_UUID,
					"a view shows another instance's record");
	inst = vtpm_replay_inst(r, at->log, at->from, at->entry, rec->uuid);
	if (rec->type == VTPM_REC_CREATE) {
		if (inst)
			return vtpm_replay_fail(r, -EBADMSG, at->body,
						"a second CREATE of an instance");
		vtpm_replay_inst_add(r, rec->uuid, tag);
		return 0;
	}
	if (!inst)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"a record of an instance before its CREATE");
	if (vtpm_replay_destroyed(at, inst))
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"a record of an instance after its DESTROY");
	if (memcmp(inst->tag, tag, VTPM_TAG_SIZE))
		return vtpm_replay_fail(r, -EBADMSG,
					at->entry + 1 + VTPM_SALT_SIZE,
					"the tag differs from the instance's");
	if (rec->type == VTPM_REC_DESTROY) {
		inst->destroyed = true;
		inst->destroy_at = at->batch_at;
	}
	if (rec->type == VTPM_REC_EXTEND) {
		for (i = 0; i < rec->count; i++)
			if (!vtpm_pcr_selection_bank(&r->banks, rec->d[i].alg,
						     &bank))
				return vtpm_replay_fail(r, -EBADMSG,
							at->body + VTPM_REC_OFF_DIGESTS,
							"an extend of a bank the log does not have");
	}
	if (rec->type == VTPM_REC_EVENT) {
		if (rec->count != r->banks.nr)
			return vtpm_replay_fail(r, -EBADMSG,
						at->body + VTPM_REC_OFF_COUNT,
						"event digests do not match the banks");
		for (i = 0; i < rec->count; i++)
			if (rec->d[i].alg != r->banks.bank[i].alg)
				return vtpm_replay_fail(r, -EBADMSG,
							at->body + VTPM_REC_OFF_DIGESTS,
							"event digests do not match the banks");
	}
	return 0;
}

/* the rules of a clear entry whose record is in @r->rec */
static int vtpm_replay_check_rec(struct vtpm_replay *r,
				 const struct vtpm_replay_at *at,
				 const u8 *tag)
{
	const struct vtpm_log_rec *rec = &r->rec;

	if (rec->seq != r->records)
		return vtpm_replay_fail(r, -EBADMSG,
					at->body + VTPM_REC_OFF_SEQ,
					"record number out of sequence");
	if (at->batch == 0 && rec->type != VTPM_REC_GENESIS)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"the first record is not a genesis record");
	if (at->batch && rec->type == VTPM_REC_GENESIS)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"a genesis record after the first batch");
	if (!vtpm_rec_is_global(rec->type))
		return vtpm_replay_instance(r, at, tag);
	if (!vtpm_is_zero(tag, VTPM_TAG_SIZE))
		return vtpm_replay_fail(r, -EBADMSG,
					at->entry + 1 + VTPM_SALT_SIZE,
					"a global record with a non-zero tag");
	if (rec->type == VTPM_REC_GENESIS)
		return vtpm_replay_genesis(r, at);
	/* ABORT: its leaf is public (vtpm_is_abort_leaf()) */
	if (!vtpm_is_zero(at->log + at->entry + 1, VTPM_SALT_SIZE))
		return vtpm_replay_fail(r, -EBADMSG, at->entry + 1,
					"an ABORT record with a non-zero salt");
	if (at->index)
		return vtpm_replay_fail(r, -EBADMSG, at->body,
					"an ABORT record that is not first in its batch");
	if (rec->abort_batch + 1 != at->batch || at->batch < 2)
		return vtpm_replay_fail(r, -EBADMSG, at->body + VTPM_REC_OFF_ABORT,
					"an ABORT of a batch other than the previous one");
	r->aborted++;
	return 0;
}

/* read the salt, tag and body of a clear entry (the form byte was read) */
static int vtpm_replay_rd_clear(struct vtpm_replay *r, struct tpm_rd *rd,
				const u8 **salt, const u8 **tag,
				const u8 **body, u16 *blen)
{
	*salt = tpm_rd_bytes(rd, VTPM_SALT_SIZE);
	*tag = tpm_rd_bytes(rd, VTPM_TAG_SIZE);
	*blen = tpm_rd_u16(rd);
	if (rd->err)
		return vtpm_replay_fail(r, -EINVAL, rd->pos, "entry truncated");
	*body = tpm_rd_bytes(rd, *blen);
	if (!*body)
		return vtpm_replay_fail(r, -EINVAL, rd->pos - 2,
					"entry truncated");
	return 0;
}

/* walk 1: check batch @b at @rd, compute its leaves, extend the PCR */
static int vtpm_replay_check_batch(struct vtpm_replay *r, struct tpm_rd *rd,
				   size_t from, u64 b)
{
	struct vtpm_replay_at at = { .log = rd->p, .from = from,
				     .batch_at = rd->pos, .batch = b };
	const size_t batch_at = at.batch_at;
	const u8 *salt, *tag, *body;
	size_t boff;
	const char *why;
	u16 blen;
	u32 n, i;
	u8 form;
	int ret;

	if (tpm_rd_u64(rd) != b && !rd->err)
		return vtpm_replay_fail(r, -EBADMSG, batch_at,
					"batch number out of order");
	n = tpm_rd_u32(rd);
	if (rd->err)
		return vtpm_replay_fail(r, -EINVAL, rd->pos,
					"batch header truncated");
	if (!n || n > VTPM_MAX_BATCH)
		return vtpm_replay_fail(r, -EINVAL, batch_at + 8,
					"bad number of entries in a batch");
	if (!b && n != 1)
		return vtpm_replay_fail(r, -EBADMSG, batch_at + 8,
					"the genesis batch holds more than its record");

	for (i = 0; i < n; i++) {
		at.entry = rd->pos;
		at.index = i;
		form = tpm_rd_u8(rd);
		if (rd->err)
			return vtpm_replay_fail(r, -EINVAL, rd->pos,
						"batch truncated");
		if (form == VTPM_ENTRY_LEAF) {
			if (r->hdr.kind == VTPM_LOG_FULL)
				return vtpm_replay_fail(r, -EINVAL, at.entry,
							"a leaf entry in a full log");
			if (!b)
				return vtpm_replay_fail(r, -EBADMSG, at.entry,
							"the genesis record is not in the clear");
			body = tpm_rd_bytes(rd, VTPM_LEAF_SIZE);
			if (!body)
				return vtpm_replay_fail(r, -EINVAL, rd->pos,
							"entry truncated");
			memcpy(r->leaves[i], body, VTPM_LEAF_SIZE);
			if (!i && b >= 2 && vtpm_is_abort_leaf(body, r->records,
							       b - 1))
				return vtpm_replay_fail(r, -EBADMSG, at.entry,
							"an ABORT record shown as a leaf");
			r->records++;
			continue;
		}
		if (form != VTPM_ENTRY_CLEAR)
			return vtpm_replay_fail(r, -EINVAL, at.entry,
						"unknown entry form");
		ret = vtpm_replay_rd_clear(r, rd, &salt, &tag, &body, &blen);
		if (ret)
			return ret;
		at.body = rd->pos - blen;
		if (vtpm_rec_parse(body, blen, &r->rec, &boff, &why))
			return vtpm_replay_fail(r, -EINVAL, at.body + boff,
						why);
		ret = vtpm_replay_check_rec(r, &at, tag);
		if (ret)
			return ret;
		ret = vtpm_rec_leaf(salt, tag, body, blen, r->leaves[i]);
		if (!ret && !vtpm_rec_is_global(r->rec.type) &&
		    !memcmp(r->rec.uuid, r->commit_uuid, VTPM_UUID_SIZE))
			ret = vtpm_commit_add(&r->commit, r->leaves[i]);
		if (ret)
			return vtpm_replay_fail(r, ret, at.entry,
						"hash failed");
		r->records++;
		r->clear++;
	}

	for (i = 0; i < r->banks.nr; i++) {
		u8 digest[VTPM_MAX_DIGEST_SIZE];
		u16 alg = r->banks.bank[i].alg;

		ret = vtpm_batch_digest(alg, b, r->leaves[0], n, digest);
		if (!ret)
			ret = vtpm_pcr_extend_value(alg, r->pcr[i], digest);
		if (ret)
			return vtpm_replay_fail(r, ret, batch_at,
						"hash failed");
	}
	return 0;
}

/* does the batch at @pos (the one after @b) begin with ABORT of @b? */
static bool vtpm_replay_voided(struct vtpm_replay *r, const u8 *log,
			       size_t len, size_t pos, u64 b)
{
	const u8 *body;
	const char *why;
	struct tpm_rd rd;
	size_t off;
	u16 blen;

	if (!b || b + 1 >= r->hdr.nr_batches)
		return false;
	tpm_rd_init(&rd, log, len);
	rd.pos = pos;
	body = vtpm_rd_first_clear(&rd, &blen);
	if (!body || vtpm_rec_parse(body, blen, &r->rec, &off, &why))
		return false;
	return r->rec.type == VTPM_REC_ABORT && r->rec.abort_batch == b;
}

/* the instance being reconstructed: one of its records, applied */
static int vtpm_replay_tenant(struct vtpm_replay *r)
{
	const struct vtpm_log_rec *rec = &r->rec;

	if (vtpm_is_zero(r->uuid, VTPM_UUID_SIZE) ||
	    memcmp(rec->uuid, r->uuid, VTPM_UUID_SIZE))
		return 0;
	if (rec->type == VTPM_REC_CREATE) {
		r->found = true;
		if (r->tenant)
			vtpm_tpm_init(r->tenant, &r->banks);
	} else if (!r->found || r->destroyed) {
		return 0;	/* its CREATE was voided by an ABORT */
	}
	r->tenant_records++;
	if (rec->type == VTPM_REC_DESTROY)
		r->destroyed = true;
	return r->tenant ? vtpm_rec_apply(r->tenant, rec) : 0;
}

/* walk 2: hand batch @b (from @pos to @end) to the caller and the tenant */
static int vtpm_replay_apply_batch(struct vtpm_replay *r, const u8 *log,
				   size_t pos, size_t end, u64 b, bool voided)
{
	const u8 *salt, *tag, *body;
	struct tpm_rd rd;
	size_t entry, off;
	const char *why;
	u16 blen;
	u32 n, i;
	int ret;

	tpm_rd_init(&rd, log, end);
	rd.pos = pos;
	tpm_rd_bytes(&rd, VTPM_BATCH_HDR_SIZE - 4);
	n = tpm_rd_u32(&rd);
	for (i = 0; i < n; i++) {
		entry = rd.pos;
		if (tpm_rd_u8(&rd) == VTPM_ENTRY_LEAF) {
			tpm_rd_bytes(&rd, VTPM_LEAF_SIZE);
			continue;
		}
		ret = vtpm_replay_rd_clear(r, &rd, &salt, &tag, &body, &blen);
		if (ret)
			return ret;	/* cannot happen: checked */
		ret = vtpm_rec_parse(body, blen, &r->rec, &off, &why);
		if (ret)
			return vtpm_replay_fail(r, ret, entry, why);
		if (r->on_record) {
			ret = r->on_record(r->ctx, &r->rec, r->leaves[i], b,
					   !voided);
			if (ret)
				return vtpm_replay_fail(r, ret, entry,
							"stopped by the caller");
		}
		if (voided)
			continue;
		ret = vtpm_replay_tenant(r);
		if (ret)
			return vtpm_replay_fail(r, ret, entry,
						"the record cannot be applied");
	}
	return 0;
}

/*
 * Rule 9: a view's clear records of its instance are exactly those its
 * header commits to (@hdr_end: the offset just after the header).
 */
static int vtpm_replay_commit(struct vtpm_replay *r, size_t hdr_end)
{
	const struct vtpm_log_commit *want = &r->hdr.commit;
	size_t at = hdr_end - VTPM_LEAF_SIZE - 8;

	if (r->hdr.kind != VTPM_LOG_VIEW)
		return 0;
	if (r->commit.records < want->records)
		return vtpm_replay_fail(r, -EBADMSG, at,
					"the view hides records of its instance: it shows fewer than its header commits to");
	if (r->commit.records > want->records)
		return vtpm_replay_fail(r, -EBADMSG, at,
					"the view shows more records of its instance than its header commits to");
	if (memcmp(r->commit.chain, want->chain, VTPM_LEAF_SIZE))
		return vtpm_replay_fail(r, -EBADMSG, at + 8,
					"the view's records of its instance are not those its header commits to");
	return 0;
}

/*
 * The sets of the instance cache for a log of @len bytes: a way for every
 * 100 bytes, the least a CREATE record takes; at most 2^18 sets.
 */
u32 vtpm_replay_sets_for(size_t len)
{
	u32 n = VTPM_REPLAY_SETS;

	while (n < (1u << 18) && (u64)n * VTPM_REPLAY_WAYS * 100 < len)
		n <<= 1;
	return n;
}

/**
 * vtpm_log_replay() - check a serialised log and replay it
 * @log: the log (full, or a view)
 * @len: its length
 * @r:   in: @r->uuid, @r->tenant, @r->on_record, @r->ctx; out: the rest
 *
 * Checks the structure and every rule of Documentation/log-format.md,
 * recomputes the leaf of every clear entry and the digest of every batch,
 * extends them from the genesis record's start values into @r->pcr, and
 * reconstructs the vPCRs of instance @r->uuid in @r->tenant.  An ABORT
 * voids the batch before it: its leaves are in the PCR chain, its records
 * are passed to @r->on_record with applied false and change no vPCR (and
 * set neither @r->found nor @r->destroyed).
 *
 * Return: 0; -EINVAL for a malformed log, -EBADMSG for an inconsistent
 * one (@r->why and @r->err_offset then say why and where); a hash's
 * error; or the non-zero return of @r->on_record.
 */
int vtpm_log_replay(const u8 *log, size_t len, struct vtpm_replay *r)
{
	struct tpm_rd rd;
	size_t from, start;
	bool voided;
	u64 b;
	int ret;

	memset(&r->hdr, 0, sizeof(r->hdr));
	memset(&r->banks, 0, sizeof(r->banks));
	memset(r->pcr, 0, sizeof(r->pcr));
	memset(&r->genesis, 0, sizeof(r->genesis));
	r->batches = 0;
	r->records = 0;
	r->clear = 0;
	r->aborted = 0;
	r->found = false;
	r->destroyed = false;
	r->tenant_records = 0;
	memset(&r->commit, 0, sizeof(r->commit));
	r->err_offset = 0;
	r->why = NULL;
	/* a new table, or the generations wrapped: clear it once */
	if (r->sets && r->nr_sets && !(r->nr_sets & (r->nr_sets - 1))) {
		if (r->set != r->sets || r->set_mask != r->nr_sets - 1)
			r->gen = 0;
		r->set = r->sets;
		r->set_mask = r->nr_sets - 1;
	} else {
		if (r->set != r->set_buf)
			r->gen = 0;
		r->set = r->set_buf;
		r->set_mask = VTPM_REPLAY_SETS - 1;
	}
	if (!r->gen || !++r->gen) {
		memset(r->set, 0, (r->set_mask + 1) * sizeof(*r->set));
		r->gen = 1;
	}

	tpm_rd_init(&rd, log, len);
	ret = vtpm_replay_header(r, &rd);
	if (ret)
		return ret;
	from = rd.pos;
	for (b = 0; b < r->hdr.nr_batches; b++) {
		start = rd.pos;
		if (!tpm_rd_left(&rd))
			return vtpm_replay_fail(r, -EINVAL, start,
						"fewer batches than the header says");
		ret = vtpm_replay_check_batch(r, &rd, from, b);
		if (ret)
			return ret;
		voided = vtpm_replay_voided(r, log, len, rd.pos, b);
		ret = vtpm_replay_apply_batch(r, log, start, rd.pos, b, voided);
		if (ret)
			return ret;
		r->batches++;
	}
	if (tpm_rd_left(&rd))
		return vtpm_replay_fail(r, -EINVAL, rd.pos,
					"bytes after the last batch");
	return vtpm_replay_commit(r, from);
}
