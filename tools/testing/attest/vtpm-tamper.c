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
 * Mutations (the view header's commitment to its instance's records is
 * left as it is by every one but those that say they rewrite it):
 *   modify-own		flip a bit of the first digest of the instance's
 *			first EXTEND or EVENT record
 *   drop-own		remove the instance's first record that is not its
 *			CREATE (its CREATE if it has no other)
 *   reorder-own	swap the instance's first two records
 *   insert-own		insert a copy of the instance's first record that is
 *			not its CREATE right after it
 *   hide-own TYPE [N]	turn the instance's N-th (default 1st) clear record
 *			of TYPE (create, extend, event, reset, startup_clear,
 *			startup_state or destroy) into a LEAF entry of its
 *			leaf: the view replays to the same PCR, but shows
 *			fewer records than its header commits to
 *   hide-own-recommit TYPE [N]
 *			the same, and rewrite the header's commitment to what
 *			the view now shows (the request value the quote
 *			answered commits to the old one)
 *   move-own		move one of the instance's clear records into a
 *			neighbouring batch, batch sizes changed by one: the
 *			first (in log order) that is the last entry of its
 *			batch goes first into the next batch, or that is the
 *			first entry of its batch last into the previous one
 *			(never into the genesis batch), so that every record
 *			keeps its number; no batch is emptied.  If none can,
 *			the first in a batch of two or more goes first into
 *			the next batch (the entries after it are then out of
 *			sequence)
 *   modify-other-leaf	flip a bit of the first LEAF entry
 *   truncate-view	drop the last batch (nr_batches fixed)
 *   cut-before-last	a view cut at B-1 with the proof of B: drop the last
 *			batch, set nr_batches and the bundle's batches to
 *			the view's batches left, and rewrite the header's
 *			commitment to what is left
 *   truncate-view-raw [N] cut the last N bytes of the view (default 1)
 *   set-log-version N	rewrite the view's log-format version field (the
 *			rest of the view is left as it is)
 *   set-version N	rewrite the bundle's version field
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
#include <errno.h>
#include <limits.h>
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

/*
 * The @nth (from 0) own record in the clear accepted by @want(r, @type), in
 * log order: batch index in *@b, entry in *@i.
 */
static bool find_own(const struct tview *v, unsigned long nth,
		     bool (*want)(const struct vtpm_log_rec *r, u8 type),
		     u8 type, u64 *b, u32 *i)
{
	struct vtpm_log_rec r;

	for (*b = 0; *b < v->nr; (*b)++)
		for (*i = 0; *i < v->b[*b].n; (*i)++)
			if (tview_own(v, &v->b[*b].e[*i], &r) &&
			    want(&r, type) && !nth--)
				return true;
	return false;
}

static bool any(const struct vtpm_log_rec *r, u8 type)
{
	(void)r;
	(void)type;
	return true;
}

static bool has_digest(const struct vtpm_log_rec *r, u8 type)
{
	(void)type;
	return r->type == VTPM_REC_EXTEND || r->type == VTPM_REC_EVENT;
}

static bool not_create(const struct vtpm_log_rec *r, u8 type)
{
	(void)type;
	return r->type != VTPM_REC_CREATE;
}

static bool of_type(const struct vtpm_log_rec *r, u8 type)
{
	return r->type == type;
}

/* the first own record that is not a CREATE, else the CREATE */
static bool find_own_not_create(const struct tview *v, u64 *b, u32 *i)
{
	return find_own(v, 0, not_create, 0, b, i) ||
	       find_own(v, 0, any, 0, b, i);
}

/* a record type of an instance by name (create, extend, ...); 0: none */
static u8 inst_type(const char *name)
{
	static const u8 types[] = {
		VTPM_REC_CREATE, VTPM_REC_EXTEND, VTPM_REC_EVENT,
		VTPM_REC_RESET, VTPM_REC_STARTUP_CLEAR,
		VTPM_REC_STARTUP_STATE, VTPM_REC_DESTROY,
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(types); k++)
		if (!strcmp(name, vtpm_rec_type_name(types[k])))
			return types[k];
	return 0;
}

/* a number 1..@max; 0 if @s is not one */
static unsigned long number(const char *s, unsigned long max)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(s, &end, 0);
	if (!*s || *end || errno || *s == '-' || n > max)
		return 0;
	return n;
}

/* move entry @i of batch @b to position @at of batch @to */
static int move_entry(struct tview *v, u64 b, u32 i, u64 to, u32 at)
{
	if (tview_insert(v, to, at, &v->b[b].e[i]))
		return -3;
	tview_remove(v, b, i);	/* its batch keeps an entry: not renumbered */
	return 0;
}

static int move_own(struct tview *v)
{
	struct vtpm_log_rec r;
	u64 b;
	u32 i, n;

	/* batch 0 is the genesis record's alone */
	for (b = 1; b < v->nr; b++) {
		n = v->b[b].n;
		for (i = 0; n >= 2 && i < n; i++) {
			if (!tview_own(v, &v->b[b].e[i], &r))
				continue;
			if (i == n - 1 && b + 1 < v->nr &&
			    v->b[b + 1].n < VTPM_MAX_BATCH)
				return move_entry(v, b, i, b + 1, 0);
			if (!i && b >= 2 && v->b[b - 1].n < VTPM_MAX_BATCH)
				return move_entry(v, b, i, b - 1,
						  v->b[b - 1].n);
		}
	}
	for (b = 1; b + 1 < v->nr; b++) {
		n = v->b[b].n;
		for (i = 0; n >= 2 && i < n; i++)
			if (tview_own(v, &v->b[b].e[i], &r) &&
			    v->b[b + 1].n < VTPM_MAX_BATCH)
				return move_entry(v, b, i, b + 1, 0);
	}
	return -1;
}

/* drop the view's last batch (its entries, the batch) */
static void drop_last_batch(struct tview *v)
{
	u64 b = v->nr - 1;

	while (v->nr > b)
		tview_remove(v, b, v->b[b].n - 1);
}

/*
 * Apply view mutation @m with its @nargs arguments @args to @v (and @bd,
 * the bundle, for cut-before-last).  0, -1 it does not apply, -2 unknown
 * mutation or bad arguments, -3 failed.
 */
static int mutate_view(const char *m, char **args, int nargs, struct tview *v,
		       struct vtpm_bundle *bd)
{
	unsigned long nth = 1;
	struct tentry tmp;
	u64 b, b2;
	u32 i, i2;
	u8 type;

	if (!strcmp(m, "hide-own") || !strcmp(m, "hide-own-recommit")) {
		if (nargs < 1 || nargs > 2)
			return -2;
		type = inst_type(args[0]);
		if (nargs == 2)
			nth = number(args[1], ULONG_MAX);
		if (!type || !nth)
			return -2;
		if (!find_own(v, nth - 1, of_type, type, &b, &i))
			return -1;
		if (tview_hide(v, b, i))
			return -3;
		if (!strcmp(m, "hide-own-recommit") &&
		    tview_commit(v, &v->hdr.commit))
			return -3;
		return 0;
	}
	if (nargs)
		return -2;
	if (!strcmp(m, "modify-own")) {
		if (!find_own(v, 0, has_digest, 0, &b, &i))
			return -1;
		/* version, type, seq, uuid, pcr, count, then u16 alg */
		v->b[b].e[i].body[31 + 2] ^= 0x01;
	} else if (!strcmp(m, "drop-own")) {
		if (!find_own_not_create(v, &b, &i))
			return -1;
		tview_remove(v, b, i);
	} else if (!strcmp(m, "reorder-own")) {
		if (!find_own(v, 0, any, 0, &b, &i) ||
		    !find_own(v, 1, any, 0, &b2, &i2))
			return -1;
		tmp = v->b[b].e[i];
		v->b[b].e[i] = v->b[b2].e[i2];
		v->b[b2].e[i2] = tmp;
	} else if (!strcmp(m, "insert-own")) {
		if (!find_own_not_create(v, &b, &i) ||
		    v->b[b].n >= VTPM_MAX_BATCH)
			return -1;
		if (tview_insert(v, b, i + 1, &v->b[b].e[i]))
			return -3;
	} else if (!strcmp(m, "move-own")) {
		return move_own(v);
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
		drop_last_batch(v);
	} else if (!strcmp(m, "cut-before-last")) {
		if (v->nr < 2)
			return -1;
		drop_last_batch(v);
		if (tview_commit(v, &v->hdr.commit))
			return -3;
		bd->batches = v->nr;
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
		"  hide-own TYPE [N], hide-own-recommit TYPE [N], move-own,\n"
		"  modify-other-leaf, truncate-view, cut-before-last,\n"
		"  truncate-view-raw [N], set-log-version N, set-version N,\n"
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
	long version = -1;
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
	} else if (!strcmp(m, "set-version") && argc == 5) {
		version = number(argv[4], 0xffff);
		if (!version && strcmp(argv[4], "0"))
			die(2, "bad version %s", argv[4]);
	} else if (!strcmp(m, "set-log-version") && argc == 5) {
		unsigned long lv = number(argv[4], 0xffff);

		if (!lv && strcmp(argv[4], "0"))
			die(2, "bad version %s", argv[4]);
		if (b.view_len < VTPM_LOG_MAGIC_SIZE + 2 ||
		    memcmp(b.view, VTPM_LOG_MAGIC, VTPM_LOG_MAGIC_SIZE))
			die(1, "%s: the view is not a serialised log", argv[1]);
		view = malloc(b.view_len);
		if (!view)
			die(2, "out of memory%s", "");
		memcpy(view, b.view, b.view_len);
		put_unaligned_be16(lv, view + VTPM_LOG_MAGIC_SIZE);
		b.view = view;
	} else {
		if (tview_parse(b.view, b.view_len, &v, &why))
			die(2, "the view: %s", why);
		ret = mutate_view(m, argv + 4, argc - 4, &v, &b);
		if (ret == -2)
			usage();
		if (ret == -3)
			die(2, "%s failed", m);
		if (ret)
			die(1, "%s does not apply to this view", m);
		n = tview_write(&v, &view);
		tview_free(&v);
		if (!n || n > UINT32_MAX)
			die(2, "cannot write the view%s", "");
		b.view = view;
		b.view_len = n;
	}

	len = vtpm_bundle_size(&b);
	out = malloc(len ? len : 1);
	if (!len || !out || vtpm_bundle_write(&b, out, len) != len)
		die(2, "cannot write the bundle%s", "");
	/* the magic, then the version */
	if (version >= 0)
		put_unaligned_be16(version, out + VTPM_BUNDLE_MAGIC_SIZE);
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
