// SPDX-License-Identifier: GPL-2.0
/*
 * A stuck engine stalls nobody but its own instance (issue 22, item 2).
 *
 * An engine of a sw instance reads the tenant's command into, or writes its
 * response from, a userfaultfd page whose fault nobody resolves: the copy
 * never completes (in the field: a FUSE or network file system that hangs).
 * While it is stuck, in child processes bounded by CHILD_TIMEOUT s: DESTROY
 * of the stuck instance, then LIST and INFO as uid 1000, CREATE and
 * DESTROY of another instance, ATTACH to another sw instance must all
 * complete.  The tenant gets -ENODEV or a TPM error.  Then the fault is
 * resolved, which releases whatever did hang (on a kernel with the bug).
 *
 * Needs root, userfaultfd(2) and the module loaded.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "vtpm_tap.h"
#include "vtpm_util.h"

#define CHILD_TIMEOUT	15

struct stall {
	int ctl;
	uint32_t index;
	int srv;
	int uffd;
	uint8_t *page;
	bool on_write;		/* stall the response's write, not the read */
	ssize_t engine_ret;
	int engine_errno;
	ssize_t tenant_ret;
	int tenant_errno;
	long tenant_rc;
};

static int create_sw(int ctl, const char *label, uint32_t *index)
{
	struct vtpm_mux_create c = { .size = sizeof(c) };
	int ret;

	c.backend = VTPM_MUX_BACKEND_SW;
	snprintf(c.label, sizeof(c.label), "%s", label);
	ret = mux_create(ctl, &c);
	*index = c.index;
	return ret;
}

static void *engine(void *arg)
{
	struct stall *s = arg;
	uint8_t buf[4096];
	ssize_t n;

	if (s->on_write) {
		/* read the command normally, answer from the missing page */
		n = read(s->srv, buf, sizeof(buf));
		if (n < 10) {
			s->engine_ret = n;
			s->engine_errno = errno;
			return NULL;
		}
		s->engine_ret = write(s->srv, s->page, 10);
	} else {
		s->engine_ret = read(s->srv, s->page, 4096);
	}
	s->engine_errno = errno;
	return NULL;
}

static void *tenant(void *arg)
{
	struct stall *s = arg;
	uint8_t cmd[32], rsp[TPM_BUFSIZE];
	char dev[64];
	size_t len;
	int fd;

	mux_dev_path(s->index, dev, sizeof(dev));
	fd = open(dev, O_RDWR);
	if (fd < 0) {
		s->tenant_ret = -1;
		s->tenant_errno = errno;
		return NULL;
	}
	len = build_getrandom(cmd, 8);
	s->tenant_ret = fd_xfer(fd, cmd, len, rsp, sizeof(rsp), 300000);
	s->tenant_errno = s->tenant_ret < 0 ? (int)-s->tenant_ret : 0;
	s->tenant_rc = s->tenant_ret > 0 ? resp_rc(rsp, s->tenant_ret) : -1;
	close(fd);
	return NULL;
}

static int uffd_setup(struct stall *s)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { 0 };
	long page = sysconf(_SC_PAGESIZE);

	s->uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (s->uffd < 0)
		return -errno;
	if (ioctl(s->uffd, UFFDIO_API, &api))
		return -errno;
	s->page = mmap(NULL, page, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s->page == MAP_FAILED)
		return -errno;
	reg.range.start = (uintptr_t)s->page;
	reg.range.len = page;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(s->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Wait up to 20 s until the engine's copy faults on the page. */
static bool uffd_faulted(struct stall *s)
{
	struct pollfd p = { .fd = s->uffd, .events = POLLIN };

	return poll(&p, 1, 20000) == 1;
}

static void uffd_resolve(struct stall *s)
{
	struct uffdio_zeropage z = { 0 };

	z.range.start = (uintptr_t)s->page;
	z.range.len = sysconf(_SC_PAGESIZE);
	ioctl(s->uffd, UFFDIO_ZEROPAGE, &z);
}

enum op { OP_DESTROY_STUCK, OP_LIST, OP_INFO, OP_CREATE_DESTROY, OP_ATTACH };

static const char *const op_names[] = {
	[OP_DESTROY_STUCK] = "DESTROY of the stuck instance (root)",
	[OP_LIST] = "LIST (uid 1000)",
	[OP_INFO] = "INFO of the stuck instance (uid 1000)",
	[OP_CREATE_DESTROY] = "CREATE and DESTROY of another instance (root)",
	[OP_ATTACH] = "ATTACH to another sw instance (root)",
};

static int run_op(enum op op, uint32_t stuck, uint32_t other)
{
	struct vtpm_mux_attach a = { .size = sizeof(a) };
	struct vtpm_mux_info info;
	uint32_t idx[64], n;
	int ctl, fd;

	if (op == OP_LIST || op == OP_INFO) {
		if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) ||
		    setresuid(1000, 1000, 1000))
			return 10;
	}
	ctl = mux_ctl_open();
	if (ctl < 0)
		return 11;
	switch (op) {
	case OP_DESTROY_STUCK:
		return mux_destroy(ctl, stuck) ? 12 : 0;
	case OP_LIST:
		return mux_list(ctl, idx, ARRAY_LEN(idx)) < 0 ? 13 : 0;
	case OP_INFO:
		/* gone (destroyed just before) or there: either answers */
		n = mux_info(ctl, stuck, &info);
		return n && n != (uint32_t)-ENODEV ? 14 : 0;
	case OP_CREATE_DESTROY:
		if (create_sw(ctl, "stall-other", &n))
			return 15;
		return mux_destroy(ctl, n) ? 16 : 0;
	case OP_ATTACH:
		a.index = other;
		fd = ioctl(ctl, VTPM_MUX_IOC_ATTACH, &a);
		return fd < 0 ? 17 : 0;
	}
	return 18;
}

/* Run @op in a child; 0 when it succeeded within CHILD_TIMEOUT s. */
static int bounded(enum op op, uint32_t stuck, uint32_t other, pid_t *left)
{
	struct timespec t0, t;
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (!pid)
		_exit(run_op(op, stuck, other));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 99;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (t.tv_sec - t0.tv_sec >= CHILD_TIMEOUT)
			break;
		usleep(20000);
	}
	*left = pid;
	return -ETIMEDOUT;
}

static void one_case(int ctl, bool on_write)
{
	const char *what = on_write ? "write of its response" : "read of the command";
	struct vtpm_mux_attach a = { .size = sizeof(a) };
	pid_t left[OP_ATTACH + 1] = { 0 };
	pthread_t eng, ten;
	struct stall s = { .ctl = ctl, .on_write = on_write };
	uint32_t other;
	bool stuck;
	int i, ret;

	printf("# an engine stuck in the %s\n", what);
	ret = create_sw(ctl, "stall", &s.index);
	CHECK(!ret, "a sw instance vtpm%u", s.index);
	ret = create_sw(ctl, "stall-attach", &other);
	CHECK(!ret, "another sw instance vtpm%u", other);
	ret = uffd_setup(&s);
	CHECK(!ret, "a userfaultfd page (%s)", strerror(-ret));
	if (ret)
		return;
	a.index = s.index;
	s.srv = ioctl(ctl, VTPM_MUX_IOC_ATTACH, &a);
	CHECK(s.srv >= 0, "an engine attached to vtpm%u", s.index);
	pthread_create(&eng, NULL, engine, &s);
	pthread_create(&ten, NULL, tenant, &s);
	stuck = uffd_faulted(&s);
	CHECK(stuck, "the engine's %s faults on the page and stays there",
	      what);

	for (i = OP_DESTROY_STUCK; stuck && i <= OP_ATTACH; i++) {
		ret = bounded(i, s.index, other, &left[i]);
		CHECK(!ret, "%s completes within %d s (%s)", op_names[i],
		      CHILD_TIMEOUT, ret == -ETIMEDOUT ? "timed out" :
		      ret ? "failed" : "done");
	}
	/* the tenant got its answer (or -ENODEV) once its instance went */
	for (i = 0; i < 100 * CHILD_TIMEOUT; i++) {
		if (pthread_tryjoin_np(ten, NULL) == 0)
			break;
		usleep(10000);
	}
	CHECK(i < 100 * CHILD_TIMEOUT &&
	      ((s.tenant_ret < 0 && s.tenant_errno == ENODEV) ||
	       (s.tenant_ret >= 10 && s.tenant_rc > 0)),
	      "the tenant gets -ENODEV or a TPM error, in bounded time (ret %zd, rc 0x%lx, %s)",
	      s.tenant_ret, s.tenant_rc, strerror(s.tenant_errno));

	/* release whatever hangs, then everything unwinds */
	uffd_resolve(&s);
	pthread_join(eng, NULL);
	if (i == 100 * CHILD_TIMEOUT)
		pthread_join(ten, NULL);
	CHECK(s.engine_ret < 0 && (s.engine_errno == EPIPE ||
				   s.engine_errno == EFAULT),
	      "the engine's %s fails once its page is there: the instance is gone (%zd, %s)",
	      what, s.engine_ret, strerror(s.engine_errno));
	for (i = 0; i <= OP_ATTACH; i++)
		if (left[i])
			waitpid(left[i], NULL, 0);
	close(s.srv);
	close(s.uffd);
	munmap(s.page, sysconf(_SC_PAGESIZE));
	mux_destroy(ctl, s.index);
	CHECK(!mux_destroy(ctl, other), "the other sw instance is destroyed");
}

int main(void)
{
	int ctl = mux_ctl_open();

	if (ctl < 0) {
		printf("1..0 # SKIP no /dev/vtpm-mux\n");
		return 4;
	}
	one_case(ctl, false);
	one_case(ctl, true);
	close(ctl);
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}
