// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping log against the hardware TPM: every vPCR change of every
 * instance is a record of one hash-chained log, extended batch by batch
 * into one hardware PCR (module parameter pcr).
 *
 *  mixed_workload	 many instances and threads at once (extends in
 *			 several banks, events, resets, Startup cycles,
 *			 creates and destroys of other instances) while
 *			 other threads read the log and views; then the log
 *			 replays to the hardware PCR (raw PCR_Read on
 *			 /dev/tpmrm0), every view replays to it too, every
 *			 instance's reconstructed vPCRs equal its PCR_Read
 *			 and, for the single-threaded ones, an OpenSSL model
 *	coalescing	 32 threads on 32 instances extend at once: fewer
 *			 hardware extends than records; the ratio is printed
 *	records_are_the_commands  one instance's records in its view are
 *			 exactly the commands sent, in order; its ASCII list
 *	concealment	 A's view shows nothing of B (digests, label, uuid)
 *			 and its shape does not depend on what B extended
 *	view_permissions  the owner of an instance reads its view and ASCII
 *			 list (securityfs and ioctl); another user reads
 *			 neither, nor the full log
 *
 * Every replay is done twice: by the module's own pure code
 * (drivers/vtpm/lib/mlog.c) and by the independent walk of vtpm_mlog.c,
 * which also computes a view's commitment (log format version 2: the
 * number of its instance's records and the hash chain over their leaves)
 * with OpenSSL from the view's clear records and from the full log: the
 * header the kernel writes from its separate state must equal both, for
 * views read through VTPM_IOC_GET_LOG and securityfs (mixed_workload's
 * readers against the full log read after the views, every instance
 * afterwards, records_are_the_commands: exactly its 8 records, the
 * concealment pair).
 *
 * Environment: MUX_OPS (operations per worker thread, default 250),
 * MUX_BURST (extends per thread of coalescing, default 40).
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
#include <sys/wait.h>

#include "vtpm_mlog.h"
#include "vtpm_crypto.h"
#include "kselftest_harness.h"

#define RC_VALUE_P1	0x1C4	/* TPM_RC_VALUE + TPM_RC_P + TPM_RC_1 */
#define ALL_PCRS	0xffffffu

/* the PCRs locality 0 may extend */
static const unsigned int ext_pcrs[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 23,
};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* ---- instances ---------------------------------------------------------- */

struct inst {
	uint32_t idx;
	uint8_t uuid[16];
	char dev[64];
	char label[64];
	bool live;
	/* vPCR changes acknowledged, counted by the test (all threads) */
	atomic_ullong changes;
	atomic_ullong one_row;	/* extends, events, resets */
};

static int inst_create(int ctl, const char *label, struct inst *in)
{
	int r;

	memset(in, 0, sizeof(*in));
	snprintf(in->label, sizeof(in->label), "%s", label);
	r = mux_create_simple(ctl, label, &in->idx, in->uuid);
	if (r)
		return r;
	in->live = true;
	mux_dev_path(in->idx, in->dev, sizeof(in->dev));
	return wait_for_path(in->dev, true) ? 0 : -ENOENT;
}

static void inst_destroy(int ctl, struct inst *in)
{
	if (in->live)
		mux_destroy(ctl, in->idx);
	in->live = false;
}

/* one command on fd: its response code, or -1 on a transport error */
static long cmd_rc(int fd, const uint8_t *cmd, size_t len, uint8_t *resp,
		   size_t cap)
{
	ssize_t n = fd_xfer(fd, cmd, len, resp, cap, 60000);

	return n < 0 ? -1 : resp_rc(resp, n);
}

static long su_cmd(int fd, bool startup, uint16_t type)
{
	uint8_t cmd[16], resp[64];
	size_t len = startup ? build_startup(cmd, type) :
			       build_shutdown(cmd, type);

	return cmd_rc(fd, cmd, len, resp, sizeof(resp));
}

/* ---- one random operation ----------------------------------------------- */

struct opstats {
	uint64_t extend, event, reset, su_clear, su_state;
	uint64_t su_refused;	/* Startup refused by a shared instance */
	uint64_t changes;	/* records the instance got */
	uint64_t one_row;
};

enum {
	OP_EXTEND, OP_EVENT, OP_RESET, OP_CYCLE_CLEAR, OP_CYCLE_STATE,
};

static int pick_op(struct rng *r)
{
	unsigned int x = rnd(r) % 100;

	if (x < 55)
		return OP_EXTEND;
	if (x < 72)
		return OP_EVENT;
	if (x < 82)
		return OP_RESET;
	if (x < 91)
		return OP_CYCLE_CLEAR;
	return OP_CYCLE_STATE;
}

/*
 * A random extend (a random non-empty set of banks, in random order),
 * event, reset or Startup cycle on fd.  The model (NULL for instances that
 * several threads drive) follows every acknowledged change.  shared: other
 * threads drive the instance too, so a Startup may find the TPM already
 * started.  Returns 0, or -1 with err set on an unexpected answer.
 */
static int do_op(int fd, const struct banks *bk, struct rng *r,
		 struct model *m, struct opstats *st, bool shared,
		 char *err, size_t errlen)
{
	uint8_t cmd[2048], resp[2048];
	unsigned int pcr = ext_pcrs[rnd(r) % ARRAY_LEN(ext_pcrs)];
	int op = pick_op(r);
	long rc;

	switch (op) {
	case OP_EXTEND: {
		uint8_t dig[VTPM_MAX_BANKS][64];
		const uint8_t *dp[VTPM_MAX_BANKS];
		uint16_t algs[VTPM_MAX_BANKS];
		unsigned int order[VTPM_MAX_BANKS], cnt;

		for (unsigned int i = 0; i < bk->n; i++)
			order[i] = i;
		for (unsigned int i = bk->n - 1; i > 0; i--) {
			unsigned int j = rnd(r) % (i + 1), t = order[i];

			order[i] = order[j];
			order[j] = t;
		}
		cnt = 1 + rnd(r) % bk->n;
		for (unsigned int i = 0; i < cnt; i++) {
			algs[i] = bk->alg[order[i]];
			rnd_bytes(r, dig[i], bk->size[order[i]]);
			dp[i] = dig[i];
		}
		rc = cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, pcr, cnt,
							    algs, dp),
			    resp, sizeof(resp));
		if (rc)
			break;
		for (unsigned int i = 0; m && i < cnt; i++)
			model_extend(m, bk, pcr, order[i], dig[i]);
		st->extend++;
		st->changes++;
		st->one_row++;
		return 0;
	}
	case OP_EVENT: {
		uint8_t data[256];
		unsigned int len = rnd(r) % sizeof(data);

		rnd_bytes(r, data, len);
		rc = cmd_rc(fd, cmd, build_pcr_event(cmd, pcr, data, len),
			    resp, sizeof(resp));
		if (rc)
			break;
		for (unsigned int b = 0; m && b < bk->n; b++) {
			uint8_t d[64];

			ossl_digest(bk->alg[b], data, len, d);
			model_extend(m, bk, pcr, b, d);
		}
		st->event++;
		st->changes++;
		st->one_row++;
		return 0;
	}
	case OP_RESET:
		pcr = rnd(r) & 1 ? 16 : 23;
		rc = cmd_rc(fd, cmd, build_pcr_reset(cmd, pcr), resp,
			    sizeof(resp));
		if (rc)
			break;
		if (m)
			model_init_pcr(m, bk, pcr);
		st->reset++;
		st->changes++;
		st->one_row++;
		return 0;
	default: {
		bool clear = op == OP_CYCLE_CLEAR;
		uint16_t su = clear ? SU_CLEAR : SU_STATE;

		rc = su_cmd(fd, false, su);
		if (rc) {
			snprintf(err, errlen, "Shutdown(%u) answered 0x%lx",
				 su, rc);
			return -1;
		}
		rc = su_cmd(fd, true, su);
		if (shared && (rc == RC_INITIALIZE || rc == RC_VALUE_P1)) {
			/* another thread's Startup or change came between */
			st->su_refused++;
			return 0;
		}
		if (rc)
			break;
		if (m)
			model_startup(m, bk, clear);
		if (clear)
			st->su_clear++;
		else
			st->su_state++;
		st->changes++;
		return 0;
	}
	}
	snprintf(err, errlen, "op %d on PCR %u answered %ld (0x%lx)", op, pcr,
		 rc, rc);
	return -1;
}

/* Startup(CLEAR) of a fresh instance: one change */
static int first_startup(struct inst *in)
{
	int fd = open(in->dev, O_RDWR | O_CLOEXEC);
	long rc;

	if (fd < 0)
		return -errno;
	rc = su_cmd(fd, true, SU_CLEAR);
	close(fd);
	if (rc)
		return rc < 0 ? -EIO : (int)rc;
	in->changes++;
	return 0;
}

/* ---- comparisons ---------------------------------------------------------- */

/* ---- the workload ------------------------------------------------------- */

#define MAX_CHURN	256
#define NREADERS	2
/* rounds of each reader during the workload (unless it takes too long) */
#define READER_ROUNDS	4
#define WORKLOAD_MAX_S	60

struct churned {
	uint8_t uuid[16];
	char label[64];
	uint64_t records;	/* CREATE, Startup, extends, DESTROY */
};

struct shared {
	struct banks bk;
	int ctl;
	struct inst *stable;
	unsigned int nstable;
	pthread_barrier_t go;
	atomic_int done;
	/* readers that made READER_ROUNDS rounds; workers go on until all */
	atomic_int readers_ready;
	double deadline;
};

struct worker {
	pthread_t th;
	struct shared *sh;
	struct inst *in;
	struct model *model;	/* single-threaded instances */
	bool shared;
	unsigned int ops;
	uint64_t seed;
	struct opstats st;
	int failed;
	char err[256];
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct rng r = { w->seed };
	int fd = open(w->in->dev, O_RDWR | O_CLOEXEC);

	pthread_barrier_wait(&w->sh->go);
	if (fd < 0) {
		w->failed = 1;
		snprintf(w->err, sizeof(w->err), "open %s: %s", w->in->dev,
			 strerror(errno));
		return NULL;
	}
	for (unsigned int i = 0;
	     i < w->ops || (atomic_load(&w->sh->readers_ready) < NREADERS &&
			    now_s() < w->sh->deadline);
	     i++) {
		/* beyond the quota: slowly, while the readers catch up */
		if (i >= w->ops)
			usleep(50000);
		if (do_op(fd, &w->sh->bk, &r, w->model, &w->st, w->shared,
			  w->err, sizeof(w->err))) {
			w->failed = 1;
			break;
		}
	}
	close(fd);
	w->in->changes += w->st.changes;
	w->in->one_row += w->st.one_row;
	return NULL;
}

struct churner {
	pthread_t th;
	struct shared *sh;
	int id;
	struct churned c[MAX_CHURN];
	unsigned int n;
	int failed;
	char err[256];
};

static void *churn_main(void *arg)
{
	struct churner *c = arg;
	struct rng r = { 0x9e3779b97f4a7c15ULL * (c->id + 1) };
	int ctl = mux_ctl_open();

	pthread_barrier_wait(&c->sh->go);
	if (ctl < 0) {
		c->failed = 1;
		snprintf(c->err, sizeof(c->err), "open control: %s",
			 strerror(errno));
		return NULL;
	}
	while (!atomic_load(&c->sh->done) && c->n < MAX_CHURN) {
		struct churned *e = &c->c[c->n];
		struct inst in;
		uint8_t cmd[256], resp[256], d[64];
		long rc;
		int fd, ret;

		snprintf(e->label, sizeof(e->label), "churn-%d-%u", c->id,
			 c->n);
		ret = inst_create(ctl, e->label, &in);
		if (ret) {
			c->failed = 1;
			snprintf(c->err, sizeof(c->err), "create: %d", ret);
			break;
		}
		memcpy(e->uuid, in.uuid, 16);
		e->records = 1;
		fd = open(in.dev, O_RDWR | O_CLOEXEC);
		rc = fd < 0 ? -1 : su_cmd(fd, true, SU_CLEAR);
		if (!rc)
			e->records++;
		for (int k = 0; !rc && k < 2; k++) {
			rnd_bytes(&r, d, 32);
			rc = cmd_rc(fd, cmd,
				    build_pcr_extend(cmd, rnd(&r) % 16,
						     ALG_SHA256, d, 32),
				    resp, sizeof(resp));
			if (!rc)
				e->records++;
		}
		if (fd >= 0)
			close(fd);
		ret = mux_destroy(ctl, in.idx);
		if (rc || ret) {
			c->failed = 1;
			snprintf(c->err, sizeof(c->err),
				 "churn instance %s: rc 0x%lx, destroy %d",
				 e->label, rc, ret);
			break;
		}
		e->records++;
		c->n++;
	}
	close(ctl);
	return NULL;
}

struct reader {
	pthread_t th;
	struct shared *sh;
	int id;
	unsigned int logs, views, secfs_views, asciis;
	int failed;
	char err[512];
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	struct shared *sh = rd->sh;
	struct vtpm_replay *r = replay_new();
	int *fds = malloc(sh->nstable * sizeof(int));
	uint64_t last_batches = 0;
	char why[256];

	for (unsigned int i = 0; fds && i < sh->nstable; i++)
		fds[i] = -1;
	pthread_barrier_wait(&sh->go);
	if (!r || !fds) {
		rd->failed = 1;
		snprintf(rd->err, sizeof(rd->err), "out of memory");
		goto out;
	}
	for (unsigned int i = 0; i < sh->nstable; i++) {
		fds[i] = open(sh->stable[i].dev, O_RDWR | O_CLOEXEC);
		if (fds[i] < 0) {
			rd->failed = 1;
			snprintf(rd->err, sizeof(rd->err), "open %s: %s",
				 sh->stable[i].dev, strerror(errno));
			goto out;
		}
	}
	for (unsigned int k = rd->id; !atomic_load(&sh->done); k++) {
		struct inst *in = &sh->stable[k % sh->nstable];
		/* the views' commitments, checked against the full log read after them */
		struct commit_target t[2] = {
			{ .uuid = in->uuid }, { .uuid = in->uuid },
		};
		struct vtpm_log_commit vc[2];
		struct walk w = { .targets = t };
		uint64_t batches;
		uint8_t *buf;
		size_t len;
		char path[128];
		int ret;

		/* a view through the ioctl */
		ret = view_ioctl(fds[k % sh->nstable], false, &buf, &len,
				 &batches);
		if (ret) {
			snprintf(rd->err, sizeof(rd->err), "view ioctl vtpm%u: %d",
				 in->idx, ret);
			rd->failed = 1;
			break;
		}
		check_view(buf, len, in->uuid, in->idx, r, why, sizeof(why));
		if (!why[0] && r->batches != batches)
			snprintf(why, sizeof(why), "view: %llu batches, ioctl said %llu",
				 (unsigned long long)r->batches,
				 (unsigned long long)batches);
		free(buf);
		if (why[0]) {
			snprintf(rd->err, sizeof(rd->err), "%s", why);
			rd->failed = 1;
			break;
		}
		vc[0] = r->hdr.commit;
		t[0].upto = r->batches;
		w.ntargets = 1;
		rd->views++;

		/* and through securityfs, every other round */
		if (k & 1) {
			snprintf(path, sizeof(path), SECFS_DIR "/vtpm%u/view",
				 in->idx);
			ret = read_whole(path, &buf, &len);
			if (ret) {
				snprintf(rd->err, sizeof(rd->err), "read %s: %d",
					 path, ret);
				rd->failed = 1;
				break;
			}
			check_view(buf, len, in->uuid, in->idx, r, why, sizeof(why));
			free(buf);
			if (why[0]) {
				snprintf(rd->err, sizeof(rd->err), "securityfs %s",
					 why);
				rd->failed = 1;
				break;
			}
			vc[1] = r->hdr.commit;
			t[1].upto = r->batches;
			w.ntargets = 2;
			rd->secfs_views++;
		} else {
			ret = view_ioctl(fds[k % sh->nstable], true, &buf,
					 &len, NULL);
			if (ret || (len && buf[len - 1] != '\n')) {
				snprintf(rd->err, sizeof(rd->err),
					 "ASCII list of vtpm%u: %d", in->idx,
					 ret);
				rd->failed = 1;
				if (!ret)
					free(buf);
				break;
			}
			free(buf);
			rd->asciis++;
		}

		/*
		 * the full log, read after the views: both replays agree, and
		 * each view's header committed to exactly the instance's
		 * records in the log's batches it covers
		 */
		ret = read_whole(SECFS_LOG, &buf, &len);
		if (ret) {
			snprintf(rd->err, sizeof(rd->err), "read %s: %d",
				 SECFS_LOG, ret);
			rd->failed = 1;
			break;
		}
		ret = replay_run(r, buf, len, NULL);
		if (!ret)
			ret = walk_log(buf, len, &w);
		if (!ret && (w.batches != r->batches ||
			     memcmp(w.pcr[0], r->pcr[0],
				    alg_by_id(w.algs[0])->size)))
			ret = -EPROTO;
		if (!ret && r->batches < last_batches)
			ret = -ERANGE;
		free(buf);
		if (ret) {
			snprintf(rd->err, sizeof(rd->err),
				 "full log: %d (%s/%s)", ret,
				 r->why ? r->why : "", w.why ? w.why : "");
			rd->failed = 1;
			break;
		}
		for (unsigned int i = 0; i < w.ntargets; i++) {
			if (w.batches >= t[i].upto &&
			    t[i].c.records == vc[i].records &&
			    !memcmp(t[i].c.chain, vc[i].chain, 32))
				continue;
			snprintf(rd->err, sizeof(rd->err),
				 "%s view of vtpm%u at %llu batches commits to %llu records, the full log (%llu batches) has %llu, or another chain",
				 i ? "securityfs" : "GET_LOG", in->idx,
				 (unsigned long long)t[i].upto,
				 (unsigned long long)vc[i].records,
				 (unsigned long long)w.batches,
				 (unsigned long long)t[i].c.records);
			rd->failed = 1;
			break;
		}
		if (rd->failed)
			break;
		last_batches = r->batches;
		rd->logs++;
		if (rd->logs == READER_ROUNDS)
			atomic_fetch_add(&sh->readers_ready, 1);
	}
out:
	for (unsigned int i = 0; fds && i < sh->nstable; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(r);
	return NULL;
}

/* what the full log says of the instances of a test */
struct tally {
	unsigned int n;
	const uint8_t (*uuid)[16];
	const char *const *label;
	uint64_t *records;
	uint64_t *creates;
	uint64_t *destroys;
	uint64_t *label_ok;
	uint64_t unapplied;
};

static int tally_rec(void *ctx, const struct vtpm_log_rec *rec,
		     const u8 *leaf, u64 batch, bool applied)
{
	struct tally *t = ctx;

	(void)leaf;
	(void)batch;
	for (unsigned int i = 0; i < t->n; i++) {
		if (memcmp(rec->uuid, t->uuid[i], 16))
			continue;
		if (!applied) {
			t->unapplied++;
			return 0;
		}
		t->records[i]++;
		if (rec->type == VTPM_REC_CREATE) {
			t->creates[i]++;
			if (!strcmp(rec->create.label, t->label[i]))
				t->label_ok[i]++;
		}
		if (rec->type == VTPM_REC_DESTROY)
			t->destroys[i]++;
		return 0;
	}
	return 0;
}

static unsigned int env_uint(const char *name, unsigned int def)
{
	const char *v = getenv(name);

	return v && *v ? (unsigned int)strtoul(v, NULL, 0) : def;
}

FIXTURE(mux) {
	int ctl;
	bool skip;
	struct inst *insts;
	unsigned int ninsts;
	struct banks bk;
};

FIXTURE_SETUP(mux)
{
	struct inst probe;

	self->insts = NULL;
	self->ctl = mux_ctl_open();
	if (self->ctl < 0 && errno == ENOENT) {
		self->skip = true;
		SKIP(return, "no %s (module not loaded)",
		     VTPM_MUX_CONTROL_DEVICE);
	}
	ASSERT_LE(0, self->ctl);
	if (access(SECFS_LOG, R_OK)) {
		self->skip = true;
		SKIP(return, "no %s", SECFS_LOG);
	}
	ASSERT_EQ(0, inst_create(self->ctl, "mux-probe", &probe));
	ASSERT_EQ(0, get_banks(self->ctl, probe.idx, &self->bk));
	inst_destroy(self->ctl, &probe);
}

FIXTURE_TEARDOWN(mux)
{
	for (unsigned int i = 0; i < self->ninsts; i++)
		inst_destroy(self->ctl, &self->insts[i]);
	free(self->insts);
	if (self->ctl >= 0)
		close(self->ctl);
}

#define BEGIN() do { if (self->skip) return; } while (0)

static void make_insts(struct __test_metadata *_metadata,
		       FIXTURE_DATA(mux) *self, unsigned int n,
		       const char *prefix)
{
	char label[64];

	self->insts = calloc(n, sizeof(*self->insts));
	ASSERT_NE(NULL, self->insts);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "%s-%u", prefix, i);
		ASSERT_EQ(0, inst_create(self->ctl, label, &self->insts[i]));
		self->ninsts = i + 1;
		ASSERT_EQ(0, first_startup(&self->insts[i]));
	}
}

/* the full log replays to the hardware PCR: asserts; returns the log */
static void assert_full_log(struct __test_metadata *_metadata,
			    struct vtpm_replay *r, uint8_t **logp,
			    size_t *lenp)
{
	struct mux_status st;
	char why[512];

	ASSERT_EQ(0, read_whole(SECFS_LOG, logp, lenp));
	check_against_hw(*logp, *lenp, r, why, sizeof(why));
	ASSERT_STREQ("", why);
	ASSERT_EQ(0, mux_status_read(&st));
	EXPECT_STREQ("ok", st.state);
	EXPECT_EQ(st.batches, r->batches);
	EXPECT_EQ(st.records, r->records);
	EXPECT_EQ(st.pcr, r->hdr.hw_pcr);
	EXPECT_EQ(st.pcr, r->genesis.hw_pcr);
	EXPECT_EQ(VTPM_LOG_FULL, r->hdr.kind);
	EXPECT_EQ(r->records, r->clear);	/* a full log shows all */
	EXPECT_EQ(mux_param("pcr"), (long long)st.pcr);
}

/*
 * Instance in: its view replays to the hardware PCR, its reconstructed
 * vPCRs equal its PCR_Read and (if m) the model, the number of its records
 * is what the test counted, and the full log reconstructs it identically.
 */
static void assert_instance(struct __test_metadata *_metadata,
			    const struct banks *bk, struct inst *in,
			    const struct model *m, const uint8_t *full,
			    size_t full_len, const struct vtpm_replay *fr)
{
	uint8_t (*read)[NPCR][64] = calloc(VTPM_MAX_BANKS, sizeof(*read));
	struct vtpm_replay *r = replay_new(), *r2 = replay_new();
	uint8_t *v, *v2;
	size_t len, len2;
	uint64_t batches;
	char why[512], path[128], buf[32];
	int fd;

	ASSERT_NE(NULL, read);
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, r2);
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fd_pcr_read_many(fd, bk->n, bk->alg, ALL_PCRS, read));
	ASSERT_EQ(0, view_ioctl(fd, false, &v, &len, &batches));
	close(fd);

	/* (b) the view replays to the same PCR values as the full log */
	check_view(v, len, in->uuid, in->idx, r, why, sizeof(why));
	ASSERT_STREQ("", why);
	EXPECT_EQ(fr->batches, batches);
	EXPECT_EQ(fr->batches, r->batches);
	EXPECT_EQ(fr->records, r->records);
	for (unsigned int k = 0; k < bk->n; k++) {
		EXPECT_EQ(0, memcmp(fr->pcr[k], r->pcr[k], bk->size[k]))
			TH_LOG("vtpm%u: bank %u", in->idx, k);
	}
	/* (c) reconstructed vPCRs == PCR_Read == model */
	cmp_vpcrs(r, bk, read, "view vs PCR_Read", why, sizeof(why));
	EXPECT_STREQ("", why) TH_LOG("vtpm%u", in->idx);
	if (m) {
		cmp_vpcrs(r, bk, (uint8_t (*)[NPCR][64])m->v, "view vs model",
			  why, sizeof(why));
		EXPECT_STREQ("", why) TH_LOG("vtpm%u", in->idx);
	}
	EXPECT_EQ(atomic_load(&in->changes) + 1, r->tenant_records)
		TH_LOG("vtpm%u: records of the instance in its view", in->idx);

	/* the full log reconstructs it the same */
	ASSERT_EQ(0, replay_run(r2, full, full_len, in->uuid));
	EXPECT_TRUE(r2->found);
	EXPECT_FALSE(r2->destroyed);
	EXPECT_EQ(r->tenant_records, r2->tenant_records);
	cmp_vpcrs(r2, bk, read, "full log vs PCR_Read", why, sizeof(why));
	EXPECT_STREQ("", why) TH_LOG("vtpm%u", in->idx);

	/*
	 * (d) its header's commitment (the kernel keeps it apart from the
	 * records it renders) is exactly the instance's records in the full
	 * log, computed here: check_view() compared it with the view's own
	 * clear records
	 */
	check_commit_vs_full(&r->hdr.commit, batches, full, full_len, in->uuid,
			     "GET_LOG view", why, sizeof(why));
	EXPECT_STREQ("", why) TH_LOG("vtpm%u", in->idx);

	/* securityfs serves the same bytes as the ioctl (same cut) */
	snprintf(path, sizeof(path), SECFS_DIR "/vtpm%u/view", in->idx);
	ASSERT_EQ(0, read_whole(path, &v2, &len2));
	EXPECT_EQ(len, len2);
	EXPECT_TRUE(len == len2 && !memcmp(v, v2, len));
	check_view(v2, len2, in->uuid, in->idx, r, why, sizeof(why));
	EXPECT_STREQ("", why) TH_LOG("securityfs view");
	if (!why[0]) {
		check_commit_vs_full(&r->hdr.commit, r->batches, full, full_len,
				     in->uuid, "securityfs view", why,
				     sizeof(why));
		EXPECT_STREQ("", why) TH_LOG("vtpm%u", in->idx);
	}
	free(v2);

	/* the engine's own counter of extends, events and resets */
	ASSERT_LT(0, read_sysfs(in->idx, "extends", buf, sizeof(buf)));
	EXPECT_EQ(atomic_load(&in->one_row), strtoull(buf, NULL, 10))
		TH_LOG("vtpm%u: sysfs extends", in->idx);
	free(v);
	free(read);
	free(r);
	free(r2);
}

TEST_F_TIMEOUT(mux, mixed_workload, 900)
{
	enum { NSTABLE = 16, NSINGLE = 4, PER_SHARED = 3, NCHURN = 2 };
	unsigned int ops = env_uint("MUX_OPS", 250);
	unsigned int nworkers = NSINGLE + (NSTABLE - NSINGLE) * PER_SHARED;
	struct worker *w = calloc(nworkers, sizeof(*w));
	struct churner *ch = calloc(NCHURN, sizeof(*ch));
	struct reader rd[NREADERS];
	struct model *models = calloc(NSINGLE, sizeof(*models));
	struct vtpm_replay *fr = replay_new();
	struct mux_status s0, s1;
	struct shared sh;
	uint8_t *full;
	size_t full_len;
	double t0, t1;
	unsigned int k = 0, nchurned = 0;
	uint64_t total = 0;

	BEGIN();
	ASSERT_NE(NULL, w);
	ASSERT_NE(NULL, ch);
	ASSERT_NE(NULL, models);
	ASSERT_NE(NULL, fr);
	make_insts(_metadata, self, NSTABLE, "mux-w");
	memset(&sh, 0, sizeof(sh));
	sh.bk = self->bk;
	sh.ctl = self->ctl;
	sh.stable = self->insts;
	sh.nstable = NSTABLE;
	ASSERT_EQ(0, pthread_barrier_init(&sh.go, NULL,
					  nworkers + NCHURN + NREADERS + 1));

	for (unsigned int i = 0; i < NSTABLE; i++) {
		unsigned int nth = i < NSINGLE ? 1 : PER_SHARED;

		if (i < NSINGLE) {
			model_init(&models[i], &self->bk);
			model_startup(&models[i], &self->bk, true);
		}
		for (unsigned int j = 0; j < nth; j++, k++) {
			w[k].sh = &sh;
			w[k].in = &self->insts[i];
			w[k].model = i < NSINGLE ? &models[i] : NULL;
			w[k].shared = nth > 1;
			w[k].ops = ops;
			w[k].seed = (0x1234567ULL * (k + 1) ^
				     (uint64_t)time(NULL)) | 1;
		}
	}
	ASSERT_EQ(0, mux_status_read(&s0));
	for (k = 0; k < nworkers; k++) {
		ASSERT_EQ(0, pthread_create(&w[k].th, NULL, worker_main, &w[k]));
	}
	for (k = 0; k < NCHURN; k++) {
		ch[k].sh = &sh;
		ch[k].id = k;
		ASSERT_EQ(0, pthread_create(&ch[k].th, NULL, churn_main, &ch[k]));
	}
	memset(rd, 0, sizeof(rd));
	for (k = 0; k < NREADERS; k++) {
		rd[k].sh = &sh;
		rd[k].id = k;
		ASSERT_EQ(0, pthread_create(&rd[k].th, NULL, reader_main, &rd[k]));
	}
	sh.deadline = now_s() + WORKLOAD_MAX_S;
	pthread_barrier_wait(&sh.go);
	t0 = now_s();
	for (k = 0; k < nworkers; k++)
		pthread_join(w[k].th, NULL);
	t1 = now_s();
	atomic_store(&sh.done, 1);
	for (k = 0; k < NCHURN; k++)
		pthread_join(ch[k].th, NULL);
	for (k = 0; k < NREADERS; k++)
		pthread_join(rd[k].th, NULL);
	ASSERT_EQ(0, mux_status_read(&s1));

	for (k = 0; k < nworkers; k++) {
		EXPECT_EQ(0, w[k].failed) TH_LOG("worker %u (vtpm%u): %s", k,
						 w[k].in->idx, w[k].err);
		total += w[k].st.changes;
	}
	for (k = 0; k < NCHURN; k++) {
		EXPECT_EQ(0, ch[k].failed) TH_LOG("churn %u: %s", k, ch[k].err);
		nchurned += ch[k].n;
	}
	for (k = 0; k < NREADERS; k++) {
		EXPECT_EQ(0, rd[k].failed) TH_LOG("reader %u: %s", k, rd[k].err);
		EXPECT_LE(2, rd[k].views) TH_LOG("reader %u: too few views", k);
		TH_LOG("reader %u: %u full logs, %u views (ioctl), %u views (securityfs), %u ASCII lists replayed or read",
		       k, rd[k].logs, rd[k].views, rd[k].secfs_views,
		       rd[k].asciis);
	}
	EXPECT_LT(0, nchurned);
	EXPECT_EQ(s0.hw_errors, s1.hw_errors);
	TH_LOG("%llu vPCR changes by %u threads on %u instances, %u instances created and destroyed meanwhile, in %.1f s",
	       (unsigned long long)total, nworkers, NSTABLE, nchurned, t1 - t0);
	TH_LOG("coalescing: %llu records in %llu hardware extends (%.2f records per extend)",
	       (unsigned long long)(s1.records - s0.records),
	       (unsigned long long)(s1.hw_extends - s0.hw_extends),
	       (double)(s1.records - s0.records) /
	       (double)(s1.hw_extends - s0.hw_extends ?: 1));

	/* (a) the full log replays to the hardware PCR (nothing runs now) */
	assert_full_log(_metadata, fr, &full, &full_len);

	/* (b), (c) every instance */
	for (unsigned int i = 0; i < NSTABLE; i++)
		assert_instance(_metadata, &self->bk, &self->insts[i],
				i < NSINGLE ? &models[i] : NULL, full,
				full_len, fr);

	/* the churned instances: created, recorded and destroyed, in full */
	{
		unsigned int n = NSTABLE + nchurned, j = 0;
		uint8_t (*uuids)[16] = calloc(n, 16);
		const char **labels = calloc(n, sizeof(char *));
		uint64_t *cnt = calloc(4 * n, sizeof(uint64_t));
		struct tally t = { .n = n, .label = labels };
		struct vtpm_replay *r = replay_new();

		ASSERT_NE(NULL, uuids);
		ASSERT_NE(NULL, labels);
		ASSERT_NE(NULL, cnt);
		ASSERT_NE(NULL, r);
		for (unsigned int i = 0; i < NSTABLE; i++, j++) {
			memcpy(uuids[j], self->insts[i].uuid, 16);
			labels[j] = self->insts[i].label;
		}
		for (k = 0; k < NCHURN; k++)
			for (unsigned int i = 0; i < ch[k].n; i++, j++) {
				memcpy(uuids[j], ch[k].c[i].uuid, 16);
				labels[j] = ch[k].c[i].label;
			}
		t.uuid = (const uint8_t (*)[16])uuids;
		t.records = cnt;
		t.creates = cnt + n;
		t.destroys = cnt + 2 * n;
		t.label_ok = cnt + 3 * n;
		r->on_record = tally_rec;
		r->ctx = &t;
		ASSERT_EQ(0, replay_run(r, full, full_len, NULL));
		EXPECT_EQ(0, t.unapplied);
		for (unsigned int i = 0; i < n; i++) {
			uint64_t want = i < NSTABLE ?
				atomic_load(&self->insts[i].changes) + 1 : 0;

			EXPECT_EQ(1, t.creates[i]) TH_LOG("%s", labels[i]);
			EXPECT_EQ(1, t.label_ok[i]) TH_LOG("%s", labels[i]);
			EXPECT_EQ(i < NSTABLE ? 0 : 1, t.destroys[i])
				TH_LOG("%s", labels[i]);
			if (i >= NSTABLE) {
				unsigned int c = 0, x = i - NSTABLE;

				while (x >= ch[c].n) {
					x -= ch[c].n;
					c++;
				}
				want = ch[c].c[x].records;
			}
			EXPECT_EQ(want, t.records[i]) TH_LOG("%s", labels[i]);
		}
		/* and the replay of a destroyed one says so */
		if (nchurned) {
			ASSERT_EQ(0, replay_run(r, full, full_len,
						uuids[NSTABLE]));
			EXPECT_TRUE(r->found);
			EXPECT_TRUE(r->destroyed);
		}
		free(uuids);
		free(labels);
		free(cnt);
		free(r);
	}
	free(full);
	free(fr);
	free(models);
	free(ch);
	free(w);
	pthread_barrier_destroy(&sh.go);
}

/* ---- coalescing ---------------------------------------------------------- */

struct burst {
	pthread_t th;
	struct inst *in;
	pthread_barrier_t *go;
	unsigned int n;
	unsigned int ok;
	long bad_rc;
};

static void *burst_main(void *arg)
{
	struct burst *b = arg;
	uint8_t cmd[256], resp[256], d[32];
	int fd = open(b->in->dev, O_RDWR | O_CLOEXEC);

	pthread_barrier_wait(b->go);
	for (unsigned int i = 0; fd >= 0 && i < b->n; i++) {
		long rc;

		test_pattern(b->in->label, d, sizeof(d));
		d[0] = i;
		rc = cmd_rc(fd, cmd, build_pcr_extend(cmd, i % 16, ALG_SHA256,
						      d, 32),
			    resp, sizeof(resp));
		if (rc) {
			b->bad_rc = rc;
			break;
		}
		b->ok++;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* size of each batch of a log from batch first on */
struct batch_sizes {
	uint64_t first;
	uint64_t nb, sum, max;
};

static int batch_size_entry(void *ctx, const struct walk_entry *e)
{
	struct batch_sizes *b = ctx;

	if (e->batch < b->first || e->index)
		return 0;
	b->nb++;
	b->sum += e->n;
	if (e->n > b->max)
		b->max = e->n;
	return 0;
}

TEST_F_TIMEOUT(mux, coalescing, 600)
{
	enum { N = 32 };
	unsigned int per = env_uint("MUX_BURST", 40);
	struct burst b[N];
	struct mux_status s0, s1;
	struct vtpm_replay *r = replay_new();
	struct batch_sizes bs = { 0 };
	struct walk w = { .on_entry = batch_size_entry, .ctx = &bs };
	pthread_barrier_t go;
	uint64_t recs, hwx;
	uint8_t *full;
	size_t len;
	double t0, t1;

	BEGIN();
	ASSERT_NE(NULL, r);
	make_insts(_metadata, self, N, "mux-burst");
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, N + 1));
	memset(b, 0, sizeof(b));
	ASSERT_EQ(0, mux_status_read(&s0));
	for (int i = 0; i < N; i++) {
		b[i].in = &self->insts[i];
		b[i].go = &go;
		b[i].n = per;
		ASSERT_EQ(0, pthread_create(&b[i].th, NULL, burst_main, &b[i]));
	}
	pthread_barrier_wait(&go);
	t0 = now_s();
	for (int i = 0; i < N; i++)
		pthread_join(b[i].th, NULL);
	t1 = now_s();
	ASSERT_EQ(0, mux_status_read(&s1));
	for (int i = 0; i < N; i++) {
		EXPECT_EQ(per, b[i].ok) TH_LOG("thread %d: rc 0x%lx", i,
					       b[i].bad_rc);
		self->insts[i].changes += b[i].ok;
		self->insts[i].one_row += b[i].ok;
	}
	recs = s1.records - s0.records;
	hwx = s1.hw_extends - s0.hw_extends;
	/* nothing else runs: exactly our extends, each a record */
	EXPECT_EQ((uint64_t)N * per, recs);
	EXPECT_EQ(s0.hw_errors, s1.hw_errors);
	/* without errors every hardware extend is one batch */
	EXPECT_EQ(hwx, s1.batches - s0.batches);
	EXPECT_EQ(recs - (s1.batches - s0.batches),
		  s1.coalesced - s0.coalesced);
	/* 32 callers at once, each waiting for a hardware extend: coalesced */
	EXPECT_LT(hwx, recs);
	ksft_print_msg("coalescing: %d threads x %u extends: %llu records in %llu hardware extends, %.2f records per extend, %.0f extends/s\n",
		       N, per, (unsigned long long)recs,
		       (unsigned long long)hwx, (double)recs / (hwx ?: 1),
		       recs / (t1 - t0));

	/* the batches as the log has them */
	bs.first = s0.batches;
	ASSERT_EQ(0, read_whole(SECFS_LOG, &full, &len));
	ASSERT_EQ(0, walk_log(full, len, &w)) TH_LOG("%s", w.why);
	EXPECT_EQ(hwx, bs.nb);
	EXPECT_EQ(recs, bs.sum);
	EXPECT_LT(1, bs.max);
	EXPECT_GE(VTPM_MAX_BATCH, bs.max);
	ksft_print_msg("coalescing: batches of %.2f records on average, largest %llu\n",
		       (double)bs.sum / (bs.nb ?: 1),
		       (unsigned long long)bs.max);
	free(full);

	{
		uint8_t *log;
		size_t l;

		assert_full_log(_metadata, r, &log, &l);
		for (int i = 0; i < N; i += 7)
			assert_instance(_metadata, &self->bk, &self->insts[i],
					NULL, log, l, r);
		free(log);
	}
	pthread_barrier_destroy(&go);
	free(r);
}

/* ---- the records are the commands --------------------------------------- */

struct own {
	const uint8_t *uuid;
	unsigned int n;
	struct {
		uint8_t type;
		uint32_t pcr;
		uint8_t count;
		uint16_t alg[VTPM_MAX_BANKS];
		uint8_t d[VTPM_MAX_BANKS][64];
		uint8_t leaf[32];
		uint64_t seq;
	} rec[64];
	unsigned int foreign_clear;	/* clear entries of other instances */
	unsigned int leaves;		/* leaf-only entries */
};

static int own_entry(void *ctx, const struct walk_entry *e)
{
	struct own *o = ctx;
	const uint8_t *b = e->body;
	size_t x = 31;

	if (e->form == VTPM_ENTRY_LEAF) {
		o->leaves++;
		return 0;
	}
	if (body_type(b) == VTPM_REC_GENESIS || body_type(b) == VTPM_REC_ABORT)
		return 0;
	if (memcmp(body_uuid(b), o->uuid, 16)) {
		o->foreign_clear++;
		return 0;
	}
	if (o->n == ARRAY_LEN(o->rec))
		return -ENOSPC;
	o->rec[o->n].type = body_type(b);
	o->rec[o->n].pcr = body_pcr(b);
	o->rec[o->n].count = body_count(b);
	memcpy(o->rec[o->n].leaf, e->leaf, 32);
	o->rec[o->n].seq = 0;
	for (int k = 0; k < 8; k++)
		o->rec[o->n].seq = o->rec[o->n].seq << 8 | b[2 + k];
	for (unsigned int i = 0; i < body_count(b) && i < VTPM_MAX_BANKS; i++) {
		const struct alg_desc *a = alg_by_id(get_be16(b + x));

		if (!a || x + 2 + a->size > e->blen)
			return -EPROTO;
		o->rec[o->n].alg[i] = a->alg;
		memcpy(o->rec[o->n].d[i], b + x + 2, a->size);
		x += 2 + a->size;
	}
	o->n++;
	return 0;
}

TEST_F_TIMEOUT(mux, records_are_the_commands, 300)
{
	static const char event_data[] = "vtpm-mux selftest event";
	struct inst *in;
	struct own *o = calloc(1, sizeof(*o));
	struct walk w = { .on_entry = own_entry, .ctx = o };
	struct vtpm_replay *r = replay_new();
	uint8_t cmd[1024], resp[1024], d1[64], d2[64], ev[VTPM_MAX_BANKS][64];
	const uint8_t *dp[2] = { d1, d2 };
	uint16_t algs[2];
	uint8_t *view, *ascii, *ascii2, *full;
	size_t vlen, alen, alen2, flen;
	char path[128];
	unsigned int i, nlines = 0;
	int fd;

	BEGIN();
	ASSERT_NE(NULL, o);
	ASSERT_NE(NULL, r);
	/* two banks, the last one first: the order must stay */
	ASSERT_LE(1, self->bk.n);
	algs[0] = self->bk.alg[self->bk.n - 1];
	algs[1] = self->bk.alg[0];
	test_pattern("records d1", d1, sizeof(d1));
	test_pattern("records d2", d2, sizeof(d2));
	make_insts(_metadata, self, 1, "mux-records");
	in = &self->insts[0];
	o->uuid = in->uuid;
	fd = open(in->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	/* 1 CREATE, 2 STARTUP_CLEAR (make_insts) */
	ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, 3, self->bk.n > 1 ? 2 : 1,
							     algs, dp),
			    resp, sizeof(resp)));			/* 3 */
	ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_event(cmd, 5, (const uint8_t *)event_data,
						     sizeof(event_data) - 1),
			    resp, sizeof(resp)));			/* 4 */
	ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_extend(cmd, 23, self->bk.alg[0], d1,
						      self->bk.size[0]),
			    resp, sizeof(resp)));			/* 5 */
	ASSERT_EQ(0, cmd_rc(fd, cmd, build_pcr_reset(cmd, 23), resp,
			    sizeof(resp)));				/* 6 */
	/* refused commands leave no record */
	EXPECT_EQ(RC_LOCALITY, cmd_rc(fd, cmd, build_pcr_reset(cmd, 3), resp,
				      sizeof(resp)));
	EXPECT_EQ(RC_LOCALITY, cmd_rc(fd, cmd, build_pcr_extend(cmd, 17, ALG_SHA256, d1, 32),
				      resp, sizeof(resp)));
	ASSERT_EQ(0, su_cmd(fd, false, SU_STATE));
	ASSERT_EQ(0, su_cmd(fd, true, SU_STATE));			/* 7 */
	ASSERT_EQ(0, su_cmd(fd, false, SU_CLEAR));
	ASSERT_EQ(0, su_cmd(fd, true, SU_CLEAR));			/* 8 */
	ASSERT_EQ(0, view_ioctl(fd, false, &view, &vlen, NULL));
	ASSERT_EQ(0, view_ioctl(fd, true, &ascii, &alen, NULL));
	close(fd);

	ASSERT_EQ(0, walk_log(view, vlen, &w)) TH_LOG("%s at %zu", w.why,
						     w.err_offset);
	EXPECT_EQ(VTPM_LOG_VIEW, w.kind);
	EXPECT_EQ(0, memcmp(w.uuid, in->uuid, 16));
	EXPECT_EQ(0, o->foreign_clear);
	EXPECT_EQ(w.records, w.clear + o->leaves);
	ASSERT_EQ(8, o->n);
	EXPECT_EQ(VTPM_REC_CREATE, o->rec[0].type);
	EXPECT_EQ(VTPM_REC_STARTUP_CLEAR, o->rec[1].type);
	EXPECT_EQ(VTPM_REC_EXTEND, o->rec[2].type);
	EXPECT_EQ(3, o->rec[2].pcr);
	ASSERT_EQ(self->bk.n > 1 ? 2 : 1, o->rec[2].count);
	for (i = 0; i < o->rec[2].count; i++) {
		EXPECT_EQ(algs[i], o->rec[2].alg[i]);
		EXPECT_EQ(0, memcmp(dp[i], o->rec[2].d[i],
				    alg_by_id(algs[i])->size));
	}
	EXPECT_EQ(VTPM_REC_EVENT, o->rec[3].type);
	EXPECT_EQ(5, o->rec[3].pcr);
	ASSERT_EQ(self->bk.n, o->rec[3].count);
	for (i = 0; i < self->bk.n; i++) {
		ossl_digest(self->bk.alg[i], event_data, sizeof(event_data) - 1,
			    ev[i]);
		EXPECT_EQ(self->bk.alg[i], o->rec[3].alg[i]);
		EXPECT_EQ(0, memcmp(ev[i], o->rec[3].d[i], self->bk.size[i]));
	}
	EXPECT_EQ(VTPM_REC_EXTEND, o->rec[4].type);
	EXPECT_EQ(23, o->rec[4].pcr);
	EXPECT_EQ(1, o->rec[4].count);
	EXPECT_EQ(VTPM_REC_RESET, o->rec[5].type);
	EXPECT_EQ(23, o->rec[5].pcr);
	EXPECT_EQ(0, o->rec[5].count);
	EXPECT_EQ(VTPM_REC_STARTUP_STATE, o->rec[6].type);
	EXPECT_EQ(VTPM_REC_STARTUP_CLEAR, o->rec[7].type);
	for (i = 0; i < o->n; i++) {
		if (i)
			EXPECT_LT(o->rec[i - 1].seq, o->rec[i].seq);
		if (o->rec[i].type != VTPM_REC_EXTEND &&
		    o->rec[i].type != VTPM_REC_EVENT &&
		    o->rec[i].type != VTPM_REC_RESET)
			EXPECT_EQ(VTPM_LOG_NO_PCR, o->rec[i].pcr);
	}
	/* nothing else ran: the records are consecutive */
	EXPECT_EQ(o->rec[0].seq + o->n - 1, o->rec[o->n - 1].seq);

	/*
	 * The header commits to these 8 records: their number, and the chain
	 * over their leaves in this order, computed here
	 */
	{
		struct vtpm_log_commit c = { 0 };

		for (i = 0; i < o->n; i++)
			ASSERT_TRUE(commit_add(&c, o->rec[i].leaf));
		EXPECT_EQ(8, w.hdr_commit.records);
		EXPECT_EQ(0, memcmp(c.chain, w.hdr_commit.chain, 32))
			TH_LOG("the view header's chain is not the one over its 8 records");
	}

	/*
	 * The ASCII list: one line per record but GENESIS and ABORT,
	 * "<vPCR> <leaf> vtpm-mux <alg>:<digest> <event>", the sha256
	 * digest or else the first one.
	 */
	for (char *p = (char *)ascii, *end = (char *)ascii + alen; p < end;
	     nlines++) {
		char *nl = memchr(p, '\n', end - p), want[512], lh[65], dh[129];
		const char *ev_name, *alg_name = "sha256";
		const uint8_t *dig = NULL;
		unsigned int dsize = 32, j;
		uint8_t zero[32] = { 0 };

		ASSERT_NE(NULL, nl);
		ASSERT_GT(o->n, nlines);
		j = nlines;
		switch (o->rec[j].type) {
		case VTPM_REC_EXTEND:
		case VTPM_REC_EVENT:
			ev_name = o->rec[j].type == VTPM_REC_EXTEND ?
				  "pcr_extend" : "pcr_event";
			dig = o->rec[j].d[0];
			dsize = alg_by_id(o->rec[j].alg[0])->size;
			alg_name = alg_by_id(o->rec[j].alg[0])->name;
			for (unsigned int q = 0; q < o->rec[j].count; q++)
				if (o->rec[j].alg[q] == ALG_SHA256) {
					dig = o->rec[j].d[q];
					dsize = 32;
					alg_name = "sha256";
				}
			break;
		case VTPM_REC_RESET:
			ev_name = "pcr_reset";
			break;
		case VTPM_REC_CREATE:
			ev_name = "create";
			break;
		case VTPM_REC_DESTROY:
			ev_name = "destroy";
			break;
		case VTPM_REC_STARTUP_CLEAR:
			ev_name = "startup_clear";
			break;
		default:
			ev_name = "startup_state";
			break;
		}
		hex_encode(o->rec[j].leaf, 32, lh);
		hex_encode(dig ? dig : zero, dsize, dh);
		if (o->rec[j].pcr == VTPM_LOG_NO_PCR)
			snprintf(want, sizeof(want), "- %s vtpm-mux %s:%s %s", lh,
				 alg_name, dh, ev_name);
		else
			snprintf(want, sizeof(want), "%u %s vtpm-mux %s:%s %s",
				 o->rec[j].pcr, lh, alg_name, dh, ev_name);
		*nl = '\0';
		EXPECT_STREQ(want, p);
		p = nl + 1;
	}
	EXPECT_EQ(o->n, nlines);
	snprintf(path, sizeof(path), SECFS_DIR "/vtpm%u/ascii_measurements",
		 in->idx);
	ASSERT_EQ(0, read_whole(path, &ascii2, &alen2));
	EXPECT_EQ(alen, alen2);

	/* destroyed: the full log says so, and its view is gone */
	inst_destroy(self->ctl, in);
	EXPECT_TRUE(wait_for_path(path, false));
	ASSERT_EQ(0, read_whole(SECFS_LOG, &full, &flen));
	ASSERT_EQ(0, replay_run(r, full, flen, in->uuid)) TH_LOG("%s", r->why);
	EXPECT_TRUE(r->found);
	EXPECT_TRUE(r->destroyed);
	EXPECT_EQ(o->n + 1, r->tenant_records);
	/* the view (before the DESTROY) committed to all but the DESTROY */
	{
		char why[512];

		check_commit_vs_full(&w.hdr_commit, w.batches, full, flen,
				     in->uuid, "the view", why, sizeof(why));
		EXPECT_STREQ("", why);
		/* mlog.c's commitment of the instance in the full log: one more */
		EXPECT_EQ(o->n + 1, r->commit.records);
	}
	free(full);
	free(ascii2);
	free(ascii);
	free(view);
	free(r);
	free(o);
}

/* ---- concealment --------------------------------------------------------- */

/* the shape of a view from batch first on */
struct shape {
	const uint8_t *uuid;	/* the viewer */
	bool started;
	uint64_t from_batch;
	size_t from_offset;
	unsigned int n;
	struct {
		uint32_t n, index;
		int form;
		uint8_t type;
		uint32_t pcr;
		size_t blen;
		uint8_t digest[64];	/* first digest */
	} e[256];
};

static int shape_entry(void *ctx, const struct walk_entry *e)
{
	struct shape *s = ctx;

	if (!s->started) {
		/* starts with the batch of the viewer's CREATE */
		if (e->form != VTPM_ENTRY_CLEAR ||
		    body_type(e->body) != VTPM_REC_CREATE ||
		    memcmp(body_uuid(e->body), s->uuid, 16))
			return 0;
		if (e->index)
			return -EPROTO;	/* alone in its batch: we wait */
		s->started = true;
		s->from_batch = e->batch;
		s->from_offset = e->offset - 12;
	}
	if (s->n == ARRAY_LEN(s->e))
		return -ENOSPC;
	s->e[s->n].n = e->n;
	s->e[s->n].index = e->index;
	s->e[s->n].form = e->form;
	if (e->form == VTPM_ENTRY_CLEAR) {
		s->e[s->n].type = body_type(e->body);
		s->e[s->n].pcr = body_pcr(e->body);
		s->e[s->n].blen = e->blen;
		if (body_count(e->body))
			memcpy(s->e[s->n].digest, e->body + 33,
			       e->blen - 33 < 64 ? e->blen - 33 : 64);
	}
	s->n++;
	return 0;
}

struct pair_run {
	struct inst a, b;
	uint8_t *view_a, *view_b, *ascii_a, *full;
	size_t len_a, len_b, alen_a, flen;
	struct shape shape;	/* of A's view */
	struct shape fshape;	/* of the full log, from A's CREATE */
	/* B's secrets; in_full: the full log has it (the event data not) */
	uint8_t secrets[64][64];
	unsigned int secret_len[64], nsecrets;
	bool in_full[64];
};

static void add_secret(struct pair_run *p, const void *s, unsigned int len,
		       bool in_full)
{
	memcpy(p->secrets[p->nsecrets], s, len);
	p->secret_len[p->nsecrets] = len;
	p->in_full[p->nsecrets++] = in_full;
}

#define ROUNDS 12

/*
 * A and B take strict turns, one command at a time, so that every record
 * is a batch of its own: A extends what seed_a gives, B what seed_b gives
 * (in nb_banks of its banks), B also resets PCR 16 and sends an event.
 */
static void pair(struct __test_metadata *_metadata, FIXTURE_DATA(mux) *self,
		 struct pair_run *p, const char *label_b, const char *seed_b,
		 unsigned int nb_banks)
{
	const struct banks *bk = &self->bk;
	uint8_t cmd[2048], resp[2048];
	struct walk w = { .on_entry = shape_entry, .ctx = &p->shape };
	char seed[64];
	int fa, fb;

	memset(p, 0, sizeof(*p));
	ASSERT_EQ(0, inst_create(self->ctl, "conceal-A", &p->a));
	ASSERT_EQ(0, inst_create(self->ctl, label_b, &p->b));
	fa = open(p->a.dev, O_RDWR | O_CLOEXEC);
	fb = open(p->b.dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fa);
	ASSERT_LE(0, fb);
	ASSERT_EQ(0, su_cmd(fa, true, SU_CLEAR));
	ASSERT_EQ(0, su_cmd(fb, true, SU_CLEAR));
	add_secret(p, p->b.uuid, 16, true);
	add_secret(p, label_b, strlen(label_b), true);
	for (unsigned int k = 0; k < ROUNDS; k++) {
		uint8_t da[VTPM_MAX_BANKS][64], db[VTPM_MAX_BANKS][64];
		const uint8_t *pa[VTPM_MAX_BANKS], *pb[VTPM_MAX_BANKS];

		for (unsigned int i = 0; i < bk->n; i++) {
			snprintf(seed, sizeof(seed), "A %u %u", k, i);
			test_pattern(seed, da[i], bk->size[i]);
			pa[i] = da[i];
			snprintf(seed, sizeof(seed), "%s %u %u", seed_b, k, i);
			test_pattern(seed, db[i], bk->size[i]);
			pb[i] = db[i];
		}
		ASSERT_EQ(0, cmd_rc(fa, cmd, build_pcr_extend_multi(cmd, k % 16, bk->n,
								     bk->alg, pa),
				    resp, sizeof(resp)));
		if (k == 5) {
			ASSERT_EQ(0, cmd_rc(fb, cmd, build_pcr_reset(cmd, 16),
					    resp, sizeof(resp)));
		} else if (k == 7) {
			/* B's event: its data and its digests are secret */
			snprintf(seed, sizeof(seed), "%s event", seed_b);
			ASSERT_EQ(0, cmd_rc(fb, cmd,
					    build_pcr_event(cmd, 9, (uint8_t *)seed,
							    strlen(seed)),
					    resp, sizeof(resp)));
			add_secret(p, seed, strlen(seed), false);
			for (unsigned int i = 0; i < bk->n; i++) {
				uint8_t d[64];

				ossl_digest(bk->alg[i], seed, strlen(seed), d);
				add_secret(p, d, bk->size[i], true);
			}
		} else {
			ASSERT_EQ(0, cmd_rc(fb, cmd,
					    build_pcr_extend_multi(cmd, (k * 7) % 16,
								   nb_banks, bk->alg, pb),
					    resp, sizeof(resp)));
			for (unsigned int i = 0; i < nb_banks; i++)
				add_secret(p, db[i], bk->size[i], true);
		}
	}
	ASSERT_EQ(0, view_ioctl(fa, false, &p->view_a, &p->len_a, NULL));
	ASSERT_EQ(0, view_ioctl(fa, true, &p->ascii_a, &p->alen_a, NULL));
	ASSERT_EQ(0, view_ioctl(fb, false, &p->view_b, &p->len_b, NULL));
	ASSERT_EQ(0, read_whole(SECFS_LOG, &p->full, &p->flen));
	close(fa);
	close(fb);
	p->shape.uuid = p->a.uuid;
	ASSERT_EQ(0, walk_log(p->view_a, p->len_a, &w)) TH_LOG("%s", w.why);
	ASSERT_TRUE(p->shape.started);
	p->fshape.uuid = p->a.uuid;
	w.ctx = &p->fshape;
	ASSERT_EQ(0, walk_log(p->full, p->flen, &w)) TH_LOG("%s", w.why);
	ASSERT_TRUE(p->fshape.started);
	/* the instances stay until the caller destroys them */
}

static void pair_free(int ctl, struct pair_run *p)
{
	inst_destroy(ctl, &p->a);
	inst_destroy(ctl, &p->b);
	free(p->view_a);
	free(p->view_b);
	free(p->ascii_a);
	free(p->full);
}

TEST_F_TIMEOUT(mux, concealment, 300)
{
	struct pair_run *p1 = calloc(1, sizeof(*p1)), *p2 = calloc(1, sizeof(*p2));
	struct vtpm_replay *r = replay_new();
	char hx[129], why[512];
	unsigned int i;

	BEGIN();
	ASSERT_NE(NULL, p1);
	ASSERT_NE(NULL, p2);
	ASSERT_NE(NULL, r);
	pair(_metadata, self, p1, "B-first-secret-label", "B run 1",
	     self->bk.n);

	/* A's view: nothing of B, 8 bytes at a time; B's leaves only */
	for (i = 0; i < p1->nsecrets; i++) {
		EXPECT_FALSE(leaks_any_8(p1->view_a, p1->len_a, p1->secrets[i],
					 p1->secret_len[i])) TH_LOG("secret %u", i);
		/* and the ASCII list, in hex */
		hex_encode(p1->secrets[i], p1->secret_len[i] > 8 ? 8 :
			   p1->secret_len[i], hx);
		EXPECT_FALSE(mem_contains(p1->ascii_a, p1->alen_a, hx,
					  strlen(hx))) TH_LOG("secret %u", i);
		/* the search can fail: the full log has them all */
		EXPECT_EQ(p1->in_full[i],
			  mem_contains(p1->full, p1->flen, p1->secrets[i],
				       p1->secret_len[i]))
			TH_LOG("secret %u and the full log", i);
	}
	/* nor does B's view show A's uuid or label */
	EXPECT_FALSE(leaks_any_8(p1->view_b, p1->len_b, p1->a.uuid, 16));
	EXPECT_FALSE(mem_contains(p1->view_b, p1->len_b, "conceal-A", 9));
	EXPECT_TRUE(mem_contains(p1->view_a, p1->len_a, "conceal-A", 9));
	/* both views still replay to what the full log replays to */
	check_against_hw(p1->full, p1->flen, r, why, sizeof(why));
	ASSERT_STREQ("", why);
	{
		uint8_t pcr[VTPM_MAX_BANKS][64];

		memcpy(pcr, r->pcr, sizeof(pcr));
		check_view(p1->view_a, p1->len_a, p1->a.uuid, p1->a.idx, r, why,
			   sizeof(why));
		EXPECT_STREQ("", why);
		EXPECT_EQ(0, memcmp(pcr, r->pcr, sizeof(pcr)));
		/* each header commits to its own instance's records only */
		check_commit_vs_full(&r->hdr.commit, r->batches, p1->full,
				     p1->flen, p1->a.uuid, "A's view", why,
				     sizeof(why));
		EXPECT_STREQ("", why);
		check_view(p1->view_b, p1->len_b, p1->b.uuid, p1->b.idx, r, why,
			   sizeof(why));
		EXPECT_STREQ("", why);
		EXPECT_EQ(0, memcmp(pcr, r->pcr, sizeof(pcr)));
		check_commit_vs_full(&r->hdr.commit, r->batches, p1->full,
				     p1->flen, p1->b.uuid, "B's view", why,
				     sizeof(why));
		EXPECT_STREQ("", why);
	}
	inst_destroy(self->ctl, &p1->a);
	inst_destroy(self->ctl, &p1->b);

	/* B extends other digests in fewer banks, with a longer label */
	pair(_metadata, self, p2,
	     "B-second-run-with-a-much-longer-secret-label-0123456789",
	     "B run 2", 1);
	for (i = 0; i < p2->nsecrets; i++) {
		EXPECT_FALSE(leaks_any_8(p2->view_a, p2->len_a, p2->secrets[i],
					 p2->secret_len[i])) TH_LOG("secret %u", i);
	}

	/* A's view has the same shape and size whatever B did */
	EXPECT_EQ(p1->len_a - p1->shape.from_offset,
		  p2->len_a - p2->shape.from_offset);
	ASSERT_EQ(p1->shape.n, p2->shape.n);
	for (i = 0; i < p1->shape.n; i++) {
		EXPECT_EQ(p1->shape.e[i].n, p2->shape.e[i].n) TH_LOG("entry %u", i);
		EXPECT_EQ(p1->shape.e[i].form, p2->shape.e[i].form)
			TH_LOG("entry %u", i);
		EXPECT_EQ(p1->shape.e[i].type, p2->shape.e[i].type)
			TH_LOG("entry %u", i);
		EXPECT_EQ(p1->shape.e[i].pcr, p2->shape.e[i].pcr)
			TH_LOG("entry %u", i);
		EXPECT_EQ(p1->shape.e[i].blen, p2->shape.e[i].blen)
			TH_LOG("entry %u", i);
		EXPECT_EQ(0, memcmp(p1->shape.e[i].digest, p2->shape.e[i].digest,
				    64)) TH_LOG("entry %u", i);
	}
	/* one record per batch, A's in the clear, B's as leaves */
	EXPECT_EQ(2 * (2 + ROUNDS), p1->shape.n);
	for (i = 0; i < p1->shape.n; i++) {
		EXPECT_EQ(1, p1->shape.e[i].n);
		EXPECT_EQ(i % 2 ? VTPM_ENTRY_LEAF : VTPM_ENTRY_CLEAR,
			  p1->shape.e[i].form) TH_LOG("entry %u", i);
	}
	/* while the full log differs between the runs (the check can fail) */
	EXPECT_EQ(p1->shape.n, p1->fshape.n);
	EXPECT_NE(p1->flen - p1->fshape.from_offset,
		  p2->flen - p2->fshape.from_offset);

	pair_free(self->ctl, p1);
	pair_free(self->ctl, p2);
	free(p1);
	free(p2);
	free(r);
}

/* ---- who may read what ---------------------------------------------------- */

/* as uid/gid: 0 if path opens for reading, else errno */
static int open_as(uid_t uid, const char *path)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		int fd;

		if (setgroups(0, NULL) || setresgid(uid, uid, uid) ||
		    setresuid(uid, uid, uid))
			_exit(200);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			_exit(errno < 200 ? errno : 199);
		/* a view through the ioctl too, on a device */
		if (!strncmp(path, "/dev/vtpm", 9)) {
			uint8_t *v;
			size_t len;

			if (view_ioctl(fd, false, &v, &len, NULL))
				_exit(198);
		}
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST_F(mux, view_permissions)
{
	enum { UA = 61001, UB = 61002 };
	struct vtpm_mux_create c[2];
	char path[128];

	BEGIN();
	if (geteuid())
		SKIP(return, "needs root");
	for (int i = 0; i < 2; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].size = sizeof(c[i]);
		c[i].flags = VTPM_MUX_CREATE_OWNER;
		c[i].uid = c[i].gid = i ? UB : UA;
		snprintf(c[i].label, sizeof(c[i].label), "perm-%c", 'A' + i);
		ASSERT_EQ(0, mux_create(self->ctl, &c[i]));
		mux_dev_path(c[i].index, path, sizeof(path));
		ASSERT_TRUE(wait_for_path(path, true));
	}
	for (int i = 0; i < 2; i++) {
		uid_t own = i ? UB : UA, other = i ? UA : UB;
		static const char *const files[] = { "view", "ascii_measurements" };

		for (unsigned int f = 0; f < ARRAY_LEN(files); f++) {
			snprintf(path, sizeof(path), SECFS_DIR "/vtpm%u/%s",
				 c[i].index, files[f]);
			EXPECT_EQ(0, open_as(own, path)) TH_LOG("%s", path);
			EXPECT_EQ(EACCES, open_as(other, path)) TH_LOG("%s", path);
		}
		mux_dev_path(c[i].index, path, sizeof(path));
		EXPECT_EQ(0, open_as(own, path)) TH_LOG("%s", path);
		EXPECT_EQ(EACCES, open_as(other, path)) TH_LOG("%s", path);
	}
	EXPECT_EQ(EACCES, open_as(UA, SECFS_LOG));
	EXPECT_EQ(0, open_as(UA, SECFS_STATUS));
	for (int i = 0; i < 2; i++)
		EXPECT_EQ(0, mux_destroy(self->ctl, c[i].index));
}

TEST_HARNESS_MAIN
