// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the mapping log's decoders (drivers/vtpm/lib/mlog.c,
 * the module's own source file): an input is replayed as a serialised log
 * or view (vtpm_log_replay()) and decoded as one record body
 * (vtpm_rec_decode()).
 *
 * Invariants besides the sanitizers' (the input is a heap block of exactly
 * its size):
 *   - replay returns 0, -EINVAL or -EBADMSG; a failure has a reason and an
 *     offset inside the input;
 *   - a replay that succeeds has consistent counts: every batch the header
 *     announced, at least one entry per batch, clear entries at most all
 *     entries (all of them in a full log), voided batches fewer than
 *     batches, every clear record handed to the caller once, in order of
 *     record number, valid (it encodes, and decodes back the same);
 *   - a view that replays shows exactly the records of its instance its
 *     header commits to (rule 9): the commitment replay computed is the
 *     header's;
 *   - replaying again to reconstruct an instance (a view's, or the first
 *     one a full log creates) gives the same log-wide results, and the
 *     commitment replay computes for that instance is the one of the
 *     records it handed out of that instance (the hash chain recomputed
 *     here from their leaves, voided ones included);
 *   - a body that decodes encodes back to exactly the same bytes (the
 *     encoding is canonical), and its ASCII line fits an exactly-sized
 *     buffer.
 */
#include <stdio.h>
#include <stdlib.h>

#include "../unit/plat.h"
#include "../../../drivers/vtpm/lib/mlog.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail(#cond, __LINE__); } while (0)

static void fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_log: invariant broken (line %d): %s\n", line,
		what);
	abort();
}

struct seen {
	u64 calls;
	u64 last_seq;
	u64 unapplied;
	bool have_uuid;
	u8 uuid[VTPM_UUID_SIZE];
	const u8 *commit_uuid;	/* NULL: no commitment computed */
	struct vtpm_log_commit commit;
};

static struct vtpm_replay *rp, *rp2;
static struct vtpm_tpm *tenant;
static u8 body[VTPM_REC_MAX_BODY];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct vtpm_banks all = { 0 };

	(void)argc;
	(void)argv;
	vtpm_banks_add(&all, VTPM_ALG_SHA1);
	vtpm_banks_add(&all, VTPM_ALG_SHA256);
	vtpm_banks_add(&all, VTPM_ALG_SHA384);
	vtpm_banks_add(&all, VTPM_ALG_SHA512);
	rp = malloc(sizeof(*rp));
	rp2 = malloc(sizeof(*rp2));
	/* at most one bank of each hash: the largest stride is all four */
	tenant = malloc(vtpm_tpm_size(&all));
	if (!rp || !rp2 || !tenant)
		abort();
	return 0;
}

static bool same_rec(const struct vtpm_log_rec *a, const struct vtpm_log_rec *b)
{
	u32 i;

	if (a->seq != b->seq || a->type != b->type || a->pcr != b->pcr ||
	    a->count != b->count || memcmp(a->uuid, b->uuid, VTPM_UUID_SIZE))
		return false;
	for (i = 0; i < a->count; i++)
		if (a->d[i].alg != b->d[i].alg ||
		    memcmp(a->d[i].digest, b->d[i].digest,
			   vtpm_alg_digest_size(a->d[i].alg)))
			return false;
	return true;
}

/* a valid record: encodes, decodes back, has a line (or none) that fits */
static void check_rec(const struct vtpm_log_rec *r, const u8 *leaf)
{
	static const u8 zero[VTPM_LEAF_SIZE];
	struct vtpm_log_rec d;
	size_t len, n;
	char *line;

	len = vtpm_rec_encode(r, body, sizeof(body));
	CHECK(len);
	CHECK(!vtpm_rec_decode(body, len, &d));
	CHECK(same_rec(r, &d));
	n = vtpm_rec_ascii(r, leaf ? leaf : zero, NULL, 0);
	CHECK(!n);
	line = malloc(512);
	if (!line)
		abort();
	n = vtpm_rec_ascii(r, leaf ? leaf : zero, line, 512);
	if (n) {
		/* exactly the line's size: no NUL, nothing past it */
		char *exact = malloc(n);

		if (!exact)
			abort();
		CHECK(line[n - 1] == '\n' && strlen(line) == n);
		CHECK(vtpm_rec_ascii(r, leaf ? leaf : zero, exact, n) == n);
		CHECK(!memcmp(exact, line, n));
		CHECK(!vtpm_rec_ascii(r, leaf ? leaf : zero, exact, n - 1));
		free(exact);
	}
	free(line);
}

static int on_record(void *ctx, const struct vtpm_log_rec *r, const u8 *leaf,
		     u64 batch, bool applied)
{
	struct seen *s = ctx;

	(void)batch;
	CHECK(!s->calls || r->seq > s->last_seq);
	s->last_seq = r->seq;
	s->calls++;
	if (!applied)
		s->unapplied++;
	if (!s->have_uuid && r->type == VTPM_REC_CREATE) {
		memcpy(s->uuid, r->uuid, VTPM_UUID_SIZE);
		s->have_uuid = true;
	}
	check_rec(r, leaf);
	if (s->commit_uuid && r->type != VTPM_REC_GENESIS &&
	    r->type != VTPM_REC_ABORT &&
	    !memcmp(r->uuid, s->commit_uuid, VTPM_UUID_SIZE))
		CHECK(!vtpm_commit_add(&s->commit, leaf));
	return 0;
}

static bool same_commit(const struct vtpm_log_commit *a,
			const struct vtpm_log_commit *b)
{
	return a->records == b->records &&
	       !memcmp(a->chain, b->chain, VTPM_LEAF_SIZE);
}

static void check_replay(const struct vtpm_replay *r, int ret, size_t size)
{
	CHECK(ret == 0 || ret == -EINVAL || ret == -EBADMSG);
	if (ret) {
		CHECK(r->why && r->why[0]);
		CHECK(r->err_offset <= size);
		return;
	}
	CHECK(r->batches == r->hdr.nr_batches && r->batches);
	CHECK(r->records >= r->batches);
	CHECK(r->clear <= r->records && r->clear >= 1);
	CHECK(r->hdr.kind != VTPM_LOG_FULL || r->clear == r->records);
	CHECK(r->aborted < r->batches);
	CHECK(r->banks.nr == r->hdr.nr_banks &&
	      r->genesis.nr_banks == r->banks.nr);
	/* each entry is at least a form byte and a leaf */
	CHECK(r->records * (1 + VTPM_LEAF_SIZE) <= size);
}

static void replay(const u8 *log, size_t size)
{
	struct seen s = { 0 }, s2 = { 0 };
	int ret, ret2;

	memset(rp, 0, sizeof(*rp));
	rp->on_record = on_record;
	rp->ctx = &s;
	ret = vtpm_log_replay(log, size, rp);
	check_replay(rp, ret, size);
	if (ret)
		return;
	CHECK(s.calls == rp->clear);
	CHECK(!rp->found && !rp->tenant_records);
	if (rp->hdr.kind == VTPM_LOG_VIEW)
		CHECK(same_commit(&rp->commit, &rp->hdr.commit));

	/* again, reconstructing an instance */
	memset(rp2, 0, sizeof(*rp2));
	if (rp->hdr.kind == VTPM_LOG_VIEW)
		memcpy(rp2->uuid, rp->hdr.uuid, VTPM_UUID_SIZE);
	else if (s.have_uuid)
		memcpy(rp2->uuid, s.uuid, VTPM_UUID_SIZE);
	rp2->tenant = tenant;
	rp2->on_record = on_record;
	rp2->ctx = &s2;
	s2.commit_uuid = rp2->uuid;
	ret2 = vtpm_log_replay(log, size, rp2);
	/* applying a valid record cannot fail: its bank was checked */
	CHECK(!ret2);
	CHECK(s2.calls == s.calls && s2.unapplied == s.unapplied);
	CHECK(rp2->records == rp->records && rp2->clear == rp->clear &&
	      rp2->batches == rp->batches && rp2->aborted == rp->aborted);
	CHECK(!memcmp(rp2->pcr, rp->pcr, sizeof(rp->pcr)));
	CHECK(same_commit(&rp2->commit, &s2.commit));
	if (rp->hdr.kind == VTPM_LOG_VIEW)
		CHECK(same_commit(&rp2->commit, &rp->commit));
	CHECK(rp2->tenant_records <= rp2->clear);
	CHECK(!rp2->destroyed || rp2->found);
	if (rp->hdr.kind == VTPM_LOG_FULL && s.have_uuid && !s.unapplied)
		CHECK(rp2->found);
	if (rp2->found)
		CHECK(tenant->banks == &rp2->banks);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct vtpm_log_rec r;
	u8 *copy = malloc(size ? size : 1);
	size_t n;

	if (!copy)
		abort();
	memcpy(copy, data, size);
	replay(copy, size);

	if (!vtpm_rec_decode(copy, size, &r)) {
		/* canonical: what decodes encodes back to the same bytes */
		n = vtpm_rec_encode(&r, body, sizeof(body));
		CHECK(n == size && !memcmp(body, copy, size));
		check_rec(&r, NULL);
	}
	free(copy);
	return 0;
}
