// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation (Documentation/attestation.md) against the hardware TPM:
 * bundles from VTPM_IOC_ATTEST (/dev/vtpmN) and VTPM_MUX_IOC_ATTEST (the
 * control device), checked the way a verifier checks them, with values
 * computed here: OpenSSL for every hash and the signature, the test's own
 * parsing of the bundle, the TPMS_ATTEST, the TPMT_SIGNATURE, the AK's
 * TPM2B_PUBLIC and the genesis record, its own RFC 6962 Merkle tree, and
 * the two replays of vtpm_mlog.c (the module's mlog.c and the independent
 * walk).  The module's bundle parser (lib/bundle.c) is only run to check
 * that it splits every bundle at the offsets found by hand.
 *
 *	abi		-EINVAL for size, flags, reserved fields, nonce_len
 *			0 and 65; -ENOSPC with the size needed, then a retry
 *			that fits; -EFAULT; -ENODEV (no such index, a
 *			destroyed instance's open fd); -EPERM for an
 *			unprivileged user on the control device while its
 *			own /dev/vtpmN attests it; an O_RDONLY fd attests;
 *			-ENOTTY across devices.
 *			status says "attestation ok", and its counters
 *			`quotes` and `attestations` grow by exactly the
 *			requests this test made
 *	ak_files	ak.pub, ak.name and ak.pem describe the same key:
 *			name = 000b || SHA-256(TPMT_PUBLIC), the documented
 *			template (default AK), the PEM's point is the
 *			TPMT_PUBLIC's
 *	honest_bundle	one instance with extends, attested through both
 *			paths; every field of each bundle against what the
 *			test knows or computes: uuid (INFO), nonce, batches
 *			and view (VTPM_IOC_GET_LOG just before and after),
 *			nr_leaves 1 and no path, extraData = the RFC 6962
 *			leaf of the request value (log_id from the view's
 *			genesis record), the selection (every bank of the
 *			hardware TPM, only the mux PCR), pcrDigest = SHA-256
 *			of the mux PCR read from /dev/tpmrm0 just after and
 *			of the view's replay, the ECDSA signature with
 *			ak.pem, the qualified signer, the clock; the
 *			instance's vPCRs reconstructed from the view equal an
 *			OpenSSL model; the view header's commitment (log
 *			version 2) is the one computed here from the view's
 *			records of the instance and from the full log, and
 *			the request value's.  Tampered copies must fail the
 *			checks: a flipped bit anywhere, bundle or log version
 *			1, a record of the instance shown as a leaf (rule 9),
 *			with the commitment rewritten to match (Merkle)
 *	batching	64 threads on 64 instances attest at once while 16
 *			threads extend: bundles that share a quote carry the
 *			same quote and batches, one leaf each, proofs to its
 *			extraData (and a Merkle root recomputed here); every
 *			view replays to the quoted digest; fewer quotes than
 *			requests, as status counts them.  The first view of
 *			each log position is replayed in full (both replays
 *			of vtpm_mlog.c), the others are checked leaf for leaf
 *			against it (ATTEST_FULL_REPLAY=1: all in full); see
 *			"struct ref_view".  Every view's header commits to
 *			its instance's records in the full log
 *	acked_changes_in_view  while a thread extends, the changes it had
 *			acknowledged before a request are in that bundle's
 *			view, in order, and nothing it had not yet sent; the
 *			view's commitment is the full log's
 *
 * Run as root with vtpm_mux loaded and nothing else using it (the
 * counters and the GET_LOG comparisons assume so).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "vtpm_mlog.h"
#include "vtpm_crypto.h"
#include "bundle.h"		/* drivers/vtpm/lib: only to cross-check */
#include "kselftest_harness.h"

/* TPM 2.0 (TCG Part 2) */
#define TPM_GENERATED_VALUE	0xff544347u
#define ST_ATTEST_QUOTE		0x8018
#define ALG_NULL		0x0010
#define ALG_ECDSA		0x0018
#define ALG_ECC			0x0023
#define ECC_NIST_P256		0x0003
#define RH_ENDORSEMENT		0x4000000Bu
#define CC_GetCapability	0x17A
#define CAP_PCRS		0x00000005u

/* Documentation/attestation.md */
#define AK_ATTRS		0x00050072u
#define BUNDLE_MAGIC		"VTPMATT"	/* 8 bytes with the NUL */
#define BUNDLE_VERSION		2
#define ATTEST_DOMAIN		"vtpm-mux attest v2"	/* 18 bytes */
#define NONCE_MAX		64

/* Documentation/log-format.md */
#define REC_EXTEND		1
#define REC_GENESIS		16

#define SECFS_AK_PEM		SECFS_DIR "/ak.pem"
#define SECFS_AK_PUB		SECFS_DIR "/ak.pub"
#define SECFS_AK_NAME		SECFS_DIR "/ak.name"

#define NOBODY			65534
#define MAX_INSTS		96
#define BUNDLE_OVERHEAD		(64 * 1024)	/* a bundle's size beyond its view */

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- bytes and hashes ---------------------------------------------------- */


struct part {
	const void *p;
	size_t n;
};

static void sha256v(const struct part *parts, int n, uint8_t out[32])
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);

	for (int i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, parts[i].p, parts[i].n);
	if (!ok || !EVP_DigestFinal_ex(ctx, out, NULL))
		memset(out, 0, 32);	/* fails every comparison */
	EVP_MD_CTX_free(ctx);
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (56 - 8 * i);
}

/*
 * The request value: SHA-256("vtpm-mux attest v2" || log_id[16] ||
 * u64 batches || uuid[16] || u64 records || chain[32] || u8 nonce_len ||
 * nonce), (records, chain) the instance's commitment at the cut.
 */
static void attest_value(const uint8_t log_id[16], uint64_t batches,
			 const uint8_t uuid[16],
			 const struct vtpm_log_commit *c,
			 const uint8_t *nonce, unsigned int nlen,
			 uint8_t out[32])
{
	uint8_t be[8], ber[8], l = nlen;
	struct part p[] = {
		{ ATTEST_DOMAIN, 18 }, { log_id, 16 }, { be, 8 }, { uuid, 16 },
		{ ber, 8 }, { c->chain, 32 }, { &l, 1 }, { nonce, nlen },
	};

	put_be64(be, batches);
	put_be64(ber, c->records);
	sha256v(p, ARRAY_LEN(p), out);
}

/* ---- RFC 6962 ------------------------------------------------------------ */

static void mt_leaf(const uint8_t v[32], uint8_t out[32])
{
	static const uint8_t zero;
	struct part p[] = { { &zero, 1 }, { v, 32 } };

	sha256v(p, 2, out);
}

static void mt_node(const uint8_t l[32], const uint8_t r[32], uint8_t out[32])
{
	static const uint8_t one = 1;
	uint8_t tmp[32];
	struct part p[] = { { &one, 1 }, { l, 32 }, { r, 32 } };

	sha256v(p, 3, tmp);
	memcpy(out, tmp, 32);
}

/* MTH(D[n]) of RFC 6962 2.1, recursively: split at the largest 2^k < n */
static void mt_root(const uint8_t (*v)[32], uint32_t n, uint8_t out[32])
{
	uint8_t l[32], r[32];
	uint32_t k = 1;

	if (n == 1) {
		mt_leaf(v[0], out);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mt_root(v, k, l);
	mt_root(v + k, n - k, r);
	mt_node(l, r, out);
}

/* inclusion proof verification of RFC 9162 2.1.3.2 */
static bool mt_verify(const uint8_t leaf[32], uint32_t index, uint32_t size,
		      const uint8_t *path, unsigned int plen,
		      const uint8_t root[32])
{
	uint64_t fn = index, sn;
	uint8_t r[32];

	if (!size || index >= size)
		return false;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (unsigned int i = 0; i < plen; i++) {
		const uint8_t *p = path + 32 * i;

		if (sn == 0)
			return false;
		if ((fn & 1) || fn == sn) {
			mt_node(p, r, r);
			while (!(fn & 1) && fn) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			mt_node(r, p, r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	return sn == 0 && !memcmp(r, root, 32);
}

/* ---- the bundle, by hand ------------------------------------------------- */

/* its fields, and where each begins */
struct hb {
	size_t o_uuid, o_batches, o_nonce_len, o_leaf, o_path_len;
	size_t o_attest_len, o_sig_len, o_view_len;
	uint8_t uuid[16];
	uint64_t batches;
	uint8_t nonce_len;
	const uint8_t *nonce;
	uint32_t leaf_index, nr_leaves;
	uint8_t path_len;
	const uint8_t *path;
	uint16_t attest_len, sig_len;
	const uint8_t *attest, *sig;
	uint32_t view_len;
	const uint8_t *view;
};

static const char *hb_parse(const uint8_t *b, size_t len, struct hb *h)
{
	struct rd r = { .p = b, .len = len };
	const uint8_t *q;

	memset(h, 0, sizeof(*h));
	q = rd_bytes(&r, 8);
	if (!q || memcmp(q, BUNDLE_MAGIC, 8))
		return "magic is not VTPMATT\\0";
	if (rd_be(&r, 2) != BUNDLE_VERSION)
		return "version is not 2";
	if (rd_be(&r, 2) != 0 || r.err)
		return "reserved is not 0";
	h->o_uuid = r.pos;
	q = rd_bytes(&r, 16);
	if (!q)
		return "truncated in uuid";
	memcpy(h->uuid, q, 16);
	h->o_batches = r.pos;
	h->batches = rd_be(&r, 8);
	h->o_nonce_len = r.pos;
	h->nonce_len = rd_be(&r, 1);
	if (r.err || !h->nonce_len || h->nonce_len > NONCE_MAX)
		return "nonce_len not 1..64";
	h->nonce = rd_bytes(&r, h->nonce_len);
	h->o_leaf = r.pos;
	h->leaf_index = rd_be(&r, 4);
	h->nr_leaves = rd_be(&r, 4);
	if (r.err || !h->nr_leaves || h->nr_leaves > 65536 ||
	    h->leaf_index >= h->nr_leaves)
		return "leaf_index or nr_leaves out of range";
	h->o_path_len = r.pos;
	h->path_len = rd_be(&r, 1);
	if (r.err || h->path_len > 16)
		return "path_len above 16";
	h->path = rd_bytes(&r, 32 * (size_t)h->path_len);
	h->o_attest_len = r.pos;
	h->attest_len = rd_be(&r, 2);
	h->attest = rd_bytes(&r, h->attest_len);
	if (r.err || !h->attest_len || h->attest_len > 1024)
		return "attest missing, truncated or above 1024 bytes";
	h->o_sig_len = r.pos;
	h->sig_len = rd_be(&r, 2);
	h->sig = rd_bytes(&r, h->sig_len);
	if (r.err || !h->sig_len || h->sig_len > 1024)
		return "sig missing, truncated or above 1024 bytes";
	h->o_view_len = r.pos;
	h->view_len = rd_be(&r, 4);
	h->view = rd_bytes(&r, h->view_len);
	if (r.err || !h->view_len)
		return "view missing or truncated";
	if (r.pos != len)
		return "bytes after the view";
	/* the fixed part, as the table in attestation.md lays it out */
	if (h->o_uuid != 12 || h->o_batches != 28 || h->o_nonce_len != 36)
		return "fixed offsets";
	return NULL;
}

/* the module's parser must split it exactly where hb_parse() did */
static void hb_cross_check(const uint8_t *b, size_t len, const struct hb *h,
			   char *why, size_t wlen)
{
	struct vtpm_bundle mb;
	const char *mwhy = NULL;
	size_t off = 0;
	int ret;

	why[0] = '\0';
	ret = vtpm_bundle_parse(b, len, &mb, &mwhy, &off);
	if (ret) {
		snprintf(why, wlen, "lib/bundle.c refuses it: %d (%s at %zu)",
			 ret, mwhy ? mwhy : "?", off);
		return;
	}
	if (memcmp(mb.uuid, h->uuid, 16) || mb.batches != h->batches ||
	    mb.nonce_len != h->nonce_len ||
	    memcmp(mb.nonce, h->nonce, h->nonce_len) ||
	    mb.leaf_index != h->leaf_index || mb.nr_leaves != h->nr_leaves ||
	    mb.path_len != h->path_len ||
	    memcmp(mb.path, h->path, 32 * (size_t)h->path_len) ||
	    mb.attest != b + h->o_attest_len + 2 ||
	    mb.attest_len != h->attest_len ||
	    mb.sig != b + h->o_sig_len + 2 || mb.sig_len != h->sig_len ||
	    mb.view != b + h->o_view_len + 4 || mb.view_len != h->view_len)
		snprintf(why, wlen, "lib/bundle.c splits it elsewhere than the hand parse");
}

/* ---- TPMS_ATTEST and TPMT_SIGNATURE ----------------------------------------- */

struct quote {
	uint32_t magic;
	uint16_t type;
	const uint8_t *signer;
	uint16_t signer_len;
	const uint8_t *extra;
	uint16_t extra_len;
	uint64_t clock;
	uint32_t reset_count, restart_count;
	uint8_t safe;
	uint64_t fw;
	uint32_t nsel;
	uint16_t sel_alg[VTPM_MAX_BANKS];
	uint8_t sel_size[VTPM_MAX_BANKS];
	uint32_t sel_bits[VTPM_MAX_BANKS];
	const uint8_t *pcr_digest;
	uint16_t pcr_digest_len;
};

static const char *quote_parse(const uint8_t *a, size_t len, struct quote *q)
{
	struct rd r = { .p = a, .len = len };

	memset(q, 0, sizeof(*q));
	q->magic = rd_be(&r, 4);
	q->type = rd_be(&r, 2);
	q->signer_len = rd_be(&r, 2);
	q->signer = rd_bytes(&r, q->signer_len);
	q->extra_len = rd_be(&r, 2);
	q->extra = rd_bytes(&r, q->extra_len);
	q->clock = rd_be(&r, 8);
	q->reset_count = rd_be(&r, 4);
	q->restart_count = rd_be(&r, 4);
	q->safe = rd_be(&r, 1);
	q->fw = rd_be(&r, 8);
	if (r.err)
		return "TPMS_ATTEST truncated";
	if (q->magic != TPM_GENERATED_VALUE)
		return "magic is not TPM_GENERATED_VALUE";
	if (q->type != ST_ATTEST_QUOTE)
		return "type is not TPM_ST_ATTEST_QUOTE";
	q->nsel = rd_be(&r, 4);
	if (q->nsel > VTPM_MAX_BANKS)
		return "more selections than banks";
	for (uint32_t i = 0; i < q->nsel; i++) {
		const uint8_t *s;

		q->sel_alg[i] = rd_be(&r, 2);
		q->sel_size[i] = rd_be(&r, 1);
		if (q->sel_size[i] > 4)
			return "sizeofSelect above 4";
		s = rd_bytes(&r, q->sel_size[i]);
		for (unsigned int j = 0; s && j < q->sel_size[i]; j++)
			q->sel_bits[i] |= (uint32_t)s[j] << (8 * j);
	}
	q->pcr_digest_len = rd_be(&r, 2);
	q->pcr_digest = rd_bytes(&r, q->pcr_digest_len);
	if (r.err)
		return "TPMS_QUOTE_INFO truncated";
	if (r.pos != len)
		return "bytes after TPMS_QUOTE_INFO";
	return NULL;
}

/* an ECDSA/SHA-256 TPMT_SIGNATURE over msg, with the key pk */
static const char *sig_verify(EVP_PKEY *pk, const uint8_t *msg, size_t mlen,
			      const uint8_t *sig, size_t slen)
{
	struct rd r = { .p = sig, .len = slen };
	const uint8_t *R, *S;
	unsigned int rlen, sl;
	ECDSA_SIG *es = NULL;
	BIGNUM *br = NULL, *bs = NULL;
	unsigned char *der = NULL;
	EVP_MD_CTX *ctx = NULL;
	const char *why = NULL;
	int dlen;

	if (rd_be(&r, 2) != ALG_ECDSA)
		return "sigAlg is not TPM_ALG_ECDSA";
	if (rd_be(&r, 2) != ALG_SHA256)
		return "hash is not TPM_ALG_SHA256";
	rlen = rd_be(&r, 2);
	R = rd_bytes(&r, rlen);
	sl = rd_be(&r, 2);
	S = rd_bytes(&r, sl);
	if (r.err || !rlen || !sl)
		return "TPMS_SIGNATURE_ECDSA truncated";
	if (r.pos != slen)
		return "bytes after the signature";
	es = ECDSA_SIG_new();
	br = BN_bin2bn(R, rlen, NULL);
	bs = BN_bin2bn(S, sl, NULL);
	if (!es || !br || !bs || !ECDSA_SIG_set0(es, br, bs)) {
		BN_free(br);
		BN_free(bs);
		why = "OpenSSL: ECDSA_SIG";
		goto out;
	}
	dlen = i2d_ECDSA_SIG(es, &der);
	ctx = EVP_MD_CTX_new();
	if (dlen <= 0 || !ctx ||
	    EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, pk) != 1) {
		why = "OpenSSL: verify init";
		goto out;
	}
	if (EVP_DigestVerify(ctx, der, dlen, msg, mlen) != 1)
		why = "does not verify with ak.pem";
out:
	EVP_MD_CTX_free(ctx);
	OPENSSL_free(der);
	ECDSA_SIG_free(es);
	return why;
}

/* ---- the view ------------------------------------------------------------ */

/* the genesis record of a view (batch 0), parsed here */
struct genesis {
	bool seen;
	const char *why;
	uint32_t hw_pcr;
	unsigned int nb;
	uint16_t algs[VTPM_MAX_BANKS];
	uint32_t reset_count, restart_count;
	uint64_t clock;
	uint8_t log_id[16];
};

static int genesis_entry(void *ctx, const struct walk_entry *e)
{
	struct genesis *g = ctx;
	struct rd r;
	const uint8_t *id;
	size_t xlen;

	if (e->batch != 0)
		return 0;
	g->why = "batch 0 is not one clear GENESIS record";
	if (e->form != VTPM_ENTRY_CLEAR || e->blen < 33 || e->body[0] != 1 ||
	    e->body[1] != REC_GENESIS || e->body[30] != 0)
		return -EPROTO;
	/* version, type, seq, uuid, pcr, count 0, then u16 xlen and x */
	xlen = get_be16(e->body + 31);
	g->why = "GENESIS x malformed";
	if (33 + xlen != e->blen)
		return -EPROTO;
	r = (struct rd){ .p = e->body + 33, .len = xlen };
	g->hw_pcr = rd_be(&r, 4);
	g->nb = rd_be(&r, 1);
	if (!g->nb || g->nb > VTPM_MAX_BANKS)
		return -EPROTO;
	for (unsigned int i = 0; i < g->nb; i++) {
		const struct alg_desc *a;

		g->algs[i] = rd_be(&r, 2);
		a = alg_by_id(g->algs[i]);
		if (!a)
			return -EPROTO;
		rd_bytes(&r, a->size);
	}
	g->reset_count = rd_be(&r, 4);
	g->restart_count = rd_be(&r, 4);
	g->clock = rd_be(&r, 8);
	id = rd_bytes(&r, 16);
	if (r.err || r.pos != xlen)
		return -EPROTO;
	memcpy(g->log_id, id, 16);
	g->seen = true;
	g->why = NULL;
	return 0;
}

/* ---- what the test knows ------------------------------------------------- */

struct env {
	EVP_PKEY *ak;
	bool default_ak;
	uint8_t ak_name[2 + 32];
	unsigned int pcr;		/* the mux PCR */
	unsigned int nbanks;		/* of the hardware TPM, its order */
	uint16_t algs[VTPM_MAX_BANKS];
	unsigned int sizes[VTPM_MAX_BANKS];
	struct vtpm_replay *r;
	struct refs *refs;		/* views replayed in full */
};

/* the active PCR banks of the hardware TPM: TPM2_GetCapability(PCRS) */
static long hw_banks(struct env *e)
{
	uint8_t cmd[22], resp[512];
	struct rd r;
	uint32_t count;
	size_t n;
	long rc;

	put_be16(cmd, ST_NO_SESSIONS);
	put_be32(cmd + 2, sizeof(cmd));
	put_be32(cmd + 6, CC_GetCapability);
	put_be32(cmd + 10, CAP_PCRS);
	put_be32(cmd + 14, 0);
	put_be32(cmd + 18, 1);
	rc = hw_xfer(cmd, sizeof(cmd), resp, sizeof(resp), 30000, &n);
	if (rc)
		return rc;
	r = (struct rd){ .p = resp + 10, .len = n - 10 };
	rd_be(&r, 1);			/* moreData */
	if (rd_be(&r, 4) != CAP_PCRS)
		return -EPROTO;
	count = rd_be(&r, 4);
	e->nbanks = 0;
	for (uint32_t i = 0; i < count && !r.err; i++) {
		uint16_t alg = rd_be(&r, 2);
		unsigned int sz = rd_be(&r, 1);
		const uint8_t *s = rd_bytes(&r, sz);
		bool any = false;

		for (unsigned int j = 0; s && j < sz; j++)
			any |= s[j] != 0;
		if (!any)
			continue;	/* allocated to no PCR */
		if (e->nbanks == VTPM_MAX_BANKS || !alg_by_id(alg))
			return -EPROTO;
		e->algs[e->nbanks] = alg;
		e->sizes[e->nbanks++] = alg_by_id(alg)->size;
	}
	return r.err || !e->nbanks ? -EPROTO : 0;
}

/* SHA-256 of PCR values (per bank of e, in its order) concatenated */
static void pcr_digest(const struct env *e, uint8_t vals[][64], uint8_t out[32])
{
	struct part p[VTPM_MAX_BANKS];

	for (unsigned int i = 0; i < e->nbanks; i++)
		p[i] = (struct part){ vals[i], e->sizes[i] };
	sha256v(p, e->nbanks, out);
}

/*
 * Replaying a view costs time in proportion to the whole log (every batch
 * digest in every bank, twice), and many bundles carry views of one log
 * position.  The first view of a position that verifies is replayed in
 * full, by both replays of vtpm_mlog.c, and kept with its leaf sequence as
 * the reference of that position.  Every later view of the position is
 * walked here: its header, batch numbers and sizes and every leaf (given,
 * or computed with OpenSSL from a clear entry) must be the reference's, so
 * it replays to the very same mux PCR values.  ATTEST_FULL_REPLAY=1 in the
 * environment replays every view in full instead.
 */
#define NREFS		4
/* a view's header (log version 2): ... uuid, batches, records, chain */
#define VIEW_HDR_TAIL	(16 + 8 + 8 + 8 + 32)
#define VIEW_HDR_MAX	(8 + 2 + 2 + 4 + 1 + 2 * VTPM_MAX_BANKS + VIEW_HDR_TAIL)
#define REC_CREATE	17
#define REC_DESTROY	18

struct ref_view {
	uint64_t batches;
	size_t hdr_len;
	uint8_t hdr[VIEW_HDR_MAX];	/* with uuid and commitment zeroed */
	struct walk w;			/* banks and the replayed PCR */
	uint32_t *batch_n;		/* entries of each batch */
	uint8_t (*leaves)[32];
	uint64_t nleaves, cap;
	bool bad;			/* out of memory while collecting */
};

struct refs {
	struct ref_view *v[NREFS];
	unsigned int next;
	bool full_replay;
	unsigned int full, cheap;	/* views checked each way */
};

static void ref_free(struct ref_view *r)
{
	if (!r)
		return;
	free(r->batch_n);
	free(r->leaves);
	free(r);
}

static void refs_free(struct refs *rs)
{
	for (unsigned int i = 0; rs && i < NREFS; i++)
		ref_free(rs->v[i]);
	free(rs);
}

static struct ref_view *ref_find(const struct refs *rs, uint64_t batches)
{
	for (unsigned int i = 0; i < NREFS; i++)
		if (rs->v[i] && rs->v[i]->batches == batches)
			return rs->v[i];
	return NULL;
}

static void ref_keep(struct refs *rs, struct ref_view *r)
{
	ref_free(rs->v[rs->next]);
	rs->v[rs->next] = r;
	rs->next = (rs->next + 1) % NREFS;
}

/* the header's length, from its bank count; 0 if it cannot be one */
static size_t view_hdr_len(const uint8_t *v, size_t len)
{
	size_t n;

	if (len < 17 || !v[16] || v[16] > VTPM_MAX_BANKS)
		return 0;
	n = 17 + 2 * (size_t)v[16] + VIEW_HDR_TAIL;
	return n <= len ? n : 0;
}

/* where a view header of hl bytes has its uuid and its commitment */
static size_t view_hdr_uuid(size_t hl) { return hl - VIEW_HDR_TAIL; }
static size_t view_hdr_commit(size_t hl) { return hl - 40; }

/* the header as every view of its log position has it: no uuid, no commitment */
static void view_hdr_mask(uint8_t *hdr, size_t hl)
{
	memset(hdr + view_hdr_uuid(hl), 0, 16);
	memset(hdr + view_hdr_commit(hl), 0, 40);
}

/* what a full replay's walk sees of every entry */
struct full_ctx {
	struct genesis *g;
	struct ref_view *ref;
	int (*extra)(void *ctx, const struct walk_entry *e);
	void *extra_ctx;
};

static int full_entry(void *ctx, const struct walk_entry *e)
{
	struct full_ctx *c = ctx;
	struct ref_view *r = c->ref;
	int ret = genesis_entry(c->g, e);

	if (ret)
		return ret;
	if (r && !r->bad) {
		if (r->nleaves == r->cap) {
			uint64_t cap = r->cap ? 2 * r->cap : 4096;
			void *l = realloc(r->leaves, cap * 32);

			if (!l) {
				r->bad = true;
				goto extra;
			}
			r->leaves = l;
			r->cap = cap;
		}
		memcpy(r->leaves[r->nleaves++], e->leaf, 32);
		if (e->batch >= r->batches)
			r->bad = true;		/* more than the bundle says */
		else if (e->index == 0)
			r->batch_n[e->batch] = e->n;
	}
extra:
	return c->extra ? c->extra(c->extra_ctx, e) : 0;
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/*
 * A view of instance uuid against the reference of its log position (see
 * above); the genesis record parsed into g.  NULL or what is wrong.
 */
static const char *view_vs_ref(const struct ref_view *ref, const uint8_t *v,
			       size_t len, const uint8_t uuid[16],
			       struct genesis *g, struct vtpm_log_commit *mine,
			       int (*extra)(void *ctx, const struct walk_entry *e),
			       void *extra_ctx)
{
	static const char leaf_dom[] = "vtpm-mux leaf v1";
	static const uint8_t zero[16];
	struct rd r = { .p = v, .len = len };
	uint8_t hdr[VIEW_HDR_MAX], leaf[32];
	size_t hl = view_hdr_len(v, len);
	bool found = false, destroyed = false;
	uint64_t pos = 0;

	memset(mine, 0, sizeof(*mine));
	if (hl != ref->hdr_len)
		return "its header is not the reference view's";
	memcpy(hdr, v, hl);
	if (memcmp(hdr + view_hdr_uuid(hl), uuid, 16))
		return "its header names another instance";
	view_hdr_mask(hdr, hl);
	if (memcmp(hdr, ref->hdr, hl))
		return "its header is not the reference view's";
	r.pos = hl;
	for (uint64_t b = 0; b < ref->batches; b++) {
		uint32_t n;

		if (rd_be(&r, 8) != b)
			return "a batch number out of order";
		n = rd_be(&r, 4);
		if (r.err || n != ref->batch_n[b])
			return "a batch of another size than in the reference view";
		for (uint32_t i = 0; i < n; i++, pos++) {
			struct walk_entry e = {
				.batch = b, .index = i, .n = n, .offset = r.pos,
			};
			const uint8_t *salt;

			e.form = rd_be(&r, 1);
			if (e.form == VTPM_ENTRY_LEAF) {
				e.leaf = rd_bytes(&r, 32);
			} else if (e.form == VTPM_ENTRY_CLEAR) {
				salt = rd_bytes(&r, 32);
				e.tag = rd_bytes(&r, 32);
				e.blen = rd_be(&r, 2);
				e.body = rd_bytes(&r, e.blen);
				if (r.err)
					return "truncated";
				if (e.blen < 31)
					return "a record body shorter than 31 bytes";
				{
					struct part p[] = {
						{ leaf_dom, 16 }, { salt, 32 },
						{ e.tag, 32 }, { e.body, e.blen },
					};

					sha256v(p, 4, leaf);
				}
				e.leaf = leaf;
				if (get_be64(e.body + 2) != pos)
					return "a record whose seq is not its position";
				if (!memcmp(body_uuid(e.body), uuid, 16)) {
					found |= body_type(e.body) == REC_CREATE;
					destroyed |= body_type(e.body) == REC_DESTROY;
					if (rec_of_instance(e.body) &&
					    !commit_add(mine, leaf))
						return "OpenSSL failed";
				} else if (memcmp(body_uuid(e.body), zero, 16)) {
					return "a clear record of another instance";
				}
				if (b == 0 && genesis_entry(g, &e))
					return g->why;
			} else {
				return "an entry of unknown form";
			}
			if (r.err)
				return "truncated";
			if (pos >= ref->nleaves ||
			    memcmp(e.leaf, ref->leaves[pos], 32))
				return "a leaf differs from the reference view's: it cannot replay to the same PCR value";
			if (extra && extra(extra_ctx, &e))
				return "an entry the caller refused";
		}
	}
	if (r.pos != len)
		return "bytes after the last batch";
	if (pos != ref->nleaves)
		return "fewer entries than the reference view";
	if (!found || destroyed)
		return "no CREATE of the instance, or its DESTROY";
	/* rule 9, computed here */
	if (mine->records != get_be64(v + view_hdr_commit(hl)) ||
	    memcmp(mine->chain, v + view_hdr_commit(hl) + 8, 32))
		return "commitment: its clear records of the instance are not what its header commits to";
	return NULL;
}

/* everything checked of one bundle, and what was found */
struct verdict {
	char why[512];
	struct hb h;
	struct quote q;
	struct genesis g;
	struct walk w;
	struct vtpm_log_commit commit;	/* computed from the view's records */
	uint8_t value[32];
	uint8_t leaf[32];
	uint8_t replay_digest[32];
};

/*
 * What a verifier checks of a bundle (attestation.md, "What vtpm-verify
 * checks"), with the test's own code, plus that it is of instance uuid
 * (/dev/vtpm<idx>) and echoes nonce, and that the view's header commits to
 * its clear records of the instance (rule 9, computed here; the request
 * value is computed with that commitment).  v->why is "" or the first
 * problem.
 */
static void verify_inner(const struct env *e, const uint8_t *b, size_t len,
			 const uint8_t uuid[16], uint32_t idx,
			 const uint8_t *nonce, unsigned int nlen,
			 int (*extra)(void *ctx, const struct walk_entry *e),
			 void *extra_ctx, struct verdict *v,
			 struct ref_view **cand)
{
	struct vtpm_replay *r = e->r;
	struct hb *h = &v->h;
	struct quote *q = &v->q;
	const struct ref_view *ref;
	const char *why;
	int ret;

#define FAIL(...) do { \
		snprintf(v->why, sizeof(v->why), __VA_ARGS__); \
		return; \
	} while (0)

	memset(v, 0, sizeof(*v));
	why = hb_parse(b, len, h);
	if (why)
		FAIL("bundle: %s", why);
	hb_cross_check(b, len, h, v->why, sizeof(v->why));
	if (v->why[0])
		return;
	if (memcmp(h->uuid, uuid, 16))
		FAIL("bundle: uuid is not vtpm%u's", idx);
	if (h->nonce_len != nlen || memcmp(h->nonce, nonce, nlen))
		FAIL("bundle: the nonce is not the one sent");

	/* the signature, with ak.pem, over SHA-256(TPMS_ATTEST) */
	why = sig_verify(e->ak, h->attest, h->attest_len, h->sig, h->sig_len);
	if (why)
		FAIL("signature: %s", why);
	why = quote_parse(h->attest, h->attest_len, q);
	if (why)
		FAIL("attest: %s", why);

	ref = e->refs->full_replay ? NULL : ref_find(e->refs, h->batches);
	if (ref) {
		/* the view: the reference view's leaves, so its PCR values */
		e->refs->cheap++;
		why = view_vs_ref(ref, h->view, h->view_len, uuid, &v->g,
				  &v->commit, extra, extra_ctx);
		if (why)
			FAIL("view: %s", why);
		v->w = ref->w;
		v->w.on_entry = NULL;
		v->w.ctx = NULL;
		v->w.commit = v->commit;
		memcpy(v->w.uuid, uuid, 16);
		v->w.hdr_commit.records =
			get_be64(h->view + view_hdr_commit(ref->hdr_len));
		memcpy(v->w.hdr_commit.chain,
		       h->view + view_hdr_commit(ref->hdr_len) + 8, 32);
	} else {
		/* the view: replays both ways, is vtpm<idx>'s, has it */
		struct full_ctx fc = { .g = &v->g, .extra = extra,
				       .extra_ctx = extra_ctx };
		size_t hl = view_hdr_len(h->view, h->view_len);

		e->refs->full++;
		ret = replay_run(r, h->view, h->view_len, uuid);
		if (ret)
			FAIL("view: mlog replay %d (%s at %zu)", ret, r->why,
			     r->err_offset);
		if (r->hdr.kind != VTPM_LOG_VIEW ||
		    memcmp(r->hdr.uuid, uuid, 16) || !r->found || r->destroyed)
			FAIL("view: kind %u, instance found %d, destroyed %d",
			     r->hdr.kind, r->found, r->destroyed);
		if (!e->refs->full_replay && hl && h->batches < (1u << 24)) {
			*cand = calloc(1, sizeof(**cand));
			if (*cand) {
				(*cand)->batches = h->batches;
				(*cand)->hdr_len = hl;
				memcpy((*cand)->hdr, h->view, hl);
				view_hdr_mask((*cand)->hdr, hl);
				(*cand)->batch_n = calloc(h->batches ? h->batches : 1, 4);
				(*cand)->bad = !(*cand)->batch_n;
				fc.ref = *cand;
			}
		}
		v->w.on_entry = full_entry;
		v->w.ctx = &fc;
		ret = walk_log(h->view, h->view_len, &v->w);
		v->w.on_entry = NULL;
		v->w.ctx = NULL;
		if (ret)
			FAIL("view: walk %d (%s at %zu)", ret,
			     v->w.why ? v->w.why : v->g.why ? v->g.why : "?",
			     v->w.err_offset);
		if (r->batches != h->batches)
			FAIL("view: covers %llu batches (mlog), the bundle says %llu",
			     (unsigned long long)r->batches,
			     (unsigned long long)h->batches);
		for (unsigned int k = 0; k < v->w.nr_banks && k < VTPM_MAX_BANKS; k++)
			if (memcmp(v->w.pcr[k], r->pcr[k],
				   alg_by_id(v->w.algs[k])->size))
				FAIL("view: walk and mlog replay to different PCR values (bank %04x)",
				     v->w.algs[k]);
		/* the walk refused a header that does not commit to the view */
		v->commit = v->w.commit;
		if (v->commit.records != r->commit.records ||
		    memcmp(v->commit.chain, r->commit.chain, 32))
			FAIL("view: mlog and the walk compute different commitments");
	}
	if (!v->commit.records)
		FAIL("view: commits to no record of the instance");
	if (!v->g.seen)
		FAIL("view: no genesis record");
	if (v->w.batches != h->batches)
		FAIL("view: covers %llu batches, the bundle says %llu",
		     (unsigned long long)v->w.batches,
		     (unsigned long long)h->batches);
	if (v->w.hw_pcr != e->pcr || v->g.hw_pcr != e->pcr)
		FAIL("view: of PCR %u (genesis %u), the mux PCR is %u",
		     v->w.hw_pcr, v->g.hw_pcr, e->pcr);
	if (v->w.nr_banks != e->nbanks || v->g.nb != e->nbanks ||
	    memcmp(v->w.algs, e->algs, e->nbanks * 2) ||
	    memcmp(v->g.algs, e->algs, e->nbanks * 2))
		FAIL("view: its banks are not the hardware TPM's");

	/* the request value, its leaf, the proof up to qualifyingData */
	attest_value(v->g.log_id, h->batches, uuid, &v->commit, nonce, nlen,
		     v->value);
	mt_leaf(v->value, v->leaf);
	if (q->extra_len != 32)
		FAIL("attest: extraData of %u bytes", q->extra_len);
	if (h->nr_leaves == 1 &&
	    (h->path_len || memcmp(v->leaf, q->extra, 32)))
		FAIL("attest: a lone request whose extraData is not SHA-256(0x00 || value) (path_len %u)",
		     h->path_len);
	if (!mt_verify(v->leaf, h->leaf_index, h->nr_leaves, h->path,
		       h->path_len, q->extra))
		FAIL("Merkle: the proof of leaf %u of %u does not lead to extraData",
		     h->leaf_index, h->nr_leaves);

	/* the selection: every hardware bank, the mux PCR only */
	if (q->nsel != e->nbanks)
		FAIL("attest: %u selections, the hardware TPM has %u banks",
		     q->nsel, e->nbanks);
	for (unsigned int k = 0; k < q->nsel; k++)
		if (q->sel_alg[k] != e->algs[k] || q->sel_size[k] != 3 ||
		    q->sel_bits[k] != 1u << e->pcr)
			FAIL("attest: selection %u is %04x/%u/%06x, not %04x/3/%06x",
			     k, q->sel_alg[k], q->sel_size[k], q->sel_bits[k],
			     e->algs[k], 1u << e->pcr);

	/* pcrDigest: SHA-256 (the signature's hash) of the replayed values */
	pcr_digest(e, v->w.pcr, v->replay_digest);
	if (q->pcr_digest_len != 32 ||
	    memcmp(q->pcr_digest, v->replay_digest, 32))
		FAIL("attest: pcrDigest is not SHA-256 of the view's replayed mux PCR");

	if (e->default_ak) {
		/* an endorsement primary: QN = H(QN(RH_ENDORSEMENT) || name) */
		uint8_t rh[4], qn[32];
		struct part p[] = { { rh, 4 }, { e->ak_name, sizeof(e->ak_name) } };

		put_be32(rh, RH_ENDORSEMENT);
		sha256v(p, 2, qn);
		if (q->signer_len != 34 || get_be16(q->signer) != ALG_SHA256 ||
		    memcmp(q->signer + 2, qn, 32))
			FAIL("attest: qualifiedSigner is not the AK's qualified name");
		/* not obfuscated for an endorsement key: the log's boot */
		if (q->reset_count != v->g.reset_count)
			FAIL("attest: resetCount %u, the genesis record's %u",
			     q->reset_count, v->g.reset_count);
	}
#undef FAIL
}

/* verify_inner(); a view replayed in full that verified becomes a reference */
static void verify_ext(const struct env *e, const uint8_t *b, size_t len,
		       const uint8_t uuid[16], uint32_t idx,
		       const uint8_t *nonce, unsigned int nlen,
		       int (*extra)(void *ctx, const struct walk_entry *e),
		       void *extra_ctx, struct verdict *v)
{
	struct ref_view *cand = NULL;

	verify_inner(e, b, len, uuid, idx, nonce, nlen, extra, extra_ctx, v,
		     &cand);
	if (cand && !v->why[0] && !cand->bad && cand->nleaves) {
		cand->w = v->w;
		ref_keep(e->refs, cand);
	} else {
		ref_free(cand);
	}
}

static void verify_bundle(const struct env *e, const uint8_t *b, size_t len,
			  const uint8_t uuid[16], uint32_t idx,
			  const uint8_t *nonce, unsigned int nlen,
			  struct verdict *v)
{
	verify_ext(e, b, len, uuid, idx, nonce, nlen, NULL, NULL, v);
}

/*
 * The commitment of a verified bundle's view (its header's: verify_inner
 * checked it against the view's records) against the full log read now:
 * the instance's records in the bundle's first batches batches.  Why "" or
 * what differs.
 */
static void bundle_vs_full(const struct verdict *v, const uint8_t uuid[16],
			   char *why, size_t wlen)
{
	uint8_t *full;
	size_t flen;
	int ret = read_whole(SECFS_LOG, &full, &flen);

	if (ret) {
		snprintf(why, wlen, "read %s: %d", SECFS_LOG, ret);
		return;
	}
	check_commit_vs_full(&v->w.hdr_commit, v->h.batches, full, flen, uuid,
			     "the bundle's view", why, wlen);
	free(full);
}

/* ---- status ---------------------------------------------------------------- */

struct att_status {
	char attestation[64];
	uint64_t quotes, attestations, batches;
	unsigned int have;
};

static int att_status_read(struct att_status *s)
{
	char line[256], name[64], val[64];
	FILE *f = fopen(SECFS_STATUS, "re");

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %63s", name, val) != 2)
			continue;
		if (!strcmp(name, "attestation")) {
			snprintf(s->attestation, sizeof(s->attestation), "%s", val);
			s->have |= 1;
		} else if (!strcmp(name, "quotes")) {
			s->quotes = strtoull(val, NULL, 10);
			s->have |= 2;
		} else if (!strcmp(name, "attestations")) {
			s->attestations = strtoull(val, NULL, 10);
			s->have |= 4;
		} else if (!strcmp(name, "batches")) {
			s->batches = strtoull(val, NULL, 10);
			s->have |= 8;
		}
	}
	fclose(f);
	return s->have == 15 ? 0 : -EPROTO;
}

/* ---- requests ---------------------------------------------------------------- */

static void req_init(struct vtpm_attest_req *req, uint32_t index,
		     const uint8_t *nonce, unsigned int nlen, void *buf,
		     size_t cap)
{
	memset(req, 0, sizeof(*req));
	req->size = sizeof(*req);
	req->index = index;
	req->nonce_len = nlen;
	memcpy(req->nonce, nonce, nlen < NONCE_MAX ? nlen : NONCE_MAX);
	req->buf = (uintptr_t)buf;
	req->len = cap;
}

/* 0 or -errno */
static int attest_ioctl(int fd, unsigned long cmd, struct vtpm_attest_req *req)
{
	return ioctl(fd, cmd, req) ? -errno : 0;
}

/* the size of vtpm<idx>'s view now, through fd */
static size_t view_size(int fd)
{
	uint8_t *v;
	size_t len;

	if (view_ioctl(fd, false, &v, &len, NULL))
		return 1 << 20;
	free(v);
	return len;
}

/* ---- instances ---------------------------------------------------------------- */

struct inst {
	uint32_t idx;
	uint8_t uuid[16];
	char dev[64];
	bool live;
};

FIXTURE(att) {
	int ctl;
	bool skip;
	struct env env;
	struct inst insts[MAX_INSTS];
	unsigned int ninsts;
};

static struct inst *new_inst(struct __test_metadata *_metadata,
			     FIXTURE_DATA(att) *self, const char *label,
			     bool nobody)
{
	struct vtpm_mux_create c;
	struct inst *in;

	ASSERT_GT(MAX_INSTS, self->ninsts);
	in = &self->insts[self->ninsts];
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	if (nobody) {
		c.flags = VTPM_MUX_CREATE_OWNER;
		c.uid = c.gid = NOBODY;
	}
	snprintf(c.label, sizeof(c.label), "%s", label);
	ASSERT_EQ(0, mux_create(self->ctl, &c)) TH_LOG("create %s", label);
	memset(in, 0, sizeof(*in));
	in->idx = c.index;
	memcpy(in->uuid, c.uuid, 16);
	in->live = true;
	self->ninsts++;
	mux_dev_path(in->idx, in->dev, sizeof(in->dev));
	ASSERT_TRUE(wait_for_path(in->dev, true)) TH_LOG("%s", in->dev);
	return in;
}

static void kill_inst(FIXTURE_DATA(att) *self, struct inst *in)
{
	if (in->live)
		mux_destroy(self->ctl, in->idx);
	in->live = false;
}

/* one command on fd: its response code, or -1 on a transport error */
static long cmd_rc(int fd, const uint8_t *cmd, size_t len)
{
	uint8_t resp[1024];
	ssize_t n = fd_xfer(fd, cmd, len, resp, sizeof(resp), 60000);

	return n < 0 ? -1 : resp_rc(resp, n);
}

static long startup_clear(int fd)
{
	uint8_t cmd[16];

	return cmd_rc(fd, cmd, build_startup(cmd, SU_CLEAR));
}

FIXTURE_SETUP(att)
{
	struct att_status st;
	uint8_t *pem;
	size_t len;
	BIO *bio;
	long rc;

	self->ctl = mux_ctl_open();
	if (self->ctl < 0 && errno == ENOENT) {
		self->skip = true;
		SKIP(return, "no %s (module not loaded)",
		     VTPM_MUX_CONTROL_DEVICE);
	}
	ASSERT_LE(0, self->ctl);
	if (geteuid()) {
		self->skip = true;
		SKIP(return, "needs root");
	}
	ASSERT_EQ(0, att_status_read(&st)) TH_LOG("%s", SECFS_STATUS);
	ASSERT_STREQ("ok", st.attestation)
		TH_LOG("status: attestation %s (see the kernel log)",
		       st.attestation);

	ASSERT_EQ(0, read_whole(SECFS_AK_PEM, &pem, &len));
	bio = BIO_new_mem_buf(pem, (int)len);
	ASSERT_NE(NULL, bio);
	self->env.ak = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	free(pem);
	ASSERT_NE(NULL, self->env.ak) TH_LOG("%s is no PEM public key",
					     SECFS_AK_PEM);
	self->env.default_ak = mux_param("ak_handle") == 0;

	/* its name, computed here from ak.pub (ak_files compares) */
	{
		uint8_t *pub;

		ASSERT_EQ(0, read_whole(SECFS_AK_PUB, &pub, &len));
		ASSERT_LE(4, len);
		ASSERT_EQ(len - 2, get_be16(pub));
		put_be16(self->env.ak_name, ALG_SHA256);
		ossl_digest(ALG_SHA256, pub + 2, len - 2,
			    self->env.ak_name + 2);
		free(pub);
	}

	rc = mux_param("pcr");
	self->env.pcr = rc < 0 ? 13 : (unsigned int)rc;
	ASSERT_GT(24, self->env.pcr);
	rc = hw_banks(&self->env);
	ASSERT_EQ(0, rc) TH_LOG("TPM2_GetCapability(PCRS) on %s", HW_TPM);
	self->env.r = replay_new();
	ASSERT_NE(NULL, self->env.r);
	self->env.refs = calloc(1, sizeof(*self->env.refs));
	ASSERT_NE(NULL, self->env.refs);
	self->env.refs->full_replay = getenv("ATTEST_FULL_REPLAY") &&
				      atoi(getenv("ATTEST_FULL_REPLAY"));
}

FIXTURE_TEARDOWN(att)
{
	for (unsigned int i = 0; i < self->ninsts; i++)
		kill_inst(self, &self->insts[i]);
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->env.refs && (self->env.refs->full || self->env.refs->cheap))
		ksft_print_msg("%u views replayed in full, %u against a replayed one\n",
			       self->env.refs->full, self->env.refs->cheap);
	EVP_PKEY_free(self->env.ak);
	free(self->env.r);
	refs_free(self->env.refs);
}

#define BEGIN() do { if (self->skip) return; } while (0)

/* ---- abi ---------------------------------------------------------------------- */

/* what the unprivileged child found, in memory shared with the parent */
struct child_out {
	int stage;		/* the step that went wrong, 0: none */
	int ctl_attest;		/* VTPM_MUX_IOC_ATTEST: 0 or -errno */
	int dev_attest;		/* VTPM_IOC_ATTEST on its /dev/vtpmN */
	uid_t euid;
	struct vtpm_attest_req req;
	size_t cap;
	uint8_t buf[];
};

static void child_run(struct child_out *co, const struct inst *in,
		      const uint8_t *nonce, unsigned int nlen)
{
	struct vtpm_attest_req req;
	int ctl, fd;

	co->stage = 1;
	if (setgroups(0, NULL) || setresgid(NOBODY, NOBODY, NOBODY) ||
	    setresuid(NOBODY, NOBODY, NOBODY))
		return;
	co->euid = geteuid();
	co->stage = 2;
	ctl = mux_ctl_open();		/* 0666 */
	if (ctl < 0)
		return;
	req_init(&req, in->idx, nonce, nlen, co->buf, co->cap);
	co->ctl_attest = attest_ioctl(ctl, VTPM_MUX_IOC_ATTEST, &req);
	close(ctl);
	co->stage = 3;
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return;
	req_init(&co->req, 0xdeadbeef, nonce, nlen, co->buf, co->cap);
	co->dev_attest = attest_ioctl(fd, VTPM_IOC_ATTEST, &co->req);
	close(fd);
	co->stage = 0;
}

TEST_F_TIMEOUT(att, abi, 300)
{
	const struct {
		unsigned long cmd;
		const char *name;
	} paths[2] = {
		{ VTPM_IOC_ATTEST, "VTPM_IOC_ATTEST" },
		{ VTPM_MUX_IOC_ATTEST, "VTPM_MUX_IOC_ATTEST" },
	};
	struct att_status s0, s1, sf0, sf1;
	struct vtpm_attest_req req, ok_req;
	struct verdict *v = calloc(1, sizeof(*v));
	struct child_out *co;
	struct inst *in, *gone, *mine;
	uint8_t nonce[NONCE_MAX], small[16], *buf, *none;
	uint64_t caused = 0, efault_calls = 0, efault_quoted = 0;
	uint64_t last_quote = 0;
	size_t cap, co_size, need;
	int fd, gfd, st;
	pid_t pid;

	BEGIN();
	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, att_status_read(&s0));
	ASSERT_STREQ("ok", s0.attestation);
	in = new_inst(_metadata, self, "attest-abi", false);
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	cap = view_size(fd) + BUNDLE_OVERHEAD;
	buf = malloc(cap);
	ASSERT_NE(NULL, buf);
	ASSERT_EQ(1, RAND_bytes(nonce, sizeof(nonce)));

	for (int p = 0; p < 2; p++) {
		int f = p ? self->ctl : fd;
		unsigned long cmd = paths[p].cmd;
		const char *pn = paths[p].name;
		static const uint32_t bad_sizes[] = {
			0, 4, sizeof(struct vtpm_attest_req) - 1,
			sizeof(struct vtpm_attest_req) + 1,
			sizeof(struct vtpm_attest_req) + 8,
		};
		static const uint32_t bad_nlen[] = { 0, NONCE_MAX + 1, 255,
						     0xffffffff };
		static const uint32_t bad_flags[] = { 1, 2, 0x80000000 };

		for (unsigned int i = 0; i < ARRAY_LEN(bad_sizes); i++) {
			req_init(&req, in->idx, nonce, 8, buf, cap);
			req.size = bad_sizes[i];
			EXPECT_EQ(-EINVAL, attest_ioctl(f, cmd, &req))
				TH_LOG("%s size %u", pn, bad_sizes[i]);
		}
		for (unsigned int i = 0; i < ARRAY_LEN(bad_flags); i++) {
			req_init(&req, in->idx, nonce, 8, buf, cap);
			req.flags = bad_flags[i];
			EXPECT_EQ(-EINVAL, attest_ioctl(f, cmd, &req))
				TH_LOG("%s flags 0x%x", pn, bad_flags[i]);
		}
		req_init(&req, in->idx, nonce, 8, buf, cap);
		req.reserved0 = 1;
		EXPECT_EQ(-EINVAL, attest_ioctl(f, cmd, &req))
			TH_LOG("%s reserved0", pn);
		for (unsigned int i = 0; i < ARRAY_LEN(req.reserved); i++) {
			req_init(&req, in->idx, nonce, 8, buf, cap);
			req.reserved[i] = 1ULL << 63;
			EXPECT_EQ(-EINVAL, attest_ioctl(f, cmd, &req))
				TH_LOG("%s reserved[%u]", pn, i);
		}
		for (unsigned int i = 0; i < ARRAY_LEN(bad_nlen); i++) {
			req_init(&req, in->idx, nonce, 8, buf, cap);
			req.nonce_len = bad_nlen[i];
			EXPECT_EQ(-EINVAL, attest_ioctl(f, cmd, &req))
				TH_LOG("%s nonce_len %u", pn, bad_nlen[i]);
		}
		/* the argument itself unreadable: nothing is quoted */
		EXPECT_EQ(-1, ioctl(f, cmd, NULL));
		EXPECT_EQ(EFAULT, errno) TH_LOG("%s with a NULL argument", pn);

		/* 16 bytes: -ENOSPC, the size needed, nothing written */
		memset(small, 0xa5, sizeof(small));
		req_init(&req, in->idx, nonce, 17, small, sizeof(small));
		EXPECT_EQ(-ENOSPC, attest_ioctl(f, cmd, &req)) TH_LOG("%s", pn);
		caused++;
		for (unsigned int i = 0; i < sizeof(small); i++) {
			EXPECT_EQ(0xa5, small[i])
				TH_LOG("%s wrote byte %u of the small buffer",
				       pn, i);
		}
		need = req.len;
		EXPECT_LT(16, need) TH_LOG("%s", pn);
		EXPECT_EQ(in->idx, req.index);
		EXPECT_EQ(1, req.requests);
		EXPECT_LT(last_quote, req.quote_id);
		last_quote = req.quote_id;
		ASSERT_GE(cap, need + 4096) TH_LOG("the test's own buffer");

		/* len 0 and no buffer: -ENOSPC too */
		req_init(&req, in->idx, nonce, 17, NULL, 0);
		EXPECT_EQ(-ENOSPC, attest_ioctl(f, cmd, &req)) TH_LOG("%s", pn);
		caused++;
		EXPECT_LT(16, req.len);

		/*
		 * the retry with that size and a margin; the nonce beyond
		 * nonce_len must not count
		 */
		req_init(&ok_req, in->idx, nonce, NONCE_MAX, buf, need + 4096);
		ok_req.nonce_len = 17;
		EXPECT_EQ(0, attest_ioctl(f, cmd, &ok_req)) TH_LOG("%s", pn);
		caused++;
		EXPECT_GE(need + 4096, ok_req.len);
		EXPECT_EQ(in->idx, ok_req.index);
		EXPECT_EQ(1, ok_req.requests);
		EXPECT_LT(last_quote, ok_req.quote_id);
		last_quote = ok_req.quote_id;
		verify_bundle(&self->env, buf, ok_req.len, in->uuid, in->idx,
			      nonce, 17, v);
		EXPECT_STREQ("", v->why) TH_LOG("%s", pn);
		EXPECT_EQ(ok_req.batches, v->h.batches);
		EXPECT_EQ(ok_req.requests, v->h.nr_leaves);

		/* the bundle to an unwritable buffer: -EFAULT */
		ASSERT_EQ(0, att_status_read(&sf0));
		none = mmap(NULL, cap, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		ASSERT_NE(MAP_FAILED, none);
		req_init(&req, in->idx, nonce, 8, none, cap);
		EXPECT_EQ(-EFAULT, attest_ioctl(f, cmd, &req))
			TH_LOG("%s to a PROT_NONE buffer", pn);
		munmap(none, cap);
		req_init(&req, in->idx, nonce, 8,
			 (void *)(uintptr_t)0xffff880000000000ULL, cap);
		EXPECT_EQ(-EFAULT, attest_ioctl(f, cmd, &req))
			TH_LOG("%s to a kernel address", pn);
		efault_calls += 2;
		ASSERT_EQ(0, att_status_read(&sf1));
		/* whether a request with a bad buffer is quoted is the kernel's choice */
		EXPECT_EQ(sf1.quotes - sf0.quotes,
			  sf1.attestations - sf0.attestations);
		EXPECT_TRUE(sf1.quotes - sf0.quotes == 0 ||
			    sf1.quotes - sf0.quotes == 2)
			TH_LOG("%s: %llu quotes for 2 requests with bad buffers", pn,
			       (unsigned long long)(sf1.quotes - sf0.quotes));
		caused += sf1.quotes - sf0.quotes;
		efault_quoted += sf1.quotes - sf0.quotes;
		last_quote += sf1.quotes - sf0.quotes;
	}

	/* "anyone who could open it": read-only is enough */
	{
		int rfd = open(in->dev, O_RDONLY | O_CLOEXEC);

		ASSERT_LE(0, rfd);
		req_init(&ok_req, 0, nonce, 5, buf, cap);
		EXPECT_EQ(0, attest_ioctl(rfd, VTPM_IOC_ATTEST, &ok_req))
			TH_LOG("VTPM_IOC_ATTEST on an O_RDONLY fd");
		caused++;
		verify_bundle(&self->env, buf, ok_req.len, in->uuid, in->idx,
			      nonce, 5, v);
		EXPECT_STREQ("", v->why) TH_LOG("O_RDONLY");
		close(rfd);
	}

	/* the wrong device's ioctl */
	req_init(&req, in->idx, nonce, 8, buf, cap);
	EXPECT_EQ(-ENOTTY, attest_ioctl(fd, VTPM_MUX_IOC_ATTEST, &req));
	EXPECT_EQ(-ENOTTY, attest_ioctl(self->ctl, VTPM_IOC_ATTEST, &req));

	/* the control device, an index that does not exist */
	{
		static const uint32_t absent[] = { 0xffffffff, 0x7fffffff, 65536 };

		for (unsigned int i = 0; i < ARRAY_LEN(absent); i++) {
			req_init(&req, absent[i], nonce, 8, buf, cap);
			EXPECT_EQ(-ENODEV, attest_ioctl(self->ctl,
							VTPM_MUX_IOC_ATTEST, &req))
				TH_LOG("index %u", absent[i]);
		}
	}

	/* a destroyed instance: its open fd and its index */
	gone = new_inst(_metadata, self, "attest-gone", false);
	gfd = open(gone->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, gfd);
	ASSERT_EQ(0, mux_destroy(self->ctl, gone->idx));
	gone->live = false;
	req_init(&req, gone->idx, nonce, 8, buf, cap);
	EXPECT_EQ(-ENODEV, attest_ioctl(gfd, VTPM_IOC_ATTEST, &req));
	req_init(&req, gone->idx, nonce, 8, buf, cap);
	EXPECT_EQ(-ENODEV, attest_ioctl(self->ctl, VTPM_MUX_IOC_ATTEST, &req));
	close(gfd);

	/* nobody: not the control device's ioctl, but its own /dev/vtpmN */
	mine = new_inst(_metadata, self, "attest-nobody", true);
	co_size = sizeof(*co) + cap;
	co = mmap(NULL, co_size, PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, co);
	co->cap = cap;
	co->ctl_attest = co->dev_attest = 1;
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		child_run(co, mine, nonce + 3, 33);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	ASSERT_EQ(0, co->stage) TH_LOG("the child failed at step %d", co->stage);
	EXPECT_EQ(NOBODY, co->euid);
	EXPECT_EQ(-EPERM, co->ctl_attest);
	EXPECT_EQ(0, co->dev_attest);
	if (!co->dev_attest) {
		caused++;
		EXPECT_EQ(mine->idx, co->req.index);
		EXPECT_EQ(1, co->req.requests);
		EXPECT_LT(last_quote, co->req.quote_id);
		verify_bundle(&self->env, co->buf, co->req.len, mine->uuid,
			      mine->idx, nonce + 3, 33, v);
		EXPECT_STREQ("", v->why) TH_LOG("nobody's bundle");
	}
	munmap(co, co_size);

	/* exactly what this test caused */
	ASSERT_EQ(0, att_status_read(&s1));
	EXPECT_STREQ("ok", s1.attestation);
	EXPECT_EQ(caused, s1.quotes - s0.quotes)
		TH_LOG("quotes %llu -> %llu", (unsigned long long)s0.quotes,
		       (unsigned long long)s1.quotes);
	EXPECT_EQ(caused, s1.attestations - s0.attestations)
		TH_LOG("attestations %llu -> %llu",
		       (unsigned long long)s0.attestations,
		       (unsigned long long)s1.attestations);
	TH_LOG("%llu requests quoted (%llu with bad buffers made %llu quotes)",
	       (unsigned long long)caused, (unsigned long long)efault_calls,
	       (unsigned long long)efault_quoted);
	close(fd);
	free(buf);
	free(v);
}

/* ---- the AK files ---------------------------------------------------------------- */

TEST_F(att, ak_files)
{
	uint8_t *pub, *name_txt, name[64], point[128];
	size_t plen, nlen, ptlen = 0;
	ssize_t n;
	char group[64];
	size_t glen = 0;

	BEGIN();
	ASSERT_EQ(0, read_whole(SECFS_AK_PUB, &pub, &plen));
	ASSERT_EQ(0, read_whole(SECFS_AK_NAME, &name_txt, &nlen));
	/* ak.name: one line of hex, 000b || SHA-256(TPMT_PUBLIC) */
	ASSERT_LT(0, nlen);
	ASSERT_EQ('\n', name_txt[nlen - 1]);
	name_txt[nlen - 1] = '\0';
	n = hex_decode((char *)name_txt, name, sizeof(name));
	ASSERT_EQ(34, n) TH_LOG("ak.name: %s", name_txt);
	EXPECT_EQ(0, memcmp(name, self->env.ak_name, 34))
		TH_LOG("ak.name is not 000b || SHA-256(TPMT_PUBLIC of ak.pub)");

	/* the PEM key is the ak.pub's, an ECC P-256 point */
	ASSERT_EQ(1, EVP_PKEY_is_a(self->env.ak, "EC"));
	ASSERT_EQ(1, EVP_PKEY_get_utf8_string_param(self->env.ak,
						    OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group), &glen));
	EXPECT_STREQ("prime256v1", group);
	ASSERT_EQ(1, EVP_PKEY_get_octet_string_param(self->env.ak,
						     OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
						     point, sizeof(point), &ptlen));
	ASSERT_EQ(65, ptlen);
	ASSERT_EQ(4, point[0]);
	{
		struct rd r = { .p = pub + 2, .len = plen - 2 };
		uint16_t type = rd_be(&r, 2), name_alg = rd_be(&r, 2);
		uint32_t attrs = rd_be(&r, 4);
		uint16_t policy = rd_be(&r, 2), sym, scheme, scheme_hash = 0,
			 curve, kdf;
		const uint8_t *x, *y;
		unsigned int xl, yl;

		rd_bytes(&r, policy);
		sym = rd_be(&r, 2);
		if (sym != ALG_NULL)
			rd_be(&r, 4);	/* keyBits, mode */
		scheme = rd_be(&r, 2);
		if (scheme != ALG_NULL)
			scheme_hash = rd_be(&r, 2);
		curve = rd_be(&r, 2);
		kdf = rd_be(&r, 2);
		if (kdf != ALG_NULL)
			rd_be(&r, 2);
		xl = rd_be(&r, 2);
		x = rd_bytes(&r, xl);
		yl = rd_be(&r, 2);
		y = rd_bytes(&r, yl);
		ASSERT_FALSE(r.err) TH_LOG("ak.pub: TPMT_PUBLIC truncated");
		EXPECT_EQ(r.len, r.pos) TH_LOG("ak.pub: bytes after TPMT_PUBLIC");
		EXPECT_EQ(ALG_ECC, type);
		ASSERT_EQ(32, xl);
		ASSERT_EQ(32, yl);
		EXPECT_EQ(0, memcmp(point + 1, x, 32)) TH_LOG("ak.pem's x is not ak.pub's");
		EXPECT_EQ(0, memcmp(point + 33, y, 32)) TH_LOG("ak.pem's y is not ak.pub's");
		if (self->env.default_ak) {
			/* the template of attestation.md */
			EXPECT_EQ(ALG_SHA256, name_alg);
			EXPECT_EQ(AK_ATTRS, attrs);
			EXPECT_EQ(0, policy);
			EXPECT_EQ(ALG_NULL, sym);
			EXPECT_EQ(ALG_ECDSA, scheme);
			EXPECT_EQ(ALG_SHA256, scheme_hash);
			EXPECT_EQ(ECC_NIST_P256, curve);
			EXPECT_EQ(ALG_NULL, kdf);
		}
	}
	free(pub);
	free(name_txt);
}

/* ---- a relay hides one of the instance's records --------------------------- */

struct hide_ctx {
	const uint8_t *uuid;
	uint8_t type;
	bool found;
	size_t off, size;		/* of the entry hidden */
	uint8_t leaf[32];
	struct vtpm_log_commit rest;	/* the instance's other records */
};

/* the instance's first clear record of the type; every other one in rest */
static int hide_entry(void *ctx, const struct walk_entry *e)
{
	struct hide_ctx *c = ctx;

	if (e->form != VTPM_ENTRY_CLEAR || !rec_of_instance(e->body) ||
	    memcmp(body_uuid(e->body), c->uuid, 16))
		return 0;
	if (!c->found && body_type(e->body) == c->type) {
		c->found = true;
		c->off = e->offset;
		c->size = 1 + 32 + 32 + 2 + e->blen;
		memcpy(c->leaf, e->leaf, 32);
		return 0;
	}
	return commit_add(&c->rest, e->leaf) ? 0 : -EIO;
}

/*
 * The bundle b of instance uuid with the instance's first record of the
 * type shown as a LEAF entry (the leaf a relay computes from the clear
 * entry), the view header's commitment rewritten to match (recommit) or
 * not.  The PCR chain is the same; only the commitment can tell.  Returns
 * the new bundle (malloc'ed) or NULL.
 */
static uint8_t *hide_own(const uint8_t *b, const struct hb *h,
			 const uint8_t uuid[16], uint8_t type, bool recommit,
			 size_t *olen)
{
	struct hide_ctx c = { .uuid = uuid, .type = type };
	struct walk w = { .on_entry = hide_entry, .ctx = &c };
	size_t vlen, hl = view_hdr_len(h->view, h->view_len), at;
	uint8_t *o, *v;

	if (!hl || walk_log(h->view, h->view_len, &w) || !c.found)
		return NULL;
	vlen = h->view_len - c.size + 33;
	*olen = h->o_view_len + 4 + vlen;
	o = malloc(*olen);
	if (!o)
		return NULL;
	memcpy(o, b, h->o_view_len);
	put_be32(o + h->o_view_len, vlen);
	v = o + h->o_view_len + 4;
	memcpy(v, h->view, c.off);
	v[c.off] = VTPM_ENTRY_LEAF;
	memcpy(v + c.off + 1, c.leaf, 32);
	at = c.off + c.size;
	memcpy(v + c.off + 33, h->view + at, h->view_len - at);
	if (recommit) {
		put_be64(v + view_hdr_commit(hl), c.rest.records);
		memcpy(v + view_hdr_commit(hl) + 8, c.rest.chain, 32);
	}
	return o;
}

/* ---- one honest bundle -------------------------------------------------------- */

/* the mux PCR now in every hardware bank, and the SHA-256 of them */
static long hw_mux_pcr(const struct env *e, uint8_t vals[][64], uint8_t dig[32])
{
	long rc = hw_pcr_read(e->pcr, e->nbanks, e->algs, vals);

	if (!rc)
		pcr_digest(e, vals, dig);
	return rc;
}

/* one attestation with nothing else running, and what to compare it with */
static void quiet_attest(struct __test_metadata *_metadata,
			 FIXTURE_DATA(att) *self, const struct inst *in,
			 int fd, bool control, struct verdict *v,
			 uint8_t **bundle, size_t *blen,
			 struct vtpm_attest_req *req, uint8_t *nonce,
			 unsigned int nlen)
{
	const struct env *e = &self->env;
	uint8_t *before, *after, *buf;
	size_t lb, la, cap;
	uint64_t bb, ba, clock0, clock1;
	uint32_t rc0, rc1, rs0, rs1;
	uint8_t hw[VTPM_MAX_BANKS][64], hwdig[32], *sview;
	const char *path = control ? "control" : "device";
	char spath[128];
	size_t ls;

	ASSERT_EQ(1, RAND_bytes(nonce, nlen));
	ASSERT_EQ(0, hw_read_clock(&clock0, &rc0, &rs0));
	ASSERT_EQ(0, view_ioctl(fd, false, &before, &lb, &bb));
	cap = lb + BUNDLE_OVERHEAD;
	buf = malloc(cap);
	ASSERT_NE(NULL, buf);
	req_init(req, control ? in->idx : 0, nonce, nlen, buf, cap);
	ASSERT_EQ(0, attest_ioctl(control ? self->ctl : fd,
				  control ? VTPM_MUX_IOC_ATTEST : VTPM_IOC_ATTEST,
				  req)) TH_LOG("%s path", path);
	/* right after: the hardware PCR, the clock, the view again */
	ASSERT_EQ(0, hw_mux_pcr(e, hw, hwdig));
	ASSERT_EQ(0, hw_read_clock(&clock1, &rc1, &rs1));
	ASSERT_EQ(0, view_ioctl(fd, false, &after, &la, &ba));
	snprintf(spath, sizeof(spath), SECFS_DIR "/vtpm%u/view", in->idx);
	ASSERT_EQ(0, read_whole(spath, &sview, &ls));
	*bundle = buf;
	*blen = req->len;

	verify_bundle(e, buf, req->len, in->uuid, in->idx, nonce, nlen, v);
	ASSERT_STREQ("", v->why) TH_LOG("%s path", path);

	/* the ioctl's own answer */
	EXPECT_EQ(in->idx, req->index);
	EXPECT_GE(cap, req->len);
	EXPECT_EQ(v->h.batches, req->batches);
	EXPECT_EQ(1, req->requests);
	EXPECT_NE(0, req->quote_id);
	/* a lone request */
	EXPECT_EQ(1, v->h.nr_leaves);
	EXPECT_EQ(0, v->h.leaf_index);
	EXPECT_EQ(0, v->h.path_len);
	/* the log as GET_LOG showed it just before and just after */
	EXPECT_EQ(bb, v->h.batches) TH_LOG("%s path: GET_LOG before", path);
	EXPECT_EQ(ba, v->h.batches) TH_LOG("%s path: GET_LOG after", path);
	EXPECT_EQ(lb, v->h.view_len);
	if (lb == v->h.view_len) {
		EXPECT_EQ(0, memcmp(before, v->h.view, lb))
			TH_LOG("%s path: the view is not GET_LOG's", path);
	}
	if (la == v->h.view_len) {
		EXPECT_EQ(0, memcmp(after, v->h.view, la));
	}
	/* the hardware PCR just after is the quoted one, and the replay's */
	EXPECT_EQ(0, memcmp(hwdig, v->q.pcr_digest, 32))
		TH_LOG("%s path: pcrDigest is not SHA-256 of PCR %u read from %s",
		       path, e->pcr, HW_TPM);
	for (unsigned int k = 0; k < e->nbanks; k++) {
		EXPECT_EQ(0, memcmp(hw[k], v->w.pcr[k], e->sizes[k]))
			TH_LOG("bank %04x: the view replays to another value than the hardware's",
			       e->algs[k]);
	}
	/* securityfs too: the same view, header and commitment included */
	EXPECT_TRUE(ls == v->h.view_len && !memcmp(sview, v->h.view, ls))
		TH_LOG("%s path: the view is not securityfs's", path);
	free(sview);
	/*
	 * the view's header commits to exactly the instance's records in
	 * the full log (read now) up to the bundle's cut, computed here
	 */
	{
		char why[512];

		bundle_vs_full(v, in->uuid, why, sizeof(why));
		EXPECT_STREQ("", why) TH_LOG("%s path", path);
	}
	/* the quote was made between the two clock reads, in this boot */
	EXPECT_LE(clock0, v->q.clock);
	EXPECT_GE(clock1, v->q.clock);
	EXPECT_EQ(rc0, v->q.reset_count);
	EXPECT_EQ(rc0, v->g.reset_count);
	free(before);
	free(after);
}

TEST_F_TIMEOUT(att, honest_bundle, 300)
{
	const struct env *e = &self->env;
	struct verdict *v = calloc(2, sizeof(*v));
	struct vtpm_mux_info info;
	struct vtpm_attest_req req[2];
	uint8_t *bundle[2], nonce[2][NONCE_MAX], *t;
	bool saved_full = e->refs->full_replay;
	size_t blen[2];
	struct banks bk;
	struct model *m = calloc(1, sizeof(*m));
	uint8_t cmd[1024], d[VTPM_MAX_BANKS][64];
	const uint8_t *dp[VTPM_MAX_BANKS];
	static const unsigned int pcrs[] = { 0, 7, 10, 16, 23 };
	char why[512];
	struct inst *in;
	int fd;

	BEGIN();
	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, m);
	in = new_inst(_metadata, self, "attest-honest", false);
	ASSERT_EQ(0, mux_info(self->ctl, in->idx, &info));
	EXPECT_EQ(0, memcmp(info.uuid, in->uuid, 16));
	ASSERT_EQ(0, get_banks(self->ctl, in->idx, &bk));
	ASSERT_EQ(e->nbanks, bk.n);
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);

	/* Startup and some extends through raw commands, modelled here */
	model_init(m, &bk);
	ASSERT_EQ(0, startup_clear(fd));
	for (unsigned int i = 0; i < ARRAY_LEN(pcrs); i++) {
		ASSERT_EQ(1, RAND_bytes(d[0], 32));
		ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_extend(cmd, pcrs[i],
							      ALG_SHA256,
							      d[0], 32)));
		for (unsigned int b = 0; b < bk.n; b++)
			if (bk.alg[b] == ALG_SHA256)
				model_extend(m, &bk, pcrs[i], b, d[0]);
	}
	for (unsigned int b = 0; b < bk.n; b++) {
		ASSERT_EQ(1, RAND_bytes(d[b], bk.size[b]));
		dp[b] = d[b];
	}
	ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, 4, bk.n,
							    bk.alg, dp)));
	for (unsigned int b = 0; b < bk.n; b++)
		model_extend(m, &bk, 4, b, d[b]);

	for (int p = 0; p < 2; p++) {
		quiet_attest(_metadata, self, in, fd, p == 1, &v[p],
			     &bundle[p], &blen[p], &req[p], nonce[p],
			     p ? 64 : 32);
		EXPECT_EQ(0, memcmp(info.uuid, v[p].h.uuid, 16));
		/* the tenant's vPCRs, reconstructed from the view */
		cmp_vpcrs(e->r, &bk, m->v, p ? "control path" : "device path",
			  why, sizeof(why));
		EXPECT_STREQ("", why);
	}
	/* two requests, two quotes, same log position, different nonces */
	EXPECT_EQ(req[0].quote_id + 1, req[1].quote_id);
	EXPECT_EQ(v[0].h.batches, v[1].h.batches);
	EXPECT_NE(0, memcmp(v[0].q.extra, v[1].q.extra, 32));
	EXPECT_EQ(0, memcmp(v[0].q.pcr_digest, v[1].q.pcr_digest, 32));
	EXPECT_EQ(0, memcmp(v[0].g.log_id, v[1].g.log_id, 16));

	/*
	 * The checks above are not blind: a copy with one bit flipped fails
	 * them, for the right reason.  A flipped nonce or uuid is also what
	 * the verifier expects, so the Merkle proof or the view must catch it.
	 */
	t = malloc(blen[0]);
	ASSERT_NE(NULL, t);
	{
		const struct hb *h = &v[0].h;
		size_t hl = view_hdr_len(h->view, h->view_len);
		const struct {
			size_t off;
			const char *what, *reason;
		} tamper[] = {
			{ h->o_batches + 7, "batches", "view: covers" },
			{ h->o_nonce_len + 1, "nonce", "lone request" },
			{ h->o_uuid + 5, "uuid", "view: " },
			{ h->o_leaf + 7, "nr_leaves", "Merkle" },
			{ h->o_attest_len + 2 + h->attest_len - 1,
			  "pcrDigest in attest", "signature" },
			{ h->o_attest_len + 2 + 6 + 2 + 34 + 2 + 5,
			  "extraData in attest", "signature" },
			{ h->o_sig_len + 2 + h->sig_len - 1, "signature",
			  "signature" },
			{ h->o_view_len + 4 + h->view_len - 1,
			  "last byte of the view", "" },
			{ h->o_view_len + 4 + h->view_len / 2,
			  "middle of the view", "" },
			/* the view header's commitment: replay rule 9 */
			{ h->o_view_len + 4 + view_hdr_commit(hl) + 7,
			  "records of the view header's commitment", "commit" },
			{ h->o_view_len + 4 + view_hdr_commit(hl) + 8 + 9,
			  "chain of the view header's commitment", "commit" },
		};
		struct verdict *tv = calloc(1, sizeof(*tv));
		uint8_t tnonce[NONCE_MAX], tuuid[16];

		ASSERT_NE(NULL, tv);
		/* where extraData is: magic, type, qualifiedSigner, size */
		ASSERT_EQ(34, v[0].q.signer_len);
		ASSERT_EQ(h->attest + 6 + 2 + 34 + 2, v[0].q.extra);
		for (unsigned int i = 0; i < ARRAY_LEN(tamper); i++) {
			memcpy(t, bundle[0], blen[0]);
			t[tamper[i].off] ^= 0x02;
			memcpy(tnonce, t + h->o_nonce_len + 1, 32);
			memcpy(tuuid, t + h->o_uuid, 16);
			verify_bundle(e, t, blen[0], tuuid, in->idx, tnonce,
				      32, tv);
			EXPECT_STRNE("", tv->why)
				TH_LOG("a bundle with a flipped bit in %s passes",
				       tamper[i].what);
			EXPECT_TRUE(strstr(tv->why, tamper[i].reason) != NULL)
				TH_LOG("flipped bit in %s: \"%s\"",
				       tamper[i].what, tv->why);
		}
		/* the other path's request value is not in this quote */
		EXPECT_NE(0, memcmp(v[1].leaf, v[0].q.extra, 32));

		/* version 1 of the bundle, of the view's log: refused */
		memcpy(t, bundle[0], blen[0]);
		put_be16(t + 8, 1);
		verify_bundle(e, t, blen[0], in->uuid, in->idx, nonce[0], 32, tv);
		EXPECT_STREQ("bundle: version is not 2", tv->why);
		{
			struct vtpm_bundle mb;
			const char *mwhy = NULL;
			size_t off = 0;

			EXPECT_EQ(-EINVAL, vtpm_bundle_parse(t, blen[0], &mb,
							     &mwhy, &off));
			EXPECT_STREQ("bundle version 1 (no commitment to the instance's records) is no longer accepted",
				     mwhy ? mwhy : "");
			EXPECT_EQ(8, off);
		}
		memcpy(t, bundle[0], blen[0]);
		put_be16(t + h->o_view_len + 4 + 8, 1);
		/* replayed in full: against the reference, its header differs */
		e->refs->full_replay = true;
		verify_bundle(e, t, blen[0], in->uuid, in->idx, nonce[0], 32, tv);
		e->refs->full_replay = saved_full;
		EXPECT_TRUE(strstr(tv->why, "log version 1 (views without their instance's commitment) is no longer supported") != NULL)
			TH_LOG("a view of log version 1: \"%s\"", tv->why);

		/*
		 * A relay shows one of the instance's records as its leaf:
		 * the PCR chain is unchanged, the header's commitment is not
		 * (rule 9); rewriting that breaks the request value (Merkle).
		 * Both ways of checking a view: a fresh replay, and against
		 * the reference view of this position.
		 */
		for (int full = 0; full < 2; full++) {
			static const uint8_t types[] = {
				REC_CREATE, VTPM_REC_STARTUP_CLEAR, REC_EXTEND,
			};

			e->refs->full_replay = full ? true : saved_full;
			for (unsigned int i = 0; i < ARRAY_LEN(types); i++) {
				for (int rc = 0; rc < 2; rc++) {
					size_t hlen = 0;
					uint8_t *hb = hide_own(bundle[0], h, in->uuid,
							       types[i], rc, &hlen);
					/* no CREATE: rule 5 fires first */
					const char *want = types[i] == REC_CREATE ?
						"view: " : rc ? "extraData" :
						"commit";

					ASSERT_NE(NULL, hb) TH_LOG("type %u", types[i]);
					verify_bundle(e, hb, hlen, in->uuid, in->idx,
						      nonce[0], 32, tv);
					EXPECT_TRUE(strstr(tv->why, want) != NULL)
						TH_LOG("record type %u hidden%s (%s): \"%s\"",
						       types[i], rc ? ", recommitted" : "",
						       full ? "full replay" : "reference",
						       tv->why);
					free(hb);
				}
			}
		}
		e->refs->full_replay = saved_full;
		free(tv);
	}
	free(t);
	for (int p = 0; p < 2; p++)
		free(bundle[p]);
	close(fd);
	free(m);
	free(v);
}

/* ---- batching ---------------------------------------------------------------- */

#define NATT	64
#define NEXT	16

struct burst {
	pthread_barrier_t go;
	atomic_int done;
};

struct attester {
	pthread_t th;
	struct burst *b;
	struct inst *in;
	int fd;
	uint8_t nonce[NONCE_MAX];
	unsigned int nlen;
	uint8_t *buf;
	size_t cap;
	struct vtpm_attest_req req;
	int ret;
	double secs;
};

struct extender {
	pthread_t th;
	struct burst *b;
	struct inst *in;
	int fd;
	unsigned int id;
	uint64_t n;
	long rc;
};

static void *attester_main(void *arg)
{
	struct attester *a = arg;
	double t0;

	req_init(&a->req, 0, a->nonce, a->nlen, a->buf, a->cap);
	pthread_barrier_wait(&a->b->go);
	t0 = now_s();
	a->ret = attest_ioctl(a->fd, VTPM_IOC_ATTEST, &a->req);
	a->secs = now_s() - t0;
	return NULL;
}

static void *extender_main(void *arg)
{
	struct extender *x = arg;
	uint8_t cmd[256], d[32], seed[12];

	pthread_barrier_wait(&x->b->go);
	while (!atomic_load(&x->b->done)) {
		put_be32(seed, x->id);
		put_be64(seed + 4, x->n);
		ossl_digest(ALG_SHA256, seed, sizeof(seed), d);
		x->rc = cmd_rc(x->fd, cmd, build_pcr_extend(cmd, x->n % 16,
							    ALG_SHA256, d, 32));
		if (x->rc)
			break;
		x->n++;
	}
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

TEST_F_TIMEOUT(att, batching, 600)
{
	const struct env *e = &self->env;
	struct attester *at = calloc(NATT, sizeof(*at));
	struct extender *ex = calloc(NEXT, sizeof(*ex));
	struct verdict *v = calloc(NATT, sizeof(*v));
	uint8_t (*values)[32] = calloc(NATT, 32);
	uint64_t ids[NATT], extends = 0;
	struct att_status s0, s1;
	struct burst b;
	char label[64], sizes[512] = "";
	unsigned int nq = 0;
	size_t cap;
	double t0, tv, slowest = 0;

	BEGIN();
	ASSERT_NE(NULL, at);
	ASSERT_NE(NULL, ex);
	ASSERT_NE(NULL, v);
	ASSERT_NE(NULL, values);
	atomic_init(&b.done, 0);
	ASSERT_EQ(0, pthread_barrier_init(&b.go, NULL, NATT + NEXT + 1));

	for (unsigned int i = 0; i < NEXT; i++) {
		snprintf(label, sizeof(label), "attest-ext-%u", i);
		ex[i].in = new_inst(_metadata, self, label, false);
		ex[i].fd = open(ex[i].in->dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, ex[i].fd);
		ASSERT_EQ(0, startup_clear(ex[i].fd));
		ex[i].b = &b;
		ex[i].id = i;
	}
	for (unsigned int i = 0; i < NATT; i++) {
		snprintf(label, sizeof(label), "attest-burst-%u", i);
		at[i].in = new_inst(_metadata, self, label, false);
		at[i].fd = open(at[i].in->dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, at[i].fd);
	}
	/* room for the view as it is now and what the extenders add */
	cap = view_size(at[NATT - 1].fd) + (4 << 20);
	for (unsigned int i = 0; i < NATT; i++) {
		at[i].b = &b;
		at[i].nlen = 8 + i % (NONCE_MAX - 7);	/* 8..64 */
		ASSERT_EQ(1, RAND_bytes(at[i].nonce, at[i].nlen));
		for (unsigned int j = 0; j < i; j++) {	/* distinct nonces */
			ASSERT_FALSE(at[j].nlen == at[i].nlen &&
				     !memcmp(at[j].nonce, at[i].nonce, at[i].nlen));
		}
		at[i].cap = cap;
		at[i].buf = malloc(cap);
		ASSERT_NE(NULL, at[i].buf);
	}

	ASSERT_EQ(0, att_status_read(&s0));
	for (unsigned int i = 0; i < NEXT; i++) {
		ASSERT_EQ(0, pthread_create(&ex[i].th, NULL, extender_main,
					    &ex[i]));
	}
	for (unsigned int i = 0; i < NATT; i++) {
		ASSERT_EQ(0, pthread_create(&at[i].th, NULL, attester_main,
					    &at[i]));
	}
	pthread_barrier_wait(&b.go);
	t0 = now_s();
	for (unsigned int i = 0; i < NATT; i++)
		pthread_join(at[i].th, NULL);
	t0 = now_s() - t0;
	atomic_store(&b.done, 1);
	for (unsigned int i = 0; i < NEXT; i++) {
		pthread_join(ex[i].th, NULL);
		EXPECT_EQ(0, ex[i].rc) TH_LOG("extender %u: rc 0x%lx", i, ex[i].rc);
		extends += ex[i].n;
		close(ex[i].fd);
	}
	ASSERT_EQ(0, att_status_read(&s1));

	/* every request answered, every bundle verifies on its own */
	tv = now_s();
	for (unsigned int i = 0; i < NATT; i++) {
		struct attester *a = &at[i];

		ASSERT_EQ(0, a->ret) TH_LOG("attester %u (vtpm%u)", i, a->in->idx);
		if (a->secs > slowest)
			slowest = a->secs;
		verify_bundle(e, a->buf, a->req.len, a->in->uuid, a->in->idx,
			      a->nonce, a->nlen, &v[i]);
		EXPECT_STREQ("", v[i].why) TH_LOG("attester %u (vtpm%u)", i,
						  a->in->idx);
		EXPECT_EQ(a->in->idx, a->req.index);
		EXPECT_EQ(a->req.batches, v[i].h.batches);
		EXPECT_EQ(a->req.requests, v[i].h.nr_leaves);
		EXPECT_LT(s0.quotes, a->req.quote_id);
		EXPECT_GE(s1.quotes, a->req.quote_id);
		ids[i] = a->req.quote_id;
		close(a->fd);
	}
	if (_metadata->passed == 0)
		goto out;

	/*
	 * every view's header commits to exactly its instance's records in
	 * the full log up to its cut: one walk of the log read now, with
	 * OpenSSL, for all 64
	 */
	{
		struct commit_target *t = calloc(NATT, sizeof(*t));
		struct walk w = { .targets = t, .ntargets = NATT };
		uint8_t *full;
		size_t flen;

		ASSERT_NE(NULL, t);
		for (unsigned int i = 0; i < NATT; i++) {
			t[i].uuid = at[i].in->uuid;
			t[i].upto = v[i].h.batches;
		}
		ASSERT_EQ(0, read_whole(SECFS_LOG, &full, &flen));
		ASSERT_EQ(0, walk_log(full, flen, &w)) TH_LOG("%s", w.why);
		free(full);
		for (unsigned int i = 0; i < NATT; i++) {
			EXPECT_EQ(t[i].c.records, v[i].w.hdr_commit.records)
				TH_LOG("attester %u: its view commits to %llu records, the full log has %llu",
				       i, (unsigned long long)v[i].w.hdr_commit.records,
				       (unsigned long long)t[i].c.records);
			EXPECT_EQ(0, memcmp(t[i].c.chain, v[i].w.hdr_commit.chain, 32))
				TH_LOG("attester %u: its view's chain is not the full log's", i);
		}
		free(t);
	}

	/* per quote: the same quote, one leaf each, a root recomputed here */
	qsort(ids, NATT, sizeof(ids[0]), cmp_u64);
	for (unsigned int i = 0; i < NATT; i++) {
		uint64_t id = ids[i];
		unsigned int n = 0, first = NATT;
		bool seen[NATT] = { false };
		uint8_t root[32];
		size_t o;

		if (i && ids[i - 1] == id)
			continue;
		nq++;
		for (unsigned int j = 0; j < NATT; j++) {
			const struct hb *h = &v[j].h, *f;

			if (at[j].req.quote_id != id)
				continue;
			n++;
			if (first == NATT) {
				first = j;
				continue;
			}
			f = &v[first].h;
			EXPECT_TRUE(h->attest_len == f->attest_len &&
				    !memcmp(h->attest, f->attest, h->attest_len))
				TH_LOG("quote %llu: attesters %u and %u got different TPMS_ATTEST",
				       (unsigned long long)id, first, j);
			EXPECT_TRUE(h->sig_len == f->sig_len &&
				    !memcmp(h->sig, f->sig, h->sig_len))
				TH_LOG("quote %llu: attesters %u and %u got different signatures",
				       (unsigned long long)id, first, j);
			EXPECT_EQ(f->batches, h->batches)
				TH_LOG("quote %llu", (unsigned long long)id);
		}
		for (unsigned int j = 0; j < NATT; j++) {
			const struct hb *h = &v[j].h;

			if (at[j].req.quote_id != id)
				continue;
			EXPECT_EQ(n, h->nr_leaves) TH_LOG("quote %llu", (unsigned long long)id);
			EXPECT_EQ(n, at[j].req.requests);
			ASSERT_GT(n, h->leaf_index);
			EXPECT_FALSE(seen[h->leaf_index])
				TH_LOG("quote %llu: leaf %u twice",
				       (unsigned long long)id, h->leaf_index);
			seen[h->leaf_index] = true;
			memcpy(values[h->leaf_index], v[j].value, 32);
		}
		/* n distinct indices below n: each of 0..n-1 once */
		mt_root((const uint8_t (*)[32])values, n, root);
		EXPECT_EQ(0, memcmp(root, v[first].q.extra, 32))
			TH_LOG("quote %llu: extraData is not the RFC 6962 root of its %u request values",
			       (unsigned long long)id, n);
		o = strlen(sizes);
		snprintf(sizes + o, sizeof(sizes) - o, " %u", n);
	}
	ksft_print_msg("%u attestations answered by %u hardware quotes\n",
		       NATT, nq);
	ksft_print_msg("requests per quote:%s; %.2f s for all, the slowest %.2f s; %llu extends meanwhile; views of %llu batches checked in %.1f s\n",
		       sizes, t0, slowest, (unsigned long long)extends,
		       (unsigned long long)v[0].h.batches, now_s() - tv);
	EXPECT_GT(NATT, nq);
	EXPECT_EQ(nq, s1.quotes - s0.quotes);
	EXPECT_EQ(NATT, s1.attestations - s0.attestations);
	EXPECT_LT(0, extends);
out:
	for (unsigned int i = 0; i < NATT; i++)
		free(at[i].buf);
	pthread_barrier_destroy(&b.go);
	free(values);
	free(v);
	free(ex);
	free(at);
}

/* ---- what was acknowledged before a request is in its view ------------------------ */

struct acker {
	pthread_t th;
	const char *dev;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool running;		/* main: extend now */
	bool idle;		/* acker: waiting, no extend in flight */
	bool stop;
	atomic_uint acked;	/* extends acknowledged: 0..acked-1 */
	long rc;
};

/* the i-th digest the acker extends */
static void ack_digest(uint32_t i, uint8_t out[32])
{
	uint8_t seed[9] = "acked";

	put_be32(seed + 5, i);
	ossl_digest(ALG_SHA256, seed, sizeof(seed), out);
}

/* extends 0, 1, 2, ... whenever main lets it run */
static void *acker_main(void *arg)
{
	struct acker *a = arg;
	uint8_t cmd[256], d[32];
	int fd = open(a->dev, O_RDWR | O_CLOEXEC);
	uint32_t i = 0;

	pthread_mutex_lock(&a->mu);
	if (fd < 0)
		a->rc = -errno;
	while (!a->rc) {
		while (!a->running && !a->stop) {
			a->idle = true;
			pthread_cond_broadcast(&a->cv);
			pthread_cond_wait(&a->cv, &a->mu);
		}
		if (a->stop)
			break;
		a->idle = false;
		pthread_mutex_unlock(&a->mu);
		ack_digest(i, d);
		a->rc = cmd_rc(fd, cmd, build_pcr_extend(cmd, 16, ALG_SHA256,
							 d, 32));
		if (!a->rc)
			atomic_store(&a->acked, ++i);
		pthread_mutex_lock(&a->mu);
	}
	a->idle = true;
	pthread_cond_broadcast(&a->cv);
	pthread_mutex_unlock(&a->mu);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* let it run, or stop it and wait until no extend of it is in flight */
static void acker_run(struct acker *a, bool run)
{
	pthread_mutex_lock(&a->mu);
	a->running = run;
	pthread_cond_broadcast(&a->cv);
	while (!run && !a->idle)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
}

/* the sha256 digests of instance uuid's EXTEND records, in log order */
struct ext_list {
	const uint8_t *uuid;
	unsigned int n, cap;
	uint8_t (*d)[32];
	bool bad;
};

static int ext_entry(void *ctx, const struct walk_entry *e)
{
	struct ext_list *l = ctx;

	if (e->form != VTPM_ENTRY_CLEAR || body_type(e->body) != REC_EXTEND ||
	    memcmp(body_uuid(e->body), l->uuid, 16))
		return 0;
	/* count 1: u16 alg, its digest */
	if (body_count(e->body) != 1 || e->blen < 31 + 2 + 32 ||
	    get_be16(e->body + 31) != ALG_SHA256 || l->n == l->cap) {
		l->bad = true;
		return 0;
	}
	memcpy(l->d[l->n++], e->body + 33, 32);
	return 0;
}

TEST_F_TIMEOUT(att, acked_changes_in_view, 300)
{
	const struct env *e = &self->env;
	struct verdict *v = calloc(1, sizeof(*v));
	struct acker a = { .mu = PTHREAD_MUTEX_INITIALIZER,
			   .cv = PTHREAD_COND_INITIALIZER };
	struct inst *in;
	struct ext_list l = { 0 };
	unsigned int last = 0;
	int fd;

	BEGIN();
	ASSERT_NE(NULL, v);
	in = new_inst(_metadata, self, "attest-acked", false);
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, startup_clear(fd));
	a.dev = in->dev;
	atomic_init(&a.acked, 0);
	ASSERT_EQ(0, pthread_create(&a.th, NULL, acker_main, &a));

	for (int round = 0; round < 4; round++) {
		struct vtpm_attest_req req;
		uint8_t nonce[16], *buf = NULL, want[32];
		unsigned int k = 0, m;
		double deadline;
		size_t cap = view_size(fd) + BUNDLE_OVERHEAD;
		int ret = -ENOSPC;

		ASSERT_EQ(1, RAND_bytes(nonce, sizeof(nonce)));
		/* the extender runs; once it got on, a request at once */
		acker_run(&a, true);
		deadline = now_s() + 30;
		while (atomic_load(&a.acked) < last + 2 && now_s() < deadline &&
		       !a.rc)
			usleep(1000);
		/* the extender makes the view grow meanwhile: ample margins */
		cap += cap / 2;
		for (int tries = 0; ret == -ENOSPC && tries < 8; tries++) {
			free(buf);
			buf = malloc(cap);
			ASSERT_NE(NULL, buf);
			k = atomic_load(&a.acked);
			req_init(&req, 0, nonce, sizeof(nonce), buf, cap);
			ret = attest_ioctl(fd, VTPM_IOC_ATTEST, &req);
			cap = req.len + req.len / 2 + BUNDLE_OVERHEAD;
		}
		m = atomic_load(&a.acked);
		/* no extends while the bundle is checked */
		acker_run(&a, false);
		ASSERT_EQ(0, a.rc) TH_LOG("the extender: 0x%lx", a.rc);
		ASSERT_EQ(0, ret);
		ASSERT_LE(last + 2, k) TH_LOG("the extender does not get on");
		/* the instance's extends in the view, collected as it is checked */
		free(l.d);
		l = (struct ext_list){ .uuid = in->uuid, .cap = m + 2 };
		l.d = calloc(l.cap, 32);
		ASSERT_NE(NULL, l.d);
		verify_ext(e, buf, req.len, in->uuid, in->idx, nonce,
			   sizeof(nonce), ext_entry, &l, v);
		ASSERT_STREQ("", v->why) TH_LOG("round %d", round);
		{
			char why[512];

			bundle_vs_full(v, in->uuid, why, sizeof(why));
			EXPECT_STREQ("", why) TH_LOG("round %d", round);
		}

		/* they are 0..j-1, and k <= j <= m + 1 */
		EXPECT_FALSE(l.bad);
		EXPECT_LE(k, l.n)
			TH_LOG("round %d: %u extends acknowledged before the request, %u in the view",
			       round, k, l.n);
		EXPECT_GE(m + 1, l.n)
			TH_LOG("round %d: %u extends in the view, only %u acknowledged after it",
			       round, l.n, m);
		for (unsigned int i = 0; i < l.n; i++) {
			ack_digest(i, want);
			EXPECT_EQ(0, memcmp(want, l.d[i], 32))
				TH_LOG("round %d: extend %u in the view is not the %u-th sent",
				       round, i, i);
		}
		TH_LOG("round %d: %u extends acknowledged before the request, %u in its view, %u after it",
		       round, k, l.n, m);
		last = atomic_load(&a.acked);
		free(buf);
	}
	pthread_mutex_lock(&a.mu);
	a.stop = true;
	pthread_cond_broadcast(&a.cv);
	pthread_mutex_unlock(&a.mu);
	pthread_join(a.th, NULL);
	EXPECT_EQ(0, a.rc);
	free(l.d);
	close(fd);
	free(v);
}

TEST_HARNESS_MAIN
