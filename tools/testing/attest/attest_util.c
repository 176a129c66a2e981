// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the attestation test tools: an editable view of the mapping
 * log, TPM signatures made with OpenSSL keys, files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/ecdsa.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "attest_util.h"

#define TVIEW_MAX_ENTRIES	65536

int tview_parse(const u8 *p, size_t len, struct tview *v, const char **why)
{
	struct tpm_rd rd;
	const u8 *q;
	u64 i;
	u32 j;

	memset(v, 0, sizeof(*v));
	tpm_rd_init(&rd, p, len);
	q = tpm_rd_bytes(&rd, VTPM_LOG_MAGIC_SIZE);
	if (!q || memcmp(q, VTPM_LOG_MAGIC, VTPM_LOG_MAGIC_SIZE)) {
		*why = "not a serialised log (magic)";
		return -EINVAL;
	}
	v->version = tpm_rd_u16(&rd);
	v->hdr.kind = tpm_rd_u16(&rd);
	v->hdr.hw_pcr = tpm_rd_u32(&rd);
	v->hdr.nr_banks = tpm_rd_u8(&rd);
	if (v->hdr.nr_banks > VTPM_MAX_BANKS) {
		*why = "too many banks";
		return -EINVAL;
	}
	for (j = 0; j < v->hdr.nr_banks; j++)
		v->hdr.algs[j] = tpm_rd_u16(&rd);
	q = tpm_rd_bytes(&rd, VTPM_UUID_SIZE);
	if (q)
		memcpy(v->hdr.uuid, q, VTPM_UUID_SIZE);
	v->hdr.first_batch = tpm_rd_u64(&rd);
	v->hdr.nr_batches = tpm_rd_u64(&rd);
	if (v->hdr.kind == VTPM_LOG_VIEW && v->version != 1) {
		v->hdr.commit.records = tpm_rd_u64(&rd);
		q = tpm_rd_bytes(&rd, VTPM_LEAF_SIZE);
		if (q)
			memcpy(v->hdr.commit.chain, q, VTPM_LEAF_SIZE);
	}
	if (rd.err) {
		*why = "header truncated";
		return -EINVAL;
	}
	/* a batch takes at least 12 + 33 bytes */
	if (v->hdr.nr_batches > tpm_rd_left(&rd) / 45 + 1) {
		*why = "more batches than bytes";
		return -EINVAL;
	}
	v->b = calloc(v->hdr.nr_batches + 1, sizeof(*v->b));
	if (!v->b) {
		*why = "out of memory";
		return -EINVAL;
	}
	for (i = 0; i < v->hdr.nr_batches; i++) {
		struct tbatch *b = &v->b[i];

		b->number = tpm_rd_u64(&rd);
		b->n = tpm_rd_u32(&rd);
		if (rd.err || !b->n || b->n > TVIEW_MAX_ENTRIES) {
			*why = "bad batch header";
			goto fail;
		}
		b->e = calloc(b->n, sizeof(*b->e));
		if (!b->e) {
			*why = "out of memory";
			goto fail;
		}
		v->nr++;
		for (j = 0; j < b->n; j++) {
			struct tentry *e = &b->e[j];

			e->form = tpm_rd_u8(&rd);
			if (e->form == VTPM_ENTRY_LEAF) {
				q = tpm_rd_bytes(&rd, VTPM_LEAF_SIZE);
				if (q)
					memcpy(e->leaf, q, VTPM_LEAF_SIZE);
			} else if (e->form == VTPM_ENTRY_CLEAR) {
				q = tpm_rd_bytes(&rd, VTPM_SALT_SIZE);
				if (q)
					memcpy(e->salt, q, VTPM_SALT_SIZE);
				q = tpm_rd_bytes(&rd, VTPM_TAG_SIZE);
				if (q)
					memcpy(e->tag, q, VTPM_TAG_SIZE);
				e->blen = tpm_rd_u16(&rd);
				q = tpm_rd_bytes(&rd, e->blen);
				e->body = malloc(e->blen + 1);
				if (q && e->body)
					memcpy(e->body, q, e->blen);
				else if (!e->body)
					rd.err = true;
			} else {
				*why = "unknown entry form";
				goto fail;
			}
			if (rd.err) {
				*why = "entry truncated";
				goto fail;
			}
		}
	}
	if (tpm_rd_left(&rd)) {
		*why = "bytes after the last batch";
		goto fail;
	}
	return 0;

fail:
	tview_free(v);
	return -EINVAL;
}

/*
 * @v's header: the module's (vtpm_log_wr_header()) with @v's version, and
 * for a view of version 1 without the commitment (the header's last field)
 */
static void tview_wr_header(struct tpm_wr *w, const struct tview *v)
{
	struct vtpm_log_header h = v->hdr;
	u8 buf[256];
	struct tpm_wr hw;

	h.nr_batches = v->nr;
	tpm_wr_init(&hw, buf, sizeof(buf));
	vtpm_log_wr_header(&hw, &h);
	if (hw.err || hw.pos < VTPM_LOG_MAGIC_SIZE + 2) {
		w->err = true;
		return;
	}
	put_unaligned_be16(v->version, buf + VTPM_LOG_MAGIC_SIZE);
	if (h.kind == VTPM_LOG_VIEW && v->version == 1)
		hw.pos -= 8 + VTPM_LEAF_SIZE;
	tpm_wr_bytes(w, buf, hw.pos);
}

static void tview_wr(struct tpm_wr *w, const struct tview *v)
{
	u64 i;
	u32 j;

	tview_wr_header(w, v);
	for (i = 0; i < v->nr; i++) {
		const struct tbatch *b = &v->b[i];

		vtpm_log_wr_batch(w, b->number, b->n);
		for (j = 0; j < b->n; j++) {
			const struct tentry *e = &b->e[j];

			if (e->form == VTPM_ENTRY_LEAF)
				vtpm_log_wr_leaf(w, e->leaf);
			else
				vtpm_log_wr_clear(w, e->salt, e->tag, e->body,
						  e->blen);
		}
	}
}

size_t tview_write(const struct tview *v, u8 **out)
{
	struct tpm_wr w;
	u8 *p;

	tpm_wr_init(&w, NULL, SIZE_MAX);
	tview_wr(&w, v);
	if (w.err)
		return 0;
	p = malloc(w.pos);
	if (!p)
		return 0;
	tpm_wr_init(&w, p, w.pos);
	tview_wr(&w, v);
	if (w.err) {
		free(p);
		return 0;
	}
	*out = p;
	return w.pos;
}

void tview_free(struct tview *v)
{
	u64 i;
	u32 j;

	for (i = 0; v->b && i < v->nr; i++) {
		for (j = 0; v->b[i].e && j < v->b[i].n; j++)
			free(v->b[i].e[j].body);
		free(v->b[i].e);
	}
	free(v->b);
	memset(v, 0, sizeof(*v));
}

int tview_insert(struct tview *v, u64 b, u32 at, const struct tentry *e)
{
	struct tbatch *bt = &v->b[b];
	struct tentry *n, copy = *e;

	if (e->form == VTPM_ENTRY_CLEAR) {
		copy.body = malloc(e->blen + 1);
		if (!copy.body)
			return -ENOMEM;
		memcpy(copy.body, e->body, e->blen);
	}
	n = realloc(bt->e, (bt->n + 1) * sizeof(*n));
	if (!n) {
		free(copy.body);
		return -ENOMEM;
	}
	bt->e = n;
	memmove(&n[at + 1], &n[at], (bt->n - at) * sizeof(*n));
	n[at] = copy;
	bt->n++;
	return 0;
}

void tview_remove(struct tview *v, u64 b, u32 at)
{
	struct tbatch *bt = &v->b[b];

	free(bt->e[at].body);
	memmove(&bt->e[at], &bt->e[at + 1], (bt->n - at - 1) * sizeof(*bt->e));
	bt->n--;
	if (bt->n)
		return;
	free(bt->e);
	memmove(&v->b[b], &v->b[b + 1], (v->nr - b - 1) * sizeof(*v->b));
	v->nr--;
	/* the batches after it move up, as a forger would renumber them */
	for (; b < v->nr; b++)
		v->b[b].number--;
}

bool tview_own(const struct tview *v, const struct tentry *e,
	       struct vtpm_log_rec *r)
{
	if (e->form != VTPM_ENTRY_CLEAR ||
	    vtpm_rec_decode(e->body, e->blen, r))
		return false;
	return r->type != VTPM_REC_GENESIS && r->type != VTPM_REC_ABORT &&
	       !memcmp(r->uuid, v->hdr.uuid, VTPM_UUID_SIZE);
}

int tview_commit(const struct tview *v, struct vtpm_log_commit *c)
{
	u8 leaf[VTPM_LEAF_SIZE];
	struct vtpm_log_rec r;
	const struct tentry *e;
	int ret;
	u64 i;
	u32 j;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < v->nr; i++) {
		for (j = 0; j < v->b[i].n; j++) {
			e = &v->b[i].e[j];
			if (!tview_own(v, e, &r))
				continue;
			ret = vtpm_rec_leaf(e->salt, e->tag, e->body, e->blen,
					    leaf);
			if (!ret)
				ret = vtpm_commit_add(c, leaf);
			if (ret)
				return ret;
		}
	}
	return 0;
}

int tview_hide(struct tview *v, u64 b, u32 at)
{
	struct tentry *e = &v->b[b].e[at];
	int ret;

	if (e->form != VTPM_ENTRY_CLEAR)
		return -EINVAL;
	ret = vtpm_rec_leaf(e->salt, e->tag, e->body, e->blen, e->leaf);
	if (ret)
		return ret;
	free(e->body);
	e->body = NULL;
	e->blen = 0;
	e->form = VTPM_ENTRY_LEAF;
	return 0;
}

EVP_PKEY *load_private_key(const char *path)
{
	EVP_PKEY *key = NULL;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (key && EVP_PKEY_get_base_id(key) != EVP_PKEY_EC &&
	    EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		key = NULL;
	}
	return key;
}

int write_public_key(EVP_PKEY *key, const char *path)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f) {
		perror(path);
		return -1;
	}
	ok = PEM_write_PUBKEY(f, key);
	if (fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

size_t sign_tpm(EVP_PKEY *key, u16 hash, bool pss, const u8 *msg,
		size_t len, u8 *out, size_t cap)
{
	const char *name = vtpm_alg_name(hash);
	const EVP_MD *md = name ? EVP_get_digestbyname(name) : NULL;
	int type = EVP_PKEY_get_base_id(key);
	u8 raw[1024];
	size_t rlen = sizeof(raw), off = 0;
	EVP_PKEY_CTX *pctx;
	TPMT_SIGNATURE sig;
	EVP_MD_CTX *ctx;
	bool ok;

	if (!md)
		return 0;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1;
	if (ok && type == EVP_PKEY_RSA)
		ok = EVP_PKEY_CTX_set_rsa_padding(pctx, pss ? RSA_PKCS1_PSS_PADDING :
						  RSA_PKCS1_PADDING) > 0;
	if (ok && type == EVP_PKEY_RSA && pss)
		ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
						      RSA_PSS_SALTLEN_DIGEST) > 0;
	ok = ok && EVP_DigestSign(ctx, raw, &rlen, msg, len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return 0;

	memset(&sig, 0, sizeof(sig));
	if (type == EVP_PKEY_EC) {
		const u8 *p = raw;
		ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, rlen);
		int size = (EVP_PKEY_get_bits(key) + 7) / 8;

		if (!es || size > (int)sizeof(sig.signature.ecdsa.signatureR.buffer)) {
			ECDSA_SIG_free(es);
			return 0;
		}
		sig.sigAlg = TPM2_ALG_ECDSA;
		sig.signature.ecdsa.hash = hash;
		sig.signature.ecdsa.signatureR.size = size;
		sig.signature.ecdsa.signatureS.size = size;
		ok = BN_bn2binpad(ECDSA_SIG_get0_r(es),
				  sig.signature.ecdsa.signatureR.buffer, size) == size &&
		     BN_bn2binpad(ECDSA_SIG_get0_s(es),
				  sig.signature.ecdsa.signatureS.buffer, size) == size;
		ECDSA_SIG_free(es);
		if (!ok)
			return 0;
	} else {
		if (rlen > sizeof(sig.signature.rsassa.sig.buffer))
			return 0;
		sig.sigAlg = pss ? TPM2_ALG_RSAPSS : TPM2_ALG_RSASSA;
		sig.signature.rsassa.hash = hash;
		sig.signature.rsassa.sig.size = rlen;
		memcpy(sig.signature.rsassa.sig.buffer, raw, rlen);
	}
	if (Tss2_MU_TPMT_SIGNATURE_Marshal(&sig, out, cap, &off))
		return 0;
	return off;
}

int write_file(const char *path, const void *p, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f) {
		perror(path);
		return -1;
	}
	ok = fwrite(p, 1, len, f) == len;
	if (fclose(f))
		ok = false;
	if (!ok) {
		perror(path);
		return -1;
	}
	return 0;
}
