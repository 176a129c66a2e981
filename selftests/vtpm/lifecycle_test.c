// SPDX-License-Identifier: GPL-2.0
/*
 * Instance lifecycle: many create/destroy rounds, and destroying an
 * instance that other processes hold open, poll on, or drive commands
 * through.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"

FIXTURE(life) {
	int fd;
	bool skip;
	uint32_t idx;
	bool have;
	char dev[64];
};

FIXTURE_SETUP(life)
{
	self->fd = mux_ctl_open();
	if (self->fd < 0 && errno == ENOENT) {
		self->skip = true;
		SKIP(return, "no %s (module not loaded)", VTPM_MUX_CONTROL_DEVICE);
	}
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(life)
{
	if (self->fd < 0)
		return;
	if (self->have)
		mux_destroy(self->fd, self->idx);
	close(self->fd);
}

#define BEGIN() do { if (self->skip) return; } while (0)

static void make(struct __test_metadata *_metadata, FIXTURE_DATA(life) *self)
{
	ASSERT_EQ(0, mux_create_simple(self->fd, "life", &self->idx, NULL));
	self->have = true;
	mux_dev_path(self->idx, self->dev, sizeof(self->dev));
	ASSERT_TRUE(wait_for_path(self->dev, true));
}

static int startup_on(int fd)
{
	uint8_t cmd[16], resp[64];

	if (write(fd, cmd, build_startup(cmd, 0)) != 12)
		return -1;
	if (read(fd, resp, sizeof(resp)) != 10)
		return -1;
	return (int)get_be32(resp + 6);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 +
	       (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

TEST_F_TIMEOUT(life, create_destroy_100_times, 180)
{
	struct vtpm_mux_info info;
	int before;

	BEGIN();
	before = mux_list(self->fd, NULL, 0);
	ASSERT_LE(0, before);
	for (int i = 0; i < 100; i++) {
		int fd;

		make(_metadata, self);
		fd = open(self->dev, O_RDWR | O_CLOEXEC);
		ASSERT_LE(0, fd) TH_LOG("round %d: %s", i, strerror(errno));
		EXPECT_EQ(0, startup_on(fd)) TH_LOG("round %d", i);
		close(fd);
		ASSERT_EQ(0, mux_destroy(self->fd, self->idx)) TH_LOG("round %d", i);
		self->have = false;
		EXPECT_EQ(-ENODEV, mux_info(self->fd, self->idx, &info));
		EXPECT_TRUE(wait_for_path(self->dev, false)) TH_LOG("round %d", i);
	}
	EXPECT_EQ(before, mux_list(self->fd, NULL, 0));
}

/* another process holds the instance open across the destroy */
TEST_F(life, destroy_while_held_by_another_process)
{
	int to_child[2], to_parent[2], st;
	char c;
	pid_t pid;

	BEGIN();
	make(_metadata, self);
	ASSERT_EQ(0, pipe(to_child));
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t cmd[16], resp[64];
		struct pollfd p;
		int fd = open(self->dev, O_RDWR | O_CLOEXEC);

		if (fd < 0 || startup_on(fd) != 0)
			_exit(100);
		/* leave a response pending */
		if (write(fd, cmd, build_getrandom(cmd, 8)) != 12)
			_exit(101);
		if (write(to_parent[1], "r", 1) != 1 ||
		    read(to_child[0], &c, 1) != 1)
			_exit(102);
		if (read(fd, resp, sizeof(resp)) != -1 || errno != ENODEV)
			_exit(103);
		if (write(fd, cmd, build_getrandom(cmd, 8)) != -1 ||
		    errno != ENODEV)
			_exit(104);
		p.fd = fd;
		p.events = POLLIN | POLLOUT;
		if (poll(&p, 1, 1000) != 1 ||
		    (p.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP))
			_exit(105);
		if (close(fd))
			_exit(106);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	ASSERT_EQ(0, mux_destroy(self->fd, self->idx));
	self->have = false;
	EXPECT_TRUE(wait_for_path(self->dev, false));
	ASSERT_EQ(1, write(to_child[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* a poll() already waiting wakes up with POLLERR|POLLHUP on destroy */
TEST_F(life, destroy_wakes_a_waiting_poll)
{
	int to_parent[2], st;
	char c;
	pid_t pid;

	BEGIN();
	make(_metadata, self);
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct timespec t0;
		struct pollfd p;
		int fd = open(self->dev, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			_exit(100);
		if (write(to_parent[1], "r", 1) != 1)
			_exit(101);
		/* nothing written: only the destroy can end this poll */
		p.fd = fd;
		p.events = POLLIN;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (poll(&p, 1, 20000) != 1)
			_exit(102);
		if ((p.revents & (POLLERR | POLLHUP)) != (POLLERR | POLLHUP))
			_exit(103);
		if (ms_since(&t0) > 10000)
			_exit(104);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	usleep(200 * 1000);	/* let the child reach poll() */
	ASSERT_EQ(0, mux_destroy(self->fd, self->idx));
	self->have = false;
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

/* commands in full flow while the instance goes away */
TEST_F_TIMEOUT(life, destroy_under_traffic, 60)
{
	int to_parent[2], st;
	char c;
	pid_t pid;

	BEGIN();
	make(_metadata, self);
	ASSERT_EQ(0, pipe(to_parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint8_t cmd[16], resp[128];
		int fd = open(self->dev, O_RDWR | O_CLOEXEC);

		if (fd < 0 || startup_on(fd) != 0)
			_exit(100);
		if (write(to_parent[1], "r", 1) != 1)
			_exit(101);
		for (long i = 0; i < 10000000; i++) {
			ssize_t n = write(fd, cmd, build_getrandom(cmd, 32));

			if (n < 0)
				_exit(errno == ENODEV ? 0 : 102);
			if (n != 12)
				_exit(103);
			n = read(fd, resp, sizeof(resp));
			if (n < 0)
				_exit(errno == ENODEV ? 0 : 104);
			/* every answer before the end is a whole one */
			if (n != 44 || get_be32(resp + 6) != 0)
				_exit(105);
		}
		_exit(106);
	}
	ASSERT_EQ(1, read(to_parent[0], &c, 1));
	usleep(100 * 1000);
	ASSERT_EQ(0, mux_destroy(self->fd, self->idx));
	self->have = false;
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
}

TEST_F(life, destroy_with_many_descriptors)
{
	int fds[16];

	BEGIN();
	make(_metadata, self);
	for (int i = 0; i < 16; i++) {
		fds[i] = open(self->dev, O_RDWR | O_CLOEXEC |
			      (i % 2 ? O_NONBLOCK : 0));
		ASSERT_LE(0, fds[i]);
	}
	EXPECT_EQ(0, startup_on(fds[0]));
	{
		struct vtpm_mux_info info;

		ASSERT_EQ(0, mux_info(self->fd, self->idx, &info));
		EXPECT_EQ(16, info.open_count);
	}
	ASSERT_EQ(0, mux_destroy(self->fd, self->idx));
	self->have = false;
	for (int i = 0; i < 16; i++) {
		uint8_t b[16];

		EXPECT_EQ(-1, read(fds[i], b, sizeof(b)));
		EXPECT_EQ(ENODEV, errno);
		EXPECT_EQ(0, close(fds[i]));
	}
}

TEST_HARNESS_MAIN
