// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-tamper: apply ONE mutation to an attestation bundle and write it
 * out again (vtpm_bundle_write()), for the tests of vtpm-verify.  View
 * mutations take the view apart and serialise it again, so that the
 * result is well-formed wherever the mutation allows.  Works on any valid
 * bundle, synthetic (mkbundle) or made by the kernel.
 *
 *   vtpm-tamper IN OUT MUTATION [ARG...]
 *
 * Mutations:
 *   modify-own		flip a bit of the first digest of the instance's
 *			first EXTEND or EVENT record
 *   drop-own		remove the instance's first record that is not its
 *			CREATE (its CREATE if it has no other)
 *   reorder-own	swap the instance's first two records
 *   insert-own		insert a copy of the instance's first record that is
 *			not its CREATE right after it
 *   modify-other-leaf	flip a bit of the first LEAF entry
 *   truncate-view	drop the last batch (nr_batches fixed)
 *   truncate-view-raw [N] cut the last N bytes of the view (default 1)
 *   set-nonce HEX	rewrite the header's nonce
 *   set-uuid UUID	rewrite the header's uuid
 *   break-proof	flip a bit of the inclusion proof (a request alone
 *			in its quote, without a proof, gets a bogus node)
 *   swap-view OTHER	take the view of bundle OTHER
 *   replace-quote ATTEST SIG
 *			splice in a TPMS_ATTEST and a TPMT_SIGNATURE, e.g.
 *			of tpm2_quote -m ATTEST -s SIG (a TPMS_ATTEST with
 *			its TPM2B size in front is accepted too)
 *   resign KEYPEM [ALG] sign the quote again with another key (EC: ECDSA,
 *			RSA: RSASSA), with the hash ALG (default: that of
 *			the current signature, else sha256)
 *   flip-attest OFFSET	flip a bit of byte OFFSET of the TPMS_ATTEST (the
 *			signature is left as it is: resign to re-sign)
 *   set-view LOGFILE	splice in a serialised log (a view or a full log)
 *   extract-quote ATTEST SIG
 *			not a mutation: write the bundle's TPMS_ATTEST and
 *			TPMT_SIGNATURE to files (for tpm2_checkquote, say);
 *			OUT is written unchanged
 *
 * Exit status: 0 done, 1 the mutation does not apply to this bundle (say,
 * no LEAF entry to modify), 2 usage or input error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <tss2/tss2_mu.h>

#include "attest_util.h"
#include "util.h"

static void die(int status, const char *fmt, const char *arg)
{
	fprintf(stderr, "vtpm-tamper: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	exit(status);
}

/* a record of the view's own instance, in the clear */
static bool own(const struct tview *v, const struct tentry *e,
		struct vtpm_log_rec *r)
{
	if (e->form != VTPM_ENTRY_CLEAR ||
	    vtpm_rec_decode(e->body, e->blen, r))
		return false;
	return r->type != VTPM_REC_GENESIS && r->type != VTPM_REC_ABORT &&
	       !memcmp(r->uuid, v->hdr.uuid, VTPM_UUID_SIZE);
}

/*
 * The @nth own record accepted by @want (NULL: any), in log order: batch
 * index in *@b, entry in *@i.
 */
static bool find_own(const struct tview *v, int nth,
		     bool (*want)(const struct vtpm_log_rec *r), u64 *b,
		     u32 *i)
{
	struct vtpm_log_rec r;

	for (*b = 0; *b < v->nr; (*b)++)
		for (*i = 0; *i < v->b[*b].n; (*i)++)
			if (own(v, &v->b[*b].e[*i], &r) && (!want || want(&r)) &&
			    !nth--)
				return true;
	return false;
}

static bool has_digest(const struct vtpm_log_rec *r)
{
	return r->type == VTPM_REC_EXTEND || r->type == VTPM_REC_EVENT;
}

static bool not_create(const struct vtpm_log_rec *r)
{
	return r->type != VTPM_REC_CREATE;
}

/* the first own record that is not a CREATE, else the CREATE */
static bool find_own_not_create(const struct tview *v, u64 *b, u32 *i)
{
	return find_own(v, 0, not_create, b, i) ||
	       find_own(v, 0, NULL, b, i);
}

static int mutate_view(const char *m, struct tview *v)
{
	struct tentry tmp;
	u64 b, b2;
	u32 i, i2;

	if (!strcmp(m, "modify-own")) {
		if (!find_own(v, 0, has_digest, &b, &i))
			return -1;
		/* version, type, seq, uuid, pcr, count, then u16 alg */
		v->b[b].e[i].body[31 + 2] ^= 0x01;
	} else if (!strcmp(m, "drop-own")) {
		if (!find_own_not_create(v, &b, &i))
			return -1;
		tview_remove(v, b, i);
	} else if (!strcmp(m, "reorder-own")) {
		if (!find_own(v, 0, NULL, &b, &i) ||
		    !find_own(v, 1, NULL, &b2, &i2))
			return -1;
		tmp = v->b[b].e[i];
		v->b[b].e[i] = v->b[b2].e[i2];
		v->b[b2].e[i2] = tmp;
	} else if (!strcmp(m, "insert-own")) {
		if (!find_own_not_create(v, &b, &i) ||
		    v->b[b].n >= VTPM_MAX_BATCH)
			return -1;
		if (tview_insert(v, b, i + 1, &v->b[b].e[i]))
			return -1;
	} else if (!strcmp(m, "modify-other-leaf")) {
		for (b = 0; b < v->nr; b++)
			for (i = 0; i < v->b[b].n; i++)
				if (v->b[b].e[i].form == VTPM_ENTRY_LEAF)
					goto found;
		return -1;
found:
		v->b[b].e[i].leaf[0] ^= 0x01;
	} else if (!strcmp(m, "truncate-view")) {
		if (v->nr < 2)
			return -1;
		b = v->nr - 1;
		while (v->nr > b)
			tview_remove(v, b, v->b[b].n - 1);
	} else {
		return -2;
	}
	return 0;
}

static u8 *read_or_die(const char *path, size_t *len)
{
	u8 *p;
	int ret = vv_read_file(path, &p, len);

	if (ret)
		die(2, "cannot read %s", path);
	return p;
}

static void parse_or_die(const u8 *buf, size_t len, struct vtpm_bundle *b,
			 const char *path)
{
	const char *why;
	size_t off;

	if (vtpm_bundle_parse(buf, len, b, &why, &off))
		die(2, "%s: not a valid bundle", path);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vtpm-tamper IN OUT MUTATION [ARG...]\n"
		"mutations: modify-own, drop-own, reorder-own, insert-own,\n"
		"  modify-other-leaf, truncate-view, truncate-view-raw [N],\n"
		"  set-nonce HEX, set-uuid UUID, break-proof, swap-view OTHER,\n"
		"  replace-quote ATTEST SIG, resign KEYPEM [ALG], flip-attest OFFSET,\n"
		"  set-view LOGFILE, extract-quote ATTEST SIG\n");
	exit(2);
}

int main(int argc, char **argv)
{
	u8 *in, *other = NULL, *view = NULL, *a_buf = NULL, *s_buf = NULL;
	u8 sig[VTPM_ATTEST_MAX], attest[VTPM_ATTEST_MAX], *out;
	const char *m, *why;
	struct vtpm_bundle b, ob;
	size_t len, olen, alen, slen, n;
	struct tview v;
	int ret;

	setenv("TSS2_LOG", "all+NONE", 0);
	if (argc < 4)
		usage();
	m = argv[3];
	in = read_or_die(argv[1], &len);
	parse_or_die(in, len, &b, argv[1]);

	if (!strcmp(m, "set-nonce") && argc == 5) {
		if (vv_hex_decode(argv[4], b.nonce, sizeof(b.nonce), &n) || !n)
			die(2, "bad nonce %s", argv[4]);
		b.nonce_len = n;
	} else if (!strcmp(m, "set-uuid") && argc == 5) {
		if (vv_uuid_parse(argv[4], b.uuid))
			die(2, "bad uuid %s", argv[4]);
	} else if (!strcmp(m, "break-proof") && argc == 4) {
		if (b.path_len) {
			b.path[0][0] ^= 0x01;
		} else if (b.nr_leaves == 1) {
			memset(b.path[0], 0xaa, sizeof(b.path[0]));
			b.path_len = 1;
			b.nr_leaves = 2;
		} else {
			die(1, "%s: no proof to break", argv[1]);
		}
	} else if (!strcmp(m, "swap-view") && argc == 5) {
		other = read_or_die(argv[4], &olen);
		parse_or_die(other, olen, &ob, argv[4]);
		b.view = ob.view;
		b.view_len = ob.view_len;
	} else if (!strcmp(m, "replace-quote") && argc == 6) {
		a_buf = read_or_die(argv[4], &alen);
		s_buf = read_or_die(argv[5], &slen);
		/* a TPM2B_ATTEST: drop its size */
		if (alen >= 6 && get_unaligned_be16(a_buf) == alen - 2 &&
		    get_unaligned_be32(a_buf + 2) == TPM2_GENERATED_VALUE) {
			b.attest = a_buf + 2;
			alen -= 2;
		} else {
			b.attest = a_buf;
		}
		if (!alen || alen > VTPM_ATTEST_MAX || !slen ||
		    slen > VTPM_ATTEST_MAX)
			die(2, "%s: quote or signature empty or too long",
			    argv[4]);
		b.attest_len = alen;
		b.sig = s_buf;
		b.sig_len = slen;
	} else if (!strcmp(m, "resign") && (argc == 5 || argc == 6)) {
		EVP_PKEY *key = load_private_key(argv[4]);
		u16 hash = VTPM_ALG_SHA256;
		TPMT_SIGNATURE old;
		size_t off = 0;

		if (!key)
			die(2, "%s: not a PEM EC or RSA private key", argv[4]);
		memset(&old, 0, sizeof(old));
		if (!Tss2_MU_TPMT_SIGNATURE_Unmarshal(b.sig, b.sig_len, &off,
						      &old) &&
		    vtpm_alg_digest_size(old.signature.any.hashAlg))
			hash = old.signature.any.hashAlg;
		if (argc == 6) {
			hash = vv_alg_by_name(argv[5]);
			if (!hash)
				die(2, "bad hash %s", argv[5]);
		}
		b.sig_len = sign_tpm(key, hash, false, b.attest, b.attest_len,
				     sig, sizeof(sig));
		EVP_PKEY_free(key);
		if (!b.sig_len)
			die(2, "%s: signing failed", argv[4]);
		b.sig = sig;
	} else if (!strcmp(m, "flip-attest") && argc == 5) {
		unsigned long at;
		char *end;

		at = strtoul(argv[4], &end, 0);
		if (!*argv[4] || *end)
			die(2, "bad offset %s", argv[4]);
		if (at >= b.attest_len)
			die(1, "%s: the quote is not that long", argv[1]);
		memcpy(attest, b.attest, b.attest_len);
		attest[at] ^= 0x01;
		b.attest = attest;
	} else if (!strcmp(m, "set-view") && argc == 5) {
		other = read_or_die(argv[4], &olen);
		if (!olen || olen > UINT32_MAX)
			die(2, "%s: empty or too long", argv[4]);
		b.view = other;
		b.view_len = olen;
	} else if (!strcmp(m, "extract-quote") && argc == 6) {
		if (write_file(argv[4], b.attest, b.attest_len) ||
		    write_file(argv[5], b.sig, b.sig_len))
			exit(2);
	} else if (!strcmp(m, "truncate-view-raw") && (argc == 4 || argc == 5)) {
		unsigned long cut = 1;
		char *end;

		if (argc == 5) {
			cut = strtoul(argv[4], &end, 0);
			if (!*argv[4] || *end || !cut)
				die(2, "bad length %s", argv[4]);
		}
		if (cut >= b.view_len)
			die(1, "%s: the view is not that long", argv[1]);
		b.view_len -= cut;
	} else if (argc == 4) {
		if (tview_parse(b.view, b.view_len, &v, &why))
			die(2, "the view: %s", why);
		ret = mutate_view(m, &v);
		if (ret == -2)
			usage();
		if (ret)
			die(1, "%s does not apply to this view", m);
		n = tview_write(&v, &view);
		tview_free(&v);
		if (!n || n > UINT32_MAX)
			die(2, "cannot write the view%s", "");
		b.view = view;
		b.view_len = n;
	} else {
		usage();
	}

	len = vtpm_bundle_size(&b);
	out = malloc(len ? len : 1);
	if (!len || !out || vtpm_bundle_write(&b, out, len) != len)
		die(2, "cannot write the bundle%s", "");
	if (write_file(argv[2], out, len))
		exit(2);
	free(out);
	free(view);
	free(other);
	free(a_buf);
	free(s_buf);
	free(in);
	return 0;
}
