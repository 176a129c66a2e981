// SPDX-License-Identifier: GPL-2.0
/*
 * What a tenant's open views cost the host (issue 22, item 1).
 *
 * Every open of securityfs vtpm_mux/vtpmN/view costs kernel memory.  A
 * tenant (uid 1000) confined to a memory cgroup whose memory.max is 64 MiB
 * opens its view VIEW_FDS times from each of VIEW_PROCS processes, with a
 * log of some LOG_RECORDS records, and holds them open.  The host must not
 * lose more than the cgroup's limit (MemAvailable, caches dropped), and
 * what the opens cost must be charged to the cgroup (memory.current).
 * Then: a view read in pieces of any size, from any offset, after lseek()
 * back, equals the view read at once, and shows the log at the cut of its
 * open, not at the read; VTPM_IOC_GET_LOG into a buffer whose tail faults
 * fails with -EFAULT, and one byte too small with -ENOSPC and the size.
 *
 * Needs root, cgroup v2 with the memory controller (mounted here if it is
 * not), and the module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vtpm_tap.h"
#include "vtpm_util.h"

#define TENANT_UID	1000
#define CG_ROOT		"/sys/fs/cgroup"
#define CG		CG_ROOT "/vtpm-view-memory"
#define CG_MAX		(64ull << 20)
#define VIEW_PROCS	2
#define VIEW_FDS	1000
#define LOG_RECORDS	5000
#define FILLERS		8
/* the reader of an open view holds at least a record body and its entry */
#define MIN_CHARGE	2048

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return n;
}

static long long read_ll(const char *path)
{
	char buf[64];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

static long long mem_available(void)
{
	char line[128];
	long long kb = -1;
	FILE *f;

	sync();
	write_file("/proc/sys/vm/drop_caches", "3");
	f = fopen("/proc/meminfo", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			break;
	fclose(f);
	return kb * 1024;
}

static int start(int fd)
{
	uint8_t cmd[64], rsp[TPM_BUFSIZE];
	size_t len = build_startup(cmd, SU_CLEAR);
	ssize_t n = fd_xfer(fd, cmd, len, rsp, sizeof(rsp), 10000);

	return n < 0 ? (int)n : (int)resp_rc(rsp, n);
}

static int extend(int fd, unsigned int i)
{
	uint8_t cmd[128], rsp[TPM_BUFSIZE], d[32];
	ssize_t n;
	size_t len;

	memset(d, 0, sizeof(d));
	memcpy(d, &i, sizeof(i));
	len = build_pcr_extend(cmd, 16, ALG_SHA256, d, sizeof(d));
	n = fd_xfer(fd, cmd, len, rsp, sizeof(rsp), 10000);
	return n < 0 ? (int)n : (int)resp_rc(rsp, n);
}

struct filler {
	uint32_t index;
	unsigned int n;
	int err;
};

/* One instance extending n times (the others, in parallel, batch). */
static void *fill(void *arg)
{
	struct filler *f = arg;
	char path[64];
	unsigned int i;
	int fd, rc;

	mux_dev_path(f->index, path, sizeof(path));
	fd = open(path, O_RDWR);
	if (fd < 0) {
		f->err = -errno;
		return NULL;
	}
	rc = start(fd);
	for (i = 0; !rc && i < f->n; i++)
		rc = extend(fd, i);
	f->err = rc;
	close(fd);
	return NULL;
}

static int create(int ctl, uint32_t uid, uint32_t *index)
{
	struct vtpm_mux_create c = {
		.size = sizeof(c),
		.flags = VTPM_MUX_CREATE_OWNER | VTPM_MUX_CREATE_MODE,
		.uid = uid,
		.gid = uid,
		.mode = 0600,
	};
	int ret;

	snprintf(c.label, sizeof(c.label), "view-memory");
	ret = mux_create(ctl, &c);
	*index = c.index;
	return ret;
}

/*
 * A tenant process in the cgroup: opens its view VIEW_FDS times, reports
 * how many opens succeeded on @report, holds them until @hold closes.
 */
static void tenant(const char *view, int report, int hold)
{
	struct rlimit rl = { VIEW_FDS + 64, VIEW_FDS + 64 };
	char pid[32], c;
	int i, ok = 0;

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (write_file(CG "/cgroup.procs", pid) ||
	    setrlimit(RLIMIT_NOFILE, &rl) ||
	    setgroups(0, NULL) || setresgid(TENANT_UID, TENANT_UID, TENANT_UID) ||
	    setresuid(TENANT_UID, TENANT_UID, TENANT_UID))
		_exit(3);
	for (i = 0; i < VIEW_FDS; i++)
		if (open(view, O_RDONLY) >= 0)
			ok++;
	if (write(report, &ok, sizeof(ok)) != sizeof(ok))
		_exit(4);
	if (read(hold, &c, 1) < 0)
		_exit(5);
	_exit(0);
}

static int setup_cgroup(void)
{
	char buf[32];
	int ret;

	if (access(CG_ROOT "/cgroup.controllers", F_OK)) {
		mkdir(CG_ROOT, 0755);
		if (mount("cgroup2", CG_ROOT, "cgroup2", 0, NULL))
			return -errno;
	}
	ret = write_file(CG_ROOT "/cgroup.subtree_control", "+memory");
	if (ret)
		return ret;
	rmdir(CG);
	if (mkdir(CG, 0755))
		return -errno;
	snprintf(buf, sizeof(buf), "%llu", CG_MAX);
	return write_file(CG "/memory.max", buf);
}

/* The whole file by reads of @chunk bytes from @off; its length or -1. */
static ssize_t read_all(int fd, off_t off, size_t chunk, uint8_t *out,
			size_t cap)
{
	size_t got = 0;
	ssize_t n;

	if (lseek(fd, off, SEEK_SET) != off)
		return -1;
	while (got < cap) {
		n = read(fd, out + got, chunk < cap - got ? chunk : cap - got);
		if (n < 0)
			return -1;
		if (!n)
			break;
		got += n;
	}
	return got;
}

static void check_reads(uint32_t index, int ctl)
{
	static uint8_t whole[4 << 20], part[4 << 20], later[4 << 20];
	static const size_t chunks[] = { 1, 7, 33, 4096, 65536 };
	char view[96], dev[64];
	ssize_t n, m, k;
	int a, b, fd, i;
	off_t off;

	snprintf(view, sizeof(view),
		 "/sys/kernel/security/vtpm_mux/vtpm%u/view", index);
	a = open(view, O_RDONLY);
	b = open(view, O_RDONLY);
	n = a < 0 ? -1 : read_all(a, 0, sizeof(whole), whole, sizeof(whole));
	CHECK(n > 0 && (size_t)n < sizeof(whole),
	      "a view read at once: %zd bytes", n);
	if (n <= 0 || b < 0)
		goto out;

	/* the log grows: files opened before keep their cut */
	mux_dev_path(index, dev, sizeof(dev));
	fd = open(dev, O_RDWR);
	CHECK(fd >= 0 && !extend(fd, 0xfeed),
	      "the tenant extends once more after the opens");
	if (fd >= 0)
		close(fd);
	for (i = 0; i < (int)ARRAY_LEN(chunks); i++) {
		m = read_all(b, 0, chunks[i], part, sizeof(part));
		CHECK(m == n && !memcmp(part, whole, n),
		      "read in pieces of %zu bytes: the same view (%zd bytes)",
		      chunks[i], m);
	}
	for (off = 1; off < n; off = off * 5 + 3) {
		m = read_all(b, off, 4096, part, sizeof(part));
		if (m != n - off || memcmp(part, whole + off, m))
			break;
	}
	CHECK(off >= n, "read from offsets 1, 8, 43, ... after lseek(): the view's tail");
	m = pread(b, part, 100, n / 2);
	k = pread(b, part + 100, 100, 3);
	CHECK(m == (n / 2 + 100 <= n ? 100 : n - n / 2) &&
	      !memcmp(part, whole + n / 2, m) && k == 100 &&
	      !memcmp(part + 100, whole + 3, 100),
	      "pread() forward then backward");
	/* back within one entry (the header, then a batch's first entry) */
	m = pread(b, part, 10, 40);
	k = pread(b, part + 10, 10, 35);
	CHECK(m == 10 && k == 10 && !memcmp(part, whole + 40, 10) &&
	      !memcmp(part + 10, whole + 35, 10),
	      "pread() 5 bytes back within the header");
	m = pread(b, part, 10, n - 10);
	k = pread(b, part + 10, 10, n - 13);
	CHECK(m == 10 && k == 10 && !memcmp(part, whole + n - 10, 10) &&
	      !memcmp(part + 10, whole + n - 13, 10),
	      "pread() 3 bytes back within the last entry");
	CHECK(read(b, part, 1) >= 0 && lseek(b, n, SEEK_SET) == n &&
	      read(b, part, 16) == 0 && lseek(b, n + 100, SEEK_SET) == n + 100 &&
	      read(b, part, 16) == 0, "at and beyond the end: 0");
	fd = open(view, O_RDONLY);
	m = fd < 0 ? -1 : read_all(fd, 0, 4096, later, sizeof(later));
	CHECK(m > n, "a file opened after the extend shows more (%zd > %zd)",
	      m, n);
	if (fd >= 0)
		close(fd);

	/* VTPM_IOC_GET_LOG: a buffer whose tail faults, and one too small */
	fd = open(dev, O_RDWR);
	if (fd >= 0) {
		long page = sysconf(_SC_PAGESIZE);
		size_t len = (m + page - 1) / page * page;
		uint8_t *p = mmap(NULL, len + page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct vtpm_log_req req = { .size = sizeof(req) };
		int ret;

		if (p != MAP_FAILED && !mprotect(p + page, len, PROT_NONE)) {
			req.buf = (uintptr_t)p;
			req.len = len + page;
			ret = ioctl(fd, VTPM_IOC_GET_LOG, &req);
			CHECK(ret < 0 && errno == EFAULT,
			      "GET_LOG into a buffer that faults after one page: EFAULT (%d, %s)",
			      ret, strerror(errno));
			mprotect(p, len + page, PROT_READ | PROT_WRITE);
			req.len = 4;
			ret = ioctl(fd, VTPM_IOC_GET_LOG, &req);
			CHECK(ret < 0 && errno == ENOSPC && req.len >= (size_t)m,
			      "GET_LOG into 4 bytes: ENOSPC and the size (%llu)",
			      (unsigned long long)req.len);
			k = req.len;
			req.len = len + page;
			ret = ioctl(fd, VTPM_IOC_GET_LOG, &req);
			CHECK(!ret && req.len == (size_t)m && k == m &&
			      !memcmp(p, later, m),
			      "GET_LOG into room enough: %llu bytes, the view of securityfs",
			      (unsigned long long)req.len);
			munmap(p, len + page);
		}
		close(fd);
	}
	(void)ctl;
out:
	if (a >= 0)
		close(a);
	if (b >= 0)
		close(b);
}

int main(void)
{
	bool created[FILLERS], started[FILLERS];
	struct filler fl[FILLERS];
	pthread_t th[FILLERS];
	int report[2], hold[2];
	long long avail0, avail1, cur0, cur1, loss, charged;
	pid_t pid[VIEW_PROCS];
	uint32_t index;
	int ctl, i, opened = 0, ret;
	char view[96];

	ctl = mux_ctl_open();
	if (ctl < 0) {
		printf("1..0 # SKIP no /dev/vtpm-mux\n");
		return 4;
	}
	ret = setup_cgroup();
	if (ret) {
		printf("not ok 1 - a memory cgroup: %s\n", strerror(-ret));
		return 1;
	}

	/* the tenant's instance and a log of LOG_RECORDS records */
	ret = create(ctl, TENANT_UID, &index);
	CHECK(!ret, "the tenant's instance vtpm%u (uid %u, 0600)", index,
	      TENANT_UID);
	for (i = 0; i < FILLERS; i++) {
		fl[i].n = LOG_RECORDS / FILLERS;
		fl[i].index = index;
		fl[i].err = i ? create(ctl, 0, &fl[i].index) : ret;
		created[i] = i && !fl[i].err;
		started[i] = !fl[i].err &&
			     !pthread_create(&th[i], NULL, fill, &fl[i]);
	}
	ret = 0;
	for (i = 0; i < FILLERS; i++) {
		if (started[i])
			pthread_join(th[i], NULL);
		ret |= fl[i].err || !started[i];
	}
	CHECK(!ret, "%u extends by %d instances, the tenant's among them",
	      LOG_RECORDS, FILLERS);

	snprintf(view, sizeof(view),
		 "/sys/kernel/security/vtpm_mux/vtpm%u/view", index);
	cur0 = read_ll(CG "/memory.current");
	avail0 = mem_available();
	if (pipe(report) || pipe(hold))
		return 1;
	for (i = 0; i < VIEW_PROCS; i++) {
		pid[i] = fork();
		if (!pid[i]) {
			close(hold[1]);
			tenant(view, report[1], hold[0]);
		}
	}
	close(hold[0]);
	for (i = 0; i < VIEW_PROCS; i++) {
		int n = 0;

		if (read(report[0], &n, sizeof(n)) == sizeof(n))
			opened += n;
	}
	avail1 = mem_available();
	cur1 = read_ll(CG "/memory.current");
	loss = avail0 - avail1;
	charged = cur1 - cur0;
	printf("# %d views open: MemAvailable -%lld KiB, memory.current +%lld KiB\n",
	       opened, loss >> 10, charged >> 10);
	CHECK(opened > 0, "the tenant opened its view %d times from %d processes",
	      opened, VIEW_PROCS);
	CHECK(loss <= (long long)(CG_MAX + (32ull << 20)),
	      "the host lost %lld MiB, within the cgroup's %llu MiB (+32 MiB slack)",
	      loss >> 20, CG_MAX >> 20);
	CHECK(charged >= (long long)opened * MIN_CHARGE,
	      "the cgroup is charged for the open views: %lld KiB >= %d x %d B",
	      charged >> 10, opened, MIN_CHARGE);
	close(hold[1]);
	for (i = 0; i < VIEW_PROCS; i++)
		waitpid(pid[i], NULL, 0);

	check_reads(index, ctl);

	for (i = 1; i < FILLERS; i++)
		if (created[i])
			mux_destroy(ctl, fl[i].index);
	mux_destroy(ctl, index);
	rmdir(CG);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
