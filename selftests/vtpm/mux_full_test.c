// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping log right after a module load, and when it is full.  Run by
 * mux_reload_test.sh, which loads vtpm_mux with the parameters each case
 * needs:
 *
 *  genesis	the log of a fresh load is one genesis record whose start
 *		values are the hardware PCR's values before the load
 *		(MUX_GENESIS_START, read by the script), whose reset and
 *		restart counts are the hardware TPM's (ReadClock on
 *		/dev/tpmrm0), and which replays to the hardware PCR
 *  log_full	with a small max_log_entries: extends succeed until exactly
 *		max_log_entries records, then PCR_Extend, PCR_Event,
 *		PCR_Reset and Startup answer TPM_RC_NV_SPACE and change no
 *		vPCR, creating an instance fails with ENOSPC, destroying one
 *		still works (its DESTROY record goes beyond the bound), and
 *		the log replays to the hardware PCR throughout
 *  log_full_concurrent  (MUX_FULL_CONCURRENT=1, instead of log_full) the
 *		same bound with 8 threads on 8 instances extending at once:
 *		exactly max_log_entries records are accepted, no more, and
 *		every instance's vPCRs are its acknowledged extends
 *
 * Environment:
 *   MUX_GENESIS_START  "sha1=HEX,sha256=HEX,...": the hardware PCR before
 *			the load (genesis checks only the counts without it)
 *   MUX_FRESH=1	the module was just loaded: the log holds the genesis
 *			record only
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vtpm_mlog.h"
#include "vtpm_crypto.h"
#include "kselftest_harness.h"

/* a log bigger than this is not one a test made small on purpose */
#define SMALL_LOG	4096

static long cmd_rc(int fd, const uint8_t *cmd, size_t len)
{
	uint8_t resp[1024];
	ssize_t n = fd_xfer(fd, cmd, len, resp, sizeof(resp), 60000);

	return n < 0 ? -1 : resp_rc(resp, n);
}

static long su(int fd, bool startup, uint16_t type)
{
	uint8_t cmd[16];

	return cmd_rc(fd, cmd, startup ? build_startup(cmd, type) :
					 build_shutdown(cmd, type));
}

/* the expected start value of bank alg from MUX_GENESIS_START: size or 0 */
static unsigned int env_start(uint16_t alg, uint8_t *out)
{
	const struct alg_desc *a = alg_by_id(alg);
	const char *env = getenv("MUX_GENESIS_START"), *p;
	char key[16], hex[129];
	size_t klen;

	if (!a || !env)
		return 0;
	klen = snprintf(key, sizeof(key), "%s=", a->name);
	for (p = env; (p = strstr(p, key)); p += klen) {
		size_t n;

		if (p != env && p[-1] != ',')
			continue;
		n = strcspn(p + klen, ",");
		if (n != 2 * a->size)
			return 0;
		memcpy(hex, p + klen, n);
		hex[n] = '\0';
		return hex_decode(hex, out, 64) == (ssize_t)a->size ? a->size : 0;
	}
	return 0;
}

TEST(genesis)
{
	struct vtpm_replay *r = replay_new();
	struct walk w = { 0 };
	struct mux_status st;
	uint32_t reset, restart;
	uint64_t clock;
	uint8_t *log, zero[16] = { 0 }, want[64];
	size_t len;
	char why[512];

	if (access(SECFS_LOG, R_OK))
		SKIP(return, "no %s (module not loaded?)", SECFS_LOG);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, read_whole(SECFS_LOG, &log, &len));
	check_against_hw(log, len, r, why, sizeof(why));
	ASSERT_STREQ("", why);
	ASSERT_EQ(0, walk_log(log, len, &w));
	ASSERT_EQ(0, mux_status_read(&st));
	EXPECT_STREQ("ok", st.state);
	EXPECT_EQ(mux_param("pcr"), (long long)r->genesis.hw_pcr);
	EXPECT_EQ(st.pcr, r->genesis.hw_pcr);
	EXPECT_EQ(mux_param("max_log_entries"), (long long)st.max_log_entries);
	EXPECT_NE(0, memcmp(r->genesis.log_id, zero, 16));
	if (getenv("MUX_FRESH")) {
		EXPECT_EQ(1, r->batches);
		EXPECT_EQ(1, r->records);
		EXPECT_EQ(1, st.hw_extends);
	}

	/* the boot it belongs to: the hardware TPM's counts */
	ASSERT_EQ(0, hw_read_clock(&clock, &reset, &restart));
	EXPECT_EQ(reset, r->genesis.reset_count);
	EXPECT_EQ(restart, r->genesis.restart_count);
	EXPECT_GE(clock, r->genesis.clock);
	TH_LOG("genesis: PCR %u, TPM resetCount %u restartCount %u, clock %llu ms (now %llu)",
	       r->genesis.hw_pcr, r->genesis.reset_count,
	       r->genesis.restart_count,
	       (unsigned long long)r->genesis.clock,
	       (unsigned long long)clock);

	/* its start values: the PCR as the script read it before the load */
	if (getenv("MUX_GENESIS_START")) {
		for (unsigned int b = 0; b < w.nr_banks; b++) {
			unsigned int size = env_start(w.algs[b], want);

			EXPECT_NE(0, size) TH_LOG("bank %04x missing in MUX_GENESIS_START",
						  w.algs[b]);
			if (!size)
				continue;
			EXPECT_EQ(0, memcmp(want, w.start[b], size))
				TH_LOG("bank %04x", w.algs[b]);
			EXPECT_EQ(r->genesis.start[b].alg, w.algs[b]);
			EXPECT_EQ(0, memcmp(want, r->genesis.start[b].digest,
					    size));
		}
	}
	free(log);
	free(r);
}

FIXTURE(full) {
	int ctl;
	bool skip;
	struct banks bk;
	uint32_t idx;
	uint8_t uuid[16];
	bool have;
	char dev[64];
};

FIXTURE_SETUP(full)
{
	long long max = mux_param("max_log_entries");
	bool conc = getenv("MUX_FULL_CONCURRENT") != NULL;

	self->ctl = -1;
	/* one of the two per load: the log fills up once */
	if (conc != !strcmp(_metadata->name, "log_full_concurrent")) {
		self->skip = true;
		SKIP(return, "%s", conc ? "MUX_FULL_CONCURRENT: the other test" :
			     "needs MUX_FULL_CONCURRENT=1");
	}
	if (max < 0) {
		self->skip = true;
		SKIP(return, "vtpm_mux not loaded");
	}
	if (max > SMALL_LOG) {
		self->skip = true;
		SKIP(return, "max_log_entries is %lld (mux_reload_test.sh loads the module with a small one)",
		     max);
	}
	self->ctl = mux_ctl_open();
	ASSERT_LE(0, self->ctl);
}

FIXTURE_TEARDOWN(full)
{
	if (self->have)
		mux_destroy(self->ctl, self->idx);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* all vPCRs of the instance through fd == the model */
static void expect_vpcrs(struct __test_metadata *_metadata,
			 const struct banks *bk, int fd, struct model *m,
			 const char *when)
{
	uint8_t (*v)[NPCR][64] = calloc(VTPM_MAX_BANKS, sizeof(*v));

	ASSERT_NE(NULL, v);
	ASSERT_EQ(0, fd_pcr_read_many(fd, bk->n, bk->alg, 0xffffff, v));
	for (unsigned int b = 0; b < bk->n; b++)
		for (unsigned int p = 0; p < NPCR; p++) {
			EXPECT_EQ(0, memcmp(v[b][p], m->v[b][p], bk->size[b]))
				TH_LOG("%s: PCR %u bank %04x", when, p,
				       bk->alg[b]);
		}
	free(v);
}

static void expect_log_replays(struct __test_metadata *_metadata,
			       struct vtpm_replay *r, const uint8_t *uuid)
{
	uint8_t *log;
	size_t len;
	char why[512];

	ASSERT_EQ(0, read_whole(SECFS_LOG, &log, &len));
	check_against_hw(log, len, r, why, sizeof(why));
	EXPECT_STREQ("", why);
	if (uuid)
		EXPECT_EQ(0, replay_run(r, log, len, uuid));
	free(log);
}

TEST_F_TIMEOUT(full, log_full, 300)
{
	struct vtpm_replay *r = replay_new();
	struct model *m = calloc(1, sizeof(*m));
	struct mux_status s0, s1, s2;
	uint8_t cmd[1024], d[VTPM_MAX_BANKS][64], *view;
	const uint8_t *dp[VTPM_MAX_BANKS];
	uint32_t idx2, before;
	uint64_t ok = 0, room, refused = 0;
	char seed[32], buf[32], why[512];
	size_t vlen;
	long rc = 0;
	int fd;

	if (self->skip)
		return;
	ASSERT_NE(NULL, r);
	ASSERT_NE(NULL, m);
	before = mux_list(self->ctl, NULL, 0);
	ASSERT_EQ(0, mux_create_simple(self->ctl, "log-full", &self->idx,
				       self->uuid));
	self->have = true;
	ASSERT_EQ(0, get_banks(self->ctl, self->idx, &self->bk));
	mux_dev_path(self->idx, self->dev, sizeof(self->dev));
	ASSERT_TRUE(wait_for_path(self->dev, true));
	fd = open(self->dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, su(fd, true, SU_CLEAR));
	model_init(m, &self->bk);

	ASSERT_EQ(0, mux_status_read(&s0));
	ASSERT_GE(s0.max_log_entries, s0.records);
	room = s0.max_log_entries - s0.records;
	/* extend until the log is full: exactly room extends succeed */
	for (uint64_t i = 0; i <= room + 1; i++) {
		unsigned int pcr = i % 16;

		for (unsigned int b = 0; b < self->bk.n; b++) {
			snprintf(seed, sizeof(seed), "full %llu %u",
				 (unsigned long long)i, b);
			test_pattern(seed, d[b], self->bk.size[b]);
			dp[b] = d[b];
		}
		rc = cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, pcr, self->bk.n,
							     self->bk.alg, dp));
		if (rc)
			break;
		for (unsigned int b = 0; b < self->bk.n; b++)
			model_extend(m, &self->bk, pcr, b, d[b]);
		ok++;
	}
	EXPECT_EQ(RC_NV_SPACE, rc);
	refused++;
	EXPECT_EQ(room, ok);
	ASSERT_EQ(0, mux_status_read(&s1));
	EXPECT_EQ(s1.max_log_entries, s1.records);
	EXPECT_EQ(s0.refused_full + 1, s1.refused_full);
	EXPECT_STREQ("ok", s1.state);
	TH_LOG("%llu extends until the log was full (max_log_entries %llu)",
	       (unsigned long long)ok,
	       (unsigned long long)s1.max_log_entries);

	/* the refused extend changed nothing; nor do the other changes */
	expect_vpcrs(_metadata, &self->bk, fd, m, "after the refused extend");
	EXPECT_EQ(RC_NV_SPACE,
		  cmd_rc(fd, cmd, build_pcr_event(cmd, 4, (uint8_t *)"x", 1)));
	refused++;
	EXPECT_EQ(RC_NV_SPACE, cmd_rc(fd, cmd, build_pcr_reset(cmd, 16)));
	refused++;
	EXPECT_EQ(0, su(fd, false, SU_CLEAR));	/* no record */
	EXPECT_EQ(RC_NV_SPACE, su(fd, true, SU_CLEAR));
	refused++;
	expect_vpcrs(_metadata, &self->bk, fd, m, "after refused changes");
	ASSERT_LT(0, read_sysfs(self->idx, "extends", buf, sizeof(buf)));
	EXPECT_EQ(ok, strtoull(buf, NULL, 10));

	/* the instance's view: its vPCRs, as the model has them */
	ASSERT_EQ(0, view_ioctl(fd, false, &view, &vlen, NULL));
	check_view(view, vlen, self->uuid, self->idx, r, why, sizeof(why));
	EXPECT_STREQ("", why);
	cmp_vpcrs(r, &self->bk, m->v, "view vs model", why, sizeof(why));
	EXPECT_STREQ("", why);
	EXPECT_EQ(2 + ok, r->tenant_records);	/* CREATE, Startup */
	free(view);
	close(fd);
	expect_log_replays(_metadata, r, NULL);

	/* no new instance */
	EXPECT_EQ(-ENOSPC, mux_create_simple(self->ctl, "too-many", &idx2,
					     NULL));
	refused++;
	ASSERT_EQ(0, mux_status_read(&s2));
	EXPECT_EQ(s1.records, s2.records);
	EXPECT_EQ(s0.refused_full + refused, s2.refused_full);
	EXPECT_EQ(before + 1, mux_list(self->ctl, NULL, 0));

	/* but destroying one works, and is logged beyond the bound */
	EXPECT_EQ(0, mux_destroy(self->ctl, self->idx));
	self->have = false;
	EXPECT_TRUE(wait_for_path(self->dev, false));
	ASSERT_EQ(0, mux_status_read(&s2));
	EXPECT_EQ(s1.records + 1, s2.records);
	EXPECT_EQ(before, mux_list(self->ctl, NULL, 0));
	expect_log_replays(_metadata, r, self->uuid);
	EXPECT_TRUE(r->found);
	EXPECT_TRUE(r->destroyed);
	EXPECT_EQ(3 + ok, r->tenant_records);
	cmp_vpcrs(r, &self->bk, m->v, "destroyed instance vs model", why,
		  sizeof(why));
	EXPECT_STREQ("", why);

	/* still full */
	EXPECT_EQ(-ENOSPC, mux_create_simple(self->ctl, "too-many", &idx2,
					     NULL));
	ASSERT_EQ(0, mux_status_read(&s2));
	EXPECT_EQ(s1.records + 1, s2.records);
	EXPECT_EQ(0, s2.hw_errors);
	free(m);
	free(r);
}

#define NCONC 8

struct filler {
	pthread_t th;
	char dev[64];
	const struct banks *bk;
	pthread_barrier_t *go;
	struct model m;
	unsigned int id;
	uint64_t ok;
	long last_rc;
};

static void *filler_main(void *arg)
{
	struct filler *f = arg;
	uint8_t cmd[1024], d[VTPM_MAX_BANKS][64];
	const uint8_t *dp[VTPM_MAX_BANKS];
	char seed[48];
	int fd = open(f->dev, O_RDWR | O_CLOEXEC);

	pthread_barrier_wait(f->go);
	f->last_rc = -1;
	for (uint64_t i = 0; fd >= 0; i++) {
		unsigned int pcr = i % 16;

		for (unsigned int b = 0; b < f->bk->n; b++) {
			snprintf(seed, sizeof(seed), "conc %u %llu %u", f->id,
				 (unsigned long long)i, b);
			test_pattern(seed, d[b], f->bk->size[b]);
			dp[b] = d[b];
		}
		f->last_rc = cmd_rc(fd, cmd, build_pcr_extend_multi(cmd, pcr, f->bk->n,
								     f->bk->alg, dp));
		if (f->last_rc)
			break;
		for (unsigned int b = 0; b < f->bk->n; b++)
			model_extend(&f->m, f->bk, pcr, b, d[b]);
		f->ok++;
	}
	if (fd >= 0)
		close(fd);
	return NULL;
}

TEST_F_TIMEOUT(full, log_full_concurrent, 300)
{
	struct filler *f = calloc(NCONC, sizeof(*f));
	struct vtpm_replay *r = replay_new();
	struct mux_status s0, s1;
	pthread_barrier_t go;
	uint32_t idx[NCONC];
	uint64_t ok = 0;

	if (self->skip)
		return;
	ASSERT_NE(NULL, f);
	ASSERT_NE(NULL, r);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, NCONC + 1));
	for (unsigned int i = 0; i < NCONC; i++) {
		char label[16];
		int fd;

		snprintf(label, sizeof(label), "conc-%u", i);
		ASSERT_EQ(0, mux_create_simple(self->ctl, label, &idx[i], NULL));
		if (!i)
			ASSERT_EQ(0, get_banks(self->ctl, idx[i], &self->bk));
		mux_dev_path(idx[i], f[i].dev, sizeof(f[i].dev));
		ASSERT_TRUE(wait_for_path(f[i].dev, true));
		fd = open(f[i].dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, su(fd, true, SU_CLEAR));
		close(fd);
		f[i].bk = &self->bk;
		f[i].go = &go;
		f[i].id = i;
		model_init(&f[i].m, &self->bk);
	}
	ASSERT_EQ(0, mux_status_read(&s0));
	ASSERT_GT(s0.max_log_entries, s0.records + NCONC);
	for (unsigned int i = 0; i < NCONC; i++)
		ASSERT_EQ(0, pthread_create(&f[i].th, NULL, filler_main, &f[i]));
	pthread_barrier_wait(&go);
	for (unsigned int i = 0; i < NCONC; i++) {
		pthread_join(f[i].th, NULL);
		EXPECT_EQ(RC_NV_SPACE, f[i].last_rc) TH_LOG("thread %u", i);
		ok += f[i].ok;
	}
	ASSERT_EQ(0, mux_status_read(&s1));
	TH_LOG("%u threads: %llu extends accepted, room was %llu; the log holds %llu records, max_log_entries %llu",
	       NCONC, (unsigned long long)ok,
	       (unsigned long long)(s0.max_log_entries - s0.records),
	       (unsigned long long)s1.records,
	       (unsigned long long)s1.max_log_entries);
	/* the bound holds with concurrent callers too */
	EXPECT_EQ(s0.max_log_entries - s0.records, ok);
	EXPECT_EQ(s1.max_log_entries, s1.records);

	/* whatever was accepted is in the log and in the vPCRs */
	expect_log_replays(_metadata, r, NULL);
	EXPECT_EQ(s1.records, r->records);
	for (unsigned int i = 0; i < NCONC; i++) {
		uint8_t *view;
		size_t vlen;
		int fd = open(f[i].dev, O_RDWR | O_CLOEXEC);

		ASSERT_LE(0, fd);
		expect_vpcrs(_metadata, &self->bk, fd, &f[i].m, f[i].dev);
		ASSERT_EQ(0, view_ioctl(fd, false, &view, &vlen, NULL));
		close(fd);
		ASSERT_EQ(0, replay_run(r, view, vlen, NULL));
		free(view);
	}
	for (unsigned int i = 0; i < NCONC; i++)
		EXPECT_EQ(0, mux_destroy(self->ctl, idx[i]));
	pthread_barrier_destroy(&go);
	free(f);
	free(r);
}

TEST_HARNESS_MAIN
