// SPDX-License-Identifier: GPL-2.0
/*
 * The multiplexer: every record of every instance is extended into ONE
 * hardware PCR before its caller may go on, in batches (group commit).
 *
 * A caller queues its record and sleeps.  If no hardware extend is in
 * flight it becomes the leader at once (a lone caller waits for no timer):
 * the leader takes up to VTPM_MAX_BATCH queued records, gives them their
 * sequence numbers and leaves, extends the hardware PCR with the batch
 * digest, appends the batch to the log once the hardware said yes, and
 * wakes the callers of the batch.  Records that arrived meanwhile wait for
 * the next batch; the leader hands its role to the oldest of them, which
 * then extends them all at once.
 *
 * Faults (Documentation/log-format.md, "Faults").  When the hardware
 * extend fails, the leader reads the PCR back:
 *  - it holds the old value: the batch never happened; its callers get
 *    TPM_RC_CANCELED and nothing of it is logged;
 *  - it holds the batch's value: the batch happened although the TPM said
 *    otherwise.  The batch is logged (its leaves are in the PCR) and at
 *    once followed by a batch with one ABORT record naming it, so that a
 *    replay counts its leaves for the PCR but applies none of its records
 *    to vPCRs.  Its callers get TPM_RC_CANCELED and their vPCRs stay;
 *  - the read fails too: the batch is in doubt.  Its callers get
 *    TPM_RC_CANCELED; every later leader first tries the read again and
 *    fails its own batch at once while the doubt remains; once the TPM
 *    answers, one of the two cases above applies;
 *  - it holds anything else: someone else extended our PCR, the log can no
 *    longer replay to it; the mux stops (TPM_RC_FAILURE for every change).
 * Either way a later replay of the log gives the hardware PCR's value.
 *
 * Leaves.  A record's leaf (log.c: a salt, then a hash of the record with
 * its sequence number) is computed by its own caller, in parallel with the
 * other callers and the hardware extend in flight, not by the leader: the
 * caller gets a tentative sequence number when it queues (@tent_seq, in
 * queue order, which is log order), computes the leaf and marks it ready.
 * The leader uses a ready leaf whose number is the one the record really
 * gets; any other it computes itself (not ready yet, or numbers shifted by
 * a failed batch, an ABORT or a deferred DESTROY).
 *
 * Gathering.  Callers in a closed loop (a tenant extending one measurement
 * after the other) come back a few microseconds after their batch is done,
 * just after the next leader has taken the queue, and batches alternate
 * between two halves of the callers.  So a leader about to take the queue
 * first waits, briefly, until as many requests are queued as the last
 * batch had callers plus those that were waiting then (@expect), like
 * PostgreSQL's commit_delay: at most half the last hardware extend's
 * duration and at most batch_wait_us (main.c).  A lone caller never waits:
 * it is all the queue it expects.
 *
 * Attestation requests queue the same way.  A leader first extends the
 * records it took, then answers every attestation request it took with one
 * hardware quote (attest.c): no extend is in flight then, so the PCR holds
 * exactly the value of the log's committed batches.
 *
 * Pacing.  A quote takes a real chip 25-250 ms, during which nobody's
 * extend can run: quotes may take at most attest_share_pct of the hardware
 * TPM's time.  After a quote that took d and ended at t, the next one is
 * due at t + d * (100 - p) / p; until then leaders take no attestation
 * request, which waits, queued, for the next quote, while records go on
 * being extended.  A leader that finds only attestation requests that are
 * not due sleeps until the due time or until a record is queued.  A quote
 * takes at most VTPM_ATTEST_PER_TENANT requests of one tenant, in queue
 * order, so that a tenant with many threads pushes another tenant's
 * request back by no more than one quote.  The lead goes to a record's
 * caller first (vtpm_mux_successor()), a leader whose own request is an
 * attestation request passes it to a record's caller (vtpm_mux_abdicate()),
 * and the caller of a record queued while the lead is an attestation
 * request's that has not run yet or sleeps for the next quote takes it
 * (vtpm_mux_enqueue(), @pacer): batches of records do not wait for a thread
 * of a tenant flooding attestation requests, which its own threads or its
 * cgroup may starve of CPU, to be scheduled.
 *
 * Locking: vtpm_mux.lock protects the queue, @busy, @queued, @nr_queued,
 * @expect, @tent_seq and every request's @state and @seq, and is held for
 * list operations only, never across a hardware command.  A request's
 * @leaf_state is atomic: its caller and the leader race for it.  Everything
 * else in &struct vtpm_mux is used by the leader only; leadership passes
 * from one task to the next under the lock.
 */
#include <linux/completion.h>
#include <linux/ktime.h>
#include <linux/list.h>
#include <linux/math64.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/wait.h>

#include "vtpm.h"
#include "attest.h"
#include "hwtpm.h"
#include "ima.h"
#include "log.h"
#include "mux.h"

enum vtpm_req_state {
	VTPM_REQ_QUEUED,
	VTPM_REQ_LEADER,
	VTPM_REQ_DONE,
};

/* A request's leaf: being computed by its caller, ready, taken by a leader */
enum vtpm_leaf_state {
	VTPM_LEAF_BUSY,
	VTPM_LEAF_READY,
	VTPM_LEAF_TAKEN,
};

/**
 * struct vtpm_mux_req - one record waiting to be anchored
 * @node:  in vtpm_mux.queue
 * @rec:   the record
 * @rc:    the TPM_RC its caller gets
 * @state: &enum vtpm_req_state (under vtpm_mux.lock)
 * @owned: a deferred record nobody waits for: the leader frees it
 * @att:   an attestation request instead of a record (@rec unused)
 * @seq:   the tentative sequence number of @leaf (under vtpm_mux.lock)
 * @leaf_state: &enum vtpm_leaf_state; @leaf is the caller's until READY
 * @leaf_ok: @leaf was READY when a leader took the request (leader)
 * @leaf:  the leaf of @rec numbered @seq, once READY
 * @done:  completed when @state changes from QUEUED (the caller sleeps on
 *	   it alone: a batch wakes its own callers, not every waiter); an
 *	   attestation request's also goes from LEADER back to QUEUED, with
 *	   no complete(), when a record's caller takes its lead
 */
struct vtpm_mux_req {
	struct list_head node;
	struct vtpm_attestation *att;
	struct vtpm_krec rec;
	u32 rc;
	u8 state;
	bool owned;
	u64 seq;
	atomic_t leaf_state;
	bool leaf_ok;
	u8 leaf[VTPM_LEAF_SIZE];
	struct completion done;
};

enum vtpm_mux_state {
	VTPM_MUX_OK,
	VTPM_MUX_DOUBT,
	VTPM_MUX_BROKEN,
};

/**
 * struct vtpm_mux - the multiplexer
 * @lock:	protects @queue, @busy, @queued and the requests' @state
 * @queue:	requests in arrival order
 * @busy:	a leader exists
 * @queued:	tenant records queued or in the batch in flight, not yet in
 *		the log (for max_log_entries)
 * @taken:	of which in the batch in flight (@lock)
 * @nr_queued:	requests in @queue (@lock)
 * @nr_ready:	of which with their leaf ready, and attestation requests
 * @nr_att:	of which attestation requests (@lock)
 * @owner:	the request whose caller has the lead, or NULL: a caller
 *		given the lead leads only if it still has it when it starts
 *		(vtpm_mux_claim()), and it starts again if it lost it while
 *		it slept in vtpm_mux_pace(), even if it has it back (@lock)
 * @pacer:	the attestation request whose caller has the lead but does
 *		not use it: it has not run yet, or sleeps until a quote is
 *		due; or NULL.  The caller of the next record queued takes the
 *		lead from it (@lock)
 * @steals:	how many times a lead was taken that way (@lock)
 * @next_quote_ns: when the next quote is due, ktime_get_ns() (leader)
 * @expect:	requests the next leader gathers before it takes the queue
 *		(@lock; read without it by a gathering leader and callers)
 * @tent_seq:	the tentative sequence number of the next record queued
 *		(@lock)
 * @gather_wq:	a gathering leader waits here for @nr_queued to grow
 * @last_hw_ns:	duration of the last hardware extend (leader)
 * @gather_ns:	how long the next leader may gather (leader)
 * @gather_probe: batches since the allowance fell to zero (leader)
 * @banks:	the hardware banks (read-only)
 * @hw_pcr:	the hardware PCR (read-only)
 * @cmp_bank:	the bank read back after a failure
 * @state:	&enum vtpm_mux_state (leader only)
 * @cur:	the PCR's value in each bank as the log replays it (leader)
 * @next:	its value after the batch in flight (leader)
 * @digests:	the batch digests of the batch in flight (leader)
 * @batch:	the records of the batch in flight (leader)
 * @reqs:	their requests (leader)
 * @leaves:	their leaves (leader)
 * @areqs:	the attestation requests taken with them (leader)
 * @atts:	their attestations (leader)
 * @doubt_recs: the batch in doubt: its records (leader)
 * @doubt_leaves: its leaves
 * @doubt_n:	its size
 * @need_abort: an ABORT of batch @abort_batch must come next (leader)
 * @abort_batch: that batch
 * @abort:	the ABORT record and its leaf (leader)
 * @abort_leaf:	its leaf
 * @deferred:	DESTROY records that could not be anchored yet (@lock)
 * @stats:	counters (atomic, for sysfs/securityfs)
 */
struct vtpm_mux {
	struct mutex lock;	/* see above */
	struct list_head queue;
	bool busy;
	u32 queued;
	u32 taken;
	u32 nr_queued;
	atomic_t nr_ready;
	u32 nr_att;
	struct vtpm_mux_req *owner;
	struct vtpm_mux_req *pacer;
	u32 steals;
	u64 next_quote_ns;
	u32 expect;
	u64 tent_seq;
	wait_queue_head_t gather_wq;
	struct list_head deferred;
	u64 last_hw_ns;
	u64 gather_ns;
	u32 gather_probe;

	const struct vtpm_banks *banks;
	u32 hw_pcr;
	u32 cmp_bank;
	int state;
	u8 cur[VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE];
	u8 next[VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE];
	u8 digests[VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE];
	struct vtpm_krec *batch;
	struct vtpm_mux_req **reqs;
	u8 *leaves;
	struct vtpm_mux_req **areqs;
	struct vtpm_attestation **atts;
	const struct vtpm_krec *doubt_recs;
	const u8 *doubt_leaves;
	u32 doubt_n;
	bool need_abort;
	u64 abort_batch;
	struct vtpm_krec abort;
	u8 abort_leaf[VTPM_LEAF_SIZE];

	struct vtpm_mux_stats stats;
};

static struct vtpm_mux *mux;

static u8 *vtpm_bank_slot(u8 *v, u32 bank)
{
	return v + bank * VTPM_MAX_DIGEST_SIZE;
}

/* The batch digests and the PCR values they lead to, in every bank. */
static int vtpm_mux_digests(const u8 *leaves, u32 n, u64 batch)
{
	u32 b;
	int ret;

	memcpy(mux->next, mux->cur, sizeof(mux->next));
	for (b = 0; b < mux->banks->nr; b++) {
		u16 alg = mux->banks->bank[b].alg;
		u8 *digest = vtpm_bank_slot(mux->digests, b);

		ret = vtpm_batch_digest(alg, batch, leaves, n, digest);
		if (!ret)
			ret = vtpm_pcr_extend_value(alg,
						    vtpm_bank_slot(mux->next, b),
						    digest);
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Append a batch that is in the PCR.  Under @lock, so that its records
 * move from @queued to the log's count in one step: max_log_entries is
 * exact also with concurrent callers.  Memory was reserved before the
 * extend: this cannot fail.
 */
static void vtpm_mux_commit(const struct vtpm_krec *recs, const u8 *leaves,
			    u32 n)
{
	mutex_lock(&mux->lock);
	WARN_ON(vtpm_log_append(recs, leaves, n));
	mux->queued -= mux->taken;
	mux->taken = 0;
	mutex_unlock(&mux->lock);
	memcpy(mux->cur, mux->next, sizeof(mux->cur));
	atomic64_inc(&mux->stats.batches);
	atomic64_add(n, &mux->stats.records);
	atomic64_add(n - 1, &mux->stats.coalesced);
}

/*
 * The PCR was read back after a failed or doubtful extend: decide.
 * Returns true if the batch is in the PCR (and now in the log).
 */
static bool vtpm_mux_judge(const u8 *val, const struct vtpm_krec *recs,
			   const u8 *leaves, u32 n)
{
	u16 size = mux->banks->bank[mux->cmp_bank].size;

	if (!memcmp(val, vtpm_bank_slot(mux->cur, mux->cmp_bank), size)) {
		mux->state = VTPM_MUX_OK;
		return false;
	}
	if (!memcmp(val, vtpm_bank_slot(mux->next, mux->cmp_bank), size)) {
		vtpm_mux_commit(recs, leaves, n);
		mux->state = VTPM_MUX_OK;
		return true;
	}
	pr_err("hardware PCR %u holds a value the log cannot explain; someone else extends it: vPCR changes are refused from now on\n",
	       mux->hw_pcr);
	mux->state = VTPM_MUX_BROKEN;
	return false;
}

/*
 * Extend one batch and log it.  Returns 0 when it is anchored and logged,
 * 1 when it is in the PCR and the log but must be aborted, or a negative
 * errno (not anchored, or in doubt: see mux->state).
 */
static int vtpm_mux_extend(const struct vtpm_krec *recs, const u8 *leaves,
			   u32 n)
{
	u8 val[VTPM_MAX_DIGEST_SIZE];
	u64 batch = vtpm_log_next_batch();
	ktime_t t0;
	int ret;

	ret = vtpm_log_reserve(recs, n);
	if (ret)
		return ret;
	ret = vtpm_mux_digests(leaves, n, batch);
	if (ret)
		return ret;
	atomic64_inc(&mux->stats.hw_extends);
	t0 = ktime_get();
	ret = vtpm_hwtpm_extend(mux->hw_pcr, mux->digests);
	mux->last_hw_ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	atomic64_add(mux->last_hw_ns, &mux->stats.hw_ns);
	if (!ret) {
		vtpm_mux_commit(recs, leaves, n);
		return 0;
	}
	atomic64_inc(&mux->stats.hw_errors);
	pr_warn_ratelimited("extend of PCR %u failed (%d), reading it back\n",
			    mux->hw_pcr, ret);
	ret = vtpm_hwtpm_read(mux->hw_pcr, mux->cmp_bank, val);
	if (ret) {
		pr_warn_ratelimited("PCR %u unreadable (%d): batch %llu in doubt\n",
				    mux->hw_pcr, ret, batch);
		mux->state = VTPM_MUX_DOUBT;
		mux->doubt_recs = recs;
		mux->doubt_leaves = leaves;
		mux->doubt_n = n;
		return -EIO;
	}
	if (vtpm_mux_judge(val, recs, leaves, n))
		return 1;
	return -EIO;
}

/* The ABORT batch that must follow an aborted one; true when done. */
static bool vtpm_mux_commit_abort(void)
{
	struct vtpm_krec *a = &mux->abort;
	int ret;

	memset(a, 0, sizeof(*a));
	a->tenant = VTPM_NO_TENANT;
	a->type = VTPM_REC_ABORT;
	a->abort_batch = mux->abort_batch;
	if (vtpm_log_leaf(a, vtpm_log_next_seq(), mux->abort_leaf))
		return false;
	ret = vtpm_mux_extend(a, mux->abort_leaf, 1);
	if (ret >= 0) {
		/* an ABORT batch that happened is simply logged */
		mux->need_abort = false;
		atomic64_inc(&mux->stats.aborts);
		return true;
	}
	return false;
}

/* Try to settle the batch in doubt; true when it is settled. */
static bool vtpm_mux_resolve(void)
{
	u8 val[VTPM_MAX_DIGEST_SIZE];

	if (vtpm_hwtpm_read(mux->hw_pcr, mux->cmp_bank, val))
		return false;
	if (vtpm_mux_judge(val, mux->doubt_recs, mux->doubt_leaves,
			   mux->doubt_n)) {
		if (mux->doubt_recs == &mux->abort) {
			/* the ABORT batch itself happened */
			mux->need_abort = false;
			atomic64_inc(&mux->stats.aborts);
		} else {
			mux->need_abort = true;
			mux->abort_batch = vtpm_log_next_batch() - 1;
		}
	}
	if (mux->state == VTPM_MUX_OK)
		pr_info("PCR %u readable again: batch resolved\n", mux->hw_pcr);
	return mux->state == VTPM_MUX_OK;
}

/* Make the mux ready for a new batch: settle doubts and pending aborts. */
static u32 vtpm_mux_ready(void)
{
	if (mux->state == VTPM_MUX_DOUBT && !vtpm_mux_resolve())
		return mux->state == VTPM_MUX_BROKEN ? VTPM_RC_FAILURE :
						       VTPM_RC_CANCELED;
	if (mux->state == VTPM_MUX_BROKEN)
		return VTPM_RC_FAILURE;
	if (mux->need_abort && !vtpm_mux_commit_abort())
		return mux->state == VTPM_MUX_BROKEN ? VTPM_RC_FAILURE :
						       VTPM_RC_CANCELED;
	return VTPM_RC_SUCCESS;
}

/*
 * Take up to VTPM_MAX_BATCH records off the queue (deferred ones first),
 * and up to VTPM_MAX_ATTEST_BATCH attestation requests (@na of them).
 */
#define VTPM_ATTEST_PER_TENANT	8

/* Whether a quote may take one more request of @t (of @na taken). */
static bool vtpm_mux_att_room(const struct vtpm_tenant *t, u32 na)
{
	u32 i, same = 0;

	for (i = 0; i < na; i++)
		if (mux->areqs[i]->att->tenant == t &&
		    ++same == VTPM_ATTEST_PER_TENANT)
			return false;
	return true;
}

static u32 vtpm_mux_take(u32 *na)
{
	bool due = ktime_get_ns() >= mux->next_quote_ns;
	struct vtpm_mux_req *req, *tmp;
	u32 n = 0;

	*na = 0;
	mutex_lock(&mux->lock);
	if (!due && mux->nr_att)
		atomic64_inc(&mux->stats.paced);
	list_for_each_entry_safe(req, tmp, &mux->deferred, node) {
		if (n == VTPM_MAX_BATCH)
			break;
		list_del(&req->node);
		req->leaf_ok = false;	/* its number has shifted */
		mux->reqs[n++] = req;
	}
	list_for_each_entry_safe(req, tmp, &mux->queue, node) {
		if (req->att) {
			if (!due || *na == VTPM_MAX_ATTEST_BATCH ||
			    !vtpm_mux_att_room(req->att->tenant, *na))
				continue;
			list_del(&req->node);
			mux->nr_queued--;
			mux->nr_att--;
			atomic_dec(&mux->nr_ready);
			mux->areqs[(*na)++] = req;
			continue;
		}
		if (n == VTPM_MAX_BATCH) {
			if (!due || *na == VTPM_MAX_ATTEST_BATCH)
				break;
			continue;
		}
		list_del(&req->node);
		mux->nr_queued--;
		/*
		 * The leaf is the leader's from now on, whatever the batch's
		 * fate; pairs with the caller's atomic_cmpxchg_release().
		 */
		req->leaf_ok = atomic_xchg(&req->leaf_state, VTPM_LEAF_TAKEN) ==
			       VTPM_LEAF_READY;
		if (req->leaf_ok)
			atomic_dec(&mux->nr_ready);
		if (req->rec.tenant != VTPM_NO_TENANT &&
		    req->rec.type != VTPM_REC_DESTROY)
			mux->taken++;
		mux->reqs[n++] = req;
	}
	mutex_unlock(&mux->lock);
	return n;
}

/*
 * Answer the attestation requests taken, with the PCR exactly as the log
 * says (no extend in flight: we lead).  Not while the PCR may hold a batch
 * the log lacks (doubt), or the log lacks the ABORT of a batch that must
 * not be applied: then the quote could prove something false.
 */
static void vtpm_mux_quote(u32 na)
{
	struct vtpm_log_cut cut;
	u64 t0, t1;
	u32 i, share;

	for (i = 0; i < na; i++)
		mux->atts[i] = mux->areqs[i]->att;
	if (mux->state != VTPM_MUX_OK || mux->need_abort) {
		for (i = 0; i < na; i++)
			mux->atts[i]->err = -EIO;
		return;
	}
	vtpm_log_cut(&cut);
	t0 = ktime_get_ns();
	vtpm_attest_quote(mux->atts, na, &cut);
	t1 = ktime_get_ns();
	atomic64_add(t1 - t0, &mux->stats.quote_ns);
	share = clamp_val(READ_ONCE(vtpm_attest_share_pct), 1, 100);
	mux->next_quote_ns = t1 + div_u64((t1 - t0) * (100 - share), share);
}

/*
 * A caller's record waits to be extended.  Deferred DESTROY records do not
 * count: they failed once already, and a leader that retried them without
 * end while it waits for the next quote would only keep the TPM busy.
 */
static bool vtpm_mux_has_records(void)
{
	return READ_ONCE(mux->nr_queued) != READ_ONCE(mux->nr_att);
}

/*
 * Before taking the queue: if it holds nothing but attestation requests
 * (and perhaps deferred DESTROY records) and no quote is due, sleep until
 * one is, or until a record is queued.
 * The caller of that record then leads instead (vtpm_mux_enqueue()): the
 * batch does not wait for this task to be scheduled again, which may take
 * long if it is a thread of a tenant that floods attestation requests.
 *
 * Return: true if the lead was taken from @self meanwhile: the caller
 * leads no more, or, if it was given back, must start again: what it found
 * before it slept (vtpm_mux_ready()) may have changed since.
 */
static bool vtpm_mux_pace(struct vtpm_mux_req *self)
{
	u64 now = ktime_get_ns(), due = mux->next_quote_ns;
	bool wait, taken;
	u32 steals;

	if (now >= due)
		return false;
	mutex_lock(&mux->lock);
	wait = mux->nr_att && mux->nr_queued == mux->nr_att;
	if (wait)
		mux->pacer = self;
	steals = mux->steals;
	mutex_unlock(&mux->lock);
	if (!wait)
		return false;
	wait_event_hrtimeout(mux->gather_wq, vtpm_mux_has_records(),
			     ns_to_ktime(due - now));
	mutex_lock(&mux->lock);
	/* while it is the pacer, a steal can only be from @self */
	taken = mux->owner != self || mux->steals != steals;
	if (mux->pacer == self)
		mux->pacer = NULL;
	mutex_unlock(&mux->lock);
	return taken;
}

/*
 * The next leader (mux->lock held): the oldest waiter of a record, so that
 * a batch runs in the context of one of its own callers and not in that of
 * a tenant that floods attestation requests, whose CPU its own threads or
 * its cgroup may starve while it leads; the oldest attestation request's
 * if no record waits, unless @records_only.
 */
static struct vtpm_mux_req *vtpm_mux_successor(bool records_only)
{
	struct vtpm_mux_req *req;

	lockdep_assert_held(&mux->lock);
	list_for_each_entry(req, &mux->queue, node)
		if (!req->att)
			return req;
	if (records_only)
		return NULL;
	return list_first_entry_or_null(&mux->queue, struct vtpm_mux_req,
					node);
}

/*
 * A leader whose own request is an attestation request passes the lead to
 * a record's caller, if one waits; that leader's batch takes the request
 * when its quote is due.
 */
static bool vtpm_mux_abdicate(const struct vtpm_mux_req *self)
{
	struct vtpm_mux_req *req;

	if (!self->att)
		return false;
	mutex_lock(&mux->lock);
	req = vtpm_mux_successor(true);
	if (req) {
		WRITE_ONCE(req->state, VTPM_REQ_LEADER);
		mux->owner = req;
	}
	mutex_unlock(&mux->lock);
	if (req)
		complete(&req->done);
	return req;
}

static bool vtpm_mux_gathered(void)
{
	return atomic_read(&mux->nr_ready) >= (int)READ_ONCE(mux->expect);
}

/* The caller's leaf of the @i-th record of the batch, or compute it. */
static int vtpm_mux_leaf(u32 i, u64 seq)
{
	struct vtpm_mux_req *req = mux->reqs[i];
	u8 *leaf = mux->leaves + i * VTPM_LEAF_SIZE;

	if (req->leaf_ok && req->seq == seq) {
		memcpy(leaf, req->leaf, VTPM_LEAF_SIZE);
		return 0;
	}
	return vtpm_log_leaf(&mux->batch[i], seq, leaf);
}

#define VTPM_GATHER_MIN_NS	(20 * NSEC_PER_USEC)
#define VTPM_GATHER_PROBE	32

/*
 * Before taking the queue: wait until the callers expected are queued, at
 * most half the last hardware extend's time and batch_wait_us.  When the
 * callers cannot come back that fast (the CPUs are busy: many of them), a
 * wait only idles the TPM: the allowance halves with every wait that runs
 * out and doubles with every one that does not; at zero, one batch in
 * VTPM_GATHER_PROBE tries again with a short one.
 */
static void vtpm_mux_gather(void)
{
	u64 cap = min_t(u64, mux->last_hw_ns / 2,
			(u64)READ_ONCE(vtpm_batch_wait_us) * NSEC_PER_USEC);
	u64 ns = min(cap, mux->gather_ns);

	if (!cap)
		return;
	if (vtpm_mux_gathered())
		return;
	if (!ns && ++mux->gather_probe % VTPM_GATHER_PROBE == 0)
		ns = min(cap, 2 * VTPM_GATHER_MIN_NS);
	if (!ns)
		return;
	atomic64_inc(&mux->stats.gather_waits);
	if (wait_event_hrtimeout(mux->gather_wq, vtpm_mux_gathered(),
				 ns_to_ktime(ns))) {
		atomic64_inc(&mux->stats.gather_timeouts);
		mux->gather_ns = ns / 2 < VTPM_GATHER_MIN_NS ? 0 : ns / 2;
	} else {
		mux->gather_ns = min(cap, 2 * ns);
	}
}

/* The leader's work: one batch; then leadership passes on. */
/*
 * The caller of an attestation request that was given the lead may have
 * lost it to a record's caller before it ran (vtpm_mux_enqueue()).
 *
 * Return: whether @self leads (a record's caller always does: nobody
 * takes the lead from it).
 */
static bool vtpm_mux_claim(struct vtpm_mux_req *self)
{
	bool taken;

	if (!self->att)
		return true;
	mutex_lock(&mux->lock);
	taken = mux->owner != self;
	if (mux->pacer == self)
		mux->pacer = NULL;
	mutex_unlock(&mux->lock);
	return !taken;
}

static void vtpm_mux_lead(struct vtpm_mux_req *self)
{
	struct vtpm_mux_req *req;
	u32 n, na, i, rc, done = 0;
	ktime_t t0 = ktime_get();
	u64 seq;
	int ret;

	if (!vtpm_mux_claim(self))
		return;
	rc = vtpm_mux_ready();
	if (!rc)
		vtpm_mux_gather();
	if (vtpm_mux_pace(self) || (!rc && vtpm_mux_abdicate(self)))
		return;
	n = vtpm_mux_take(&na);
	seq = vtpm_log_next_seq();
	for (i = 0; !rc && i < n; i++) {
		mux->batch[i] = mux->reqs[i]->rec;
		if (vtpm_mux_leaf(i, seq + i))
			rc = VTPM_RC_FAILURE;
	}
	if (!rc && n) {
		ret = vtpm_mux_extend(mux->batch, mux->leaves, n);
		if (ret == 1) {
			mux->need_abort = true;
			mux->abort_batch = vtpm_log_next_batch() - 1;
			vtpm_mux_commit_abort();
		}
		if (ret)
			rc = mux->state == VTPM_MUX_BROKEN ? VTPM_RC_FAILURE :
							     VTPM_RC_CANCELED;
	}
	if (na)
		vtpm_mux_quote(na);

	mutex_lock(&mux->lock);
	/* not appended (or in doubt): no longer counted */
	mux->queued -= mux->taken;
	mux->taken = 0;
	for (i = 0; i < n; i++) {
		req = mux->reqs[i];
		if (rc && req->rec.type == VTPM_REC_DESTROY &&
		    mux->state != VTPM_MUX_BROKEN) {
			/* a destroyed instance stays destroyed: log it later */
			if (!req->owned) {
				struct vtpm_mux_req *copy;

				copy = kmemdup(req, sizeof(*req), GFP_KERNEL);
				if (copy) {
					copy->owned = true;
					/* not the caller's waiters */
					init_completion(&copy->done);
					list_add_tail(&copy->node,
						      &mux->deferred);
				}
			} else {
				list_add_tail(&req->node, &mux->deferred);
				mux->reqs[i] = NULL;
				continue;
			}
		}
		if (req->owned) {
			kfree(req);
			mux->reqs[i] = NULL;
			continue;
		}
		req->rc = rc;
		/* pairs with the caller's smp_load_acquire(): rc is set */
		smp_store_release(&req->state, VTPM_REQ_DONE);
		done++;
	}
	/*
	 * An attestation request's caller may have been given the lead and
	 * lost it (vtpm_mux_enqueue()): it reads its state under the lock
	 * (vtpm_mux_wait()), so it is told here, under the lock, where
	 * nothing can run between the state and its complete().
	 */
	for (i = 0; i < na; i++) {
		/* as above: the results in its attestation are set */
		smp_store_release(&mux->areqs[i]->state, VTPM_REQ_DONE);
		complete(&mux->areqs[i]->done);
	}
	/* the next batch: those waiting now and those who may come back */
	mux->expect = mux->nr_queued + done + na;
	/* number new records after those queued (stale if shifted) */
	mux->tent_seq = vtpm_log_next_seq();
	list_for_each_entry(req, &mux->queue, node)
		if (!req->att)
			mux->tent_seq++;
	mutex_unlock(&mux->lock);

	/*
	 * Wake the batch's record callers; each returns (and its request on
	 * its stack goes) once complete() is done with it.  We still lead,
	 * so nobody else uses mux->reqs meanwhile.
	 */
	for (i = 0; i < n; i++)
		if (mux->reqs[i])
			complete(&mux->reqs[i]->done);

	/* hand over to the oldest waiter, a record's first */
	mutex_lock(&mux->lock);
	req = vtpm_mux_successor(false);
	mux->owner = req;
	if (req) {
		WRITE_ONCE(req->state, VTPM_REQ_LEADER);
		if (req->att) {
			/* a record's caller may take it: tell it now */
			mux->pacer = req;
			complete(&req->done);
			req = NULL;
		}
	} else {
		mux->busy = false;
	}
	mutex_unlock(&mux->lock);
	atomic64_add(ktime_to_ns(ktime_sub(ktime_get(), t0)),
		     &mux->stats.lead_ns);
	if (req)
		complete(&req->done);	/* a record's: nobody takes its lead */
}

/*
 * Queue @req (mux->lock held); its caller leads at once if nobody does, or
 * if the leader sleeps for the next quote (vtpm_mux_pace()).
 */
static void vtpm_mux_enqueue(struct vtpm_mux_req *req)
{
	lockdep_assert_held(&mux->lock);
	list_add_tail(&req->node, &mux->queue);
	mux->nr_queued++;
	if (req->att) {
		atomic_inc(&mux->nr_ready);
		mux->nr_att++;
	} else {
		req->seq = mux->tent_seq++;
	}
	init_completion(&req->done);
	if (!req->att && mux->pacer) {
		/* the lead is an attestation request's: take it */
		mux->pacer->state = VTPM_REQ_QUEUED;
		mux->pacer = NULL;
		mux->steals++;
		mux->owner = req;
		wake_up(&mux->gather_wq);
		req->state = VTPM_REQ_LEADER;
		complete(&req->done);
	} else if (mux->busy) {
		req->state = VTPM_REQ_QUEUED;
	} else {
		mux->busy = true;
		mux->owner = req;
		req->state = VTPM_REQ_LEADER;
		if (req->att)
			mux->pacer = req;
		complete(&req->done);
	}
}

/* Sleep until @req is done, leading batches whenever it is our turn. */
static void vtpm_mux_wait(struct vtpm_mux_req *req)
{
	u8 state;

	for (;;) {
		wait_for_completion(&req->done);
		if (req->att) {
			/*
			 * The lead given to an attestation request may be
			 * taken and the request done by another leader at any
			 * time: its state and complete() change together under
			 * the lock, so read and reset them under it too.
			 */
			mutex_lock(&mux->lock);
			state = req->state;
			if (state != VTPM_REQ_DONE)
				reinit_completion(&req->done);
			mutex_unlock(&mux->lock);
			if (state == VTPM_REQ_DONE)
				break;
			vtpm_mux_lead(req);	/* if it still leads */
			continue;
		}
		/* pairs with the leader's smp_store_release(): results set */
		if (smp_load_acquire(&req->state) == VTPM_REQ_DONE)
			break;
		/* we lead: nobody completes @req until we do, in our batch */
		reinit_completion(&req->done);
		vtpm_mux_lead(req);
	}
}

/**
 * vtpm_mux_submit() - anchor one record
 * @rec: the record (the caller's; not touched after return)
 *
 * Sleeps until the record is in the log and in the hardware PCR, or
 * definitely not.
 *
 * Return: a TPM_RC: success, TPM_RC_NV_SPACE when the log is full,
 * TPM_RC_CANCELED when the hardware TPM failed, TPM_RC_FAILURE when the mux
 * has stopped.
 */
u32 vtpm_mux_submit(const struct vtpm_krec *rec)
{
	struct vtpm_mux_req req = { .rec = *rec };
	bool counts = rec->tenant != VTPM_NO_TENANT &&
		      rec->type != VTPM_REC_DESTROY;

	mutex_lock(&mux->lock);
	if (counts && !vtpm_log_has_room((u64)mux->queued + 1)) {
		mutex_unlock(&mux->lock);
		atomic64_inc(&mux->stats.refused_full);
		return VTPM_RC_NV_SPACE;
	}
	if (counts)
		mux->queued++;
	vtpm_mux_enqueue(&req);
	mutex_unlock(&mux->lock);
	/* our leaf, unless a leader was faster (see "Leaves" above) */
	if (!vtpm_log_leaf(&req.rec, req.seq, req.leaf) &&
	    atomic_cmpxchg_release(&req.leaf_state, VTPM_LEAF_BUSY,
				   VTPM_LEAF_READY) == VTPM_LEAF_BUSY &&
	    atomic_inc_return(&mux->nr_ready) >= (int)READ_ONCE(mux->expect))
		wake_up(&mux->gather_wq);
	vtpm_mux_wait(&req);
	return req.rc;
}

/**
 * vtpm_mux_attest() - have an attestation request answered
 * @a: the request (its "in" fields set)
 *
 * Queues behind the records submitted before it, so that the quote covers
 * every change acknowledged before the request was made; sleeps until the
 * leader quoted.
 *
 * Return: @a->err: 0, -EIO when the hardware TPM failed or the mux cannot
 * explain its PCR, -EOPNOTSUPP without an attestation key.
 */
int vtpm_mux_attest(struct vtpm_attestation *a)
{
	struct vtpm_mux_req req = { .att = a };

	mutex_lock(&mux->lock);
	vtpm_mux_enqueue(&req);
	mutex_unlock(&mux->lock);
	if (atomic_read(&mux->nr_ready) >= (int)READ_ONCE(mux->expect))
		wake_up(&mux->gather_wq);
	vtpm_mux_wait(&req);
	return a->err;
}

/* "ok", "doubt" or "broken": for securityfs (racy by nature) */
const char *vtpm_mux_state_name(void)
{
	switch (READ_ONCE(mux->state)) {
	case VTPM_MUX_OK:
		return "ok";
	case VTPM_MUX_DOUBT:
		return "doubt";
	default:
		return "broken";
	}
}

/**
 * vtpm_mux_stats() - the mux's counters
 * @s: out
 */
void vtpm_mux_stats(struct vtpm_mux_stats *s)
{
	atomic64_set(&s->hw_extends, atomic64_read(&mux->stats.hw_extends));
	atomic64_set(&s->hw_errors, atomic64_read(&mux->stats.hw_errors));
	atomic64_set(&s->batches, atomic64_read(&mux->stats.batches));
	atomic64_set(&s->records, atomic64_read(&mux->stats.records));
	atomic64_set(&s->coalesced, atomic64_read(&mux->stats.coalesced));
	atomic64_set(&s->aborts, atomic64_read(&mux->stats.aborts));
	atomic64_set(&s->refused_full,
		     atomic64_read(&mux->stats.refused_full));
	atomic64_set(&s->hw_ns, atomic64_read(&mux->stats.hw_ns));
	atomic64_set(&s->lead_ns, atomic64_read(&mux->stats.lead_ns));
	atomic64_set(&s->gather_waits,
		     atomic64_read(&mux->stats.gather_waits));
	atomic64_set(&s->gather_timeouts,
		     atomic64_read(&mux->stats.gather_timeouts));
	atomic64_set(&s->quote_ns, atomic64_read(&mux->stats.quote_ns));
	atomic64_set(&s->paced, atomic64_read(&mux->stats.paced));
}

/* The genesis batch: the PCR's start values and the boot they belong to. */
static int vtpm_mux_genesis(void)
{
	struct vtpm_genesis *g;
	struct vtpm_krec *k;
	u8 *page = NULL;
	u32 b;
	int ret;

	g = kzalloc(sizeof(*g), GFP_KERNEL);
	k = kzalloc(sizeof(*k), GFP_KERNEL);
	page = (u8 *)__get_free_page(GFP_KERNEL);
	ret = -ENOMEM;
	if (!g || !k || !page)
		goto out;
	g->hw_pcr = mux->hw_pcr;
	g->nr_banks = mux->banks->nr;
	for (b = 0; b < mux->banks->nr; b++) {
		g->start[b].alg = mux->banks->bank[b].alg;
		ret = vtpm_hwtpm_read(mux->hw_pcr, b, g->start[b].digest);
		if (ret) {
			pr_err("cannot read PCR %u: %d\n", mux->hw_pcr, ret);
			ret = -EIO;
			goto out;
		}
		memcpy(vtpm_bank_slot(mux->cur, b), g->start[b].digest,
		       mux->banks->bank[b].size);
	}
	/* TPM2_ReadClock: TPMS_TIME_INFO = time, clock, resetCount, ... */
	put_unaligned_be16(VTPM_ST_NO_SESSIONS, page);
	put_unaligned_be32(10, page + 2);
	put_unaligned_be32(VTPM_CC_READ_CLOCK, page + 6);
	ret = vtpm_hwtpm_transmit(page, "reading the clock for the genesis record");
	if (ret < 10 + 25) {
		pr_err("TPM2_ReadClock failed: %d\n", ret);
		ret = -EIO;
		goto out;
	}
	g->clock = get_unaligned_be64(page + 18);
	g->reset_count = get_unaligned_be32(page + 26);
	g->restart_count = get_unaligned_be32(page + 30);
	get_random_bytes(g->log_id, sizeof(g->log_id));
	vtpm_log_set_genesis(g);

	k->tenant = VTPM_NO_TENANT;
	k->type = VTPM_REC_GENESIS;
	ret = vtpm_log_leaf(k, 0, mux->leaves);
	if (ret)
		goto out;
	ret = vtpm_mux_extend(k, mux->leaves, 1);
	if (ret) {
		pr_err("cannot extend PCR %u: %d\n", mux->hw_pcr, ret);
		ret = -EIO;
		goto out;
	}
	vtpm_ima_genesis(g, mux->leaves);
	pr_info("mapping log anchored in PCR %u (TPM reset count %u)\n",
		mux->hw_pcr, g->reset_count);
out:
	free_page((unsigned long)page);
	kfree(k);
	kfree(g);
	return ret;
}

/**
 * vtpm_mux_init() - start the mux: the genesis record goes into the PCR
 * @banks:  the hardware banks
 * @hw_pcr: the PCR
 *
 * Return: 0, -ENOMEM, or -EIO when the hardware TPM does not cooperate.
 */
int vtpm_mux_init(const struct vtpm_banks *banks, u32 hw_pcr)
{
	int ret;
	u32 b;

	mux = kzalloc(sizeof(*mux), GFP_KERNEL);
	if (!mux)
		return -ENOMEM;
	mutex_init(&mux->lock);
	INIT_LIST_HEAD(&mux->queue);
	INIT_LIST_HEAD(&mux->deferred);
	init_waitqueue_head(&mux->gather_wq);
	mux->gather_ns = U64_MAX;
	mux->banks = banks;
	mux->hw_pcr = hw_pcr;
	for (b = 0; b < banks->nr; b++)
		if (banks->bank[b].alg == VTPM_ALG_SHA256)
			mux->cmp_bank = b;
	mux->batch = kvcalloc(VTPM_MAX_BATCH, sizeof(*mux->batch), GFP_KERNEL);
	mux->reqs = kcalloc(VTPM_MAX_BATCH, sizeof(*mux->reqs), GFP_KERNEL);
	mux->leaves = kcalloc(VTPM_MAX_BATCH, VTPM_LEAF_SIZE, GFP_KERNEL);
	mux->areqs = kcalloc(VTPM_MAX_ATTEST_BATCH, sizeof(*mux->areqs),
			     GFP_KERNEL);
	mux->atts = kcalloc(VTPM_MAX_ATTEST_BATCH, sizeof(*mux->atts),
			    GFP_KERNEL);
	ret = -ENOMEM;
	if (!mux->batch || !mux->reqs || !mux->leaves || !mux->areqs ||
	    !mux->atts)
		goto err;
	ret = vtpm_mux_genesis();
	if (ret)
		goto err;
	mux->tent_seq = vtpm_log_next_seq();
	return 0;
err:
	vtpm_mux_exit();
	return ret;
}

void vtpm_mux_exit(void)
{
	struct vtpm_mux_req *req, *tmp;

	if (!mux)
		return;
	list_for_each_entry_safe(req, tmp, &mux->deferred, node)
		kfree(req);
	kvfree(mux->batch);
	kfree(mux->reqs);
	kfree(mux->leaves);
	kfree(mux->areqs);
	kfree(mux->atts);
	kfree(mux);
	mux = NULL;
}
