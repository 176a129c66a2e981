// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation bundles: the request value a quote's Merkle root is built
 * over, and the byte format of Documentation/attestation.md, "The bundle".
 */
#include "bundle.h"

/**
 * vtpm_attest_value() - the value of one attestation request
 * @log_id:    the log's id (its genesis record)
 * @batches:   the log position quoted
 * @uuid:      the instance
 * @commit:    its records in batches 0..@batches-1 (the view's header)
 * @nonce:     the verifier's nonce
 * @nonce_len: its length, 1..VTPM_NONCE_MAX
 * @value:     out: VTPM_MERKLE_HASH_SIZE bytes
 *
 * SHA-256("vtpm-mux attest v2" || log_id || u64 batches || uuid ||
 * u64 records || chain || u8 nonce_len || nonce): a leaf of the Merkle
 * tree whose root is the quote's qualifyingData.  Through @commit the
 * quote proves which records of the instance exist up to the cut.
 *
 * Return: 0, -EINVAL for a bad @nonce_len, or the hash's error.
 */
int vtpm_attest_value(const u8 *log_id, u64 batches, const u8 *uuid,
		      const struct vtpm_log_commit *commit, const u8 *nonce,
		      u8 nonce_len, u8 *value)
{
	u8 be_batches[8], be_records[8], len = nonce_len;
	const struct vtpm_iov iov[] = {
		{ VTPM_ATTEST_DOMAIN, sizeof(VTPM_ATTEST_DOMAIN) - 1 },
		{ log_id, VTPM_LOG_ID_SIZE },
		{ be_batches, sizeof(be_batches) },
		{ uuid, VTPM_UUID_SIZE },
		{ be_records, sizeof(be_records) },
		{ commit->chain, VTPM_LEAF_SIZE },
		{ &len, 1 },
		{ nonce, nonce_len },
	};

	if (!nonce_len || nonce_len > VTPM_NONCE_MAX)
		return -EINVAL;
	put_unaligned_be64(batches, be_batches);
	put_unaligned_be64(commit->records, be_records);
	return vtpm_plat_hashv(VTPM_ALG_SHA256, iov, ARRAY_SIZE(iov), value);
}

static void vtpm_bundle_wr(struct tpm_wr *w, const struct vtpm_bundle *b,
			   bool view)
{
	tpm_wr_bytes(w, VTPM_BUNDLE_MAGIC, VTPM_BUNDLE_MAGIC_SIZE);
	tpm_wr_u16(w, VTPM_BUNDLE_VERSION);
	tpm_wr_u16(w, 0);
	tpm_wr_bytes(w, b->uuid, VTPM_UUID_SIZE);
	tpm_wr_u64(w, b->batches);
	tpm_wr_u8(w, b->nonce_len);
	tpm_wr_bytes(w, b->nonce, b->nonce_len);
	tpm_wr_u32(w, b->leaf_index);
	tpm_wr_u32(w, b->nr_leaves);
	tpm_wr_u8(w, b->path_len);
	tpm_wr_bytes(w, b->path, (size_t)b->path_len * VTPM_MERKLE_HASH_SIZE);
	tpm_wr_tpm2b(w, b->attest, b->attest_len);
	tpm_wr_tpm2b(w, b->sig, b->sig_len);
	tpm_wr_u32(w, b->view_len);
	if (view)
		tpm_wr_bytes(w, b->view, b->view_len);
}

static bool vtpm_bundle_valid(const struct vtpm_bundle *b)
{
	return b->nonce_len && b->nonce_len <= VTPM_NONCE_MAX &&
	       b->nr_leaves && b->nr_leaves <= VTPM_MERKLE_MAX_LEAVES &&
	       b->leaf_index < b->nr_leaves &&
	       b->path_len <= VTPM_MERKLE_MAX_DEPTH &&
	       b->attest_len && b->attest_len <= VTPM_ATTEST_MAX &&
	       b->sig_len && b->sig_len <= VTPM_ATTEST_MAX && b->view_len;
}

/**
 * vtpm_bundle_size() - bytes vtpm_bundle_write() writes
 * @b: the bundle
 *
 * Return: the size, or 0 if @b is not valid.
 */
size_t vtpm_bundle_size(const struct vtpm_bundle *b)
{
	struct tpm_wr w;

	if (!vtpm_bundle_valid(b))
		return 0;
	tpm_wr_init(&w, NULL, SIZE_MAX);
	vtpm_bundle_wr(&w, b, true);
	return w.pos;
}

/**
 * vtpm_bundle_write() - serialise a bundle
 * @b:	 the bundle
 * @buf: where to
 * @cap: its capacity
 *
 * Return: the bytes written, or 0 if @b is not valid or @cap too small.
 */
size_t vtpm_bundle_write(const struct vtpm_bundle *b, u8 *buf, size_t cap)
{
	struct tpm_wr w;

	if (!vtpm_bundle_valid(b))
		return 0;
	tpm_wr_init(&w, buf, cap);
	vtpm_bundle_wr(&w, b, true);
	return w.err ? 0 : w.pos;
}

/**
 * vtpm_bundle_write_head() - serialise a bundle up to its view
 * @b:	 the bundle (@view may be NULL: only @view_len is used)
 * @buf: where to
 * @cap: its capacity
 *
 * The view is the bundle's last field: the head, then the @view_len bytes
 * of the view, are the bundle vtpm_bundle_write() writes.  The kernel
 * writes the view after the head as it renders it.
 *
 * Return: the bytes written, or 0 if @b is not valid or @cap too small.
 */
size_t vtpm_bundle_write_head(const struct vtpm_bundle *b, u8 *buf,
			      size_t cap)
{
	struct tpm_wr w;

	if (!vtpm_bundle_valid(b))
		return 0;
	tpm_wr_init(&w, buf, cap);
	vtpm_bundle_wr(&w, b, false);
	return w.err ? 0 : w.pos;
}

/* Fail with a reason at the current offset. */
static int vtpm_bundle_fail(const struct tpm_rd *r, size_t at,
			    const char *reason, const char **why,
			    size_t *err_offset)
{
	*why = reason;
	*err_offset = r->err ? r->len : at;
	return -EINVAL;
}

/**
 * vtpm_bundle_parse() - read a bundle
 * @buf:	its bytes
 * @len:	their number
 * @b:		out: its fields; @attest, @sig and @view point into @buf
 * @why:	out: on failure, a short English reason (static string)
 * @err_offset:	out: on failure, the offset of the offending field
 *
 * Checks the structure only (Documentation/attestation.md, "The bundle"):
 * what the fields mean is the verifier's business.
 *
 * Return: 0, -EBADMSG if @buf does not start with the magic,
 * or -EINVAL.
 */
int vtpm_bundle_parse(const u8 *buf, size_t len, struct vtpm_bundle *b,
		      const char **why, size_t *err_offset)
{
	static const u8 zero[VTPM_UUID_SIZE];
	struct tpm_rd r;
	const u8 *p;
	size_t at;
	u32 n;

	memset(b, 0, sizeof(*b));
	tpm_rd_init(&r, buf, len);
	p = tpm_rd_bytes(&r, VTPM_BUNDLE_MAGIC_SIZE);
	if (r.err || memcmp(p, VTPM_BUNDLE_MAGIC, VTPM_BUNDLE_MAGIC_SIZE)) {
		*why = "not a vtpm-mux bundle (magic)";
		*err_offset = 0;
		return -EBADMSG;
	}
	at = r.pos;
	n = tpm_rd_u16(&r);
	if (r.err)
		return vtpm_bundle_fail(&r, at, "bundle truncated", why,
					err_offset);
	if (n == 1)
		return vtpm_bundle_fail(&r, at,
					"bundle version 1 (no commitment to the instance's records) is no longer accepted",
					why, err_offset);
	if (n != VTPM_BUNDLE_VERSION)
		return vtpm_bundle_fail(&r, at, "unsupported bundle version",
					why, err_offset);
	at = r.pos;
	if (tpm_rd_u16(&r) || r.err)
		return vtpm_bundle_fail(&r, at, "reserved field not zero", why,
					err_offset);
	at = r.pos;
	p = tpm_rd_bytes(&r, VTPM_UUID_SIZE);
	if (r.err || !memcmp(p, zero, VTPM_UUID_SIZE))
		return vtpm_bundle_fail(&r, at, "no instance uuid", why,
					err_offset);
	memcpy(b->uuid, p, VTPM_UUID_SIZE);
	b->batches = tpm_rd_u64(&r);
	at = r.pos;
	b->nonce_len = tpm_rd_u8(&r);
	if (r.err || !b->nonce_len || b->nonce_len > VTPM_NONCE_MAX)
		return vtpm_bundle_fail(&r, at, "nonce length not 1..64", why,
					err_offset);
	p = tpm_rd_bytes(&r, b->nonce_len);
	if (r.err)
		return vtpm_bundle_fail(&r, at, "nonce truncated", why,
					err_offset);
	memcpy(b->nonce, p, b->nonce_len);
	at = r.pos;
	b->leaf_index = tpm_rd_u32(&r);
	b->nr_leaves = tpm_rd_u32(&r);
	if (r.err || !b->nr_leaves || b->nr_leaves > VTPM_MERKLE_MAX_LEAVES ||
	    b->leaf_index >= b->nr_leaves)
		return vtpm_bundle_fail(&r, at,
					"leaf index or number of leaves out of range",
					why, err_offset);
	at = r.pos;
	b->path_len = tpm_rd_u8(&r);
	if (r.err || b->path_len > VTPM_MERKLE_MAX_DEPTH)
		return vtpm_bundle_fail(&r, at, "inclusion proof too long", why,
					err_offset);
	p = tpm_rd_bytes(&r, (size_t)b->path_len * VTPM_MERKLE_HASH_SIZE);
	if (r.err)
		return vtpm_bundle_fail(&r, at, "inclusion proof truncated",
					why, err_offset);
	memcpy(b->path, p, (size_t)b->path_len * VTPM_MERKLE_HASH_SIZE);
	at = r.pos;
	b->attest_len = tpm_rd_u16(&r);
	b->attest = tpm_rd_bytes(&r, b->attest_len);
	if (r.err || !b->attest_len || b->attest_len > VTPM_ATTEST_MAX)
		return vtpm_bundle_fail(&r, at,
					"quote missing, truncated or too long",
					why, err_offset);
	at = r.pos;
	b->sig_len = tpm_rd_u16(&r);
	b->sig = tpm_rd_bytes(&r, b->sig_len);
	if (r.err || !b->sig_len || b->sig_len > VTPM_ATTEST_MAX)
		return vtpm_bundle_fail(&r, at, "signature missing, truncated or too long",
					why, err_offset);
	at = r.pos;
	n = tpm_rd_u32(&r);
	b->view = tpm_rd_bytes(&r, n);
	if (r.err || !n)
		return vtpm_bundle_fail(&r, at, "view missing or truncated", why,
					err_offset);
	b->view_len = n;
	if (tpm_rd_left(&r))
		return vtpm_bundle_fail(&r, r.pos, "bytes after the view", why,
					err_offset);
	return 0;
}
