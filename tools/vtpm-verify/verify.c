// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-verify: checks 1 to 11 of Documentation/attestation.md, "What
 * vtpm-verify checks", in that order, on one bundle in memory.  The pure
 * code of the module (drivers/vtpm/lib) parses the bundle, replays the
 * view and checks the Merkle proof; the TSS2 MU library unmarshals the
 * TPM structures; OpenSSL verifies the signature.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/rsa.h>
#include <tss2/tss2_mu.h>

#include "command.h"
#include "ref.h"
#include "util.h"
#include "verify.h"

/* the initial value of a vPCR (PC Client): all ones for 17-22 */
#define VV_PCR_INIT_ONES	(0x7eUL << 16)

struct vv_ctx {
	const struct vtpm_verify_opts *o;
	struct vtpm_verify_result *res;
	TPMS_ATTEST attest;
	TPMT_SIGNATURE sig;
	struct vtpm_replay *replay;
	size_t room;		/* allocated events */
	bool created;		/* the instance's CREATE was applied */
	bool oom;
};

static int vv_fail(struct vtpm_verify_result *res, int status, int check,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int vv_fail(struct vtpm_verify_result *res, int status, int check,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
	va_end(ap);
	res->status = status;
	res->check = check;
	return status;
}

static const char *vv_alg(u16 alg)
{
	const char *name = vtpm_alg_name(alg);

	return name ? name : "unknown";
}

static const char *vv_scheme(u16 scheme)
{
	switch (scheme) {
	case TPM2_ALG_ECDSA:
		return "ecdsa";
	case TPM2_ALG_RSASSA:
		return "rsassa";
	case TPM2_ALG_RSAPSS:
		return "rsapss";
	case TPM2_ALG_ECDAA:
		return "ecdaa";
	case TPM2_ALG_SM2:
		return "sm2";
	case TPM2_ALG_ECSCHNORR:
		return "ecschnorr";
	case TPM2_ALG_HMAC:
		return "hmac";
	}
	return "unknown";
}

/* ---- check 1: the bundle parses ---------------------------------- */

static int vv_parse(struct vv_ctx *c, const u8 *buf, size_t len)
{
	struct vtpm_verify_result *res = c->res;
	const char *why = "unknown";
	size_t off = 0;

	if (len < VTPM_BUNDLE_MAGIC_SIZE ||
	    memcmp(buf, VTPM_BUNDLE_MAGIC, VTPM_BUNDLE_MAGIC_SIZE))
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_PARSE,
			       "not a bundle: it does not start with \"VTPMATT\\0\"");
	if (vtpm_bundle_parse(buf, len, &res->bundle, &why, &off))
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_PARSE,
			       "bundle: %s at offset %zu", why, off);
	return VTPM_VERIFY_TRUSTED;
}

/* ---- checks 2 and 3: the header is the one asked for ------------- */

static int vv_uuid(struct vv_ctx *c)
{
	char have[VV_UUID_STR_SIZE], want[VV_UUID_STR_SIZE];

	if (!c->o->uuid ||
	    !memcmp(c->o->uuid, c->res->bundle.uuid, VTPM_UUID_SIZE))
		return VTPM_VERIFY_TRUSTED;
	vv_uuid_format(c->res->bundle.uuid, have);
	vv_uuid_format(c->o->uuid, want);
	return vv_fail(c->res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_UUID,
		       "uuid mismatch: the bundle is of instance %s, not %s",
		       have, want);
}

static int vv_nonce(struct vv_ctx *c)
{
	const struct vtpm_bundle *b = &c->res->bundle;
	char have[2 * VTPM_NONCE_MAX + 1], want[2 * VTPM_NONCE_MAX + 1];

	if (b->nonce_len == c->o->nonce_len &&
	    !memcmp(b->nonce, c->o->nonce, b->nonce_len))
		return VTPM_VERIFY_TRUSTED;
	vv_hex_encode(b->nonce, b->nonce_len, have);
	vv_hex_encode(c->o->nonce, c->o->nonce_len, want);
	return vv_fail(c->res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_NONCE,
		       "nonce mismatch: the bundle answers nonce %s, not %s",
		       have, want);
}

/* ---- check 4: the AK signed the quote ---------------------------- */

/* the signature (r, s) as the DER ECDSA-Sig-Value OpenSSL verifies */
static int vv_ecdsa_der(const TPMS_SIGNATURE_ECC *e, u8 **der)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r, *s;
	int len = -1;

	r = BN_bin2bn(e->signatureR.buffer, e->signatureR.size, NULL);
	s = BN_bin2bn(e->signatureS.buffer, e->signatureS.size, NULL);
	if (es && r && s && ECDSA_SIG_set0(es, r, s)) {
		r = NULL;
		s = NULL;
		len = i2d_ECDSA_SIG(es, der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	return len;
}

static int vv_signature(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const struct vtpm_bundle *b = &res->bundle;
	const TPMT_SIGNATURE *sig = &c->sig;
	int type = EVP_PKEY_get_base_id(c->o->ak), ok = 0, len, pad = 0;
	const u8 *sigbytes;
	EVP_PKEY_CTX *pctx;
	const EVP_MD *md;
	EVP_MD_CTX *ctx;
	size_t off = 0;
	u8 *der = NULL;

	memset(&c->sig, 0, sizeof(c->sig));
	if (Tss2_MU_TPMT_SIGNATURE_Unmarshal(b->sig, b->sig_len, &off,
					     &c->sig))
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
			       "signature is not a TPMT_SIGNATURE");
	if (off != b->sig_len)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
			       "signature has %zu bytes after its TPMT_SIGNATURE",
			       b->sig_len - off);
	res->sig_alg = sig->sigAlg;
	switch (sig->sigAlg) {
	case TPM2_ALG_ECDSA:
		res->hash_alg = sig->signature.ecdsa.hash;
		if (type != EVP_PKEY_EC)
			goto mismatch;
		len = vv_ecdsa_der(&sig->signature.ecdsa, &der);
		if (len <= 0)
			return vv_fail(res, VTPM_VERIFY_INPUT,
				       VTPM_CHECK_SIGNATURE,
				       "signature: out of memory");
		sigbytes = der;
		break;
	case TPM2_ALG_RSASSA:
	case TPM2_ALG_RSAPSS:
		res->hash_alg = sig->signature.rsassa.hash;
		if (type != EVP_PKEY_RSA)
			goto mismatch;
		pad = sig->sigAlg == TPM2_ALG_RSASSA ? RSA_PKCS1_PADDING :
						       RSA_PKCS1_PSS_PADDING;
		sigbytes = sig->signature.rsassa.sig.buffer;
		len = sig->signature.rsassa.sig.size;
		break;
	default:
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
			       "signature scheme 0x%04x (%s) is not supported (ecdsa, rsassa, rsapss)",
			       sig->sigAlg, vv_scheme(sig->sigAlg));
	}
	md = vtpm_alg_name(res->hash_alg) ?
	     EVP_get_digestbyname(vtpm_alg_name(res->hash_alg)) : NULL;
	if (!md) {
		OPENSSL_free(der);
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
			       "signature hash 0x%04x is not supported (sha1, sha256, sha384, sha512)",
			       res->hash_alg);
	}
	if (c->o->skip_signature) {
		OPENSSL_free(der);
		return VTPM_VERIFY_TRUSTED;
	}
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestVerifyInit(ctx, &pctx, md, NULL, c->o->ak) == 1) {
		ok = 1;
		if (pad)
			ok = EVP_PKEY_CTX_set_rsa_padding(pctx, pad) > 0;
		if (ok && pad == RSA_PKCS1_PSS_PADDING)
			ok = EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx,
							      RSA_PSS_SALTLEN_AUTO) > 0 &&
			     EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) > 0;
		ok = ok && EVP_DigestVerify(ctx, sigbytes, len, b->attest,
					    b->attest_len) == 1;
	}
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ERR_clear_error();	/* what OpenSSL queued about a bad signature */
	if (!ok)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
			       "signature does not verify with the AK");
	return VTPM_VERIFY_TRUSTED;

mismatch:
	return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_SIGNATURE,
		       "signature scheme %s does not fit the AK (an %s key)",
		       vv_scheme(sig->sigAlg),
		       type == EVP_PKEY_EC ? "EC" :
		       type == EVP_PKEY_RSA ? "RSA" : "unsupported");
}

/* ---- check 5: the quote is a TPMS_ATTEST of a quote --------------- */

static int vv_attest(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const struct vtpm_bundle *b = &res->bundle;
	TPMS_ATTEST *a = &c->attest;
	size_t off = 0;
	u32 magic;
	u16 type;

	/* magic and type first, from the bytes: the most precise reason */
	if (b->attest_len < 6)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_ATTEST,
			       "attest: not a TPMS_ATTEST (%u bytes)",
			       b->attest_len);
	magic = get_unaligned_be32(b->attest);
	type = get_unaligned_be16(b->attest + 4);
	if (magic != TPM2_GENERATED_VALUE)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_ATTEST,
			       "attest: magic 0x%08x is not TPM_GENERATED_VALUE (0x%08x)",
			       magic, TPM2_GENERATED_VALUE);
	if (type != TPM2_ST_ATTEST_QUOTE)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_ATTEST,
			       "attest: type 0x%04x is not TPM_ST_ATTEST_QUOTE (0x%04x)",
			       type, TPM2_ST_ATTEST_QUOTE);
	memset(a, 0, sizeof(*a));
	if (Tss2_MU_TPMS_ATTEST_Unmarshal(b->attest, b->attest_len, &off, a) ||
	    a->magic != TPM2_GENERATED_VALUE || a->type != TPM2_ST_ATTEST_QUOTE)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_ATTEST,
			       "attest: not a TPMS_ATTEST");
	if (off != b->attest_len)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_ATTEST,
			       "attest: %zu bytes after the TPMS_ATTEST",
			       b->attest_len - off);
	res->clock = a->clockInfo.clock;
	res->reset_count = a->clockInfo.resetCount;
	res->restart_count = a->clockInfo.restartCount;
	res->safe = a->clockInfo.safe;
	res->firmware_version = a->firmwareVersion;
	return VTPM_VERIFY_TRUSTED;
}

/* ---- check 6: the view replays, and is of the bundle's instance --- */

static int vv_on_record(void *ctx, const struct vtpm_log_rec *r,
			const u8 *leaf, u64 batch, bool applied)
{
	struct vv_ctx *c = ctx;
	struct vtpm_verify_result *res = c->res;
	struct vtpm_verify_event *e;

	if (r->type == VTPM_REC_GENESIS || r->type == VTPM_REC_ABORT ||
	    memcmp(r->uuid, res->bundle.uuid, VTPM_UUID_SIZE))
		return 0;
	/* as the replay applies them: from an applied CREATE on */
	if (r->type == VTPM_REC_CREATE && applied) {
		c->created = true;
		res->index = r->create.index;
		memcpy(res->label, r->create.label, sizeof(res->label));
		res->label[VTPM_LABEL_MAX] = '\0';
	}
	if (res->nr_events == c->room) {
		size_t room = c->room ? 2 * c->room : 64;

		e = realloc(res->events, room * sizeof(*e));
		if (!e) {
			c->oom = true;
			return -ENOMEM;
		}
		res->events = e;
		c->room = room;
	}
	e = &res->events[res->nr_events++];
	memset(e, 0, sizeof(*e));
	e->seq = r->seq;
	e->batch = batch;
	e->type = r->type;
	e->pcr = r->pcr;
	e->count = r->count <= VTPM_MAX_BANKS ? r->count : VTPM_MAX_BANKS;
	memcpy(e->d, r->d, e->count * sizeof(e->d[0]));
	memcpy(e->leaf, leaf, VTPM_LEAF_SIZE);
	e->applied = applied && c->created;
	if (r->type == VTPM_REC_DESTROY && e->applied)
		c->created = false;
	return 0;
}

static int vv_view(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const struct vtpm_bundle *b = &res->bundle;
	char have[VV_UUID_STR_SIZE], want[VV_UUID_STR_SIZE];
	struct vtpm_replay *r;
	struct vtpm_tpm *t;
	u32 pcr;
	int ret;

	r = calloc(1, sizeof(*r));
	if (!r)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_VIEW,
			       "view: out of memory");
	c->replay = r;
	/* the tenant's state is sized by the banks: the most there can be */
	t = calloc(1, sizeof(*t) + VTPM_NUM_PCRS * VTPM_VERIFY_ROW_MAX);
	if (!t)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_VIEW,
			       "view: out of memory");
	/*
	 * A view, before anything is replayed: a full log swapped in by a
	 * relay could hold any number of instances in the clear, and its
	 * replay cost grows with them.  A view shows one instance only.
	 */
	{
		struct vtpm_log_header h;
		struct vtpm_banks banks = { 0 };
		const char *why;
		size_t off;
		struct tpm_rd rd;

		tpm_rd_init(&rd, b->view, b->view_len);
		if (!vtpm_log_rd_header(&rd, &h, &banks, &why, &off) &&
		    h.kind != VTPM_LOG_VIEW) {
			free(t);
			vv_uuid_format(b->uuid, want);
			return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
				       VTPM_CHECK_VIEW,
				       "view: a full log, not a view of instance %s",
				       want);
		}
	}
	memcpy(r->uuid, b->uuid, VTPM_UUID_SIZE);
	r->tenant = t;
	r->on_record = vv_on_record;
	r->ctx = c;
	ret = vtpm_log_replay(b->view, b->view_len, r);
	res->hw_pcr = r->hdr.hw_pcr;
	res->banks = r->banks;
	memcpy(res->pcr, r->pcr, sizeof(res->pcr));
	res->genesis = r->genesis;
	res->records = r->records;
	res->aborted = r->aborted;
	if (!ret && r->found) {
		for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++)
			memcpy(res->vpcr[pcr], t->pcr + pcr * r->banks.stride,
			       r->banks.stride);
	}
	free(t);
	r->tenant = NULL;
	if (c->oom)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_VIEW,
			       "view: out of memory");
	if (ret)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_VIEW,
			       "view: %s at offset %zu of the view",
			       r->why ? r->why : "replay failed", r->err_offset);
	vv_uuid_format(b->uuid, want);
	if (r->hdr.kind != VTPM_LOG_VIEW)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_VIEW,
			       "view: a full log, not a view of instance %s",
			       want);
	if (memcmp(r->hdr.uuid, b->uuid, VTPM_UUID_SIZE)) {
		vv_uuid_format(r->hdr.uuid, have);
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_VIEW,
			       "view: it is the view of instance %s, not of the bundle's instance %s",
			       have, want);
	}
	if (!r->found)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_VIEW,
			       "view: instance %s does not exist in it (no applied CREATE)",
			       want);
	res->destroyed = r->destroyed;
	return VTPM_VERIFY_TRUSTED;
}

/* ---- check 7: the view is of the PCR state quoted ----------------- */

static int vv_batches(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;

	if (c->replay->batches == res->bundle.batches)
		return VTPM_VERIFY_TRUSTED;
	return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_BATCHES,
		       "view covers %llu batches but the quote was taken after %llu",
		       (unsigned long long)c->replay->batches,
		       (unsigned long long)res->bundle.batches);
}

/* ---- check 8: the request is one the quote answered --------------- */

static int vv_merkle(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const struct vtpm_bundle *b = &res->bundle;
	const TPM2B_DATA *q = &c->attest.extraData;
	u8 value[VTPM_MERKLE_HASH_SIZE];
	int ret;

	ret = vtpm_attest_value(res->genesis.log_id, b->batches, b->uuid,
				&c->replay->hdr.commit, b->nonce, b->nonce_len,
				value);
	if (ret)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_MERKLE,
			       "Merkle proof: cannot compute the request value (%d)",
			       ret);
	if (q->size != VTPM_MERKLE_HASH_SIZE)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_MERKLE,
			       "Merkle proof cannot lead to the quote's qualifyingData: it has %u bytes, not %u",
			       q->size, VTPM_MERKLE_HASH_SIZE);
	ret = vtpm_merkle_verify(value, b->leaf_index, b->nr_leaves,
				 b->path[0], b->path_len, q->buffer);
	if (ret == -EINVAL)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_MERKLE,
			       "Merkle proof of %u nodes is not the length of a proof of request %u of %u",
			       b->path_len, b->leaf_index, b->nr_leaves);
	if (ret == -EBADMSG)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_MERKLE,
			       "Merkle proof does not lead to the quote's qualifyingData");
	if (ret)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_MERKLE,
			       "Merkle proof: hash failed (%d)", ret);
	return VTPM_VERIFY_TRUSTED;
}

/* ---- check 9: the quote selects the mux PCR in the view's banks --- */

static int vv_selection(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const TPML_PCR_SELECTION *sel = &c->attest.attested.quote.pcrSelect;
	u32 hw = res->hw_pcr, i, j, bank, seen = 0;

	for (i = 0; i < sel->count; i++) {
		const TPMS_PCR_SELECTION *s = &sel->pcrSelections[i];
		bool mux = false;

		u32 bits = 8 * min_t(u32, s->sizeofSelect,
				     sizeof(s->pcrSelect));

		for (j = 0; j < bits; j++) {
			if (!(s->pcrSelect[j / 8] & (1u << (j % 8))))
				continue;
			if (j != hw)
				return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
					       VTPM_CHECK_SELECTION,
					       "quote selects PCR %u %s, not the mux PCR %u",
					       j, vv_alg(s->hash), hw);
			mux = true;
		}
		if (!vtpm_pcr_selection_bank(&res->banks, s->hash, &bank))
			return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
				       VTPM_CHECK_SELECTION,
				       "quote selects bank 0x%04x (%s), which the view does not have",
				       s->hash, vv_alg(s->hash));
		if (seen & (1u << bank))
			return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
				       VTPM_CHECK_SELECTION,
				       "quote selects bank %s twice",
				       vv_alg(s->hash));
		seen |= 1u << bank;
		if (!mux)
			return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
				       VTPM_CHECK_SELECTION,
				       "quote does not select the mux PCR %u in bank %s",
				       hw, vv_alg(s->hash));
	}
	for (bank = 0; bank < res->banks.nr; bank++)
		if (!(seen & (1u << bank)))
			return vv_fail(res, VTPM_VERIFY_UNTRUSTED,
				       VTPM_CHECK_SELECTION,
				       "quote does not select the mux PCR %u in the view's bank %s",
				       hw, vv_alg(res->banks.bank[bank].alg));
	return VTPM_VERIFY_TRUSTED;
}

/* ---- check 10: the quoted PCR is the view's replay ---------------- */

static int vv_pcr_digest(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	const TPMS_QUOTE_INFO *q = &c->attest.attested.quote;
	struct vtpm_iov iov[VTPM_MAX_BANKS];
	u8 digest[VTPM_MAX_DIGEST_SIZE];
	u16 size = vtpm_alg_digest_size(res->hash_alg);
	u32 i, bank = 0;
	int ret;

	if (q->pcrDigest.size != size)
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_PCR_DIGEST,
			       "quoted PCR digest has %u bytes, not the %u of the signature's hash %s",
			       q->pcrDigest.size, size, vv_alg(res->hash_alg));
	/* check 9 made the selection the view's banks, each once */
	for (i = 0; i < q->pcrSelect.count; i++) {
		vtpm_pcr_selection_bank(&res->banks,
					q->pcrSelect.pcrSelections[i].hash,
					&bank);
		iov[i].p = res->pcr[bank];
		iov[i].len = res->banks.bank[bank].size;
	}
	ret = vtpm_plat_hashv(res->hash_alg, iov, q->pcrSelect.count, digest);
	if (ret)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_PCR_DIGEST,
			       "quoted PCR digest: hash failed (%d)", ret);
	if (memcmp(digest, q->pcrDigest.buffer, size))
		return vv_fail(res, VTPM_VERIFY_UNTRUSTED, VTPM_CHECK_PCR_DIGEST,
			       "quoted PCR digest does not match the replay of the view");
	return VTPM_VERIFY_TRUSTED;
}

/* ---- check 11: the reference values -------------------------------- */

static int vv_ref(struct vv_ctx *c)
{
	struct vtpm_verify_result *res = c->res;
	int ret;

	if (!c->o->ref)
		return VTPM_VERIFY_TRUSTED;
	ret = vtpm_ref_check(c->o->ref, res, res->reason, sizeof(res->reason));
	if (ret != VTPM_VERIFY_TRUSTED) {
		res->status = ret;
		res->check = VTPM_CHECK_REF;
	}
	return ret;
}

int vtpm_verify(const struct vtpm_verify_opts *o, const u8 *bundle,
		size_t len, struct vtpm_verify_result *res)
{
	static int (* const checks[])(struct vv_ctx *c) = {
		vv_uuid, vv_nonce, vv_signature, vv_attest, vv_view,
		vv_batches, vv_merkle, vv_selection, vv_pcr_digest, vv_ref,
	};
	struct vv_ctx *c;
	size_t i;
	int ret;

	memset(res, 0, sizeof(*res));
	if (!o->ak || !o->nonce || !o->nonce_len ||
	    o->nonce_len > VTPM_NONCE_MAX)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_NONE,
			       "no AK or no nonce of 1..64 bytes");
	c = calloc(1, sizeof(*c));
	if (!c)
		return vv_fail(res, VTPM_VERIFY_INPUT, VTPM_CHECK_NONE,
			       "out of memory");
	c->o = o;
	c->res = res;
	ret = vv_parse(c, bundle, len);
	for (i = 0; ret == VTPM_VERIFY_TRUSTED && i < ARRAY_SIZE(checks); i++)
		ret = checks[i](c);
	free(c->replay);
	free(c);
	return ret;
}

void vtpm_verify_result_free(struct vtpm_verify_result *res)
{
	free(res->events);
	res->events = NULL;
	res->nr_events = 0;
}

bool vtpm_verify_vpcr_initial(const struct vtpm_verify_result *res, u32 pcr,
			      u32 bank)
{
	const u8 *v = vtpm_verify_vpcr(res, pcr, bank);
	u8 init = (VV_PCR_INIT_ONES & (1UL << pcr)) ? 0xff : 0;
	u16 i;

	for (i = 0; i < res->banks.bank[bank].size; i++)
		if (v[i] != init)
			return false;
	return true;
}

static void vv_report_event(FILE *f, const struct vtpm_verify_event *e)
{
	u32 i;

	fprintf(f, "  seq %llu batch %llu ", (unsigned long long)e->seq,
		(unsigned long long)e->batch);
	if (e->pcr < VTPM_NUM_PCRS)
		fprintf(f, "vpcr %u ", e->pcr);
	else
		fprintf(f, "vpcr - ");
	fprintf(f, "%s", vtpm_rec_type_name(e->type));
	if (!e->count)
		fprintf(f, " -");
	for (i = 0; i < e->count; i++) {
		fprintf(f, " %s:", vv_alg(e->d[i].alg));
		vv_hex_print(f, e->d[i].digest,
			     vtpm_alg_digest_size(e->d[i].alg));
	}
	fprintf(f, " %s\n", e->applied ? "applied" : "voided");
}

void vtpm_verify_report(FILE *f, const struct vtpm_verify_result *res)
{
	const struct vtpm_bundle *b = &res->bundle;
	char uuid[VV_UUID_STR_SIZE];
	u32 pcr, bank, changed = 0;
	size_t i;

	vv_uuid_format(b->uuid, uuid);
	fprintf(f, "TRUSTED\n");
	fprintf(f, "instance: %s index %u label \"%s\"%s\n", uuid, res->index,
		res->label, res->destroyed ? " (destroyed)" : "");
	fprintf(f, "log position: %llu batches, %llu records (log id ",
		(unsigned long long)b->batches,
		(unsigned long long)res->records);
	vv_hex_print(f, res->genesis.log_id, sizeof(res->genesis.log_id));
	fprintf(f, ", mux PCR %u, %llu batches voided)\n", res->hw_pcr,
		(unsigned long long)res->aborted);
	fprintf(f, "tpm clock: clock %llu resetCount %u restartCount %u safe %s\n",
		(unsigned long long)res->clock, res->reset_count,
		res->restart_count, res->safe ? "yes" : "no");
	if (res->reset_count != res->genesis.reset_count)
		fprintf(f, "note: the quote's resetCount differs from the log's genesis record (%u): obfuscated by the TPM, or another boot\n",
			res->genesis.reset_count);
	fprintf(f, "quote: signed with %s/%s, answered %u requests (this one: %u)\n",
		vv_scheme(res->sig_alg), vv_alg(res->hash_alg),
		b->nr_leaves, b->leaf_index);
	fprintf(f, "vpcrs not at their initial value:\n");
	for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++) {
		for (bank = 0; bank < res->banks.nr; bank++) {
			if (vtpm_verify_vpcr_initial(res, pcr, bank))
				continue;
			fprintf(f, "  vpcr %u %s ", pcr,
				vv_alg(res->banks.bank[bank].alg));
			vv_hex_print(f, vtpm_verify_vpcr(res, pcr, bank),
				     res->banks.bank[bank].size);
			fprintf(f, "\n");
			changed++;
		}
	}
	if (!changed)
		fprintf(f, "  none\n");
	fprintf(f, "events: %zu\n", res->nr_events);
	for (i = 0; i < res->nr_events; i++)
		vv_report_event(f, &res->events[i]);
}
