// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm_stress: make stress, the program (tools/testing/guest-stress.sh runs
 * it in a guest, as root, with vtpm_mux loaded).
 *
 * For --time seconds:
 *  - --instances instances x --threads workers, each with its own open
 *    file, send random valid commands (PCR_Extend of random vPCRs and banks,
 *    PCR_Event, PCR_Reset of 16/23, PCR_Read, GetRandom, GetCapability,
 *    ReadClock, StirRandom, O_NONBLOCK + poll) and malformed ones (every
 *    row of malformed_cases.def that applies to a started instance, with
 *    the answer abi.md gives; random garbage; writes of more than 4096 and
 *    of 0 bytes; responses read 1-3 bytes at a time; a second write before
 *    the response was read).  Every command must be answered within
 *    CMD_TIMEOUT_S.  Every vPCR change the instance acknowledged (rc 0) is
 *    remembered: instance, vPCR, digests, and its place among the thread's.
 *  - --churn threads create instances, start them, extend them, keep a
 *    descriptor open across the destroy (it must then fail with ENODEV),
 *    and destroy them.
 *  - readers: the full log (securityfs) replayed with the module's own
 *    lib/mlog.c; views (VTPM_IOC_GET_LOG, securityfs vtpmN/view) replayed
 *    likewise and the ASCII lists; status, INFO, LIST, sysfs; attestation
 *    (VTPM_IOC_ATTEST and VTPM_MUX_IOC_ATTEST) with the bundle parsed by
 *    lib/bundle.c (its verification is attest_test's and vtpm-verify's).
 *
 * vPCR changes are paced so that the log ends near --log-budget records
 * (default: 3/4 of the room left under max_log_entries): a worker that
 * finds the budget used up so far sends a command that changes nothing.
 *
 * Afterwards: the full log replays (mlog.c and the independent walk of
 * vtpm_mlog.c) to the hardware PCR; every acknowledged extend and event is
 * in it, applied, with its digests, in each thread's order, and no other
 * reset than acknowledged ones is missing; every instance's CREATE (and
 * DESTROY) record is there; a few instances' vPCRs rebuilt from the log
 * equal their PCR_Read; every instance is destroyed.  Prints TAP and the
 * figures.  The module's unloading, dmesg and kernel memory are checked
 * by guest-stress.sh.
 *
 * Exit status 0 if every check passed, 1 otherwise, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "vtpm_mlog.h"
#include "vtpm_crypto.h"
#include "bundle.h"		/* drivers/vtpm/lib */

#define CMD_TIMEOUT_S	120	/* a command not answered by then: a hang */
#define MAX_SLOTS	(1u << 16)
#define MAX_ERRS	16	/* failure messages printed */

#define CC_GetCapability	0x17A
#define CC_StirRandom		0x146
#define RC_FAILURE		0x101
#define RC_MEMORY		0x904

/* ---- options and shared state ------------------------------------------ */

static struct {
	unsigned int time_s;
	unsigned int instances;
	unsigned int threads;
	unsigned int churn;
	unsigned int view_readers;
	unsigned int attesters;
	uint64_t seed;
	uint64_t log_budget;
	bool faults;		/* TPM faults expected: CANCELED, EIO allowed */
	unsigned int mlog_limit;	/* s for mlog.c's full replay */
} opt = {
	.time_s = 600, .instances = 64, .threads = 8, .churn = 2,
	.view_readers = 2, .attesters = 2, .mlog_limit = 60,
};

static atomic_int stop;
static double t_start;
static struct banks bk;
static atomic_ullong changes_issued, churn_issued;
static uint64_t budget;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* failures: counted, the first MAX_ERRS printed at the end */
static atomic_ullong nfail;
static pthread_mutex_t err_lock = PTHREAD_MUTEX_INITIALIZER;
static char errs[MAX_ERRS][256];

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...)
{
	unsigned long long k = atomic_fetch_add(&nfail, 1);
	va_list ap;

	if (k >= MAX_ERRS)
		return;
	pthread_mutex_lock(&err_lock);
	va_start(ap, fmt);
	vsnprintf(errs[k], sizeof(errs[k]), fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&err_lock);
}

static uint64_t get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/* ---- counters ----------------------------------------------------------- */

#define OPS(X) \
	X(extend) X(event) X(reset) X(pcr_read) X(getrandom) X(getcap) \
	X(readclock) X(stirrandom) X(nonblock) X(malformed_row) X(garbage) \
	X(oversize_write) X(empty_write) X(tiny_reads) X(busy_write) \
	X(create) X(startup) X(destroy) X(dead_fd) X(log_read) \
	X(view_ioctl) X(view_secfs) X(ascii_ioctl) X(ascii_secfs) \
	X(view_enospc) X(status) X(info_list) X(attest_dev) X(attest_ctl)

#define EVS(X) \
	X(acked_change) X(refused_full) X(canceled) X(tpm_error_answer) \
	X(ebusy) X(e2big) X(einval) X(eagain) X(enodev) X(create_enospc) \
	X(attest_enospc_retry) X(attest_eio) X(create_eio) X(no_ak) X(timeout) \
	X(malformed_mismatch) X(reopen)

#define X(n) OP_##n,
enum { OPS(X) OP_COUNT };
#undef X
#define X(n) EV_##n,
enum { EVS(X) EV_COUNT };
#undef X
#define X(n) #n,
static const char *const op_names[] = { OPS(X) };
static const char *const ev_names[] = { EVS(X) };
#undef X

static atomic_ullong ops[OP_COUNT], evs[EV_COUNT];

static void count_op(int k)
{
	atomic_fetch_add_explicit(&ops[k], 1, memory_order_relaxed);
}

static void count_ev(int k)
{
	atomic_fetch_add_explicit(&evs[k], 1, memory_order_relaxed);
}

/* ---- instances and acknowledged changes --------------------------------- */

struct slot {
	uint8_t uuid[16];
	uint32_t idx;
	char dev[32];
	char label[40];
	bool stable;
	atomic_bool destroyed;
	atomic_ullong acked_resets;
	/* from the final log */
	uint32_t log_creates, log_destroys, label_ok;
	/* the batches of its DESTROY records: one may be voided by an ABORT */
	uint64_t destroy_batch[4];
	uint64_t log_resets;
	uint64_t log_changes;
};

static struct slot *slots;
static atomic_uint nslots;

enum { ACK_EXTEND = 1, ACK_EVENT = 2 };	/* = VTPM_REC_EXTEND, _EVENT */

struct ack {
	uint64_t id;	/* extend: first 8 bytes of its first digest */
	uint64_t h;	/* fnv of vPCR and digests */
	uint64_t seq;	/* the record's number in the log (check) */
	uint64_t batch;	/* and its batch */
	uint32_t slot;
	uint8_t kind;
};

struct acks {
	struct ack *a;
	size_t n, cap;
};

static void ack_push(struct acks *l, const struct ack *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 4096;
		struct ack *p = realloc(l->a, cap * sizeof(*p));

		if (!p) {
			fail("out of memory for acks");
			return;
		}
		l->a = p;
		l->cap = cap;
	}
	l->a[l->n++] = *a;
}

/* FNV-1a of the vPCR and (alg, digest) pairs of an extend or event */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--) {
		h ^= *b++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static uint64_t change_hash(uint32_t pcr, unsigned int count,
			    const uint16_t *algs, const uint8_t *const *d)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	uint8_t b[4];

	put_be32(b, pcr);
	h = fnv(h, b, 4);
	for (unsigned int i = 0; i < count; i++) {
		const struct alg_desc *a = alg_by_id(algs[i]);

		put_be16(b, algs[i]);
		h = fnv(h, b, 2);
		h = fnv(h, d[i], a ? a->size : 0);
	}
	return h;
}

/* ---- budget of vPCR changes --------------------------------------------- */

/*
 * The churners' share of the budget is their own: in one pool, the 512
 * workers, which ask for one record at a time and at once, left the two
 * churners (a handful at a time, then a 20 ms nap) about one instance a
 * minute in a 600 s run.
 */
#define CHURN_SHARE	16	/* 1/16 of the records */

/* May @n more records of @pool be written now?  Paced over the run. */
static bool take_from(atomic_ullong *issued, uint64_t pool, unsigned int n)
{
	double f = (now_s() - t_start) / opt.time_s;
	uint64_t allowed = (uint64_t)(pool * (f > 1 ? 1 : f)) + 256;

	if (atomic_load(issued) + n > allowed)
		return false;
	atomic_fetch_add(issued, n);
	return true;
}

/* the workers' vPCR changes */
static bool take_changes(unsigned int n)
{
	return take_from(&changes_issued, budget - budget / CHURN_SHARE, n);
}

/* a churner's instance: CREATE, Startup, its extends, DESTROY */
static bool take_churn(unsigned int n)
{
	return take_from(&churn_issued, budget / CHURN_SHARE, n);
}

/* ---- commands ----------------------------------------------------------- */

/* read with a timeout: bytes, 0 at EOF, -errno, -ETIMEDOUT */
static ssize_t read_to(int fd, uint8_t *buf, size_t cap, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int r = poll(&p, 1, timeout_ms);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		n = read(fd, buf, cap);
		if (n < 0 && errno == EAGAIN)
			continue;
		return n < 0 ? -errno : n;
	}
}

/* one command: its rc (>= 0), -1 malformed response, -errno */
static long xfer_rc(int fd, const uint8_t *cmd, size_t len, uint8_t *resp,
		    size_t cap, ssize_t *rlen)
{
	ssize_t n = fd_xfer(fd, cmd, len, resp, cap, CMD_TIMEOUT_S * 1000);

	if (rlen)
		*rlen = n;
	if (n < 0)
		return n;
	return resp_rc(resp, n);
}

/* the malformed rows that apply to a started instance */
#define MC_PRE_STARTUP	(1u << 0)
#define MC_NO_TCP	(1u << 1)

struct mcase {
	const char *name;
	unsigned int flags;
	uint16_t tag;
	uint32_t rc;
	const char *hex;
	uint8_t bytes[TPM_BUFSIZE + 16];
	ssize_t len;
};

static struct mcase mcases[] = {
#define X(name, fl, t, r, mt, mr, hx) { #name, fl, mt, mr, hx, { 0 }, 0 },
#include "malformed_cases.def"
#undef X
};

static unsigned int nmc;
static struct mcase *mc[ARRAY_LEN(mcases)];

static int mcases_init(void)
{
	for (unsigned int i = 0; i < ARRAY_LEN(mcases); i++) {
		struct mcase *c = &mcases[i];

		c->len = hex_decode(c->hex, c->bytes, sizeof(c->bytes));
		if (c->len < 0) {
			fprintf(stderr, "malformed row %s: bad hex\n", c->name);
			return -1;
		}
		if (!(c->flags & MC_PRE_STARTUP))
			mc[nmc++] = c;
	}
	return 0;
}

struct worker {
	pthread_t th;
	unsigned int no;
	struct rng r;
	uint32_t slot;
	int fd, nbfd;
	uint64_t seq;
	struct acks acks;
	int ctl;	/* churners */
};

static int reopen(struct worker *w)
{
	const char *dev = slots[w->slot].dev;

	count_ev(EV_reopen);
	if (w->fd >= 0)
		close(w->fd);
	if (w->nbfd >= 0)
		close(w->nbfd);
	w->fd = open(dev, O_RDWR | O_CLOEXEC);
	w->nbfd = open(dev, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (w->fd < 0 || w->nbfd < 0) {
		fail("worker %u: open %s: %s", w->no, dev, strerror(errno));
		return -1;
	}
	return 0;
}

/* a transport error or timeout: a failure, and a fresh descriptor */
static void transport_fail(struct worker *w, const char *what, long r)
{
	if (r == -ETIMEDOUT)
		count_ev(EV_timeout);
	fail("worker %u vtpm%u: %s: %s", w->no, slots[w->slot].idx, what,
	     r == -1 ? "malformed response" : strerror((int)-r));
	reopen(w);
}

/* the answer to a vPCR change that was not acknowledged */
static void change_refused(struct worker *w, const char *what, long rc)
{
	if (rc == RC_NV_SPACE)
		count_ev(EV_refused_full);
	else if (rc == RC_CANCELED)
		/*
		 * The hardware TPM failed or timed out (abi.md): seen
		 * without injected faults too, when a TCG host is busy and
		 * PCR_Extend takes over 750 ms.  Checked against hw_errors.
		 */
		count_ev(EV_canceled);
	else if (rc < 0)
		transport_fail(w, what, rc);
	else
		fail("worker %u vtpm%u: %s answered 0x%lx", w->no,
		     slots[w->slot].idx, what, rc);
}

static void op_extend(struct worker *w)
{
	uint8_t cmd[1024], resp[256], dig[VTPM_MAX_BANKS][64];
	const uint8_t *dp[VTPM_MAX_BANKS];
	uint16_t algs[VTPM_MAX_BANKS];
	unsigned int order[VTPM_MAX_BANKS], cnt;
	unsigned int pcr = rnd(&w->r) % 18;
	struct ack a = { .slot = w->slot, .kind = ACK_EXTEND };
	long rc;

	if (pcr == 17)
		pcr = 23;
	for (unsigned int i = 0; i < bk.n; i++)
		order[i] = i;
	for (unsigned int i = bk.n - 1; i > 0; i--) {
		unsigned int j = rnd(&w->r) % (i + 1), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	cnt = 1 + rnd(&w->r) % bk.n;
	a.id = (uint64_t)(w->no + 1) << 40 | ++w->seq;
	for (unsigned int i = 0; i < cnt; i++) {
		algs[i] = bk.alg[order[i]];
		rnd_bytes(&w->r, dig[i], bk.size[order[i]]);
		dp[i] = dig[i];
	}
	/* the first digest (sha1 at least: 20 bytes) starts with the id */
	for (int i = 0; i < 8; i++)
		dig[0][i] = a.id >> (56 - 8 * i);
	a.h = change_hash(pcr, cnt, algs, dp);
	count_op(OP_extend);
	rc = xfer_rc(w->fd, cmd, build_pcr_extend_multi(cmd, pcr, cnt, algs, dp),
		     resp, sizeof(resp), NULL);
	if (rc) {
		change_refused(w, "PCR_Extend", rc);
		return;
	}
	count_ev(EV_acked_change);
	ack_push(&w->acks, &a);
}

static void op_event(struct worker *w)
{
	uint8_t cmd[1100], resp[512], data[200], dig[VTPM_MAX_BANKS][64];
	const uint8_t *dp[VTPM_MAX_BANKS];
	unsigned int pcr = rnd(&w->r) % 17;
	unsigned int len = 8 + rnd(&w->r) % (sizeof(data) - 8);
	struct ack a = { .slot = w->slot, .kind = ACK_EVENT };
	long rc;

	rnd_bytes(&w->r, data, len);
	put_be32(data, w->no);
	put_be32(data + 4, (uint32_t)++w->seq);
	for (unsigned int b = 0; b < bk.n; b++) {
		ossl_digest(bk.alg[b], data, len, dig[b]);
		dp[b] = dig[b];
	}
	a.id = get_be64(dig[0]);
	a.h = change_hash(pcr, bk.n, bk.alg, dp);
	count_op(OP_event);
	rc = xfer_rc(w->fd, cmd, build_pcr_event(cmd, pcr, data, len), resp,
		     sizeof(resp), NULL);
	if (rc) {
		change_refused(w, "PCR_Event", rc);
		return;
	}
	count_ev(EV_acked_change);
	ack_push(&w->acks, &a);
}

static void op_reset(struct worker *w)
{
	uint8_t cmd[64], resp[64];
	long rc;

	count_op(OP_reset);
	rc = xfer_rc(w->fd, cmd, build_pcr_reset(cmd, rnd(&w->r) & 1 ? 16 : 23),
		     resp, sizeof(resp), NULL);
	if (rc) {
		change_refused(w, "PCR_Reset", rc);
		return;
	}
	count_ev(EV_acked_change);
	atomic_fetch_add(&slots[w->slot].acked_resets, 1);
}

static size_t build_getcap(uint8_t *b, uint32_t cap, uint32_t prop,
			   uint32_t count)
{
	put_be16(b, ST_NO_SESSIONS);
	put_be32(b + 2, 22);
	put_be32(b + 6, CC_GetCapability);
	put_be32(b + 10, cap);
	put_be32(b + 14, prop);
	put_be32(b + 18, count);
	return 22;
}

static size_t build_stir(uint8_t *b, struct rng *r)
{
	unsigned int n = rnd(r) % 129;

	put_be16(b, ST_NO_SESSIONS);
	put_be32(b + 2, 12 + n);
	put_be32(b + 6, CC_StirRandom);
	put_be16(b + 10, n);
	rnd_bytes(r, b + 12, n);
	return 12 + n;
}

/* a command that changes nothing; must answer success */
static void op_read(struct worker *w)
{
	static const uint32_t caps[][2] = {
		{ 0, 0 }, { 2, 0x11f }, { 5, 0 }, { 6, 0x100 }, { 6, 0x200 },
		{ 1, 0x02000000 }, { 7, 0 },
	};
	uint8_t cmd[256], resp[TPM_BUFSIZE];
	unsigned int k = rnd(&w->r) % 6, c;
	const char *what;
	ssize_t n;
	size_t len;
	long rc;
	int op;

	switch (k) {
	case 0:
		op = OP_pcr_read;
		what = "PCR_Read";
		len = build_pcr_read_sel(cmd, bk.n, bk.alg,
					 (uint32_t)rnd(&w->r) & 0xffffff);
		break;
	case 1:
		op = OP_getrandom;
		what = "GetRandom";
		len = build_getrandom(cmd, rnd(&w->r) % 65);
		break;
	case 2:
		op = OP_getcap;
		what = "GetCapability";
		c = rnd(&w->r) % ARRAY_LEN(caps);
		len = build_getcap(cmd, caps[c][0], caps[c][1],
				   1 + rnd(&w->r) % 64);
		break;
	case 3:
		op = OP_readclock;
		what = "ReadClock";
		len = build_read_clock(cmd);
		break;
	case 4:
		op = OP_stirrandom;
		what = "StirRandom";
		len = build_stir(cmd, &w->r);
		break;
	default: {
		struct pollfd p = { .fd = w->nbfd, .events = POLLIN };

		/* O_NONBLOCK: write returns at once, poll, then read */
		count_op(OP_nonblock);
		len = build_getrandom(cmd, 32);
		n = write(w->nbfd, cmd, len);
		if (n != (ssize_t)len) {
			transport_fail(w, "O_NONBLOCK write", n < 0 ? -errno : -EIO);
			return;
		}
		n = read(w->nbfd, resp, sizeof(resp));
		if (n < 0 && errno == EAGAIN) {
			count_ev(EV_eagain);
			if (poll(&p, 1, CMD_TIMEOUT_S * 1000) != 1) {
				transport_fail(w, "poll", -ETIMEDOUT);
				return;
			}
			n = read(w->nbfd, resp, sizeof(resp));
		}
		rc = n < 0 ? -errno : resp_rc(resp, n);
		if (rc)
			rc < 0 ? transport_fail(w, "O_NONBLOCK read", rc) :
				 fail("O_NONBLOCK GetRandom answered 0x%lx", rc);
		return;
	}
	}
	count_op(op);
	rc = xfer_rc(w->fd, cmd, len, resp, sizeof(resp), &n);
	if (rc < 0)
		transport_fail(w, what, rc);
	else if (rc)
		fail("worker %u: %s answered 0x%lx", w->no, what, rc);
}

/* a malformed row of malformed_cases.def: the answer abi.md gives */
static void op_malformed_row(struct worker *w)
{
	const struct mcase *c = mc[rnd(&w->r) % nmc];
	uint8_t resp[TPM_BUFSIZE];
	ssize_t n;
	long rc;

	count_op(OP_malformed_row);
	rc = xfer_rc(w->fd, c->bytes, c->len, resp, sizeof(resp), &n);
	if (rc < 0) {
		transport_fail(w, c->name, rc);
		return;
	}
	if (rc)
		count_ev(EV_tpm_error_answer);
	if (get_be16(resp) == c->tag && rc == c->rc)
		return;
	/* rows that change a vPCR may meet a full log or a fault */
	if (c->rc == 0 && (rc == RC_NV_SPACE || rc == RC_CANCELED))
		return;
	count_ev(EV_malformed_mismatch);
	fail("malformed %s: tag 0x%04x rc 0x%lx, expected 0x%04x 0x%x",
	     c->name, get_be16(resp), rc, c->tag, c->rc);
}

static void op_malformed(struct worker *w)
{
	uint8_t buf[2 * TPM_BUFSIZE + 16], resp[TPM_BUFSIZE];
	unsigned int k = rnd(&w->r) % 100;
	size_t len;
	ssize_t n;
	long rc;

	if (k < 50) {
		op_malformed_row(w);
	} else if (k < 65) {
		/* garbage: any TPM response, never a hang */
		count_op(OP_garbage);
		len = 1 + rnd(&w->r) % TPM_BUFSIZE;
		rnd_bytes(&w->r, buf, len);
		if (rnd(&w->r) & 1)	/* a plausible header */
			put_be16(buf, rnd(&w->r) & 1 ? ST_SESSIONS : ST_NO_SESSIONS);
		rc = xfer_rc(w->fd, buf, len, resp, sizeof(resp), NULL);
		if (rc < 0)
			transport_fail(w, "garbage", rc);
		else if (rc)
			count_ev(EV_tpm_error_answer);
	} else if (k < 72) {
		count_op(OP_oversize_write);
		len = TPM_BUFSIZE + 1 + rnd(&w->r) % TPM_BUFSIZE;
		memset(buf, 0, len);
		build_getrandom(buf, 8);
		n = write(w->fd, buf, len);
		if (n >= 0 || errno != E2BIG)
			fail("write of %zu bytes: %zd (%s), expected E2BIG", len,
			     n, strerror(errno));
		else
			count_ev(EV_e2big);
	} else if (k < 78) {
		count_op(OP_empty_write);
		n = write(w->fd, buf, 0);
		if (n >= 0 || errno != EINVAL)
			fail("write of 0 bytes: %zd (%s), expected EINVAL", n,
			     strerror(errno));
		else
			count_ev(EV_einval);
	} else if (k < 89) {
		/* the response read 1-3 bytes at a time */
		size_t have = 0, want = 10;

		count_op(OP_tiny_reads);
		len = build_getrandom(buf, 1 + rnd(&w->r) % 64);
		n = write(w->fd, buf, len);
		if (n != (ssize_t)len) {
			transport_fail(w, "write", n < 0 ? -errno : -EIO);
			return;
		}
		while (have < want) {
			n = read_to(w->fd, resp + have, 1 + rnd(&w->r) % 3,
				    CMD_TIMEOUT_S * 1000);
			if (n <= 0) {
				transport_fail(w, "tiny read", n ? n : -EIO);
				return;
			}
			have += n;
			if (have >= 6)
				want = get_be32(resp + 2);
			if (want > sizeof(resp))
				break;
		}
		rc = resp_rc(resp, have);
		if (rc)
			fail("GetRandom read in pieces: rc %ld, %zu bytes", rc,
			     have);
	} else {
		/* a second write before the response was read: EBUSY */
		count_op(OP_busy_write);
		len = build_getrandom(buf, 16);
		n = write(w->fd, buf, len);
		if (n != (ssize_t)len) {
			transport_fail(w, "write", n < 0 ? -errno : -EIO);
			return;
		}
		n = write(w->fd, buf, len);
		if (n >= 0 || errno != EBUSY)
			fail("second write: %zd (%s), expected EBUSY", n,
			     strerror(errno));
		else
			count_ev(EV_ebusy);
		n = read_to(w->fd, resp, sizeof(resp), CMD_TIMEOUT_S * 1000);
		rc = n < 0 ? n : resp_rc(resp, n);
		if (rc)
			rc < 0 ? transport_fail(w, "read after EBUSY", rc) :
				 fail("GetRandom after EBUSY: 0x%lx", rc);
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&stop)) {
		unsigned int x = rnd(&w->r) % 100;

		if (x < 45 && take_changes(1)) {
			x = rnd(&w->r) % 10;
			if (x < 7)
				op_extend(w);
			else if (x < 9)
				op_event(w);
			else
				op_reset(w);
		} else if (x < 80) {
			op_read(w);
		} else {
			op_malformed(w);
		}
	}
	return NULL;
}

/* ---- churn --------------------------------------------------------------- */

static int slot_new(const char *label, int ctl, uint32_t *sl, bool stable)
{
	unsigned int k = atomic_fetch_add(&nslots, 1);
	struct slot *s;
	int ret;

	if (k >= MAX_SLOTS) {
		atomic_fetch_sub(&nslots, 1);
		return -EMFILE;
	}
	s = &slots[k];
	snprintf(s->label, sizeof(s->label), "%s", label);
	s->stable = stable;
	ret = mux_create_simple(ctl, label, &s->idx, s->uuid);
	if (ret) {
		/* an unused slot: all-zero uuid matches no record */
		s->label[0] = '\0';
		atomic_store(&s->destroyed, true);
		return ret;
	}
	mux_dev_path(s->idx, s->dev, sizeof(s->dev));
	*sl = k;
	if (!wait_for_path(s->dev, true))
		return -ENOENT;
	return 0;
}

static void *churn_main(void *arg)
{
	struct worker *w = arg;
	unsigned int n = 0;

	while (!atomic_load(&stop)) {
		uint8_t cmd[64], resp[64];
		char label[40];
		uint32_t sl;
		long rc;
		int ret, extends = rnd(&w->r) % 4;

		if (!take_churn(3 + extends)) {
			usleep(20000);
			continue;
		}
		snprintf(label, sizeof(label), "stress-churn-%u-%u", w->no, n++);
		count_op(OP_create);
		ret = slot_new(label, w->ctl, &sl, false);
		if (ret == -ENOSPC) {
			count_ev(EV_create_enospc);
			usleep(100000);
			continue;
		}
		if (ret == -EMFILE)
			break;
		if (ret == -EIO) {	/* its CREATE record: checked against hw_errors */
			count_ev(EV_create_eio);
			usleep(100000);
			continue;
		}
		if (ret) {
			fail("churn: create %s: %s", label, strerror(-ret));
			usleep(100000);
			continue;
		}
		w->slot = sl;
		w->fd = w->nbfd = -1;
		if (reopen(w))
			goto destroy;
		count_op(OP_startup);
		rc = xfer_rc(w->fd, cmd, build_startup(cmd, SU_CLEAR), resp,
			     sizeof(resp), NULL);
		if (rc)
			change_refused(w, "Startup(CLEAR)", rc);
		for (int i = 0; !rc && i < extends; i++)
			op_extend(w);
		/* a Startup refused (a hardware fault) leaves it unstarted */
		if (!rc && rnd(&w->r) & 1)
			op_read(w);
destroy:
		count_op(OP_destroy);
		ret = mux_destroy(w->ctl, slots[sl].idx);
		if (ret)
			fail("churn: destroy vtpm%u: %s", slots[sl].idx,
			     strerror(-ret));
		else
			atomic_store(&slots[sl].destroyed, true);
		/* the descriptor outlived the instance: ENODEV, then close */
		if (w->fd >= 0) {
			ssize_t r;

			count_op(OP_dead_fd);
			r = write(w->fd, cmd, build_getrandom(cmd, 8));
			if (r >= 0 || errno != ENODEV)
				fail("write on destroyed vtpm%u: %zd (%s)",
				     slots[sl].idx, r, strerror(errno));
			else
				count_ev(EV_enodev);
			close(w->fd);
		}
		if (w->nbfd >= 0)
			close(w->nbfd);
		w->fd = w->nbfd = -1;
	}
	return NULL;
}

/* ---- readers ------------------------------------------------------------- */

static atomic_ullong log_bytes_read, log_records_replayed;

static void *log_reader_main(void *arg)
{
	uint64_t last = 0;

	(void)arg;
	while (!atomic_load(&stop)) {
		struct walk wk = { 0 };
		uint8_t *buf;
		size_t len;
		int ret;

		count_op(OP_log_read);
		ret = read_whole(SECFS_LOG, &buf, &len);
		if (ret) {
			fail("read %s: %s", SECFS_LOG, strerror(-ret));
			sleep(1);
			continue;
		}
		/*
		 * The independent walk: linear.  mlog.c replays the views
		 * (view readers) and, at the end, the full log.
		 */
		ret = walk_log(buf, len, &wk);
		if (ret)
			fail("full log does not walk: %d (%s at %zu)", ret,
			     wk.why, wk.err_offset);
		else if (wk.batches < last)
			fail("full log went back from %llu to %llu batches",
			     (unsigned long long)last,
			     (unsigned long long)wk.batches);
		else
			last = wk.batches;
		atomic_fetch_add(&log_bytes_read, len);
		atomic_fetch_add(&log_records_replayed, wk.records);
		free(buf);
		usleep(200000);
	}
	return NULL;
}

static struct slot *random_stable(struct rng *rg)
{
	return &slots[rnd(rg) % opt.instances];
}

/* a view replays (mlog.c), is one of slot s, at the cut the ioctl said */
static void check_view_bytes(struct vtpm_replay *r, const uint8_t *v,
			     size_t len, const struct slot *s, uint64_t batches,
			     const char *how)
{
	int ret = replay_run(r, v, len, s->uuid);

	if (ret)
		fail("%s view of vtpm%u does not replay: %d (%s at %zu)", how,
		     s->idx, ret, r->why, r->err_offset);
	else if (r->hdr.kind != VTPM_LOG_VIEW || memcmp(r->hdr.uuid, s->uuid, 16))
		fail("%s view of vtpm%u: not its view", how, s->idx);
	else if (!r->found)
		fail("%s view of vtpm%u: no CREATE record", how, s->idx);
	else if (batches && r->batches != batches)
		fail("%s view of vtpm%u: %llu batches, the ioctl said %llu",
		     how, s->idx, (unsigned long long)r->batches,
		     (unsigned long long)batches);
	atomic_fetch_add(&log_records_replayed, r->records);
}

static void *view_reader_main(void *arg)
{
	struct worker *w = arg;
	struct vtpm_replay *r = replay_new();
	int *fds = calloc(opt.instances, sizeof(int));

	for (unsigned int i = 0; fds && i < opt.instances; i++) {
		fds[i] = open(slots[i].dev, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			fail("open %s: %s", slots[i].dev, strerror(errno));
	}
	while (r && fds && !atomic_load(&stop)) {
		unsigned int i = rnd(&w->r) % opt.instances;
		struct slot *s = &slots[i];
		unsigned int k = rnd(&w->r) % 5;
		uint64_t batches = 0;
		char path[96];
		uint8_t *buf;
		size_t len;
		int ret;

		if (k == 0) {
			count_op(OP_view_ioctl);
			ret = view_ioctl(fds[i], false, &buf, &len, &batches);
			if (ret) {
				fail("view ioctl vtpm%u: %s", s->idx, strerror(-ret));
				continue;
			}
			check_view_bytes(r, buf, len, s, batches, "ioctl");
		} else if (k == 1) {
			count_op(OP_view_secfs);
			snprintf(path, sizeof(path), SECFS_DIR "/vtpm%u/view", s->idx);
			ret = read_whole(path, &buf, &len);
			if (ret) {
				fail("read %s: %s", path, strerror(-ret));
				continue;
			}
			check_view_bytes(r, buf, len, s, 0, "securityfs");
		} else if (k == 2) {
			count_op(OP_ascii_ioctl);
			ret = view_ioctl(fds[i], true, &buf, &len, NULL);
			if (ret) {
				fail("ASCII ioctl vtpm%u: %s", s->idx, strerror(-ret));
				continue;
			}
			if (!len || buf[len - 1] != '\n')
				fail("ASCII list of vtpm%u: %zu bytes, no newline",
				     s->idx, len);
		} else if (k == 3) {
			count_op(OP_ascii_secfs);
			snprintf(path, sizeof(path),
				 SECFS_DIR "/vtpm%u/ascii_measurements", s->idx);
			ret = read_whole(path, &buf, &len);
			if (ret) {
				fail("read %s: %s", path, strerror(-ret));
				continue;
			}
		} else {
			/* a buffer too small: ENOSPC and the size needed */
			struct vtpm_log_req q = { .size = sizeof(q) };
			uint8_t small[64];

			count_op(OP_view_enospc);
			q.buf = (uintptr_t)small;
			q.len = rnd(&w->r) % sizeof(small);
			ret = ioctl(fds[i], VTPM_IOC_GET_LOG, &q);
			if (ret == 0 || errno != ENOSPC || q.len <= sizeof(small))
				fail("GET_LOG with %u bytes: %d (%s), len %llu",
				     (unsigned int)sizeof(small), ret,
				     strerror(errno), (unsigned long long)q.len);
			continue;
		}
		atomic_fetch_add(&log_bytes_read, len);
		free(buf);
	}
	for (unsigned int i = 0; fds && i < opt.instances; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(r);
	return NULL;
}

static void *status_main(void *arg)
{
	struct worker *w = arg;
	uint32_t idx[1024];
	char buf[64];

	while (!atomic_load(&stop)) {
		struct mux_status st;
		struct vtpm_mux_info info;
		struct slot *s = random_stable(&w->r);
		int ret;

		count_op(OP_status);
		ret = mux_status_read(&st);
		if (ret)
			fail("status: %s", strerror(-ret));
		else if (strcmp(st.state, "ok") && !opt.faults)
			fail("status: state %s", st.state);
		count_op(OP_info_list);
		ret = mux_info(w->ctl, s->idx, &info);
		if (ret || memcmp(info.uuid, s->uuid, 16) || !info.started)
			fail("INFO vtpm%u: %d", s->idx, ret);
		ret = mux_list(w->ctl, idx, ARRAY_LEN(idx));
		if (ret < (int)opt.instances)
			fail("LIST: %d", ret);
		if (read_sysfs(s->idx, "extends", buf, sizeof(buf)) <= 0 ||
		    read_sysfs(s->idx, "commands", buf, sizeof(buf)) <= 0)
			fail("sysfs of vtpm%u", s->idx);
		usleep(10000);
	}
	return NULL;
}

static atomic_ullong att_requests, att_bytes;
static atomic_ullong att_max_quote;

static void *attester_main(void *arg)
{
	struct worker *w = arg;
	size_t cap = 64 * 1024;
	uint8_t *buf = malloc(cap);
	int *fds = calloc(opt.instances, sizeof(int));

	for (unsigned int i = 0; fds && i < opt.instances; i++)
		fds[i] = open(slots[i].dev, O_RDONLY | O_CLOEXEC);
	while (buf && fds && !atomic_load(&stop)) {
		unsigned int i = rnd(&w->r) % opt.instances;
		struct slot *s = &slots[i];
		struct vtpm_attest_req q;
		struct vtpm_bundle b;
		const char *why = NULL;
		bool ctl = rnd(&w->r) & 1;
		size_t off;
		int ret;

		memset(&q, 0, sizeof(q));
		q.size = sizeof(q);
		q.index = s->idx;
		q.nonce_len = 1 + rnd(&w->r) % VTPM_MUX_NONCE_MAX;
		rnd_bytes(&w->r, q.nonce, q.nonce_len);
		q.buf = (uintptr_t)buf;
		q.len = cap;
		count_op(ctl ? OP_attest_ctl : OP_attest_dev);
		ret = ioctl(ctl ? w->ctl : fds[i],
			    ctl ? VTPM_MUX_IOC_ATTEST : VTPM_IOC_ATTEST, &q);
		if (ret && errno == ENOSPC) {
			size_t ncap = q.len + q.len / 4 + 4096;
			uint8_t *p = realloc(buf, ncap);

			count_ev(EV_attest_enospc_retry);
			if (p) {
				buf = p;
				cap = ncap;
			}
			continue;
		}
		if (ret && errno == EOPNOTSUPP) {
			count_ev(EV_no_ak);
			break;
		}
		if (ret && errno == EIO) {	/* checked against hw_errors */
			count_ev(EV_attest_eio);
			continue;
		}
		if (ret) {
			fail("attest vtpm%u (%s): %s", s->idx,
			     ctl ? "control" : "device", strerror(errno));
			sleep(1);
			continue;
		}
		atomic_fetch_add(&att_requests, 1);
		atomic_fetch_add(&att_bytes, q.len);
		for (uint64_t m = atomic_load(&att_max_quote); q.quote_id > m;)
			if (atomic_compare_exchange_weak(&att_max_quote, &m,
							 q.quote_id))
				break;
		ret = vtpm_bundle_parse(buf, q.len, &b, &why, &off);
		if (ret)
			fail("bundle of vtpm%u does not parse: %s at %zu",
			     s->idx, why, off);
		else if (memcmp(b.uuid, s->uuid, 16) || b.batches != q.batches ||
			 b.nonce_len != q.nonce_len ||
			 memcmp(b.nonce, q.nonce, q.nonce_len) || !q.requests)
			fail("bundle of vtpm%u: uuid, batches, nonce or requests differ",
			     s->idx);
	}
	for (unsigned int i = 0; fds && i < opt.instances; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	free(buf);
	return NULL;
}

/* ---- the final check ------------------------------------------------------ */

struct check {
	struct ack **tab;	/* id -> ack, open addressing */
	size_t mask;
	uint32_t *stab;		/* uuid -> slot + 1 */
	size_t smask;
	uint64_t matched, unmatched_changes, bad_digests, not_applied;
	uint64_t dup, foreign, entries, decode_errors;
	uint64_t aborted[256];	/* batches voided by ABORT records */
	unsigned int naborted;
};

static size_t pow2_at_least(size_t n)
{
	size_t p = 1024;

	while (p < n)
		p <<= 1;
	return p;
}

static struct ack *ack_find(struct check *c, uint64_t id)
{
	for (size_t i = (id * 0x9E3779B97F4A7C15ULL) >> 20 & c->mask;;
	     i = (i + 1) & c->mask) {
		if (!c->tab[i] || c->tab[i]->id == id)
			return c->tab[i];
	}
}

static struct slot *slot_find(struct check *c, const uint8_t *uuid)
{
	uint64_t k = get_be64(uuid);

	for (size_t i = k & c->smask;; i = (i + 1) & c->smask) {
		if (!c->stab[i])
			return NULL;
		if (!memcmp(slots[c->stab[i] - 1].uuid, uuid, 16))
			return &slots[c->stab[i] - 1];
	}
}

/* one record of the full log; applied: not voided (known at the end) */
static void check_rec(struct check *c, const struct vtpm_log_rec *rec,
		      u64 batch)
{
	struct slot *s;
	const uint8_t *dp[VTPM_MAX_BANKS];
	uint16_t algs[VTPM_MAX_BANKS];
	struct ack *a;
	uint64_t id = 0;
	bool have_id = false;

	if (rec->type == VTPM_REC_ABORT) {
		if (c->naborted < ARRAY_LEN(c->aborted))
			c->aborted[c->naborted++] = rec->abort_batch;
		return;
	}
	s = slot_find(c, rec->uuid);
	if (!s)
		return;
	switch (rec->type) {
	case VTPM_REC_CREATE:
		s->log_creates++;
		if (!strcmp(rec->create.label, s->label) &&
		    rec->create.index == s->idx)
			s->label_ok++;
		return;
	case VTPM_REC_DESTROY:
		if (s->log_destroys < ARRAY_LEN(s->destroy_batch))
			s->destroy_batch[s->log_destroys] = batch;
		s->log_destroys++;
		return;
	case VTPM_REC_RESET:
		s->log_resets++;
		return;
	case VTPM_REC_EXTEND:
		if (rec->count) {
			id = get_be64(rec->d[0].digest);
			have_id = true;
		}
		break;
	case VTPM_REC_EVENT:
		for (unsigned int i = 0; i < rec->count; i++)
			if (rec->d[i].alg == bk.alg[0]) {
				id = get_be64(rec->d[i].digest);
				have_id = true;
			}
		break;
	default:
		return;
	}
	s->log_changes++;
	a = have_id ? ack_find(c, id) : NULL;
	if (!a) {
		c->unmatched_changes++;
		return;
	}
	if (&slots[a->slot] != s) {
		c->foreign++;
		return;
	}
	for (unsigned int i = 0; i < rec->count; i++) {
		algs[i] = rec->d[i].alg;
		dp[i] = rec->d[i].digest;
	}
	if (a->kind != rec->type || a->h != change_hash(rec->pcr, rec->count,
							algs, dp)) {
		c->bad_digests++;
		return;
	}
	if (a->seq) {
		c->dup++;
		return;
	}
	a->seq = rec->seq;
	a->batch = batch;
	c->matched++;
}

/* the walk's callback: every clear entry decoded by lib/mlog.c */
static int on_entry(void *ctx, const struct walk_entry *e)
{
	struct check *c = ctx;
	struct vtpm_log_rec rec;

	c->entries++;
	if (e->form != VTPM_ENTRY_CLEAR)
		return 0;
	if (vtpm_rec_decode(e->body, e->blen, &rec)) {
		c->decode_errors++;
		return 0;
	}
	check_rec(c, &rec, e->batch);
	return 0;
}

static bool batch_aborted(const struct check *c, uint64_t batch)
{
	for (unsigned int i = 0; i < c->naborted; i++)
		if (c->aborted[i] == batch)
			return true;
	return false;
}

/* mlog.c's full replay, given up at a deadline (see the report) */
static double mlog_deadline;

static int mlog_deadline_cb(void *ctx, const struct vtpm_log_rec *rec,
			    const u8 *leaf, u64 batch, bool applied)
{
	(void)ctx;
	(void)leaf;
	(void)batch;
	(void)applied;
	return rec->seq % 1024 || now_s() < mlog_deadline ? 0 : -ETIME;
}

static int tap_n, tap_fail;	/* tap_n: --tap-start - 1 at first */

static void __attribute__((format(printf, 2, 3))) tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!ok)
		tap_fail++;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: vtpm_stress [--time S] [--instances N] [--threads T]\n"
		"                   [--churn C] [--view-readers R] [--attesters A]\n"
		"                   [--seed X] [--log-budget RECORDS] [--faults]\n"
		"                   [--mlog-limit SECONDS] [--tap-start N]\n");
}

static unsigned long long num_arg(const char *s, const char *name)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	if (!*s || *end) {
		fprintf(stderr, "vtpm_stress: bad %s: %s\n", name, s);
		exit(2);
	}
	return v;
}

static void start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	pthread_attr_t at;
	int ret;

	pthread_attr_init(&at);
	pthread_attr_setstacksize(&at, 256 * 1024);
	ret = pthread_create(th, &at, fn, arg);
	pthread_attr_destroy(&at);
	if (ret) {
		fprintf(stderr, "pthread_create: %s\n", strerror(ret));
		exit(1);
	}
}

static void print_progress(double t)
{
	struct mux_status st;
	unsigned long long total = 0;

	for (int k = 0; k < OP_COUNT; k++)
		total += atomic_load(&ops[k]);
	if (mux_status_read(&st))
		memset(&st, 0, sizeof(st));
	printf("# %4.0f s: %llu ops (%.0f/s), %llu changes acked, %llu instances churned, log %llu records %llu batches, %llu hw extends, %llu failures\n",
	       t, total, total / (t > 0 ? t : 1),
	       (unsigned long long)atomic_load(&evs[EV_acked_change]),
	       (unsigned long long)atomic_load(&ops[OP_destroy]),
	       (unsigned long long)st.records, (unsigned long long)st.batches,
	       (unsigned long long)st.hw_extends,
	       (unsigned long long)atomic_load(&nfail));
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "time", 1, NULL, 't' }, { "instances", 1, NULL, 'i' },
		{ "threads", 1, NULL, 'n' }, { "churn", 1, NULL, 'c' },
		{ "view-readers", 1, NULL, 'v' }, { "attesters", 1, NULL, 'a' },
		{ "seed", 1, NULL, 's' }, { "log-budget", 1, NULL, 'b' },
		{ "faults", 0, NULL, 'f' }, { "mlog-limit", 1, NULL, 'm' },
		{ "tap-start", 1, NULL, 'T' }, { "help", 0, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct worker *w, *ch, *vr, *at, stw = { 0 };
	pthread_t log_th, st_th;
	unsigned int nw;
	int o;
	struct mux_status s0, s1;
	struct rlimit rl;
	struct check c = { 0 };
	struct walk wk = { 0 };
	struct vtpm_replay *r;
	uint8_t *log;
	size_t log_len;
	char why[512];
	double t0, t_run, t_check;
	int ctl;

	opt.seed = (uint64_t)time(NULL);
	while ((o = getopt_long(argc, argv, "t:i:n:c:v:a:s:b:fm:T:h", lo, NULL)) != -1) {
		switch (o) {
		case 't': opt.time_s = num_arg(optarg, "--time"); break;
		case 'i': opt.instances = num_arg(optarg, "--instances"); break;
		case 'n': opt.threads = num_arg(optarg, "--threads"); break;
		case 'c': opt.churn = num_arg(optarg, "--churn"); break;
		case 'v': opt.view_readers = num_arg(optarg, "--view-readers"); break;
		case 'a': opt.attesters = num_arg(optarg, "--attesters"); break;
		case 's': opt.seed = num_arg(optarg, "--seed"); break;
		case 'b': opt.log_budget = num_arg(optarg, "--log-budget"); break;
		case 'f': opt.faults = true; break;
		case 'm': opt.mlog_limit = num_arg(optarg, "--mlog-limit"); break;
		case 'T': tap_n = (int)num_arg(optarg, "--tap-start") - 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc || !opt.time_s || !opt.instances || !opt.threads ||
	    opt.instances > 1000) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# vtpm_stress: %u s, %u instances x %u threads, %u churners, %u view readers, %u attesters, seed %llu%s\n",
	       opt.time_s, opt.instances, opt.threads, opt.churn,
	       opt.view_readers, opt.attesters, (unsigned long long)opt.seed,
	       opt.faults ? ", TPM faults expected" : "");

	/* two descriptors per worker, and the readers' */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < 65536) {
		rl.rlim_cur = rl.rlim_max < 65536 ? rl.rlim_max : 65536;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (mcases_init())
		return 1;
	slots = calloc(MAX_SLOTS, sizeof(*slots));
	ctl = mux_ctl_open();
	if (!slots || ctl < 0) {
		printf("not ok 1 - open %s: %s\n1..1\n", VTPM_MUX_CONTROL_DEVICE,
		       strerror(errno));
		return 1;
	}
	if (mux_status_read(&s0)) {
		printf("not ok 1 - read %s\n1..1\n", SECFS_STATUS);
		return 1;
	}
	budget = opt.log_budget;
	if (!budget) {
		uint64_t room = s0.max_log_entries > s0.records ?
				s0.max_log_entries - s0.records : 0;

		budget = room / 4 * 3;
	}
	printf("# log: %llu records of at most %llu; vPCR changes paced to %llu records in %u s\n",
	       (unsigned long long)s0.records,
	       (unsigned long long)s0.max_log_entries,
	       (unsigned long long)budget, opt.time_s);

	/* the stable instances, started */
	for (unsigned int i = 0; i < opt.instances; i++) {
		uint8_t cmd[16], resp[64];
		char label[40];
		uint32_t sl;
		long rc;
		int fd, ret;

		snprintf(label, sizeof(label), "stress-%u", i);
		ret = slot_new(label, ctl, &sl, true);
		fd = ret ? -1 : open(slots[sl].dev, O_RDWR | O_CLOEXEC);
		rc = fd < 0 ? -1 : xfer_rc(fd, cmd, build_startup(cmd, SU_CLEAR),
					   resp, sizeof(resp), NULL);
		if (fd >= 0)
			close(fd);
		if (ret || rc || sl != i) {
			printf("not ok 1 - create and start %s: %d, rc %ld\n1..1\n",
			       label, ret, rc);
			return 1;
		}
	}
	if (get_banks(ctl, slots[0].idx, &bk)) {
		printf("not ok 1 - banks\n1..1\n");
		return 1;
	}
	tap(true, "%u instances created and started (%u banks)", opt.instances,
	    bk.n);

	nw = opt.instances * opt.threads;
	w = calloc(nw, sizeof(*w));
	ch = calloc(opt.churn + 1, sizeof(*ch));
	vr = calloc(opt.view_readers + 1, sizeof(*vr));
	at = calloc(opt.attesters + 1, sizeof(*at));
	if (!w || !ch || !vr || !at)
		return 1;
	t_start = now_s();
	for (unsigned int i = 0; i < nw; i++) {
		w[i].no = i;
		w[i].r.s = opt.seed * 0x9E3779B97F4A7C15ULL + i + 1;
		w[i].slot = i % opt.instances;
		w[i].fd = w[i].nbfd = -1;
		if (reopen(&w[i]))
			return 1;
		atomic_fetch_sub(&evs[EV_reopen], 1);
		start(&w[i].th, worker_main, &w[i]);
	}
	for (unsigned int i = 0; i < opt.churn; i++) {
		ch[i].no = nw + i;
		ch[i].r.s = opt.seed * 31 + 7 * i + 1;
		ch[i].ctl = mux_ctl_open();
		start(&ch[i].th, churn_main, &ch[i]);
	}
	for (unsigned int i = 0; i < opt.view_readers; i++) {
		vr[i].r.s = opt.seed * 37 + i + 1;
		start(&vr[i].th, view_reader_main, &vr[i]);
	}
	for (unsigned int i = 0; i < opt.attesters; i++) {
		at[i].r.s = opt.seed * 41 + i + 1;
		at[i].ctl = mux_ctl_open();
		start(&at[i].th, attester_main, &at[i]);
	}
	stw.r.s = opt.seed * 43 + 1;
	stw.ctl = ctl;
	start(&log_th, log_reader_main, NULL);
	start(&st_th, status_main, &stw);
	printf("# %u threads started in %.1f s\n",
	       nw + opt.churn + opt.view_readers + opt.attesters + 2,
	       now_s() - t_start);

	for (double next = 10;;) {
		double t = now_s() - t_start;

		if (t >= opt.time_s)
			break;
		if (t >= next) {
			print_progress(t);
			next += opt.time_s >= 300 ? 60 : 10;
		}
		usleep(250000);
	}
	t_run = now_s() - t_start;
	print_progress(t_run);
	atomic_store(&stop, 1);
	t0 = now_s();
	for (unsigned int i = 0; i < nw; i++)
		pthread_join(w[i].th, NULL);
	for (unsigned int i = 0; i < opt.churn; i++)
		pthread_join(ch[i].th, NULL);
	for (unsigned int i = 0; i < opt.view_readers; i++)
		pthread_join(vr[i].th, NULL);
	for (unsigned int i = 0; i < opt.attesters; i++)
		pthread_join(at[i].th, NULL);
	pthread_join(log_th, NULL);
	pthread_join(st_th, NULL);
	printf("# all threads stopped in %.1f s\n", now_s() - t0);
	for (unsigned int i = 0; i < nw; i++) {
		close(w[i].fd);
		close(w[i].nbfd);
	}

	/* ---- checks ---- */
	t0 = now_s();
	tap(atomic_load(&nfail) == 0,
	    "workers, churners and readers: every answer as expected (%llu failures)",
	    (unsigned long long)atomic_load(&nfail));
	for (unsigned int k = 0; k < MAX_ERRS && k < atomic_load(&nfail); k++)
		printf("#   %s\n", errs[k]);
	tap(!opt.churn || atomic_load(&ops[OP_destroy]) >= opt.time_s / 4,
	    "churn: %llu instances created, used and destroyed (at least one per 4 s)",
	    (unsigned long long)atomic_load(&ops[OP_destroy]));
	if (mux_status_read(&s1))
		memset(&s1, 0, sizeof(s1));
	tap(!(atomic_load(&evs[EV_canceled]) || atomic_load(&evs[EV_attest_eio]) ||
	      atomic_load(&evs[EV_create_eio])) ||
	    s1.hw_errors > s0.hw_errors,
	    "TPM_RC_CANCELED (%llu), attestation EIO (%llu) and create EIO (%llu) only after hardware TPM errors (%llu, %llu ABORT records)",
	    (unsigned long long)atomic_load(&evs[EV_canceled]),
	    (unsigned long long)atomic_load(&evs[EV_attest_eio]),
	    (unsigned long long)atomic_load(&evs[EV_create_eio]),
	    (unsigned long long)(s1.hw_errors - s0.hw_errors),
	    (unsigned long long)s1.aborts);
	tap(atomic_load(&evs[EV_timeout]) == 0,
	    "no command hung (%llu unanswered within %d s)",
	    (unsigned long long)atomic_load(&evs[EV_timeout]), CMD_TIMEOUT_S);
	tap(atomic_load(&evs[EV_malformed_mismatch]) == 0,
	    "malformed commands: the answers of malformed_cases.def (%llu sent, %llu differed)",
	    (unsigned long long)atomic_load(&ops[OP_malformed_row]),
	    (unsigned long long)atomic_load(&evs[EV_malformed_mismatch]));

	r = replay_new();
	if (!r || read_whole(SECFS_LOG, &log, &log_len)) {
		tap(false, "read the full log");
		goto out;
	}
	if (mux_status_read(&s1))
		memset(&s1, 0, sizeof(s1));

	/*
	 * The full log: the independent walk (linear) replays it to the
	 * hardware PCR, and lib/mlog.c decodes every record for the check
	 * of the acknowledged changes.
	 */
	{
		size_t nacks = 0, k;
		unsigned int ns = atomic_load(&nslots);
		uint64_t order_bad = 0, missing = 0, resets_missing = 0;
		uint64_t crd_bad = 0, extra_resets = 0, acked_resets = 0;
		struct worker *all[2] = { w, ch };
		unsigned int cnt[2] = { nw, opt.churn };
		uint8_t hw[VTPM_MAX_BANKS][64];
		long hrc;
		int ret;

		for (int g = 0; g < 2; g++)
			for (unsigned int i = 0; i < cnt[g]; i++)
				nacks += all[g][i].acks.n;
		c.mask = pow2_at_least(2 * nacks) - 1;
		c.tab = calloc(c.mask + 1, sizeof(*c.tab));
		c.smask = pow2_at_least(2 * ns) - 1;
		c.stab = calloc(c.smask + 1, sizeof(*c.stab));
		if (!c.tab || !c.stab) {
			tap(false, "memory for the check");
			goto out;
		}
		for (int g = 0; g < 2; g++)
			for (unsigned int i = 0; i < cnt[g]; i++)
				for (k = 0; k < all[g][i].acks.n; k++) {
					struct ack *a = &all[g][i].acks.a[k];
					size_t j = (a->id * 0x9E3779B97F4A7C15ULL) >> 20 & c.mask;

					while (c.tab[j])
						j = (j + 1) & c.mask;
					c.tab[j] = a;
				}
		for (unsigned int i = 0; i < ns; i++) {
			size_t j;

			if (!slots[i].label[0])
				continue;
			j = get_be64(slots[i].uuid) & c.smask;
			while (c.stab[j])
				j = (j + 1) & c.smask;
			c.stab[j] = i + 1;
		}
		wk.on_entry = on_entry;
		wk.ctx = &c;
		/* each instance's commitment in the full log, for its view */
		wk.targets = calloc(opt.instances, sizeof(*wk.targets));
		for (unsigned int i = 0; wk.targets && i < opt.instances; i++)
			wk.targets[i].uuid = slots[i].uuid;
		wk.ntargets = wk.targets ? opt.instances : 0;
		ret = walk_log(log, log_len, &wk);
		hrc = ret ? -1 : hw_pcr_read(wk.hw_pcr, wk.nr_banks, wk.algs, hw);
		why[0] = '\0';
		if (ret)
			snprintf(why, sizeof(why), ": walk: %d (%s at %zu)", ret,
				 wk.why, wk.err_offset);
		else if (hrc)
			snprintf(why, sizeof(why), ": PCR_Read: %ld", hrc);
		for (unsigned int b = 0; !why[0] && b < wk.nr_banks; b++)
			if (memcmp(hw[b], wk.pcr[b], alg_by_id(wk.algs[b])->size))
				snprintf(why, sizeof(why), ": bank %04x differs",
					 wk.algs[b]);
		tap(!why[0] && !c.decode_errors,
		    "the full log (%llu batches, %llu records, %zu bytes) replays to hardware PCR %u (%llu records decoded by mlog.c, %llu errors)%s",
		    (unsigned long long)wk.batches,
		    (unsigned long long)wk.records, log_len, wk.hw_pcr,
		    (unsigned long long)wk.clear,
		    (unsigned long long)c.decode_errors, why);
		tap((!strcmp(s1.state, "ok") || opt.faults) &&
		    s1.batches == wk.batches && s1.records == wk.records,
		    "status: state %s, %llu batches, %llu records, %llu refused (log full)",
		    s1.state, (unsigned long long)s1.batches,
		    (unsigned long long)s1.records,
		    (unsigned long long)s1.refused_full);

		for (int g = 0; g < 2; g++)
			for (unsigned int i = 0; i < cnt[g]; i++) {
				uint64_t last = 0;

				for (k = 0; k < all[g][i].acks.n; k++) {
					struct ack *a = &all[g][i].acks.a[k];

					if (!a->seq) {
						if (missing++ < 5)
							printf("#   missing: thread %u vtpm%u %s id %016llx\n",
							       all[g][i].no, slots[a->slot].idx,
							       a->kind == ACK_EXTEND ? "extend" : "event",
							       (unsigned long long)a->id);
						continue;
					}
					if (batch_aborted(&c, a->batch))
						c.not_applied++;
					if (a->seq <= last)
						order_bad++;
					last = a->seq;
				}
			}
		for (unsigned int i = 0; i < ns; i++) {
			struct slot *s = &slots[i];
			uint64_t ar = atomic_load(&s->acked_resets);
			unsigned int voided = 0;

			if (!s->label[0])
				continue;
			/*
			 * A DESTROY whose batch the hardware did but reported
			 * failed is voided, and its copy anchored again later
			 * (mux.c, deferred DESTROY): count what applies.
			 */
			for (unsigned int k = 0; k < s->log_destroys &&
			     k < ARRAY_LEN(s->destroy_batch); k++)
				if (batch_aborted(&c, s->destroy_batch[k]))
					voided++;
			s->log_destroys -= voided;
			acked_resets += ar;
			if (s->log_resets < ar)
				resets_missing += ar - s->log_resets;
			else
				extra_resets += s->log_resets - ar;
			if (s->log_creates != 1 || s->label_ok != 1 ||
			    s->log_destroys != (s->stable ? 0 : 1)) {
				if (crd_bad++ < 5)
					printf("#   vtpm%u (%s): %u CREATE (%u with its label and index), %u DESTROY records\n",
					       s->idx, s->label, s->log_creates,
					       s->label_ok, s->log_destroys);
			}
		}
		tap(!missing && !c.bad_digests && !c.not_applied && !c.dup &&
		    !c.foreign,
		    "every acknowledged extend and event is in the log, applied, with its digests (%zu acknowledged, %llu found, %llu missing; %llu of another digest, %llu void, %llu twice, %llu of another instance)",
		    nacks, (unsigned long long)c.matched,
		    (unsigned long long)missing,
		    (unsigned long long)c.bad_digests,
		    (unsigned long long)c.not_applied, (unsigned long long)c.dup,
		    (unsigned long long)c.foreign);
		tap(!order_bad, "each thread's acknowledged changes are in the log in its order (%llu out of order)",
		    (unsigned long long)order_bad);
		tap(!resets_missing, "every acknowledged reset is in the log (%llu acknowledged, %llu missing, %llu not acknowledged)",
		    (unsigned long long)acked_resets,
		    (unsigned long long)resets_missing,
		    (unsigned long long)extra_resets);
		tap(!crd_bad, "every instance has its CREATE record and, once destroyed, its DESTROY record (%u instances, %llu wrong)",
		    ns, (unsigned long long)crd_bad);
		printf("# extends and events in the log that no thread saw acknowledged: %llu (voided by ABORT when the hardware TPM failed: %llu ABORT records)\n",
		       (unsigned long long)c.unmatched_changes,
		       (unsigned long long)c.naborted);

		/*
		 * Every instance's view, replayed by lib/mlog.c: the
		 * hardware PCR again, the full log's cut, and the vPCRs it
		 * rebuilds are those PCR_Read answers.
		 */
		{
			uint8_t (*rd)[NPCR][64] = calloc(VTPM_MAX_BANKS, sizeof(*rd));
			unsigned int bad = 0;
			double tv = now_s();

			for (unsigned int i = 0; rd && i < opt.instances; i++) {
				struct slot *s = &slots[i];
				int fd = open(s->dev, O_RDWR | O_CLOEXEC);
				uint64_t vb = 0;
				uint8_t *v = NULL;
				size_t vlen;
				long rc = fd < 0 ? -errno :
					  fd_pcr_read_many(fd, bk.n, bk.alg, 0xffffff, rd);

				if (!rc && view_ioctl(fd, false, &v, &vlen, &vb))
					rc = -EIO;
				if (fd >= 0)
					close(fd);
				why[0] = '\0';
				if (rc)
					snprintf(why, sizeof(why), "PCR_Read or view: %ld", rc);
				else
					check_view(v, vlen, s->uuid, s->idx, r, why,
						   sizeof(why));
				if (!why[0] && (r->batches != wk.batches || vb != wk.batches))
					snprintf(why, sizeof(why), "view of %llu batches",
						 (unsigned long long)r->batches);
				/*
				 * its header commits to exactly the instance's
				 * records in the full log (the same cut)
				 */
				if (!why[0] && (!wk.targets ||
						wk.targets[i].c.records != r->hdr.commit.records ||
						memcmp(wk.targets[i].c.chain,
						       r->hdr.commit.chain, 32)))
					snprintf(why, sizeof(why),
						 "its header commits to %llu records, the full log has %llu of it (or another chain)",
						 (unsigned long long)r->hdr.commit.records,
						 wk.targets ? (unsigned long long)wk.targets[i].c.records : 0ULL);
				for (unsigned int b = 0; !why[0] && b < bk.n; b++)
					if (memcmp(r->pcr[b], hw[b], bk.size[b]))
						snprintf(why, sizeof(why),
							 "view replays bank %04x elsewhere",
							 bk.alg[b]);
				if (!why[0])
					cmp_vpcrs(r, &bk, rd, "view vs PCR_Read", why,
						  sizeof(why));
				free(v);
				if (why[0] && bad++ < 3)
					printf("#   vtpm%u: %s\n", s->idx, why);
			}
			tap(rd && !bad, "%u views replayed by mlog.c: the hardware PCR, their headers' commitments (the full log's, computed here), and the vPCRs PCR_Read answers (%u wrong, %.1f s)",
			    opt.instances, bad, now_s() - tv);
			free(rd);
			free(wk.targets);
			wk.targets = NULL;
			wk.ntargets = 0;
		}

		/* the full log through mlog.c: within a time limit */
		{
			double tm = now_s();

			mlog_deadline = tm + opt.mlog_limit;
			r->on_record = mlog_deadline_cb;
			ret = replay_run(r, log, log_len, NULL);
			r->on_record = NULL;
			if (ret == -ETIME) {
				printf("ok %d - # SKIP the full log through mlog.c: not done after %u s (%llu of %llu records; its instance cache rescans the log)\n",
				       ++tap_n, opt.mlog_limit,
				       (unsigned long long)r->records,
				       (unsigned long long)wk.records);
			} else {
				bool same = !ret && r->batches == wk.batches &&
					    r->records == wk.records;

				for (unsigned int b = 0; same && b < bk.n; b++)
					same = !memcmp(r->pcr[b], hw[b], bk.size[b]);
				tap(same, "the full log through mlog.c: the hardware PCR (%d%s%s, %.1f s)",
				    ret, ret && r->why ? ": " : "",
				    ret && r->why ? r->why : "", now_s() - tm);
			}
		}
	}

	tap(atomic_load(&att_requests) > 0 || atomic_load(&evs[EV_no_ak]) ||
	    !opt.attesters,
	    "attestation: %llu bundles parsed (%llu quotes)%s",
	    (unsigned long long)atomic_load(&att_requests),
	    (unsigned long long)atomic_load(&att_max_quote),
	    atomic_load(&evs[EV_no_ak]) ? " (no attestation key)" : "");

	{
		unsigned int bad = 0;
		int n;

		for (unsigned int i = 0; i < opt.instances; i++)
			if (mux_destroy(ctl, slots[i].idx))
				bad++;
		for (unsigned int i = 0; i < opt.churn; i++)
			close(ch[i].ctl);
		for (unsigned int i = 0; i < opt.attesters; i++)
			close(at[i].ctl);
		n = mux_list(ctl, NULL, 0);
		tap(!bad && n == 0, "all instances destroyed (%u failed, %d left)",
		    bad, n);
	}
	t_check = now_s() - t0;

	/* ---- figures ---- */
	{
		unsigned long long total = 0;

		printf("# figures: %.0f s of load, checks %.1f s\n", t_run, t_check);
		for (int k = 0; k < OP_COUNT; k++) {
			unsigned long long v = atomic_load(&ops[k]);

			total += v;
			printf("#   op %-16s %10llu  %8.1f/s\n", op_names[k], v,
			       v / t_run);
		}
		printf("#   op %-16s %10llu  %8.1f/s\n", "TOTAL", total,
		       total / t_run);
		for (int k = 0; k < EV_COUNT; k++)
			printf("#   answer %-20s %10llu\n", ev_names[k],
			       (unsigned long long)atomic_load(&evs[k]));
		printf("#   instances: %u stable, %llu created and destroyed by churn\n",
		       opt.instances, (unsigned long long)atomic_load(&ops[OP_destroy]));
		printf("#   attestations: %llu bundles, %llu quotes, %llu bytes\n",
		       (unsigned long long)atomic_load(&att_requests),
		       (unsigned long long)atomic_load(&att_max_quote),
		       (unsigned long long)atomic_load(&att_bytes));
		printf("#   records checked (acknowledged changes found in the log): %llu\n",
		       (unsigned long long)c.matched);
		printf("#   log: %llu records in %llu batches, %zu bytes; %llu hardware extends (%.1f records each), %llu coalesced, %llu aborts\n",
		       (unsigned long long)s1.records,
		       (unsigned long long)s1.batches, log_len,
		       (unsigned long long)s1.hw_extends,
		       s1.hw_extends ? (double)(s1.records - s0.records) /
				       (s1.hw_extends - s0.hw_extends) : 0.0,
		       (unsigned long long)s1.coalesced,
		       (unsigned long long)s1.aborts);
		printf("#   records replayed by readers: %llu, log and view bytes read: %llu\n",
		       (unsigned long long)atomic_load(&log_records_replayed),
		       (unsigned long long)atomic_load(&log_bytes_read));
		printf("#   failures: %llu\n", (unsigned long long)atomic_load(&nfail));
	}
	free(log);
out:
	printf("1..%d\n", tap_n);	/* guest-stress.sh drops it */
	return tap_fail ? 1 : 0;
}
