// SPDX-License-Identifier: GPL-2.0
/*
 * Hardware TPM faults (mux.c, "Faults"), in a guest started with
 * tools/testing/vm/run.sh --tpm-faults, whose tools/testing/vm/tpm-fault
 * stops, continues and kills the swtpm process behind the guest's TPM.
 *
 *  stop_and_cont  tenants (one process per instance) extend and send
 *		   events in a loop; swtpm is stopped for 2 s and continued,
 *		   then for 6 s.
 *		   Every command answers, success or a TPM error, within a
 *		   bounded time; no process hangs; afterwards the mux is "ok",
 *		   the full log replays to the hardware PCR, its ABORT records
 *		   are the status' aborts, and every instance's reconstructed
 *		   vPCRs equal its PCR_Read and the OpenSSL model of what was
 *		   acknowledged: no acknowledged change lost, no refused one
 *		   applied.
 *  kill	   (MUX_FAULT_KILL=1; leaves the guest without a TPM) the same
 *		   tenants while swtpm is killed: every change fails with a
 *		   TPM error within a bounded time, nothing hangs, no vPCR
 *		   moves without an acknowledgement, views still replay,
 *		   destroy works.
 *
 * The guest script (tools/testing/guest-faults.sh) unloads the module
 * after each.  Environment: TPM_FAULT (the tpm-fault script; default
 * tools/testing/vm/tpm-fault next to this repository's selftests),
 * MUX_FAULT_KILL.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "vtpm_mlog.h"
#include "vtpm_crypto.h"
#include "kselftest_harness.h"

#define NINST		8
/* no TPM command of the kernel takes longer than this, even failing */
#define MAX_OP_S	60.0

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static const char *fault_tool(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n;

	if (getenv("TPM_FAULT"))
		return getenv("TPM_FAULT");
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return "tools/testing/vm/tpm-fault";
	exe[n] = '\0';
	snprintf(path, sizeof(path), "%s/../../tools/testing/vm/tpm-fault",
		 dirname(exe));
	return path;
}

/* tpm-fault ARGS: 0 or its exit status; out gets its first line */
static int tpm_fault(const char *args, char *out, size_t len)
{
	char cmd[PATH_MAX + 64];
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", fault_tool(), args);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out) {
		out[0] = '\0';
		if (fgets(out, len, p))
			out[strcspn(out, "\n")] = '\0';
	}
	while (fgetc(p) != EOF)
		;
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* what one tenant process did, in shared memory */
struct tenant {
	uint32_t idx;
	uint8_t uuid[16];
	char dev[64];
	/* by the child */
	uint64_t ok, failed, canceled, failure, other_rc, xfer_err;
	uint64_t ok_after_fault, failed_after_fault;
	uint32_t other;		/* an unexpected response code */
	double max_op, last_op_start;
	bool finished;
	struct model model;	/* the acknowledged changes */
};

struct area {
	atomic_int stop;
	atomic_int fault;	/* set once the fault was injected */
	struct tenant t[NINST];
};

static long cmd_rc(int fd, const uint8_t *cmd, size_t len)
{
	uint8_t resp[1024];
	ssize_t n = fd_xfer(fd, cmd, len, resp, sizeof(resp), 300000);

	return n < 0 ? -1 : resp_rc(resp, n);
}

/* the tenant process: extends and events until told to stop */
static void tenant_main(struct area *a, struct tenant *t,
			const struct banks *bk, unsigned int id)
{
	uint8_t cmd[1024], d[VTPM_MAX_BANKS][64];
	const uint8_t *dp[VTPM_MAX_BANKS];
	char seed[64];
	int fd = open(t->dev, O_RDWR | O_CLOEXEC);

	if (fd < 0)
		_exit(2);
	for (uint64_t i = 0; !atomic_load(&a->stop); i++) {
		unsigned int pcr = (i + id) % 16;
		bool event = i % 5 == 4, after = atomic_load(&a->fault);
		double t0 = now_s(), dt;
		long rc;

		t->last_op_start = t0;
		snprintf(seed, sizeof(seed), "fault %u %llu", id,
			 (unsigned long long)i);
		if (event) {
			rc = cmd_rc(fd, cmd, build_pcr_event(cmd, pcr,
							     (uint8_t *)seed,
							     strlen(seed)));
		} else {
			for (unsigned int b = 0; b < bk->n; b++) {
				test_pattern(seed, d[b], bk->size[b]);
				d[b][0] = b;
				dp[b] = d[b];
			}
			rc = cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, pcr, bk->n,
								     bk->alg, dp));
		}
		dt = now_s() - t0;
		if (dt > t->max_op)
			t->max_op = dt;
		if (rc < 0) {
			t->xfer_err++;
			continue;
		}
		if (rc) {
			t->failed++;
			if (after)
				t->failed_after_fault++;
			if (rc == RC_CANCELED)
				t->canceled++;
			else if (rc == 0x101)	/* TPM_RC_FAILURE */
				t->failure++;
			else {
				t->other_rc++;
				t->other = rc;
			}
			continue;
		}
		t->ok++;
		if (after)
			t->ok_after_fault++;
		for (unsigned int b = 0; b < bk->n; b++) {
			uint8_t e[64];

			if (event)
				ossl_digest(bk->alg[b], seed, strlen(seed), e);
			model_extend(&t->model, bk, pcr, b, event ? e : d[b]);
		}
	}
	close(fd);
	t->finished = true;
	_exit(0);
}

FIXTURE(fault) {
	int ctl;
	bool skip;
	struct banks bk;
	struct area *a;
	pid_t pid[NINST];
	unsigned int n;
};

FIXTURE_SETUP(fault)
{
	char st[64];
	bool kill_wanted = getenv("MUX_FAULT_KILL") != NULL;

	self->ctl = -1;
	self->a = MAP_FAILED;
	if (tpm_fault("status", st, sizeof(st)) || strcmp(st, "running")) {
		self->skip = true;
		SKIP(return, "no tpm-fault channel with a running swtpm (run.sh --tpm-faults): %s",
		     st);
	}
	/* kill only when asked; then nothing else */
	if (kill_wanted != !strcmp(_metadata->name, "kill")) {
		self->skip = true;
		SKIP(return, "%s", kill_wanted ? "MUX_FAULT_KILL: only the kill test" :
			     "needs MUX_FAULT_KILL=1 (the guest loses its TPM)");
	}
	self->ctl = mux_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->a = mmap(NULL, sizeof(*self->a), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->a);
	memset(self->a, 0, sizeof(*self->a));
	for (unsigned int i = 0; i < NINST; i++) {
		struct tenant *t = &self->a->t[i];
		char label[32];
		int fd;

		snprintf(label, sizeof(label), "fault-%u", i);
		ASSERT_EQ(0, mux_create_simple(self->ctl, label, &t->idx,
					       t->uuid));
		self->n = i + 1;
		if (!i)
			ASSERT_EQ(0, get_banks(self->ctl, t->idx, &self->bk));
		mux_dev_path(t->idx, t->dev, sizeof(t->dev));
		ASSERT_TRUE(wait_for_path(t->dev, true));
		fd = open(t->dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		{
			uint8_t cmd[16];

			ASSERT_EQ(0, cmd_rc(fd, cmd, build_startup(cmd, 0)));
		}
		close(fd);
		model_init(&t->model, &self->bk);
	}
}

FIXTURE_TEARDOWN(fault)
{
	if (self->a != MAP_FAILED) {
		atomic_store(&self->a->stop, 1);
		for (unsigned int i = 0; i < NINST; i++)
			if (self->pid[i] > 0) {
				kill(self->pid[i], SIGKILL);
				waitpid(self->pid[i], NULL, 0);
			}
		for (unsigned int i = 0; i < self->n; i++)
			mux_destroy(self->ctl, self->a->t[i].idx);
		munmap(self->a, sizeof(*self->a));
	}
	if (self->ctl >= 0)
		close(self->ctl);
	/* never leave swtpm stopped (the host would continue it anyway) */
	if (!self->skip && !getenv("MUX_FAULT_KILL"))
		tpm_fault("cont", NULL, 0);
}

static void start_tenants(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self)
{
	for (unsigned int i = 0; i < NINST; i++) {
		self->pid[i] = fork();
		ASSERT_LE(0, self->pid[i]);
		if (!self->pid[i])
			tenant_main(self->a, &self->a->t[i], &self->bk, i);
	}
}

/* stop them; each must exit within deadline seconds */
static void stop_tenants(struct __test_metadata *_metadata,
			 FIXTURE_DATA(fault) *self, double deadline)
{
	double end = now_s() + deadline;
	unsigned int left = NINST;

	atomic_store(&self->a->stop, 1);
	while (left && now_s() < end) {
		left = 0;
		for (unsigned int i = 0; i < NINST; i++) {
			int st;

			if (self->pid[i] <= 0)
				continue;
			if (waitpid(self->pid[i], &st, WNOHANG) == self->pid[i]) {
				EXPECT_TRUE(WIFEXITED(st) && !WEXITSTATUS(st))
					TH_LOG("tenant %u: status 0x%x", i, st);
				self->pid[i] = 0;
			} else {
				left++;
			}
		}
		usleep(50000);
	}
	for (unsigned int i = 0; i < NINST; i++) {
		EXPECT_EQ(0, self->pid[i])
			TH_LOG("tenant %u (vtpm%u) hangs: its last command started %.1f s ago",
			       i, self->a->t[i].idx,
			       now_s() - self->a->t[i].last_op_start);
	}
}

/*
 * Every tenant: all its commands answered, its view replays, and its
 * vPCRs (PCR_Read, its view, the full log) are the model's.
 */
static void check_tenants(struct __test_metadata *_metadata,
			  FIXTURE_DATA(fault) *self, const uint8_t *full,
			  size_t flen, uint64_t *ok, uint64_t *failed)
{
	uint8_t (*read)[NPCR][64] = calloc(VTPM_MAX_BANKS, sizeof(*read));
	struct vtpm_replay *r = replay_new();
	char why[512];

	ASSERT_NE(NULL, read);
	ASSERT_NE(NULL, r);
	*ok = *failed = 0;
	for (unsigned int i = 0; i < NINST; i++) {
		struct tenant *t = &self->a->t[i];
		uint8_t *v;
		size_t len;
		int fd;

		*ok += t->ok;
		*failed += t->failed;
		EXPECT_TRUE(t->finished) TH_LOG("tenant %u", i);
		EXPECT_EQ(0, t->xfer_err) TH_LOG("tenant %u: transport errors", i);
		EXPECT_EQ(0, t->other_rc)
			TH_LOG("tenant %u: unexpected response code 0x%x", i,
			       t->other);
		EXPECT_GT(MAX_OP_S, t->max_op) TH_LOG("tenant %u", i);

		fd = open(t->dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, fd_pcr_read_many(fd, self->bk.n, self->bk.alg,
					      0xffffff, read));
		ASSERT_EQ(0, view_ioctl(fd, false, &v, &len, NULL));
		close(fd);
		for (unsigned int b = 0; b < self->bk.n; b++)
			for (unsigned int p = 0; p < NPCR; p++) {
				EXPECT_EQ(0, memcmp(read[b][p], t->model.v[b][p],
						    self->bk.size[b]))
					TH_LOG("vtpm%u: PCR_Read of PCR %u bank %04x is not the model's",
					       t->idx, p, self->bk.alg[b]);
			}
		check_view(v, len, t->uuid, t->idx, r, why, sizeof(why));
		EXPECT_STREQ("", why);
		cmp_vpcrs(r, &self->bk, t->model.v, "view vs model", why,
			  sizeof(why));
		EXPECT_STREQ("", why) TH_LOG("vtpm%u", t->idx);
		/* CREATE, Startup and what was acknowledged */
		EXPECT_EQ(2 + t->ok, r->tenant_records) TH_LOG("vtpm%u", t->idx);
		free(v);
		if (full) {
			ASSERT_EQ(0, replay_run(r, full, flen, t->uuid));
			cmp_vpcrs(r, &self->bk, t->model.v, "full log vs model",
				  why, sizeof(why));
			EXPECT_STREQ("", why) TH_LOG("vtpm%u", t->idx);
		}
	}
	free(read);
	free(r);
}

static int count_aborts(void *ctx, const struct vtpm_log_rec *rec,
			const u8 *leaf, u64 batch, bool applied)
{
	uint64_t *n = ctx;

	(void)leaf;
	(void)batch;
	(void)applied;
	if (rec->type == VTPM_REC_ABORT)
		n[0]++;
	if (!applied)
		n[1]++;
	return 0;
}

TEST_F_TIMEOUT(fault, stop_and_cont, 600)
{
	struct vtpm_replay *r = replay_new();
	struct mux_status s0, s1;
	uint64_t ok, failed, counts[2] = { 0 };
	uint8_t *full, cmd[256], d[32] = { 1 };
	size_t flen;
	char st[64], why[512];
	double t_stop, t_cont, max_op = 0;
	int fd;

	if (self->skip)
		return;
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, mux_status_read(&s0));
	start_tenants(_metadata, self);
	sleep(1);
	atomic_store(&self->a->fault, 1);
	/*
	 * 2 s, then 6 s: long enough for the read-back after a failed extend
	 * to time out too (a batch in doubt).  The host sends the SIGCONT
	 * (tpm-fault stop SECONDS): a kernel TPM command that times out while
	 * swtpm is stopped freezes the whole guest until swtpm continues
	 * (tools/testing/vm/README.md, "TPM faults"), so the guest could not
	 * send it in time.
	 */
	for (int round = 0; round < 2; round++) {
		int secs = round ? 6 : 2;
		char req[16];

		snprintf(req, sizeof(req), "stop %d", secs);
		t_stop = now_s();
		ASSERT_EQ(0, tpm_fault(req, st, sizeof(st))) TH_LOG("%s", st);
		sleep(secs);
		do {
			ASSERT_EQ(0, tpm_fault("status", st, sizeof(st)));
			ASSERT_GT(60.0, now_s() - t_stop) TH_LOG("swtpm is %s", st);
		} while (strcmp(st, "running") && !usleep(100000));
		t_cont = now_s();
		ksft_print_msg("swtpm stopped for %d s (running again after %.1f s)\n",
			       secs, t_cont - t_stop);
		sleep(3);
	}
	stop_tenants(_metadata, self, MAX_OP_S);

	/* one more change settles a batch in doubt, if any */
	fd = open(self->a->t[0].dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, cmd_rc(fd, cmd, build_pcr_extend(cmd, 0, ALG_SHA256, d, 32)));
	for (unsigned int b = 0; b < self->bk.n; b++)
		if (self->bk.alg[b] == ALG_SHA256)
			model_extend(&self->a->t[0].model, &self->bk, 0, b, d);
	self->a->t[0].ok++;
	close(fd);

	ASSERT_EQ(0, mux_status_read(&s1));
	EXPECT_STREQ("ok", s1.state);
	ASSERT_EQ(0, read_whole(SECFS_LOG, &full, &flen));
	check_against_hw(full, flen, r, why, sizeof(why));
	EXPECT_STREQ("", why);
	EXPECT_EQ(s1.records, r->records);
	EXPECT_EQ(s1.batches, r->batches);
	EXPECT_EQ(s1.aborts, r->aborted);
	r->on_record = count_aborts;
	r->ctx = counts;
	ASSERT_EQ(0, replay_run(r, full, flen, NULL));
	EXPECT_EQ(s1.aborts, counts[0]);
	r->on_record = NULL;

	check_tenants(_metadata, self, full, flen, &ok, &failed);
	for (unsigned int i = 0; i < NINST; i++)
		if (self->a->t[i].max_op > max_op)
			max_op = self->a->t[i].max_op;
	ksft_print_msg("%llu changes acknowledged, %llu failed (TPM errors); longest command %.1f s\n",
		       (unsigned long long)ok, (unsigned long long)failed,
		       max_op);
	for (unsigned int i = 0; i < NINST; i++) {
		struct tenant *t = &self->a->t[i];

		ksft_print_msg("  vtpm%u: %llu ok (%llu after the stop), %llu failed: %llu TPM_RC_CANCELED, %llu TPM_RC_FAILURE\n",
			       t->idx, (unsigned long long)t->ok,
			       (unsigned long long)t->ok_after_fault,
			       (unsigned long long)t->failed,
			       (unsigned long long)t->canceled,
			       (unsigned long long)t->failure);
		/* they went on after the TPM came back */
		EXPECT_LT(0, t->ok_after_fault) TH_LOG("vtpm%u", t->idx);
	}
	ksft_print_msg("status: hw_extends %llu, hw_errors %llu, aborts %llu, batches %llu, records %llu, voided records %llu\n",
		       (unsigned long long)(s1.hw_extends - s0.hw_extends),
		       (unsigned long long)(s1.hw_errors - s0.hw_errors),
		       (unsigned long long)(s1.aborts - s0.aborts),
		       (unsigned long long)(s1.batches - s0.batches),
		       (unsigned long long)(s1.records - s0.records),
		       (unsigned long long)counts[1]);
	/* a failed change is a failed hardware extend */
	if (failed)
		EXPECT_LT(s0.hw_errors, s1.hw_errors);
	free(full);
	free(r);
}

TEST_F_TIMEOUT(fault, kill, 600)
{
	struct vtpm_replay *r = replay_new();
	struct mux_status s1;
	uint64_t ok, failed;
	uint8_t *full;
	size_t flen;
	char st[64], why[512];
	double t_kill;
	uint32_t idx;

	if (self->skip)
		return;
	ASSERT_NE(NULL, r);
	start_tenants(_metadata, self);
	sleep(1);
	atomic_store(&self->a->fault, 1);
	t_kill = now_s();
	ASSERT_EQ(0, tpm_fault("kill", st, sizeof(st))) TH_LOG("%s", st);
	ASSERT_EQ(0, tpm_fault("status", st, sizeof(st)));
	EXPECT_STREQ("dead", st);
	sleep(10);
	stop_tenants(_metadata, self, MAX_OP_S);

	check_tenants(_metadata, self, NULL, 0, &ok, &failed);
	ASSERT_EQ(0, mux_status_read(&s1));
	for (unsigned int i = 0; i < NINST; i++) {
		struct tenant *t = &self->a->t[i];

		ksft_print_msg("  vtpm%u: %llu ok, %llu failed after the kill (%llu TPM_RC_CANCELED, %llu TPM_RC_FAILURE), max command time %.1f s\n",
			       t->idx, (unsigned long long)t->ok,
			       (unsigned long long)t->failed_after_fault,
			       (unsigned long long)t->canceled,
			       (unsigned long long)t->failure, t->max_op);
		/* with the TPM gone, changes fail */
		EXPECT_LT(0, t->failed_after_fault) TH_LOG("vtpm%u", t->idx);
	}
	ksft_print_msg("kill: %llu changes acknowledged, %llu failed in %.1f s; state %s, hw_errors %llu, aborts %llu\n",
		       (unsigned long long)ok, (unsigned long long)failed,
		       now_s() - t_kill, s1.state,
		       (unsigned long long)s1.hw_errors,
		       (unsigned long long)s1.aborts);
	EXPECT_LT(0, s1.hw_errors);
	EXPECT_STRNE("ok", s1.state);

	/* the log still reads and replays (nothing to compare it with) */
	ASSERT_EQ(0, read_whole(SECFS_LOG, &full, &flen));
	EXPECT_EQ(0, replay_run(r, full, flen, NULL)) TH_LOG("%s", r->why);
	EXPECT_EQ(s1.records, r->records);
	for (unsigned int i = 0; i < NINST; i++) {
		ASSERT_EQ(0, replay_run(r, full, flen, self->a->t[i].uuid));
		cmp_vpcrs(r, &self->bk, self->a->t[i].model.v,
			  "full log vs model", why, sizeof(why));
		EXPECT_STREQ("", why);
	}
	free(full);

	/* no new instance without the TPM, but destroy works */
	EXPECT_EQ(-EIO, mux_create_simple(self->ctl, "no-tpm", &idx, NULL));
	for (unsigned int i = 0; i < NINST; i++)
		EXPECT_EQ(0, mux_destroy(self->ctl, self->a->t[i].idx));
	self->n = 0;
	free(r);
}

TEST_HARNESS_MAIN
