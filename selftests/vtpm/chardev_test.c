// SPDX-License-Identifier: GPL-2.0
/*
 * Character-device semantics of /dev/vtpmN (abi.md, "Instance devices"):
 * write/read framing, partial reads, -EBUSY, poll(), O_NONBLOCK, several
 * descriptors, size limits, and what descriptors see after the instance
 * is destroyed.
 *
 * Each test creates its own instance.  VTPM_DEV=/dev/X runs the tests that
 * make sense on an existing device (it is not reset: expected response
 * codes allow an already started TPM there).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "vtpm_util.h"
#include "vtpm_crypto.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	struct vtpm_target t;
	int fd;
	bool skip;
};

FIXTURE_SETUP(dev)
{
	char err[256];
	int r;

	self->fd = -1;
	r = target_setup(&self->t, "", err, sizeof(err));
	if (r == -ENOENT && self->t.kind == TARGET_MUX) {
		self->skip = true;
		SKIP(return, "%s", err);
	}
	ASSERT_EQ(0, r) TH_LOG("%s", err);
	if (self->t.kind != TARGET_MUX && self->t.kind != TARGET_DEV) {
		self->skip = true;
		SKIP(return, "needs a character device, not %s", self->t.tcti);
	}
	self->fd = open(self->t.dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", self->t.dev,
				      strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
	target_teardown(&self->t);
}

#define BEGIN() do { if (self->skip) return; } while (0)
#define REQUIRE_MUX() do {						\
	if (!target_is_mux(&self->t))					\
		SKIP(return, "needs an instance of its own");		\
} while (0)

/* the response code a started-or-not TPM gives to Startup(CLEAR) */
static bool startup_rc_ok(const struct vtpm_target *t, uint32_t rc)
{
	return rc == RC_SUCCESS || (!target_is_fresh(t) && rc == RC_INITIALIZE);
}

/* writes cmd, reads the whole response; returns its length or -errno */
static ssize_t xfer(int fd, const uint8_t *cmd, size_t len, uint8_t *resp,
		    size_t cap)
{
	ssize_t n = write(fd, cmd, len);

	if (n < 0)
		return -errno;
	if ((size_t)n != len)
		return -EIO;
	n = read(fd, resp, cap);
	return n < 0 ? -errno : n;
}

static void start(struct __test_metadata *_metadata, int fd,
		  const struct vtpm_target *t)
{
	uint8_t cmd[16], resp[64];

	ASSERT_EQ(10, xfer(fd, cmd, build_startup(cmd, 0), resp, sizeof(resp)));
	ASSERT_TRUE(startup_rc_ok(t, get_be32(resp + 6)));
}

static short poll_now(int fd, short events, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = events };

	if (poll(&p, 1, timeout_ms) < 0)
		return -1;
	return p.revents;
}

TEST_F(dev, write_then_read)
{
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	ssize_t n;

	BEGIN();
	n = write(self->fd, cmd, build_startup(cmd, 0));
	ASSERT_EQ(12, n);
	n = read(self->fd, resp, sizeof(resp));
	ASSERT_EQ(10, n);
	EXPECT_EQ(ST_NO_SESSIONS, get_be16(resp));
	EXPECT_EQ(10, get_be32(resp + 2));
	EXPECT_TRUE(startup_rc_ok(&self->t, get_be32(resp + 6)));
	/* nothing pending any more */
	EXPECT_EQ(0, read(self->fd, resp, sizeof(resp)));
}

TEST_F(dev, read_without_command_returns_0)
{
	uint8_t resp[64];

	BEGIN();
	EXPECT_EQ(0, read(self->fd, resp, sizeof(resp)));
	EXPECT_EQ(0, read(self->fd, resp, sizeof(resp)));
}

TEST_F(dev, partial_reads)
{
	uint8_t cmd[16], a[64], b[TPM_BUFSIZE];
	ssize_t n1, n2, n3;

	BEGIN();
	start(_metadata, self->fd, &self->t);
	ASSERT_EQ(12, write(self->fd, cmd, build_getrandom(cmd, 32)));
	/* 10 header + 2 size + 32 bytes, read as 1 + 5 + the rest */
	n1 = read(self->fd, a, 1);
	ASSERT_EQ(1, n1);
	n2 = read(self->fd, a + 1, 5);
	ASSERT_EQ(5, n2);
	n3 = read(self->fd, b, sizeof(b));
	ASSERT_EQ(44 - 6, n3);
	memcpy(a + 6, b, n3);
	EXPECT_EQ(ST_NO_SESSIONS, get_be16(a));
	EXPECT_EQ(44, get_be32(a + 2));
	EXPECT_EQ(RC_SUCCESS, get_be32(a + 6));
	EXPECT_EQ(32, get_be16(a + 10));
	EXPECT_EQ(0, read(self->fd, b, sizeof(b)));
}

TEST_F(dev, second_write_before_read_is_ebusy)
{
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	size_t len;

	BEGIN();
	start(_metadata, self->fd, &self->t);
	len = build_getrandom(cmd, 8);
	ASSERT_EQ((ssize_t)len, write(self->fd, cmd, len));
	EXPECT_EQ(-1, write(self->fd, cmd, len));
	EXPECT_EQ(EBUSY, errno);
	/* the first response is intact */
	ASSERT_EQ(20, read(self->fd, resp, sizeof(resp)));
	EXPECT_EQ(RC_SUCCESS, get_be32(resp + 6));
	EXPECT_EQ(8, get_be16(resp + 10));
	/* and now writing works again */
	ASSERT_EQ(20, xfer(self->fd, cmd, len, resp, sizeof(resp)));
}

/* one read of any part of a response allows the next write */
TEST_F(dev, write_after_partial_read_discards_rest)
{
	uint8_t cmd[32], resp[TPM_BUFSIZE], b;
	uint8_t dig[64];
	ssize_t n;

	BEGIN();
	start(_metadata, self->fd, &self->t);
	ASSERT_EQ(12, write(self->fd, cmd, build_getrandom(cmd, 32)));
	ASSERT_EQ(1, read(self->fd, &b, 1));
	EXPECT_EQ(0x80, b);
	n = xfer(self->fd, cmd, build_pcr_read(cmd, ALG_SHA256, 17), resp,
		 sizeof(resp));
	ASSERT_GE(n, 10);
	EXPECT_EQ((uint32_t)n, get_be32(resp + 2));
	EXPECT_EQ(RC_SUCCESS, get_be32(resp + 6));
	/* the PCR_Read answer: ...TPML_DIGEST{1, {32, FF * 32}} at the end */
	ASSERT_GE(n, 10 + 4 + 10 + 4 + 2 + 32);
	EXPECT_EQ(32, get_be16(resp + n - 34));
	pcr_initial_value(17, 32, dig);
	if (target_is_fresh(&self->t)) {
		EXPECT_EQ(0, memcmp(dig, resp + n - 32, 32));
	}
	EXPECT_EQ(0, read(self->fd, resp, sizeof(resp)));
}

TEST_F(dev, poll_in_and_out)
{
	const short ALL_IO = POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM;
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	short ev;

	BEGIN();
	start(_metadata, self->fd, &self->t);
	/* idle: writable, nothing to read */
	ev = poll_now(self->fd, ALL_IO, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM, ev & (POLLIN | POLLRDNORM | POLLOUT |
					      POLLWRNORM));
	ASSERT_EQ(12, write(self->fd, cmd, build_getrandom(cmd, 16)));
	/* response pending: readable, not writable (a write is -EBUSY) */
	ev = poll_now(self->fd, ALL_IO, 5000);
	EXPECT_EQ(POLLIN | POLLRDNORM, ev & (POLLIN | POLLRDNORM | POLLOUT |
					     POLLWRNORM));
	EXPECT_EQ(0, ev & (POLLERR | POLLHUP));
	/* part of it read: the rest is still readable */
	ASSERT_EQ(4, read(self->fd, resp, 4));
	ev = poll_now(self->fd, POLLIN, 0);
	EXPECT_TRUE(ev & POLLIN);
	ASSERT_EQ(28 - 4, read(self->fd, resp + 4, sizeof(resp) - 4));
	/* all read: writable again */
	ev = poll_now(self->fd, ALL_IO, 0);
	EXPECT_EQ(POLLOUT | POLLWRNORM, ev & (POLLIN | POLLRDNORM | POLLOUT |
					      POLLWRNORM));
}

TEST_F(dev, nonblocking_write_poll_read)
{
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	int fd;
	short ev;
	ssize_t n;

	BEGIN();
	fd = open(self->t.dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	n = write(fd, cmd, build_startup(cmd, 0));
	ASSERT_EQ(12, n);
	ev = poll_now(fd, POLLIN, 5000);
	ASSERT_TRUE(ev & POLLIN);
	n = read(fd, resp, sizeof(resp));
	ASSERT_EQ(10, n);
	EXPECT_EQ(10, get_be32(resp + 2));
	EXPECT_TRUE(startup_rc_ok(&self->t, get_be32(resp + 6)));
	/* idle non-blocking read: 0, not -EAGAIN */
	EXPECT_EQ(0, read(fd, resp, sizeof(resp)));
	close(fd);
}

/*
 * Right after a non-blocking write the command is in flight or done: a
 * second write is -EBUSY either way, and a read returns -EAGAIN or the
 * complete response (whether it is still running cannot be controlled,
 * so -EAGAIN itself is only accepted, not required).
 */
TEST_F(dev, nonblocking_in_flight)
{
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	int fd, eagain = 0;
	ssize_t n;

	BEGIN();
	start(_metadata, self->fd, &self->t);
	fd = open(self->t.dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(12, write(fd, cmd, build_getrandom(cmd, 64)));
	EXPECT_EQ(-1, write(fd, cmd, 12));
	EXPECT_EQ(EBUSY, errno);
	n = read(fd, resp, sizeof(resp));
	if (n < 0) {
		EXPECT_EQ(EAGAIN, errno);
		eagain = 1;
		ASSERT_TRUE(poll_now(fd, POLLIN, 5000) & POLLIN);
		n = read(fd, resp, sizeof(resp));
	}
	TH_LOG("first read %s", eagain ? "-EAGAIN" : "returned the response");
	ASSERT_EQ(76, n);
	EXPECT_EQ(76, get_be32(resp + 2));
	EXPECT_EQ(RC_SUCCESS, get_be32(resp + 6));
	EXPECT_EQ(64, get_be16(resp + 10));
	close(fd);
}

/* each open file has its own buffer; the TPM state is shared */
TEST_F(dev, several_descriptors)
{
	uint8_t c1[32], c2[128], r[TPM_BUFSIZE], d[32], got[64], want[64];
	unsigned int len;
	int fd2;

	BEGIN();
	fd2 = open(self->t.dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	if (target_is_mux(&self->t)) {
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &info));
		EXPECT_EQ(2, info.open_count);
	}
	/* a command on each before either response is read */
	ASSERT_EQ(12, write(self->fd, c1, build_startup(c1, 0)));
	ASSERT_EQ(12, write(fd2, c2, build_getrandom(c2, 8)));
	ASSERT_EQ(20, read(fd2, r, sizeof(r)));
	EXPECT_EQ(RC_SUCCESS, get_be32(r + 6));	/* Startup ran first */
	ASSERT_EQ(10, read(self->fd, r, sizeof(r)));
	EXPECT_TRUE(startup_rc_ok(&self->t, get_be32(r + 6)));

	/* an extend through one descriptor shows through the other */
	memset(d, 0x5A, sizeof(d));
	ASSERT_EQ(0, raw_pcr_read(&self->t, ALG_SHA256, 23, got, &len));
	ASSERT_EQ(32, len);
	ASSERT_EQ(32, ossl_digest2(ALG_SHA256, got, 32, d, 32, want));
	ASSERT_EQ(19, xfer(self->fd, c2, build_pcr_extend(c2, 23, ALG_SHA256,
							   d, 32),
			   r, sizeof(r)));
	EXPECT_EQ(RC_SUCCESS, get_be32(r + 6));
	ASSERT_EQ(10 + 4 + 10 + 4 + 2 + 32,
		  xfer(fd2, c1, build_pcr_read(c1, ALG_SHA256, 23), r,
		       sizeof(r)));
	EXPECT_EQ(RC_SUCCESS, get_be32(r + 6));
	EXPECT_EQ(0, memcmp(want, r + 10 + 4 + 10 + 4 + 2, 32));
	close(fd2);
	if (target_is_mux(&self->t)) {
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->t.ctl, self->t.index, &info));
		EXPECT_EQ(1, info.open_count);
	}
}

TEST_F(dev, write_sizes)
{
	uint8_t *big = calloc(1, 8192), resp[TPM_BUFSIZE];
	void *noaccess = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ssize_t n;

	BEGIN();
	ASSERT_NE(NULL, big);
	start(_metadata, self->fd, &self->t);
	EXPECT_EQ(-1, write(self->fd, big, 4097));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, write(self->fd, big, 8192));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, write(self->fd, big, 0));
	EXPECT_EQ(EINVAL, errno);
	/* a user pointer the kernel cannot read */
	ASSERT_NE(MAP_FAILED, noaccess);
	EXPECT_EQ(-1, write(self->fd, noaccess, 12));
	EXPECT_EQ(EFAULT, errno);
	munmap(noaccess, 4096);
	/* none of these left a command behind */
	EXPECT_EQ(0, read(self->fd, resp, sizeof(resp)));
	/* 4096 bytes are taken: GetRandom with trailing bytes, TPM_RC_SIZE */
	build_getrandom(big, 8);
	put_be32(big + 2, 4096);
	n = write(self->fd, big, 4096);
	ASSERT_EQ(4096, n);
	ASSERT_EQ(10, read(self->fd, resp, sizeof(resp)));
	EXPECT_EQ(0x095, get_be32(resp + 6));
	/* and the device still answers normally */
	ASSERT_EQ(12, write(self->fd, big, build_getrandom(big, 8)));
	ASSERT_EQ(20, read(self->fd, resp, sizeof(resp)));
	EXPECT_EQ(RC_SUCCESS, get_be32(resp + 6));
	free(big);
}

static void expect_dead(struct __test_metadata *_metadata, int fd)
{
	uint8_t cmd[16], resp[64];
	short ev;

	EXPECT_EQ(-1, read(fd, resp, sizeof(resp)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, write(fd, cmd, build_getrandom(cmd, 8)));
	EXPECT_EQ(ENODEV, errno);
	/* an ioctl number that reaches the driver (FIO* ones do not) */
	EXPECT_EQ(-1, ioctl(fd, _IO(VTPM_MUX_IOC_MAGIC, 0x7F)));
	EXPECT_EQ(ENODEV, errno);
	ev = poll_now(fd, POLLIN | POLLOUT, 1000);
	EXPECT_EQ(POLLERR | POLLHUP, ev & (POLLERR | POLLHUP));
	EXPECT_EQ(0, ev & (POLLIN | POLLOUT));
}

TEST_F(dev, destroy_while_open)
{
	uint8_t cmd[16];
	struct vtpm_mux_info info;
	int fd_nb;

	BEGIN();
	REQUIRE_MUX();
	start(_metadata, self->fd, &self->t);
	fd_nb = open(self->t.dev, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd_nb);
	/* a response left unread on one, a queued command on the other */
	ASSERT_EQ(12, write(self->fd, cmd, build_getrandom(cmd, 8)));
	ASSERT_EQ(12, write(fd_nb, cmd, build_getrandom(cmd, 8)));
	ASSERT_EQ(0, mux_destroy(self->t.ctl, self->t.index));
	expect_dead(_metadata, self->fd);
	expect_dead(_metadata, fd_nb);
	EXPECT_EQ(-ENODEV, mux_info(self->t.ctl, self->t.index, &info));
	EXPECT_TRUE(wait_for_path(self->t.dev, false));
	EXPECT_EQ(0, close(fd_nb));
	EXPECT_EQ(0, close(self->fd));
	self->fd = -1;
	EXPECT_EQ(-ENODEV, mux_destroy(self->t.ctl, self->t.index));
}

/* a descriptor of a destroyed instance never reaches its successor */
TEST_F(dev, old_descriptor_does_not_reach_reused_index)
{
	struct vtpm_mux_info info;
	uint32_t idx;
	uint8_t cmd[16];

	BEGIN();
	REQUIRE_MUX();
	ASSERT_EQ(0, mux_destroy(self->t.ctl, self->t.index));
	ASSERT_EQ(0, mux_create_simple(self->t.ctl, "successor", &idx, NULL));
	/* indices are the smallest free ones: ours is free again */
	EXPECT_EQ(self->t.index, idx);
	expect_dead(_metadata, self->fd);
	EXPECT_EQ(-1, write(self->fd, cmd, build_startup(cmd, 0)));
	ASSERT_EQ(0, mux_info(self->t.ctl, idx, &info));
	EXPECT_EQ(0, info.commands);
	EXPECT_EQ(0, info.started);
	EXPECT_EQ(0, info.open_count);
	self->t.index = idx;	/* teardown destroys the successor */
}

TEST_HARNESS_MAIN
