// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-bench: the measurements of `make bench`, run in the guest by
 * tools/bench/guest-bench.sh.  Every subcommand prints one JSON object on
 * stdout; tools/bench/report.py turns them into the table, the JSON file
 * and the plot.
 *
 *   vtpm-bench extend [--secs S] [--pcr P] [--label L] DEV...
 *	TPM2_PCR_Extend (one SHA-256 digest, a new one every time) in a loop,
 *	one process per DEV, all started at once and stopped at the same
 *	deadline: aggregate extends/s, latency p50/p99 over every command;
 *	with the mux loaded, how many extends one hardware extend covered
 *   vtpm-bench read [--secs S] [--label L] DEV
 *	TPM2_PCR_Read of one PCR in a loop: latency p50/p99
 *   vtpm-bench attest [--rounds R] [--label L] DEV...
 *	VTPM_IOC_ATTEST on each /dev/vtpmN, one process each, all at once,
 *	R rounds: latency per request and how many hardware quotes answered
 *   vtpm-bench create [--count N]
 *	VTPM_MUX_IOC_CREATE N instances (timed), the kernel memory they hold,
 *	then VTPM_MUX_IOC_DESTROY them all
 *   vtpm-bench records [--count R] DEV...
 *	R extends spread over the DEVs: the kernel memory the log records
 *	hold (after the extending processes have exited)
 *
 * Kernel memory is read from /proc/meminfo after dropping the page cache:
 * MemFree (everything: slab, vmalloc and the page allocator's large
 * kmallocs) and, for reference, Slab and VmallocUsed.
 *
 * Exit status: 0 when the measurement ran (failed commands are counted in
 * its "errors"), 1 when it could not (a device, a fork), 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

#define MAX_PROCS	256
#define MAX_SAMPLES	(1 << 16)	/* latencies kept per process */
#define TPM_BUF		4096
#define STATUS_PATH	"/sys/kernel/security/vtpm_mux/status"

#define ST_NO_SESSIONS	0x8001
#define ST_SESSIONS	0x8002
#define CC_Startup	0x0144
#define CC_PCR_Read	0x017E
#define CC_PCR_Extend	0x0182
#define RS_PW		0x40000009
#define ALG_SHA256	0x000B
#define RC_INITIALIZE	0x0100

static const char *prog = "vtpm-bench";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* --- TPM commands ------------------------------------------------------ */

static size_t put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
	return 2;
}

static size_t put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
	return 4;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static size_t cmd_header(uint8_t *c, uint16_t tag, uint32_t cc)
{
	put16(c, tag);
	put32(c + 2, 0);
	put32(c + 6, cc);
	return 10;
}

static size_t cmd_done(uint8_t *c, size_t len)
{
	put32(c + 2, len);
	return len;
}

/* TPM2_PCR_Extend(@pcr, password session, {SHA-256: 32 bytes at *@digest}) */
static size_t cmd_extend(uint8_t *c, uint32_t pcr, uint8_t **digest)
{
	size_t n = cmd_header(c, ST_SESSIONS, CC_PCR_Extend);

	n += put32(c + n, pcr);
	n += put32(c + n, 9);		/* authorizationSize */
	n += put32(c + n, RS_PW);
	n += put16(c + n, 0);		/* nonce */
	c[n++] = 0;			/* attributes */
	n += put16(c + n, 0);		/* hmac: the empty password */
	n += put32(c + n, 1);		/* TPML_DIGEST_VALUES.count */
	n += put16(c + n, ALG_SHA256);
	*digest = c + n;
	memset(c + n, 0, 32);
	n += 32;
	return cmd_done(c, n);
}

static size_t cmd_pcr_read(uint8_t *c, uint32_t pcr)
{
	size_t n = cmd_header(c, ST_NO_SESSIONS, CC_PCR_Read);

	n += put32(c + n, 1);		/* TPML_PCR_SELECTION.count */
	n += put16(c + n, ALG_SHA256);
	c[n++] = 3;
	c[n++] = pcr < 8 ? 1 << pcr : 0;
	c[n++] = pcr >= 8 && pcr < 16 ? 1 << (pcr - 8) : 0;
	c[n++] = pcr >= 16 ? 1 << (pcr - 16) : 0;
	return cmd_done(c, n);
}

static size_t cmd_startup(uint8_t *c)
{
	size_t n = cmd_header(c, ST_NO_SESSIONS, CC_Startup);

	n += put16(c + n, 0);		/* TPM_SU_CLEAR */
	return cmd_done(c, n);
}

/*
 * One command, one response, as /dev/tpm* and /dev/vtpmN want them.
 * Returns the response code, or -1 with errno set.
 */
static long transact(int fd, const uint8_t *cmd, size_t len)
{
	uint8_t rsp[TPM_BUF];
	ssize_t n;

	n = write(fd, cmd, len);
	if (n != (ssize_t)len)
		return -1;
	n = read(fd, rsp, sizeof(rsp));
	if (n < 10) {
		if (n >= 0)
			errno = EPROTO;
		return -1;
	}
	return get32(rsp + 6);
}

/* --- processes started at once ----------------------------------------- */

/* What one process reports back through shared memory. */
struct worker {
	uint64_t ops;
	uint64_t errors;
	uint32_t last_rc;
	int last_errno;
	double first, last;	/* times of the first and last command */
	uint32_t nr_samples;
	float samples[MAX_SAMPLES];	/* latencies in microseconds */
	/* attestation only */
	uint64_t quote_ids[64];
	uint32_t nr_quote_ids;
};

struct run {
	int n;
	struct worker *w;	/* n of them, MAP_SHARED */
	pid_t pid[MAX_PROCS];
	int go[2];		/* closed by the parent: start */
	int ready[2];		/* one byte from each child when it is ready */
};

static void run_init(struct run *r, int n)
{
	if (n < 1 || n > MAX_PROCS)
		die("1..%d devices", MAX_PROCS);
	r->n = n;
	r->w = mmap(NULL, sizeof(*r->w) * n, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r->w == MAP_FAILED)
		die("mmap: %s", strerror(errno));
	memset(r->w, 0, sizeof(*r->w) * n);
	if (pipe(r->go) || pipe(r->ready))
		die("pipe: %s", strerror(errno));
}

/* In the child: say ready, wait for the start. */
static void child_wait(struct run *r)
{
	char c = 1;

	close(r->go[1]);
	close(r->ready[0]);
	if (write(r->ready[1], &c, 1) != 1)
		_exit(2);
	close(r->ready[1]);
	if (read(r->go[0], &c, 1) < 0)
		_exit(2);
}

/*
 * One child per device: @child(r, i, devs[i]) never returns.  The options
 * of the subcommand are globals, so that every child takes the same form.
 */
static void run_spawn(struct run *r, char **devs,
		      void (*child)(struct run *r, int i, const char *dev))
{
	int i;

	for (i = 0; i < r->n; i++) {
		r->pid[i] = fork();
		if (r->pid[i] < 0)
			die("fork: %s", strerror(errno));
		if (!r->pid[i])
			child(r, i, devs[i]);
	}
}

/* In the parent, after the forks: wait for all to be ready, start them. */
static double run_start(struct run *r)
{
	char c;
	int i;

	close(r->go[0]);
	close(r->ready[1]);
	for (i = 0; i < r->n; i++)
		if (read(r->ready[0], &c, 1) != 1)
			die("a worker failed to get ready");
	close(r->ready[0]);
	close(r->go[1]);	/* everybody's read() returns 0: go */
	return now();
}

static void run_wait(struct run *r)
{
	int i, st;

	for (i = 0; i < r->n; i++) {
		if (waitpid(r->pid[i], &st, 0) < 0)
			die("waitpid: %s", strerror(errno));
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			die("worker %d failed (status 0x%x)", i, st);
	}
}

static void sample(struct worker *w, double t0, double t1)
{
	if (!w->ops)
		w->first = t0;
	w->last = t1;
	w->ops++;
	if (w->nr_samples < MAX_SAMPLES)
		w->samples[w->nr_samples++] = (t1 - t0) * 1e6;
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return x < y ? -1 : x > y;
}

/* p50, p99, max, mean of every sample of every worker, in microseconds */
struct lat {
	double p50, p99, max, mean;
	uint64_t n;
};

static struct lat latencies(const struct run *r)
{
	struct lat l = { 0 };
	uint64_t n = 0, k = 0;
	double sum = 0;
	float *all;
	int i;

	for (i = 0; i < r->n; i++)
		n += r->w[i].nr_samples;
	if (!n)
		return l;
	all = malloc(n * sizeof(*all));
	if (!all)
		die("out of memory");
	for (i = 0; i < r->n; i++) {
		memcpy(all + k, r->w[i].samples,
		       r->w[i].nr_samples * sizeof(*all));
		k += r->w[i].nr_samples;
	}
	qsort(all, n, sizeof(*all), cmp_float);
	for (k = 0; k < n; k++)
		sum += all[k];
	l.n = n;
	l.p50 = all[n / 2];
	l.p99 = all[n * 99 / 100];
	l.max = all[n - 1];
	l.mean = sum / n;
	free(all);
	return l;
}

/* --- the mux's counters ------------------------------------------------- */

/* A number from the status file, or -1 without the module. */
static long long status_get(const char *key)
{
	char line[256];
	long long v = -1;
	size_t kl = strlen(key);
	FILE *f = fopen(STATUS_PATH, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ' ') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* --- subcommands --------------------------------------------------------- */

static double opt_secs = 3;
static unsigned int opt_pcr = 16;
static const char *opt_label = "";
static unsigned int opt_count;
static unsigned int opt_rounds = 1;

static int open_dev(const char *path)
{
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	return fd;
}

/* A fresh vtpm-mux instance or vtpm_proxy TPM may not be started yet. */
static void startup(int fd, const char *path)
{
	uint8_t c[16];
	long rc = transact(fd, c, cmd_startup(c));

	if (rc != 0 && rc != RC_INITIALIZE)
		die("%s: TPM2_Startup: rc %ld (%s)", path, rc,
		    rc < 0 ? strerror(errno) : "TPM error");
}

static void print_lat(const char *name, struct lat l)
{
	printf(", \"%s\": {\"n\": %" PRIu64 ", \"p50_us\": %.1f, \"p99_us\": %.1f, \"max_us\": %.1f, \"mean_us\": %.1f}",
	       name, l.n, l.p50, l.p99, l.max, l.mean);
}

static bool opt_extend;	/* loop_child(): extend, or read */

static void loop_child(struct run *r, int i, const char *path)
{
	bool extend = opt_extend;
	struct worker *w = &r->w[i];
	uint8_t cmd[128], *digest;
	size_t len;
	double t0, t1, deadline;
	uint64_t k;
	long rc;
	int fd;

	fd = open_dev(path);
	startup(fd, path);
	len = extend ? cmd_extend(cmd, opt_pcr, &digest) :
		       cmd_pcr_read(cmd, opt_pcr);
	/* warm up: caches, the first command's allocations */
	for (k = 0; k < 3; k++)
		if (transact(fd, cmd, len) != 0)
			die("%s: the warm-up command failed", path);
	child_wait(r);
	deadline = now() + opt_secs;
	for (k = 0;; k++) {
		if (extend)
			memcpy(digest, &k, sizeof(k)), digest[31] = i;
		t0 = now();
		if (t0 >= deadline)
			break;
		rc = transact(fd, cmd, len);
		t1 = now();
		if (rc) {
			w->errors++;
			w->last_rc = rc < 0 ? 0 : rc;
			w->last_errno = rc < 0 ? errno : 0;
			continue;
		}
		sample(w, t0, t1);
	}
	close(fd);
	_exit(0);
}

static int cmd_loop(int argc, char **argv, bool extend)
{
	static const char * const keys[] = {
		"hw_extends", "records", "hw_ns", "lead_ns", "gather_waits",
		"gather_timeouts",
	};
	long long st0[6], st1[6];
	uint64_t ops = 0, errors = 0;
	double t0, t1, first = 1e300, last = 0;
	struct run r;
	struct lat l;
	int i;

	if (argc < 1)
		die("%s: which devices?", extend ? "extend" : "read");
	for (i = 0; i < 6; i++)
		st0[i] = status_get(keys[i]);
	opt_extend = extend;
	run_init(&r, argc);
	run_spawn(&r, argv, loop_child);
	t0 = run_start(&r);
	run_wait(&r);
	t1 = now();
	for (i = 0; i < 6; i++)
		st1[i] = status_get(keys[i]);
	for (i = 0; i < argc; i++) {
		ops += r.w[i].ops;
		errors += r.w[i].errors;
		if (r.w[i].ops && r.w[i].first < first)
			first = r.w[i].first;
		if (r.w[i].last > last)
			last = r.w[i].last;
		if (r.w[i].errors)
			fprintf(stderr, "%s: %s: %" PRIu64 " errors, last rc 0x%x errno %d\n",
				prog, argv[i], r.w[i].errors, r.w[i].last_rc,
				r.w[i].last_errno);
	}
	l = latencies(&r);
	printf("{\"bench\": \"%s\", \"label\": \"%s\", \"n\": %d, \"secs\": %.3f, \"ops\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"ops_per_s\": %.1f",
	       extend ? "extend" : "read", opt_label, argc, t1 - t0, ops,
	       errors, last > first ? ops / (last - first) : 0.0);
	print_lat("latency", l);
	if (extend && st0[0] >= 0 && st1[0] > st0[0]) {
		long long hw = st1[0] - st0[0];

		printf(", \"hw_extends\": %lld, \"records\": %lld, \"extends_per_hw_extend\": %.2f, \"hw_us\": %.1f, \"lead_us\": %.1f, \"gather_waits\": %lld, \"gather_timeouts\": %lld",
		       hw, st1[1] - st0[1], (double)ops / hw,
		       (st1[2] - st0[2]) / 1e3 / hw,
		       (st1[3] - st0[3]) / 1e3 / hw, st1[4] - st0[4],
		       st1[5] - st0[5]);
	}
	printf("}\n");
	return 0;	/* errors are data: the report judges them */
}

static uint8_t *bundle_buf(size_t *len)
{
	uint8_t *b;

	*len = 64 << 20;
	b = malloc(*len);
	if (!b)
		die("out of memory");
	return b;
}

static void attest_child(struct run *r, int i, const char *path)
{
	struct worker *w = &r->w[i];
	struct vtpm_attest_req req;
	size_t cap;
	uint8_t *buf = bundle_buf(&cap);
	double t0, t1;
	unsigned int k;
	int fd = open_dev(path);

	child_wait(r);
	for (k = 0; k < opt_rounds; k++) {
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.nonce_len = 16;
		memcpy(req.nonce, &k, sizeof(k));
		req.nonce[15] = i;
		req.buf = (uintptr_t)buf;
		req.len = cap;
		t0 = now();
		if (ioctl(fd, VTPM_IOC_ATTEST, &req)) {
			w->errors++;
			w->last_errno = errno;
			continue;
		}
		t1 = now();
		sample(w, t0, t1);
		if (w->nr_quote_ids < 64)
			w->quote_ids[w->nr_quote_ids++] = req.quote_id;
	}
	_exit(0);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmd_attest(int argc, char **argv)
{
	long long q0 = status_get("quotes"), q1;
	uint64_t ids[MAX_PROCS * 64], errors = 0;
	unsigned int nr_ids = 0, distinct = 0, j;
	double t0, t1;
	struct run r;
	struct lat l;
	int i;

	if (argc < 1)
		die("attest: which devices?");
	if (opt_rounds > 64)
		die("attest: at most 64 rounds");
	run_init(&r, argc);
	run_spawn(&r, argv, attest_child);
	t0 = run_start(&r);
	run_wait(&r);
	t1 = now();
	q1 = status_get("quotes");
	for (i = 0; i < argc; i++) {
		errors += r.w[i].errors;
		if (r.w[i].errors)
			fprintf(stderr, "%s: %s: %" PRIu64 " errors, last errno %d\n",
				prog, argv[i], r.w[i].errors,
				r.w[i].last_errno);
		for (j = 0; j < r.w[i].nr_quote_ids; j++)
			ids[nr_ids++] = r.w[i].quote_ids[j];
	}
	qsort(ids, nr_ids, sizeof(ids[0]), cmp_u64);
	for (j = 0; j < nr_ids; j++)
		if (!j || ids[j] != ids[j - 1])
			distinct++;
	l = latencies(&r);
	printf("{\"bench\": \"attest\", \"label\": \"%s\", \"n\": %d, \"rounds\": %u, \"secs\": %.3f, \"requests\": %u, \"errors\": %" PRIu64 ", \"quotes\": %u, \"quotes_status\": %lld",
	       opt_label, argc, opt_rounds, t1 - t0, nr_ids, errors,
	       distinct, q1 - q0);
	print_lat("latency", l);
	printf("}\n");
	return 0;
}

/* --- memory -------------------------------------------------------------- */

struct mem {
	long long free_kb, slab_kb, vmalloc_kb;
};

static struct mem mem_read(void)
{
	struct mem m = { -1, -1, -1 };
	char line[256];
	FILE *f;

	sync();
	f = fopen("/proc/sys/vm/drop_caches", "w");
	if (f) {
		fputs("3\n", f);
		fclose(f);
	}
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo: %s", strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "MemFree: %lld", &m.free_kb);
		sscanf(line, "Slab: %lld", &m.slab_kb);
		sscanf(line, "VmallocUsed: %lld", &m.vmalloc_kb);
	}
	fclose(f);
	return m;
}

static void print_mem(const char *name, struct mem a, struct mem b,
		      double per)
{
	printf(", \"%s\": {\"kernel_bytes\": %.0f, \"slab_bytes\": %.0f, \"vmalloc_bytes\": %.0f}",
	       name, (a.free_kb - b.free_kb) * 1024.0 / per,
	       (b.slab_kb - a.slab_kb) * 1024.0 / per,
	       (b.vmalloc_kb - a.vmalloc_kb) * 1024.0 / per);
}

static int cmd_create(void)
{
	unsigned int n = opt_count ? opt_count : 1024, i, made = 0;
	struct vtpm_mux_create c;
	struct vtpm_mux_destroy d;
	struct mem m0, m1, m2;
	uint32_t *idx;
	double t0, t1, t2;
	int fd;

	idx = calloc(n, sizeof(*idx));
	if (!idx)
		die("out of memory");
	fd = open_dev(VTPM_MUX_CONTROL_DEVICE);
	m0 = mem_read();
	t0 = now();
	for (i = 0; i < n; i++) {
		memset(&c, 0, sizeof(c));
		c.size = sizeof(c);
		snprintf(c.label, sizeof(c.label), "bench-%u", i);
		if (ioctl(fd, VTPM_MUX_IOC_CREATE, &c)) {
			fprintf(stderr, "%s: create #%u: %s\n", prog, i,
				strerror(errno));
			break;
		}
		idx[made++] = c.index;
	}
	t1 = now();
	m1 = mem_read();
	for (i = 0; i < made; i++) {
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.index = idx[i];
		if (ioctl(fd, VTPM_MUX_IOC_DESTROY, &d))
			die("destroy vtpm%u: %s", idx[i], strerror(errno));
	}
	t2 = now();
	m2 = mem_read();
	printf("{\"bench\": \"create\", \"n\": %u, \"created\": %u, \"create_secs\": %.3f, \"create_per_s\": %.1f, \"destroy_secs\": %.3f",
	       n, made, t1 - t0, made / (t1 - t0), t2 - t1);
	print_mem("per_instance", m0, m1, made ? made : 1);
	print_mem("left_after_destroy", m0, m2, 1);
	printf("}\n");
	free(idx);
	close(fd);
	return made == n ? 0 : 1;
}

static unsigned int opt_per_dev;	/* records_child(): extends each */

static void records_child(struct run *r, int i, const char *path)
{
	unsigned int count = opt_per_dev;
	struct worker *w = &r->w[i];
	uint8_t cmd[128], *digest;
	size_t len;
	uint64_t k;
	int fd = open_dev(path);

	startup(fd, path);
	len = cmd_extend(cmd, opt_pcr, &digest);
	child_wait(r);
	for (k = 0; k < count; k++) {
		memcpy(digest, &k, sizeof(k));
		digest[31] = i;
		if (transact(fd, cmd, len))
			w->errors++;
		else
			w->ops++;
	}
	_exit(0);
}

static int cmd_records(int argc, char **argv)
{
	unsigned int total = opt_count ? opt_count : 100000;
	long long rec0, rec1, b0, b1;
	uint64_t ops = 0, errors = 0;
	struct mem m0, m1;
	double t0, t1;
	struct run r;
	int i;

	if (argc < 1)
		die("records: which devices?");
	run_init(&r, argc);
	m0 = mem_read();
	rec0 = status_get("records");
	b0 = status_get("batches");
	opt_per_dev = total / argc;
	run_spawn(&r, argv, records_child);
	t0 = run_start(&r);
	run_wait(&r);
	t1 = now();
	for (i = 0; i < argc; i++) {
		ops += r.w[i].ops;
		errors += r.w[i].errors;
	}
	m1 = mem_read();
	rec1 = status_get("records");
	b1 = status_get("batches");
	printf("{\"bench\": \"records\", \"n\": %d, \"extends\": %" PRIu64 ", \"errors\": %" PRIu64 ", \"secs\": %.3f, \"records\": %lld, \"batches\": %lld, \"digest_bytes\": 32",
	       argc, ops, errors, t1 - t0, rec1 - rec0, b1 - b0);
	print_mem("per_record", m0, m1, rec1 > rec0 ? rec1 - rec0 : 1);
	printf("}\n");
	return errors ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: %s extend [--secs S] [--pcr P] [--label L] DEV...\n"
		"       %s read [--secs S] [--pcr P] [--label L] DEV\n"
		"       %s attest [--rounds R] [--label L] /dev/vtpmN...\n"
		"       %s create [--count N]\n"
		"       %s records [--count R] [--pcr P] /dev/vtpmN...\n",
		prog, prog, prog, prog, prog);
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "secs", required_argument, NULL, 's' },
		{ "pcr", required_argument, NULL, 'p' },
		{ "label", required_argument, NULL, 'l' },
		{ "count", required_argument, NULL, 'c' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd;
	int o;

	if (argc < 2)
		usage();
	cmd = argv[1];
	argv++;
	argc--;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			opt_secs = atof(optarg);
			break;
		case 'p':
			opt_pcr = strtoul(optarg, NULL, 0);
			if (opt_pcr > 23)
				die("--pcr: 0..23");
			break;
		case 'l':
			opt_label = optarg;
			break;
		case 'c':
			opt_count = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			opt_rounds = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	if (!strcmp(cmd, "extend"))
		return cmd_loop(argc, argv, true);
	if (!strcmp(cmd, "read"))
		return cmd_loop(argc, argv, false);
	if (!strcmp(cmd, "attest"))
		return cmd_attest(argc, argv);
	if (!strcmp(cmd, "create"))
		return cmd_create();
	if (!strcmp(cmd, "records"))
		return cmd_records(argc, argv);
	usage();
	return 2;
}
