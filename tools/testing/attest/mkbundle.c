// SPDX-License-Identifier: GPL-2.0
/*
 * mkbundle: SYNTHETIC attestation bundles (Documentation/attestation.md),
 * for the tests of vtpm-verify and the seeds of its fuzzer.  Real bundles
 * come from the kernel and a hardware TPM; here the log is written with the
 * module's own writers (drivers/vtpm/lib/mlog.c), the "quote" is a
 * TPMS_ATTEST marshalled with the TSS2 MU library and signed with a key
 * from a PEM file, as a TPM would sign it.
 *
 *   mkbundle --key PRIV.pem [--pub-out PUB.pem] [--out FILE]
 *	      [--all-out PREFIX] [--tenant a|b|c] [--nonce HEX]
 *	      [--requests N] [--index I] [--batches K] [--banks LIST]
 *	      [--hw-pcr N] [--pcr-select N] [--sig-hash ALG] [--pss]
 *	      [--reset-count N] [--full-out FILE] [--print]
 *
 * The log (salt key 00 01 .. 1f; mux PCR --hw-pcr, default 13; banks
 * --banks, default sha1,sha256; start values all zero; genesis:
 * reset_count --reset-count (default 3), restart_count 0, clock 0x1000,
 * log_id 10 11 .. 1f):
 *
 *	tenant	uuid		tag	  index	label
 *	A	a0 a1 .. af	a7 x 32	  0	"tenant-a"
 *	B	b0 b1 .. bf	b7 x 32	  1	"tenant-b"
 *	C	c0 c1 .. cf	c7 x 32	  2	"tenant-c"
 *
 *	batch 0: GENESIS
 *	batch 1: CREATE A; CREATE B
 *	batch 2: EXTEND A vPCR 10 sha256=H("a"); EXTEND B vPCR 10
 *		 sha256=H("b"); CREATE C
 *	batch 3: EVENT A vPCR 16 H_bank("hello") in every bank; EXTEND C
 *		 vPCR 11 sha256=H("c"); EXTEND A vPCR 10 sha1=H("a1"),
 *		 sha256=H("a1")
 *	batch 4: EXTEND A vPCR 12 sha256=H("voided"); EXTEND B vPCR 10
 *		 sha256=H("b2")
 *	batch 5: ABORT(4): batch 4 is void
 *	batch 6: RESET A vPCR 16; EXTEND A vPCR 16 sha256=H("after-reset");
 *		 DESTROY C; EXTEND B vPCR 12 sha1=H("b3")
 *	batch 7: EXTEND A vPCR 10 sha256=H("a2")
 *
 * (digests of a bank the log does not have are left out; an EXTEND left
 * with none gets the message's digest in the first bank instead).  The
 * quote is taken after the first --batches K batches (default 8, at least
 * 2) and answers --requests N requests (default 1): request --index I
 * (default 0) is for tenant --tenant (default a) with nonce --nonce
 * (default 00112233445566778899aabbccddeeff), every other request i for A
 * (i even) or B (i odd) with nonce SHA-256("mkbundle nonce" || u32 i)[0..15].
 * The quote selects PCR --pcr-select (default: the mux PCR) in every bank,
 * its pcrDigest is H_sig(the replayed PCR values in bank order), it is
 * signed with --sig-hash (default sha256): ECDSA for an EC key, RSASSA
 * (RSAPSS with --pss) for an RSA key.  --out writes request I's bundle,
 * --all-out PREFIX every request's as PREFIX<i>; --full-out the full log;
 * --print the batch digests, PCR values, request values and the root.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <tss2/tss2_mu.h>

#include "attest_util.h"
#include "util.h"

#define MAX_RECS	64
#define MAX_BATCHES	8
#define MAX_REQUESTS	4096

struct rec {
	struct vtpm_log_rec r;
	u8 salt[VTPM_SALT_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	u8 body[VTPM_REC_MAX_BODY];
	u16 blen;
	u8 leaf[VTPM_LEAF_SIZE];
	u64 batch;
};

struct tenant {
	u8 uuid[VTPM_UUID_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	u32 index;
	const char *label;
	u64 created;	/* batch of its CREATE */
};

static struct rec recs[MAX_RECS];
static u32 nr_recs;
static u64 cur_batch;
static struct tenant tenants[3];
static struct vtpm_banks banks;
static u8 salt_key[32];
static u32 reset_count = 3;

static void die(const char *msg)
{
	fprintf(stderr, "mkbundle: %s\n", msg);
	exit(2);
}

static void add(struct vtpm_log_rec *r, const struct tenant *t)
{
	struct rec *x = &recs[nr_recs];

	if (nr_recs == MAX_RECS)
		die("too many records");
	r->seq = nr_recs;
	if (t)
		memcpy(r->uuid, t->uuid, VTPM_UUID_SIZE);
	x->r = *r;
	x->batch = cur_batch;
	x->blen = vtpm_rec_encode(r, x->body, sizeof(x->body));
	if (!x->blen)
		die("cannot encode a record");
	memset(x->salt, 0, sizeof(x->salt));
	memset(x->tag, 0, sizeof(x->tag));
	if (r->type != VTPM_REC_ABORT &&
	    vtpm_rec_salt(salt_key, sizeof(salt_key), r->seq, x->salt))
		die("salt failed");
	if (t)
		memcpy(x->tag, t->tag, VTPM_TAG_SIZE);
	if (vtpm_rec_leaf(x->salt, x->tag, x->body, x->blen, x->leaf))
		die("leaf failed");
	nr_recs++;
}

static bool have_bank(u16 alg)
{
	u32 i;

	for (i = 0; i < banks.nr; i++)
		if (banks.bank[i].alg == alg)
			return true;
	return false;
}

static void hash_msg(u16 alg, const char *msg, u8 *out)
{
	if (vtpm_plat_hash(alg, msg, strlen(msg), out))
		die("hash failed");
}

/* an EXTEND of @t's vPCR @pcr with the digests of @msg in @algs */
static void extend(const struct tenant *t, u32 pcr, const char *msg,
		   const u16 *algs, u32 n)
{
	struct vtpm_log_rec r = { .type = VTPM_REC_EXTEND, .pcr = pcr };
	u32 i;

	for (i = 0; i < n; i++) {
		if (!have_bank(algs[i]))
			continue;
		r.d[r.count].alg = algs[i];
		hash_msg(algs[i], msg, r.d[r.count++].digest);
	}
	if (!r.count) {
		r.d[0].alg = banks.bank[0].alg;
		hash_msg(r.d[0].alg, msg, r.d[0].digest);
		r.count = 1;
	}
	add(&r, t);
}

static void event(const struct tenant *t, u32 pcr, const char *msg)
{
	struct vtpm_log_rec r = { .type = VTPM_REC_EVENT, .pcr = pcr };
	u32 i;

	for (i = 0; i < banks.nr; i++) {
		r.d[i].alg = banks.bank[i].alg;
		hash_msg(r.d[i].alg, msg, r.d[i].digest);
	}
	r.count = banks.nr;
	add(&r, t);
}

static void simple(const struct tenant *t, u8 type, u32 pcr)
{
	struct vtpm_log_rec r = { .type = type, .pcr = pcr };

	add(&r, t);
}

static void create(struct tenant *t)
{
	struct vtpm_log_rec r = {
		.type = VTPM_REC_CREATE,
		.pcr = VTPM_LOG_NO_PCR,
	};

	r.create.index = t->index;
	snprintf(r.create.label, sizeof(r.create.label), "%s", t->label);
	t->created = cur_batch;
	add(&r, t);
}

static void build_log(u32 hw_pcr, const u8 *log_id)
{
	static const u16 sha256[] = { VTPM_ALG_SHA256 };
	static const u16 sha1[] = { VTPM_ALG_SHA1 };
	static const u16 both[] = { VTPM_ALG_SHA1, VTPM_ALG_SHA256 };
	struct vtpm_log_rec g = {
		.type = VTPM_REC_GENESIS,
		.pcr = VTPM_LOG_NO_PCR,
	};
	struct tenant *a = &tenants[0], *b = &tenants[1], *c = &tenants[2];
	u32 i;

	g.genesis.hw_pcr = hw_pcr;
	g.genesis.nr_banks = banks.nr;
	for (i = 0; i < banks.nr; i++)
		g.genesis.start[i].alg = banks.bank[i].alg;
	g.genesis.reset_count = reset_count;
	g.genesis.restart_count = 0;
	g.genesis.clock = 0x1000;
	memcpy(g.genesis.log_id, log_id, VTPM_LOG_ID_SIZE);

	cur_batch = 0;
	add(&g, NULL);
	cur_batch = 1;
	create(a);
	create(b);
	cur_batch = 2;
	extend(a, 10, "a", sha256, 1);
	extend(b, 10, "b", sha256, 1);
	create(c);
	cur_batch = 3;
	event(a, 16, "hello");
	extend(c, 11, "c", sha256, 1);
	extend(a, 10, "a1", both, 2);
	cur_batch = 4;
	extend(a, 12, "voided", sha256, 1);
	extend(b, 10, "b2", sha256, 1);
	cur_batch = 5;
	g.type = VTPM_REC_ABORT;
	g.abort_batch = 4;
	add(&g, NULL);
	cur_batch = 6;
	simple(a, VTPM_REC_RESET, 16);
	extend(a, 16, "after-reset", sha256, 1);
	simple(c, VTPM_REC_DESTROY, VTPM_LOG_NO_PCR);
	extend(b, 12, "b3", sha1, 1);
	cur_batch = 7;
	extend(a, 10, "a2", sha256, 1);
}

/* @t's commitment: its records in the first @k batches */
static void commit_of(const struct tenant *t, u64 k, struct vtpm_log_commit *c)
{
	u32 i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < nr_recs && recs[i].batch < k; i++)
		if (!memcmp(recs[i].r.uuid, t->uuid, VTPM_UUID_SIZE) &&
		    vtpm_commit_add(c, recs[i].leaf))
			die("commitment failed");
}

/* the log of the first @k batches: full (@t NULL) or @t's view */
static size_t write_log(const struct tenant *t, u64 k, u32 hw_pcr, u8 **out)
{
	struct vtpm_log_header h = {
		.kind = t ? VTPM_LOG_VIEW : VTPM_LOG_FULL,
		.hw_pcr = hw_pcr,
		.nr_banks = banks.nr,
		.first_batch = 0,
		.nr_batches = k,
	};
	struct tpm_wr w;
	u32 i, j, pass;
	u8 *p = NULL;
	u64 b;

	for (i = 0; i < banks.nr; i++)
		h.algs[i] = banks.bank[i].alg;
	if (t) {
		memcpy(h.uuid, t->uuid, VTPM_UUID_SIZE);
		commit_of(t, k, &h.commit);
	}
	for (pass = 0; pass < 2; pass++) {
		tpm_wr_init(&w, p, pass ? w.pos : SIZE_MAX);
		vtpm_log_wr_header(&w, &h);
		for (b = 0, i = 0; b < k; b++) {
			for (j = i; j < nr_recs && recs[j].batch == b; j++)
				;
			vtpm_log_wr_batch(&w, b, j - i);
			for (; i < j; i++) {
				const struct rec *x = &recs[i];
				bool clear = !t || x->r.type == VTPM_REC_GENESIS ||
					     x->r.type == VTPM_REC_ABORT ||
					     !memcmp(x->r.uuid, t->uuid,
						     VTPM_UUID_SIZE);

				if (clear)
					vtpm_log_wr_clear(&w, x->salt, x->tag,
							  x->body, x->blen);
				else
					vtpm_log_wr_leaf(&w, x->leaf);
			}
		}
		if (w.err)
			die("cannot write the log");
		if (!pass) {
			p = malloc(w.pos);
			if (!p)
				die("out of memory");
		}
	}
	*out = p;
	return w.pos;
}

/* the mux PCR after the first @k batches, per bank */
static void replay_pcr(u64 k, u8 pcr[][VTPM_MAX_DIGEST_SIZE], bool print)
{
	u8 leaves[MAX_RECS][VTPM_LEAF_SIZE], digest[VTPM_MAX_DIGEST_SIZE];
	u32 i = 0, j, n, bank;
	u64 b;

	memset(pcr, 0, VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE);
	for (b = 0; b < k; b++) {
		for (n = 0, j = i; j < nr_recs && recs[j].batch == b; j++)
			memcpy(leaves[n++], recs[j].leaf, VTPM_LEAF_SIZE);
		i = j;
		for (bank = 0; bank < banks.nr; bank++) {
			u16 alg = banks.bank[bank].alg;

			if (vtpm_batch_digest(alg, b, leaves[0], n, digest) ||
			    vtpm_pcr_extend_value(alg, pcr[bank], digest))
				die("batch digest failed");
			if (print) {
				printf("batch %llu %s ", (unsigned long long)b,
				       vtpm_alg_name(alg));
				vv_hex_print(stdout, digest, banks.bank[bank].size);
				printf("\n");
			}
		}
	}
}

/* request @i's tenant and nonce */
static const struct tenant *request(u32 i, u32 index, const struct tenant *mine,
				    const u8 *nonce, size_t nonce_len, u8 *n,
				    size_t *nlen)
{
	u8 be[4], h[32];
	struct vtpm_iov iov[2] = {
		{ "mkbundle nonce", 14 }, { be, 4 },
	};

	if (i == index) {
		memcpy(n, nonce, nonce_len);
		*nlen = nonce_len;
		return mine;
	}
	put_unaligned_be32(i, be);
	if (vtpm_plat_hashv(VTPM_ALG_SHA256, iov, 2, h))
		die("hash failed");
	memcpy(n, h, 16);
	*nlen = 16;
	return &tenants[i % 2];
}

static struct tenant *tenant_by_name(const char *s)
{
	if (strlen(s) == 1 && s[0] >= 'a' && s[0] <= 'c')
		return &tenants[s[0] - 'a'];
	die("--tenant: a, b or c");
	return NULL;
}

static unsigned long num(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v = strtoul(s, &end, 0);

	if (!*s || *end || v > max) {
		fprintf(stderr, "mkbundle: bad %s \"%s\"\n", what, s);
		exit(2);
	}
	return v;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: mkbundle --key PRIV.pem [--pub-out PUB.pem] [--out FILE]\n"
		"         [--all-out PREFIX] [--tenant a|b|c] [--nonce HEX]\n"
		"         [--requests N] [--index I] [--batches K] [--banks LIST]\n"
		"         [--hw-pcr N] [--pcr-select N] [--sig-hash ALG] [--pss]\n"
		"         [--reset-count N] [--full-out FILE] [--print]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "pub-out", required_argument, NULL, 'p' },
		{ "out", required_argument, NULL, 'o' },
		{ "all-out", required_argument, NULL, 'A' },
		{ "tenant", required_argument, NULL, 't' },
		{ "nonce", required_argument, NULL, 'n' },
		{ "requests", required_argument, NULL, 'r' },
		{ "index", required_argument, NULL, 'i' },
		{ "batches", required_argument, NULL, 'b' },
		{ "banks", required_argument, NULL, 'B' },
		{ "hw-pcr", required_argument, NULL, 'H' },
		{ "pcr-select", required_argument, NULL, 's' },
		{ "sig-hash", required_argument, NULL, 'h' },
		{ "pss", no_argument, NULL, 'P' },
		{ "full-out", required_argument, NULL, 'f' },
		{ "print", no_argument, NULL, 'x' },
		{ "reset-count", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *key_path = NULL, *pub_out = NULL, *out = NULL;
	const char *all_out = NULL, *full_out = NULL;
	u8 nonce[VTPM_NONCE_MAX] = {
		0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
		0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
	};
	size_t nonce_len = 16, i;
	u32 requests = 1, index = 0, hw_pcr = 13, sel_pcr = ~0u;
	u16 sig_hash = VTPM_ALG_SHA256;
	u64 k = MAX_BATCHES;
	struct tenant *mine;
	bool pss = false, print = false;
	u8 log_id[VTPM_LOG_ID_SIZE], pcr[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	u8 *values, *scratch, root[VTPM_MERKLE_HASH_SIZE];
	u8 attest[VTPM_ATTEST_MAX], sig[VTPM_ATTEST_MAX];
	size_t attest_len = 0, sig_len;
	const char *bank_list = "sha1,sha256";
	EVP_PKEY *key;
	TPMS_ATTEST a;
	struct vtpm_iov iov[VTPM_MAX_BANKS];
	int c;

	setenv("TSS2_LOG", "all+NONE", 0);
	for (i = 0; i < 3; i++) {
		u32 j;

		for (j = 0; j < VTPM_UUID_SIZE; j++)
			tenants[i].uuid[j] = (0xa0 + 0x10 * i) | j;
		memset(tenants[i].tag, 0xa7 + 0x10 * i, VTPM_TAG_SIZE);
		tenants[i].index = i;
		tenants[i].created = ~0ull;
	}
	tenants[0].label = "tenant-a";
	tenants[1].label = "tenant-b";
	tenants[2].label = "tenant-c";
	mine = &tenants[0];
	for (i = 0; i < sizeof(salt_key); i++)
		salt_key[i] = i;
	for (i = 0; i < VTPM_LOG_ID_SIZE; i++)
		log_id[i] = 0x10 + i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			key_path = optarg;
			break;
		case 'p':
			pub_out = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'A':
			all_out = optarg;
			break;
		case 't':
			mine = tenant_by_name(optarg);
			break;
		case 'n':
			if (vv_hex_decode(optarg, nonce, sizeof(nonce),
					  &nonce_len) || !nonce_len)
				die("--nonce: 1..64 bytes of hex");
			break;
		case 'r':
			requests = num(optarg, MAX_REQUESTS, "--requests");
			break;
		case 'i':
			index = num(optarg, MAX_REQUESTS, "--index");
			break;
		case 'b':
			k = num(optarg, MAX_BATCHES, "--batches");
			break;
		case 'B':
			bank_list = optarg;
			break;
		case 'H':
			hw_pcr = num(optarg, VTPM_NUM_PCRS - 1, "--hw-pcr");
			break;
		case 's':
			sel_pcr = num(optarg, VTPM_NUM_PCRS - 1, "--pcr-select");
			break;
		case 'h':
			sig_hash = vv_alg_by_name(optarg);
			if (!sig_hash)
				die("--sig-hash: sha1, sha256, sha384 or sha512");
			break;
		case 'P':
			pss = true;
			break;
		case 'f':
			full_out = optarg;
			break;
		case 'x':
			print = true;
			break;
		case 'R':
			reset_count = num(optarg, 0xffffffff, "--reset-count");
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !key_path || !requests || index >= requests ||
	    k < 2)
		usage();
	if (sel_pcr == ~0u)
		sel_pcr = hw_pcr;
	{
		char *list = strdup(bank_list), *tok, *save = NULL;

		for (tok = strtok_r(list, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save))
			if (vtpm_banks_add(&banks, vv_alg_by_name(tok)))
				die("--banks: distinct sha1, sha256, sha384, sha512");
		free(list);
		if (!banks.nr)
			die("--banks: at least one bank");
	}
	key = load_private_key(key_path);
	if (!key)
		die("--key: not a PEM EC or RSA private key");
	if (pub_out && write_public_key(key, pub_out))
		die("cannot write --pub-out");

	build_log(hw_pcr, log_id);
	replay_pcr(k, pcr, print);
	if (print) {
		for (i = 0; i < banks.nr; i++) {
			printf("pcr %s ", vtpm_alg_name(banks.bank[i].alg));
			vv_hex_print(stdout, pcr[i], banks.bank[i].size);
			printf("\n");
		}
	}

	/* the requests and their Merkle tree */
	values = calloc(requests, VTPM_MERKLE_HASH_SIZE);
	scratch = calloc(requests, VTPM_MERKLE_HASH_SIZE);
	if (!values || !scratch)
		die("out of memory");
	for (i = 0; i < requests; i++) {
		u8 n[VTPM_NONCE_MAX];
		size_t nlen;
		const struct tenant *t = request(i, index, mine, nonce,
						 nonce_len, n, &nlen);
		struct vtpm_log_commit c;

		if (t->created >= k)
			die("the tenant does not exist yet at --batches");
		commit_of(t, k, &c);
		if (vtpm_attest_value(log_id, k, t->uuid, &c, n, nlen,
				      values + i * VTPM_MERKLE_HASH_SIZE))
			die("request value failed");
		if (print) {
			printf("request %zu ", i);
			vv_hex_print(stdout, values + i * VTPM_MERKLE_HASH_SIZE,
				     VTPM_MERKLE_HASH_SIZE);
			printf("\n");
		}
	}
	if (vtpm_merkle_root(values, requests, scratch, root))
		die("Merkle root failed");
	if (print) {
		printf("root ");
		vv_hex_print(stdout, root, sizeof(root));
		printf("\n");
	}

	/* the quote */
	memset(&a, 0, sizeof(a));
	a.magic = TPM2_GENERATED_VALUE;
	a.type = TPM2_ST_ATTEST_QUOTE;
	a.qualifiedSigner.size = 34;
	put_unaligned_be16(VTPM_ALG_SHA256, a.qualifiedSigner.name);
	hash_msg(VTPM_ALG_SHA256, "mkbundle signer", a.qualifiedSigner.name + 2);
	a.extraData.size = sizeof(root);
	memcpy(a.extraData.buffer, root, sizeof(root));
	a.clockInfo.clock = 0x1000 + 1000 * k;
	a.clockInfo.resetCount = reset_count;
	a.clockInfo.restartCount = 0;
	a.clockInfo.safe = 1;
	a.firmwareVersion = 0x2023061400010002ull;
	a.attested.quote.pcrSelect.count = banks.nr;
	for (i = 0; i < banks.nr; i++) {
		TPMS_PCR_SELECTION *s = &a.attested.quote.pcrSelect.pcrSelections[i];

		s->hash = banks.bank[i].alg;
		s->sizeofSelect = 3;
		s->pcrSelect[sel_pcr / 8] |= 1u << (sel_pcr % 8);
		iov[i].p = pcr[i];
		iov[i].len = banks.bank[i].size;
	}
	a.attested.quote.pcrDigest.size = vtpm_alg_digest_size(sig_hash);
	if (vtpm_plat_hashv(sig_hash, iov, banks.nr,
			    a.attested.quote.pcrDigest.buffer))
		die("hash failed");
	if (Tss2_MU_TPMS_ATTEST_Marshal(&a, attest, sizeof(attest), &attest_len))
		die("cannot marshal the TPMS_ATTEST");
	sig_len = sign_tpm(key, sig_hash, pss, attest, attest_len, sig,
			   sizeof(sig));
	if (!sig_len)
		die("signing failed");

	if (full_out) {
		u8 *log;
		size_t len = write_log(NULL, k, hw_pcr, &log);

		if (write_file(full_out, log, len))
			exit(2);
		free(log);
	}
	for (i = 0; i < requests; i++) {
		const struct tenant *t;
		struct vtpm_bundle bd;
		char path[4096];
		u8 *view, *buf;
		size_t len, nlen;
		u32 plen;

		if (!(all_out || (out && i == index)))
			continue;
		memset(&bd, 0, sizeof(bd));
		t = request(i, index, mine, nonce, nonce_len, bd.nonce, &nlen);
		bd.nonce_len = nlen;
		memcpy(bd.uuid, t->uuid, VTPM_UUID_SIZE);
		bd.batches = k;
		bd.leaf_index = i;
		bd.nr_leaves = requests;
		if (vtpm_merkle_proof(values, requests, i, scratch, bd.path[0],
				      &plen))
			die("Merkle proof failed");
		bd.path_len = plen;
		bd.attest = attest;
		bd.attest_len = attest_len;
		bd.sig = sig;
		bd.sig_len = sig_len;
		bd.view_len = write_log(t, k, hw_pcr, &view);
		bd.view = view;
		len = vtpm_bundle_size(&bd);
		buf = malloc(len ? len : 1);
		if (!len || !buf || vtpm_bundle_write(&bd, buf, len) != len)
			die("cannot write the bundle");
		if (out && i == index && write_file(out, buf, len))
			exit(2);
		if (all_out) {
			snprintf(path, sizeof(path), "%s%zu", all_out, i);
			if (write_file(path, buf, len))
				exit(2);
		}
		free(buf);
		free(view);
	}
	free(values);
	free(scratch);
	EVP_PKEY_free(key);
	return 0;
}
