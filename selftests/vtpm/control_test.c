// SPDX-License-Identifier: GPL-2.0
/*
 * The control device /dev/vtpm-mux: CREATE, DESTROY, INFO, LIST, argument
 * validation, index and UUID rules, and the sysfs attributes of
 * /sys/class/vtpm/vtpmN (abi.md).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "vtpm_util.h"
#include "vtpm_crypto.h"
#include "kselftest_harness.h"

#define MAX_TRACKED 2200

FIXTURE(ctl) {
	int fd;
	bool skip;
	uint32_t *created;
	int ncreated;
};

FIXTURE_SETUP(ctl)
{
	self->created = calloc(MAX_TRACKED, sizeof(uint32_t));
	ASSERT_NE(NULL, self->created);
	self->fd = mux_ctl_open();
	if (self->fd < 0 && errno == ENOENT) {
		self->skip = true;
		SKIP(return, "no %s (module not loaded)", VTPM_MUX_CONTROL_DEVICE);
	}
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->fd >= 0) {
		for (int i = 0; i < self->ncreated; i++)
			mux_destroy(self->fd, self->created[i]);
		close(self->fd);
	}
	free(self->created);
}

#define BEGIN() do { if (self->skip) return; } while (0)

/* creates through the ioctl and remembers the index for the teardown */
static int create_tracked(FIXTURE_DATA(ctl) *self, struct vtpm_mux_create *c)
{
	int r = mux_create(self->fd, c);

	if (!r && self->ncreated < MAX_TRACKED)
		self->created[self->ncreated++] = c->index;
	return r;
}

static void init_create(struct vtpm_mux_create *c, const char *label)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	snprintf(c->label, sizeof(c->label), "%s", label);
}

static int destroy_tracked(FIXTURE_DATA(ctl) *self, uint32_t index)
{
	int r = mux_destroy(self->fd, index);

	for (int i = 0; i < self->ncreated; i++) {
		if (self->created[i] == index) {
			self->created[i] = self->created[--self->ncreated];
			break;
		}
	}
	return r;
}

static int count_instances(int fd)
{
	return mux_list(fd, NULL, 0);
}

static bool uuid_is_v4(const uint8_t *u)
{
	return (u[6] >> 4) == 4 && (u[8] & 0xC0) == 0x80;
}

TEST_F(ctl, control_node)
{
	struct stat st;

	BEGIN();
	ASSERT_EQ(0, stat(VTPM_MUX_CONTROL_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666, st.st_mode & 07777);
}

TEST_F(ctl, create_info_destroy)
{
	struct vtpm_mux_create c;
	struct vtpm_mux_info info;
	char dev[64];
	struct stat st;
	int before;

	BEGIN();
	before = count_instances(self->fd);
	ASSERT_LE(0, before);
	init_create(&c, "tenant-a");
	ASSERT_EQ(0, create_tracked(self, &c));
	EXPECT_TRUE(uuid_is_v4(c.uuid));
	EXPECT_EQ(before + 1, count_instances(self->fd));

	mux_dev_path(c.index, dev, sizeof(dev));
	ASSERT_TRUE(wait_for_path(dev, true));
	ASSERT_EQ(0, stat(dev, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0600, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(0, st.st_gid);

	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(sizeof(info), info.size);
	EXPECT_EQ(c.index, info.index);
	EXPECT_EQ(0, info.uid);
	EXPECT_EQ(0, info.gid);
	EXPECT_EQ(0600, info.mode);
	EXPECT_EQ(VTPM_MUX_BACKEND_NONE, info.backend);
	ASSERT_GE(info.nr_banks, 1);
	ASSERT_LE(info.nr_banks, VTPM_MUX_MAX_BANKS);
	for (uint32_t i = 0; i < info.nr_banks; i++) {
		EXPECT_NE(NULL, alg_by_id(info.banks[i]))
			TH_LOG("bank 0x%x", info.banks[i]);
	}
	EXPECT_STREQ("tenant-a", info.label);
	EXPECT_EQ(0, memcmp(c.uuid, info.uuid, sizeof(c.uuid)));
	EXPECT_EQ(0, info.started);
	EXPECT_EQ(0, info.open_count);
	EXPECT_EQ(0, info.commands);
	EXPECT_EQ(0, info.extends);
	for (size_t i = 0; i < ARRAY_LEN(info.reserved); i++) {
		EXPECT_EQ(0, info.reserved[i]);
	}

	ASSERT_EQ(0, destroy_tracked(self, c.index));
	EXPECT_EQ(-ENODEV, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(-ENODEV, mux_destroy(self->fd, c.index));
	EXPECT_TRUE(wait_for_path(dev, false));
	EXPECT_EQ(before, count_instances(self->fd));
}

TEST_F(ctl, create_with_owner_and_mode)
{
	/*
	 * abi.md: uid and gid count only with VTPM_MUX_CREATE_OWNER, mode
	 * only with VTPM_MUX_CREATE_MODE; without its flag a field must be
	 * 0 (-EINVAL otherwise, like a reserved field).
	 */
	static const struct {
		uint32_t flags, uid, gid, mode;
		uint32_t want_uid, want_gid, want_mode;
		int err;
	} cases[] = {
		{ VTPM_MUX_CREATE_OWNER | VTPM_MUX_CREATE_MODE, 1000, 1001, 0640,
		  1000, 1001, 0640, 0 },
		{ VTPM_MUX_CREATE_OWNER, 1234, 4321, 0, 1234, 4321, 0600, 0 },
		{ VTPM_MUX_CREATE_OWNER, 1234, 4321, 0777, 0, 0, 0, -EINVAL },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 0666, 0, 0, 0666, 0 },
		{ VTPM_MUX_CREATE_MODE, 1000, 0, 0666, 0, 0, 0, -EINVAL },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 0, 0, 0, 0, -EINVAL },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 01777, 0, 0, 0, -EINVAL },
		{ 0, 0, 0, 0, 0, 0, 0600, 0 },
		{ 0, 1000, 1000, 0666, 0, 0, 0, -EINVAL },
	};

	BEGIN();
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct vtpm_mux_create c;
		struct vtpm_mux_info info;
		struct stat st;
		char dev[64];

		init_create(&c, "owner");
		c.flags = cases[i].flags;
		c.uid = cases[i].uid;
		c.gid = cases[i].gid;
		c.mode = cases[i].mode;
		if (cases[i].err) {
			EXPECT_EQ(cases[i].err, create_tracked(self, &c))
				TH_LOG("case %zu", i);
			continue;
		}
		ASSERT_EQ(0, create_tracked(self, &c)) TH_LOG("case %zu", i);
		ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
		EXPECT_EQ(cases[i].want_uid, info.uid) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].want_gid, info.gid) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].want_mode, info.mode) TH_LOG("case %zu", i);
		mux_dev_path(c.index, dev, sizeof(dev));
		ASSERT_TRUE(wait_for_path(dev, true));
		ASSERT_EQ(0, stat(dev, &st));
		EXPECT_EQ(cases[i].want_uid, st.st_uid) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].want_gid, st.st_gid) TH_LOG("case %zu", i);
		EXPECT_EQ(cases[i].want_mode, st.st_mode & 07777)
			TH_LOG("case %zu", i);
	}
}

/* every ioctl rejects a size it does not know */
TEST_F(ctl, wrong_sizes)
{
	static const uint32_t delta[] = { (uint32_t)-1, 1, 8, (uint32_t)-4 };
	int before;

	BEGIN();
	before = count_instances(self->fd);
	for (size_t i = 0; i < ARRAY_LEN(delta) + 1; i++) {
		struct vtpm_mux_create c;
		struct vtpm_mux_destroy d;
		struct vtpm_mux_info info;
		struct vtpm_mux_list l;
		uint32_t idx = 0;

		init_create(&c, "size");
		c.size = i < ARRAY_LEN(delta) ? c.size + delta[i] : 0;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_CREATE, &c));
		EXPECT_EQ(EINVAL, errno) TH_LOG("create size %u", c.size);

		memset(&d, 0, sizeof(d));
		d.size = i < ARRAY_LEN(delta) ? sizeof(d) + delta[i] : 0;
		d.index = 0x7FFFFFF0;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_DESTROY, &d));
		EXPECT_EQ(EINVAL, errno) TH_LOG("destroy size %u", d.size);

		memset(&info, 0, sizeof(info));
		info.size = i < ARRAY_LEN(delta) ? sizeof(info) + delta[i] : 0;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("info size %u", info.size);

		memset(&l, 0, sizeof(l));
		l.size = i < ARRAY_LEN(delta) ? sizeof(l) + delta[i] : 0;
		l.count = 1;
		l.indices = (uintptr_t)&idx;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_LIST, &l));
		EXPECT_EQ(EINVAL, errno) TH_LOG("list size %u", l.size);
	}
	EXPECT_EQ(before, count_instances(self->fd));
}

TEST_F(ctl, unknown_flags)
{
	static const uint32_t bad[] = { 1u << 2, 1u << 3, 1u << 31 };
	int before;

	BEGIN();
	before = count_instances(self->fd);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct vtpm_mux_create c;
		struct vtpm_mux_destroy d = { .size = sizeof(d) };
		struct vtpm_mux_info info;
		struct vtpm_mux_list l = { .size = sizeof(l) };
		uint32_t idx;

		init_create(&c, "flags");
		c.flags = bad[i] | VTPM_MUX_CREATE_MODE;
		c.mode = 0600;
		EXPECT_EQ(-EINVAL, mux_create(self->fd, &c));

		/* an existing instance, so that only the flags can be wrong */
		init_create(&c, "flags");
		ASSERT_EQ(0, create_tracked(self, &c));
		d.index = c.index;
		d.flags = bad[i];
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_DESTROY, &d));
		EXPECT_EQ(EINVAL, errno);
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.index = c.index;
		info.flags = bad[i];
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_INFO, &info));
		EXPECT_EQ(EINVAL, errno);
		l.flags = bad[i];
		l.count = 1;
		l.indices = (uintptr_t)&idx;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_LIST, &l));
		EXPECT_EQ(EINVAL, errno);
		/* DESTROY with flags did not destroy */
		EXPECT_EQ(0, mux_info(self->fd, c.index, &info));
		/* DESTROY flag value 1 is no valid flag either */
		d.flags = 1;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_DESTROY, &d));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(0, destroy_tracked(self, c.index));
	}
	EXPECT_EQ(before, count_instances(self->fd));
}

TEST_F(ctl, nonzero_reserved)
{
	struct vtpm_mux_create c;
	struct vtpm_mux_destroy d;
	struct vtpm_mux_info info;
	struct vtpm_mux_list l;
	uint32_t idx, target;
	int before;

	BEGIN();
	init_create(&c, "reserved");
	ASSERT_EQ(0, create_tracked(self, &c));
	target = c.index;
	before = count_instances(self->fd);

	for (size_t i = 0; i <= ARRAY_LEN(c.reserved); i++) {
		init_create(&c, "reserved");
		if (i < ARRAY_LEN(c.reserved))
			c.reserved[i] = 1;
		else
			c.reserved0 = 1;
		EXPECT_EQ(-EINVAL, mux_create(self->fd, &c)) TH_LOG("%zu", i);
	}
	for (size_t i = 0; i <= ARRAY_LEN(d.reserved); i++) {
		memset(&d, 0, sizeof(d));
		d.size = sizeof(d);
		d.index = target;
		if (i < ARRAY_LEN(d.reserved))
			d.reserved[i] = 1ull << 63;
		else
			d.reserved0 = 1;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_DESTROY, &d));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu", i);
	}
	for (size_t i = 0; i < ARRAY_LEN(info.reserved); i++) {
		memset(&info, 0, sizeof(info));
		info.size = sizeof(info);
		info.index = target;
		info.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_INFO, &info));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu", i);
	}
	for (size_t i = 0; i <= ARRAY_LEN(l.reserved); i++) {
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.count = 1;
		l.indices = (uintptr_t)&idx;
		if (i < ARRAY_LEN(l.reserved))
			l.reserved[i] = 1;
		else
			l.reserved0 = 1;
		EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_LIST, &l));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%zu", i);
	}
	EXPECT_EQ(before, count_instances(self->fd));
	EXPECT_EQ(0, mux_info(self->fd, target, &info));
}

TEST_F(ctl, bad_create_arguments)
{
	static const struct {
		uint32_t flags, uid, gid, mode, backend;
		const char *why;
	} bad[] = {
		{ 0, 0, 0, 0, 2, "backend 2" },
		{ 0, 0, 0, 0, 0xFFFFFFFF, "backend -1" },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 01000, 0, "sticky bit" },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 04600, 0, "setuid bit" },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 02600, 0, "setgid bit" },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 0100600, 0, "file type bits" },
		{ VTPM_MUX_CREATE_MODE, 0, 0, 0xFFFFFFFF, 0, "mode -1" },
		{ VTPM_MUX_CREATE_OWNER, 0xFFFFFFFF, 0, 0, 0, "uid -1" },
		{ VTPM_MUX_CREATE_OWNER, 0, 0xFFFFFFFF, 0, 0, "gid -1" },
	};
	int before;

	BEGIN();
	before = count_instances(self->fd);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		struct vtpm_mux_create c;

		init_create(&c, "bad");
		c.flags = bad[i].flags;
		c.uid = bad[i].uid;
		c.gid = bad[i].gid;
		c.mode = bad[i].mode;
		c.backend = bad[i].backend;
		EXPECT_EQ(-EINVAL, create_tracked(self, &c)) TH_LOG("%s",
								   bad[i].why);
	}
	EXPECT_EQ(before, count_instances(self->fd));
}

/*
 * VTPM_MUX_IOC_ATTACH: the server side of a sw instance.  A sw instance's
 * command waits for an engine; the engine reads it whole, answers it, and
 * is detached by the next attach (EPOLLHUP, -EPIPE).
 */
TEST_F(ctl, attach)
{
	static const uint8_t getrandom[12] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x7b, 0, 4 };
	static const uint8_t answer[16] = {
		0x80, 0x01, 0, 0, 0, 16, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4 };
	struct vtpm_mux_attach a;
	struct vtpm_mux_create c;
	struct vtpm_mux_info info;
	uint8_t buf[4096];
	char dev[32];
	struct pollfd p;
	int fd, fd2, t;
	pid_t pid;

	BEGIN();
	init_create(&c, "attach-none");
	ASSERT_EQ(0, create_tracked(self, &c));
	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.index = c.index;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("attach to a mux-only instance");
	a.index = 65535;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(ENODEV, errno);

	init_create(&c, "attach-sw");
	c.backend = VTPM_MUX_BACKEND_SW;
	ASSERT_EQ(0, create_tracked(self, &c));
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(VTPM_MUX_BACKEND_SW, info.backend);
	EXPECT_EQ(VTPM_MUX_ENGINE_NONE, info.engine);
	a.index = c.index;
	a.flags = 2;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("unknown flag");
	a.flags = 0;
	a.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("reserved");
	a.reserved[1] = 0;
	a.size--;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("size");
	a.size++;

	a.flags = VTPM_MUX_ATTACH_CLOEXEC;
	fd = ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a);
	ASSERT_LE(0, fd) TH_LOG("attach: %s", strerror(errno));
	EXPECT_EQ(fd, a.fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(VTPM_MUX_ENGINE_ATTACHED, info.engine);
	EXPECT_EQ(1, (int)info.attaches);
	EXPECT_EQ(-1, write(fd, answer, sizeof(answer)));
	EXPECT_EQ(EIO, errno) TH_LOG("a response nobody asked for");
	fcntl(fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);

	/* a tenant in a child: Startup (the kernel's), then GetRandom */
	snprintf(dev, sizeof(dev), "/dev/vtpm%u", c.index);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		static const uint8_t startup[12] = {
			0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0 };
		uint8_t r[64];
		int d = open(dev, O_RDWR);

		if (d < 0 || write(d, startup, 12) != 12 || read(d, r, 64) != 10 ||
		    r[9] != 0 || write(d, getrandom, 12) != 12 ||
		    read(d, r, 64) != 16 || memcmp(r, answer, 16))
			_exit(1);
		_exit(0);
	}
	/* the engine: first the kernel's Startup(CLEAR) of the sync */
	p.fd = fd;
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 20000));
	EXPECT_EQ(-1, read(fd, buf, 11));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a buffer smaller than the command");
	ASSERT_EQ(12, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0x44, buf[9]);
	EXPECT_EQ(0, buf[11]) TH_LOG("Startup(CLEAR)");
	p.events = POLLOUT;
	EXPECT_EQ(1, poll(&p, 1, 0));
	buf[0] = 0x80;
	buf[1] = 0x01;
	memset(buf + 2, 0, 8);
	buf[5] = 11;
	EXPECT_EQ(-1, write(fd, buf, 10));
	EXPECT_EQ(EINVAL, errno) TH_LOG("a response whose size is not its length");
	buf[5] = 10;
	EXPECT_EQ(10, write(fd, buf, 10));
	/* then the tenant's GetRandom, as it wrote it */
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 20000));
	ASSERT_EQ(12, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, getrandom, 12));
	EXPECT_EQ(16, write(fd, answer, sizeof(answer)));
	ASSERT_EQ(pid, waitpid(pid, &t, 0));
	EXPECT_TRUE(WIFEXITED(t) && WEXITSTATUS(t) == 0);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(VTPM_MUX_ENGINE_SYNCED, info.engine);

	/* a second attach detaches the first */
	a.flags = 0;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a));
	EXPECT_EQ(EINVAL, errno) TH_LOG("fd is out only: 0 going in");
	a.fd = 0;
	fd2 = ioctl(self->fd, VTPM_MUX_IOC_ATTACH, &a);
	ASSERT_LE(0, fd2);
	p.events = POLLIN;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(EPIPE, errno);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(VTPM_MUX_ENGINE_ATTACHED, info.engine);
	EXPECT_EQ(2, (int)info.attaches);
	close(fd);
	/* destroying the instance hangs its engine up */
	EXPECT_EQ(0, destroy_tracked(self, c.index));
	p.fd = fd2;
	ASSERT_EQ(1, poll(&p, 1, 0));
	EXPECT_TRUE(p.revents & POLLHUP);
	close(fd2);
}

TEST_F(ctl, labels)
{
	static const char *const bad[] = {
		"\x01" "abc", "tab\there", "new\nline", "del\x7f", "caf\xc3\xa9",
		"\xff", "cr\r",
	};
	static const char *const good[] = {
		"", " ", "~", "a b c", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
	};
	struct vtpm_mux_create c;
	struct vtpm_mux_info info;
	char buf[128], want[80];
	int before;

	BEGIN();
	before = count_instances(self->fd);
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		init_create(&c, bad[i]);
		EXPECT_EQ(-EINVAL, create_tracked(self, &c)) TH_LOG("bad %zu", i);
	}
	/* no NUL in the 64 bytes */
	init_create(&c, "");
	memset(c.label, 'a', sizeof(c.label));
	EXPECT_EQ(-EINVAL, create_tracked(self, &c));
	EXPECT_EQ(before, count_instances(self->fd));

	/* 63 printable characters is the longest label */
	init_create(&c, "");
	memset(c.label, 'z', sizeof(c.label) - 1);
	ASSERT_EQ(0, create_tracked(self, &c));
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(63, strnlen(info.label, sizeof(info.label)));
	EXPECT_EQ(0, memcmp(c.label, info.label, 64));
	ASSERT_LT(0, read_sysfs(c.index, "label", buf, sizeof(buf)));
	snprintf(want, sizeof(want), "%s\n", c.label);
	EXPECT_STREQ(want, buf);

	for (size_t i = 0; i < ARRAY_LEN(good); i++) {
		init_create(&c, good[i]);
		ASSERT_EQ(0, create_tracked(self, &c)) TH_LOG("good %zu", i);
		ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
		EXPECT_STREQ(good[i], info.label);
		ASSERT_LT(0, read_sysfs(c.index, "label", buf, sizeof(buf)));
		snprintf(want, sizeof(want), "%s\n", good[i]);
		EXPECT_STREQ(want, buf);
	}
}

TEST_F(ctl, unknown_instances_and_ioctls)
{
	static const uint32_t idx[] = { 0x7FFFFFF0, 0xFFFFFFFF, 1u << 20 };
	struct vtpm_mux_info info;
	uint32_t dummy[64] = { 0 };

	BEGIN();
	for (size_t i = 0; i < ARRAY_LEN(idx); i++) {
		EXPECT_EQ(-ENODEV, mux_destroy(self->fd, idx[i]));
		EXPECT_EQ(-ENODEV, mux_info(self->fd, idx[i], &info));
	}
	EXPECT_EQ(-1, ioctl(self->fd, _IO(VTPM_MUX_IOC_MAGIC, 0x10)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(VTPM_MUX_IOC_MAGIC, 0x04,
					    struct vtpm_mux_list), dummy));
	EXPECT_EQ(ENOTTY, errno);
	/* right number, wrong size encoded in the command */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(VTPM_MUX_IOC_MAGIC, 0x02, __u32),
			    dummy));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO('T', 1), dummy));
	EXPECT_EQ(ENOTTY, errno);
}

TEST_F(ctl, list)
{
	uint32_t mine[3], *all, slots[4];
	struct vtpm_mux_list l;
	int total, n;

	BEGIN();
	for (int i = 0; i < 3; i++) {
		struct vtpm_mux_create c;

		init_create(&c, "list");
		ASSERT_EQ(0, create_tracked(self, &c));
		mine[i] = c.index;
	}
	total = count_instances(self->fd);
	ASSERT_GE(total, 3);
	all = calloc(total + 1, sizeof(*all));
	ASSERT_NE(NULL, all);
	all[total] = 0xDEADBEEF;
	n = mux_list(self->fd, all, total);
	ASSERT_EQ(total, n);
	EXPECT_EQ(0xDEADBEEF, all[total]);
	for (int i = 1; i < total; i++) {
		EXPECT_LT(all[i - 1], all[i]);
	}
	for (int k = 0; k < 3; k++) {
		int i;

		for (i = 0; i < total; i++)
			if (all[i] == mine[k])
				break;
		EXPECT_LT(i, total) TH_LOG("index %u not listed", mine[k]);
	}
	/* fewer slots: the first ones filled, the real count returned */
	for (size_t i = 0; i < ARRAY_LEN(slots); i++)
		slots[i] = 0xDEADBEEF;
	ASSERT_EQ(total, mux_list(self->fd, slots, 1));
	EXPECT_EQ(all[0], slots[0]);
	EXPECT_EQ(0xDEADBEEF, slots[1]);
	ASSERT_EQ(total, mux_list(self->fd, slots, 2));
	EXPECT_EQ(all[0], slots[0]);
	EXPECT_EQ(all[1], slots[1]);
	EXPECT_EQ(0xDEADBEEF, slots[2]);
	/* more slots than instances: only count are written */
	free(all);
	all = calloc(total + 8, sizeof(*all));
	ASSERT_NE(NULL, all);
	for (int i = 0; i < total + 8; i++)
		all[i] = 0xDEADBEEF;
	ASSERT_EQ(total, mux_list(self->fd, all, total + 8));
	EXPECT_EQ(0xDEADBEEF, all[total]);
	free(all);

	/* a pointer the kernel cannot write */
	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.count = 4;
	l.indices = 8;
	EXPECT_EQ(-1, ioctl(self->fd, VTPM_MUX_IOC_LIST, &l));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F_TIMEOUT(ctl, create_200_distinct, 120)
{
	static struct vtpm_mux_create c[200];
	int before;

	BEGIN();
	before = count_instances(self->fd);
	for (int i = 0; i < 200; i++) {
		char label[16];

		snprintf(label, sizeof(label), "many-%d", i);
		init_create(&c[i], label);
		ASSERT_EQ(0, create_tracked(self, &c[i])) TH_LOG("#%d", i);
		EXPECT_TRUE(uuid_is_v4(c[i].uuid)) TH_LOG("#%d", i);
	}
	EXPECT_EQ(before + 200, count_instances(self->fd));
	for (int i = 0; i < 200; i++) {
		for (int j = 0; j < i; j++) {
			EXPECT_NE(c[i].index, c[j].index);
			EXPECT_NE(0, memcmp(c[i].uuid, c[j].uuid, 16));
		}
	}
	for (int i = 0; i < 200; i += 37) {
		struct vtpm_mux_info info;
		char dev[64], label[16];

		mux_dev_path(c[i].index, dev, sizeof(dev));
		EXPECT_TRUE(wait_for_path(dev, true)) TH_LOG("%s", dev);
		ASSERT_EQ(0, mux_info(self->fd, c[i].index, &info));
		snprintf(label, sizeof(label), "many-%d", i);
		EXPECT_STREQ(label, info.label);
	}
	for (int i = 0; i < 200; i++) {
		ASSERT_EQ(0, destroy_tracked(self, c[i].index)) TH_LOG("#%d", i);
	}
	EXPECT_EQ(before, count_instances(self->fd));
	for (int i = 0; i < 200; i += 37) {
		struct vtpm_mux_info info;
		char dev[64];

		EXPECT_EQ(-ENODEV, mux_info(self->fd, c[i].index, &info));
		mux_dev_path(c[i].index, dev, sizeof(dev));
		EXPECT_TRUE(wait_for_path(dev, false)) TH_LOG("%s", dev);
	}
}

/* the smallest free index is reused; a UUID never is */
TEST_F(ctl, index_reuse)
{
	struct vtpm_mux_create c[3], d;
	uint32_t *all, want;
	int total;

	BEGIN();
	for (int i = 0; i < 3; i++) {
		init_create(&c[i], "reuse");
		ASSERT_EQ(0, create_tracked(self, &c[i]));
	}
	ASSERT_EQ(0, destroy_tracked(self, c[1].index));
	/* the smallest index not in the list */
	total = count_instances(self->fd);
	ASSERT_GE(total, 2);
	all = calloc(total, sizeof(*all));
	ASSERT_NE(NULL, all);
	ASSERT_EQ(total, mux_list(self->fd, all, total));
	want = 0;
	for (int i = 0; i < total && all[i] == want; i++)
		want++;
	free(all);
	EXPECT_LE(want, c[1].index);

	init_create(&d, "reuse");
	ASSERT_EQ(0, create_tracked(self, &d));
	EXPECT_EQ(want, d.index);
	for (int i = 0; i < 3; i++) {
		EXPECT_NE(0, memcmp(d.uuid, c[i].uuid, 16));
	}
}

TEST_F(ctl, sysfs_attributes)
{
	struct vtpm_mux_create c;
	struct vtpm_mux_info info;
	char buf[256], want[256], u[37];
	size_t o = 0;

	BEGIN();
	init_create(&c, "sysfs label");
	ASSERT_EQ(0, create_tracked(self, &c));
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));

	ASSERT_LT(0, read_sysfs(c.index, "label", buf, sizeof(buf)));
	EXPECT_STREQ("sysfs label\n", buf);

	ASSERT_LT(0, read_sysfs(c.index, "uuid", buf, sizeof(buf)));
	uuid_str(info.uuid, u);
	snprintf(want, sizeof(want), "%s\n", u);
	EXPECT_STREQ(want, buf);
	EXPECT_EQ('4', buf[14]);
	EXPECT_NE(NULL, strchr("89ab", buf[19]));

	for (uint32_t i = 0; i < info.nr_banks; i++) {
		const struct alg_desc *a = alg_by_id(info.banks[i]);

		ASSERT_NE(NULL, a);
		o += snprintf(want + o, sizeof(want) - o, "%s%s", i ? " " : "",
			      a->name);
	}
	snprintf(want + o, sizeof(want) - o, "\n");
	ASSERT_LT(0, read_sysfs(c.index, "pcr_banks", buf, sizeof(buf)));
	EXPECT_STREQ(want, buf);

	ASSERT_LT(0, read_sysfs(c.index, "backend", buf, sizeof(buf)));
	EXPECT_STREQ("none\n", buf);
	ASSERT_LT(0, read_sysfs(c.index, "commands", buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
	ASSERT_LT(0, read_sysfs(c.index, "extends", buf, sizeof(buf)));
	EXPECT_STREQ("0\n", buf);
}

/* INFO and sysfs follow what the instance does */
TEST_F(ctl, counters_follow_commands)
{
	uint8_t cmd[128], resp[TPM_BUFSIZE], d[32], old[64], want[64];
	struct vtpm_mux_create c;
	struct vtpm_mux_info info;
	unsigned int len;
	char dev[64], buf[64];
	int fd, fd2;

	BEGIN();
	init_create(&c, "counters");
	ASSERT_EQ(0, create_tracked(self, &c));
	mux_dev_path(c.index, dev, sizeof(dev));
	ASSERT_TRUE(wait_for_path(dev, true));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	fd2 = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(2, info.open_count);
	EXPECT_EQ(0, info.started);

	ASSERT_EQ(12, write(fd, cmd, build_startup(cmd, 0)));
	ASSERT_EQ(10, read(fd, resp, sizeof(resp)));
	ASSERT_EQ(RC_SUCCESS, get_be32(resp + 6));
	ASSERT_EQ(12, write(fd2, cmd, build_getrandom(cmd, 8)));
	ASSERT_EQ(20, read(fd2, resp, sizeof(resp)));
	/* PCR 16 in sha256: read, extend, read = 3 commands, 1 extend */
	memset(d, 0xC3, sizeof(d));
	ASSERT_EQ(20, write(fd, cmd, build_pcr_read(cmd, ALG_SHA256, 16)));
	ASSERT_EQ(10 + 4 + 10 + 4 + 2 + 32, read(fd, resp, sizeof(resp)));
	memcpy(old, resp + 30, 32);
	len = build_pcr_extend(cmd, 16, ALG_SHA256, d, 32);
	ASSERT_EQ((ssize_t)len, write(fd, cmd, len));
	ASSERT_EQ(19, read(fd, resp, sizeof(resp)));
	ASSERT_EQ(RC_SUCCESS, get_be32(resp + 6));
	ASSERT_EQ(20, write(fd, cmd, build_pcr_read(cmd, ALG_SHA256, 16)));
	ASSERT_EQ(10 + 4 + 10 + 4 + 2 + 32, read(fd, resp, sizeof(resp)));
	ASSERT_EQ(32, ossl_digest2(ALG_SHA256, old, 32, d, 32, want));
	EXPECT_EQ(0, memcmp(want, resp + 30, 32));

	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(1, info.started);
	EXPECT_EQ(5, info.commands);
	EXPECT_EQ(1, info.extends);
	ASSERT_LT(0, read_sysfs(c.index, "commands", buf, sizeof(buf)));
	EXPECT_STREQ("5\n", buf);
	ASSERT_LT(0, read_sysfs(c.index, "extends", buf, sizeof(buf)));
	EXPECT_STREQ("1\n", buf);
	close(fd2);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(1, info.open_count);
	close(fd);
	ASSERT_EQ(0, mux_info(self->fd, c.index, &info));
	EXPECT_EQ(0, info.open_count);
}

/* max_instances: create fails with -ENOSPC beyond it */
TEST_F_TIMEOUT(ctl, max_instances, 300)
{
	char buf[32];
	long max;
	int fd, n, made = 0;
	ssize_t r;

	BEGIN();
	fd = open("/sys/module/vtpm_mux/parameters/max_instances", O_RDONLY);
	if (fd < 0)
		SKIP(return, "max_instances not readable: %s", strerror(errno));
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	ASSERT_LT(0, r);
	buf[r] = '\0';
	max = strtol(buf, NULL, 10);
	ASSERT_GE(max, 1);
	ASSERT_LE(max, 65536);
	if (max > 2048)
		SKIP(return, "max_instances=%ld: too many to fill", max);
	n = count_instances(self->fd);
	ASSERT_LE(n, max);
	for (; n < max; n++, made++) {
		struct vtpm_mux_create c;

		init_create(&c, "fill");
		ASSERT_EQ(0, create_tracked(self, &c)) TH_LOG("#%d of %ld", n, max);
	}
	{
		struct vtpm_mux_create c;
		uint32_t last;

		init_create(&c, "one too many");
		EXPECT_EQ(-ENOSPC, create_tracked(self, &c));
		EXPECT_EQ(max, count_instances(self->fd));
		/* room for one again after a destroy */
		ASSERT_GT(self->ncreated, 0);
		last = self->created[self->ncreated - 1];
		ASSERT_EQ(0, destroy_tracked(self, last));
		init_create(&c, "fits again");
		EXPECT_EQ(0, create_tracked(self, &c));
	}
	TH_LOG("filled %d instances up to %ld", made, max);
}

TEST_HARNESS_MAIN
