// SPDX-License-Identifier: GPL-2.0
/*
 * Who may do what (abi.md): CREATE and DESTROY need CAP_SYS_ADMIN, INFO and
 * LIST are open to everyone; /dev/vtpmN carries the owner and mode given at
 * creation.  Unprivileged steps run in a forked child that drops to another
 * uid with setresgid()/setresuid() (or drops CAP_SYS_ADMIN only).
 *
 * Needs root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"

#define NOBODY 65534

struct who {
	uid_t uid;
	gid_t gid;
	int ngroups;
	gid_t groups[4];
	bool drop_sys_admin;	/* stay uid 0 but without CAP_SYS_ADMIN */
};

/*
 * Runs fn(arg) in a child with the given credentials.  fn returns 0 or a
 * small positive code (an errno value, or a step number >= 100); the
 * parent gets that code, 250 if the credentials could not be set, 251 if
 * the child died.
 */
static int run_as(const struct who *w, int (*fn)(void *), void *arg)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return 252;
	if (pid == 0) {
		if (w->drop_sys_admin) {
			struct __user_cap_header_struct h = {
				.version = _LINUX_CAPABILITY_VERSION_3,
			};
			struct __user_cap_data_struct d[2];

			if (syscall(SYS_capget, &h, d))
				_exit(250);
			d[CAP_SYS_ADMIN / 32].effective &=
				~(1u << (CAP_SYS_ADMIN % 32));
			d[CAP_SYS_ADMIN / 32].permitted &=
				~(1u << (CAP_SYS_ADMIN % 32));
			if (syscall(SYS_capset, &h, d))
				_exit(250);
		} else {
			if (setgroups(w->ngroups, w->groups) ||
			    setresgid(w->gid, w->gid, w->gid) ||
			    setresuid(w->uid, w->uid, w->uid))
				_exit(250);
		}
		_exit(fn(arg) & 0xFF);
	}
	if (waitpid(pid, &st, 0) != pid)
		return 252;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 251;
}

FIXTURE(perm) {
	int fd;
	bool skip;
	uint32_t idx[8];
	int n;
};

FIXTURE_SETUP(perm)
{
	if (geteuid() != 0) {
		self->skip = true;
		SKIP(return, "needs root");
	}
	self->fd = mux_ctl_open();
	if (self->fd < 0 && errno == ENOENT) {
		self->skip = true;
		SKIP(return, "no %s (module not loaded)", VTPM_MUX_CONTROL_DEVICE);
	}
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(perm)
{
	if (self->fd < 0)
		return;
	for (int i = 0; i < self->n; i++)
		mux_destroy(self->fd, self->idx[i]);
	close(self->fd);
}

#define BEGIN() do { if (self->skip) return; } while (0)

/* creates an instance as root with the given owner/mode */
static uint32_t make(struct __test_metadata *_metadata,
		     FIXTURE_DATA(perm) *self, uint32_t flags, uid_t uid,
		     gid_t gid, mode_t mode)
{
	struct vtpm_mux_create c;
	char dev[64];

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = flags;
	c.uid = uid;
	c.gid = gid;
	c.mode = mode;
	snprintf(c.label, sizeof(c.label), "perm");
	ASSERT_EQ(0, mux_create(self->fd, &c));
	if (self->n < (int)ARRAY_LEN(self->idx))
		self->idx[self->n++] = c.index;
	mux_dev_path(c.index, dev, sizeof(dev));
	ASSERT_TRUE(wait_for_path(dev, true));
	return c.index;
}

/* ---- child bodies ----------------------------------------------------- */

static int child_create(void *arg)
{
	int fd = mux_ctl_open(), r;

	(void)arg;
	if (fd < 0)
		return 100;
	r = mux_create_simple(fd, "nope", NULL, NULL);
	close(fd);
	return -r;
}

static int child_destroy(void *arg)
{
	int fd = mux_ctl_open(), r;

	if (fd < 0)
		return 100;
	r = mux_destroy(fd, *(uint32_t *)arg);
	close(fd);
	return -r;
}

/* INFO and LIST work and show the instance */
static int child_info_list(void *arg)
{
	uint32_t idx = *(uint32_t *)arg, list[4096];
	struct vtpm_mux_info info;
	int fd = open(VTPM_MUX_CONTROL_DEVICE, O_RDONLY | O_CLOEXEC), n, r;

	if (fd < 0)
		return 100;
	r = mux_info(fd, idx, &info);
	if (r)
		return 101;
	if (info.index != idx || strcmp(info.label, "perm"))
		return 102;
	n = mux_list(fd, list, ARRAY_LEN(list));
	if (n < 1)
		return 103;
	for (int i = 0; i < n && i < (int)ARRAY_LEN(list); i++)
		if (list[i] == idx)
			return 0;
	return 104;
}

struct open_args {
	uint32_t idx;
	int flags;
};

/* open: 0 or errno */
static int child_open(void *arg)
{
	struct open_args *a = arg;
	char dev[64];
	int fd;

	mux_dev_path(a->idx, dev, sizeof(dev));
	fd = open(dev, a->flags | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* open securityfs vtpm_mux/vtpmN/<a->flags == 0 ? view : ascii>: errno */
static int child_open_secfs(void *arg)
{
	struct open_args *a = arg;
	char path[96];
	int fd;

	snprintf(path, sizeof(path), "/sys/kernel/security/vtpm_mux/vtpm%u/%s",
		 a->idx, a->flags ? "ascii_measurements" : "view");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

/* open read-write and run Startup + GetRandom */
static int child_use(void *arg)
{
	uint8_t cmd[16], resp[64];
	char dev[64];
	int fd;

	mux_dev_path(*(uint32_t *)arg, dev, sizeof(dev));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno;
	if (write(fd, cmd, build_startup(cmd, 0)) != 12)
		return 101;
	if (read(fd, resp, sizeof(resp)) != 10 || get_be32(resp + 6) != 0)
		return 102;
	if (write(fd, cmd, build_getrandom(cmd, 16)) != 12)
		return 103;
	if (read(fd, resp, sizeof(resp)) != 28 || get_be32(resp + 6) != 0 ||
	    get_be16(resp + 10) != 16)
		return 104;
	close(fd);
	return 0;
}

/* ---- tests ------------------------------------------------------------ */

static const struct who nobody = { NOBODY, NOBODY, 0, { 0 }, false };
static const struct who u1000 = { 1000, 1000, 0, { 0 }, false };
static const struct who u1001 = { 1001, 1001, 0, { 0 }, false };
static const struct who u1001_in_1002 = { 1001, 1001, 1, { 1002 }, false };
static const struct who root_no_admin = { 0, 0, 0, { 0 }, true };

TEST_F(perm, nobody_cannot_create)
{
	int before;

	BEGIN();
	before = mux_list(self->fd, NULL, 0);
	EXPECT_EQ(EPERM, run_as(&nobody, child_create, NULL));
	EXPECT_EQ(before, mux_list(self->fd, NULL, 0));
}

TEST_F(perm, nobody_cannot_destroy)
{
	struct vtpm_mux_info info;
	uint32_t idx;

	BEGIN();
	idx = make(_metadata, self, 0, 0, 0, 0);
	EXPECT_EQ(EPERM, run_as(&nobody, child_destroy, &idx));
	EXPECT_EQ(0, mux_info(self->fd, idx, &info));
}

TEST_F(perm, nobody_may_info_and_list)
{
	uint32_t idx;

	BEGIN();
	idx = make(_metadata, self, 0, 0, 0, 0);
	EXPECT_EQ(0, run_as(&nobody, child_info_list, &idx));
}

TEST_F(perm, root_without_cap_sys_admin)
{
	struct vtpm_mux_info info;
	uint32_t idx;

	BEGIN();
	idx = make(_metadata, self, 0, 0, 0, 0);
	EXPECT_EQ(EPERM, run_as(&root_no_admin, child_create, NULL));
	EXPECT_EQ(EPERM, run_as(&root_no_admin, child_destroy, &idx));
	EXPECT_EQ(0, run_as(&root_no_admin, child_info_list, &idx));
	EXPECT_EQ(0, mux_info(self->fd, idx, &info));
}

TEST_F(perm, default_instance_is_root_only)
{
	struct open_args a = { .flags = O_RDWR };

	BEGIN();
	a.idx = make(_metadata, self, 0, 0, 0, 0);
	EXPECT_EQ(EACCES, run_as(&nobody, child_open, &a));
	EXPECT_EQ(EACCES, run_as(&u1000, child_open, &a));
	a.flags = O_RDONLY;
	EXPECT_EQ(EACCES, run_as(&nobody, child_open, &a));
}

TEST_F(perm, owner_1000_mode_0600)
{
	struct open_args a = { .flags = O_RDWR };
	struct vtpm_mux_info info;
	struct stat st;
	char dev[64];

	BEGIN();
	a.idx = make(_metadata, self, VTPM_MUX_CREATE_OWNER |
		     VTPM_MUX_CREATE_MODE, 1000, 1000, 0600);
	mux_dev_path(a.idx, dev, sizeof(dev));
	ASSERT_EQ(0, stat(dev, &st));
	EXPECT_EQ(1000, st.st_uid);
	EXPECT_EQ(1000, st.st_gid);
	EXPECT_EQ(0600, st.st_mode & 07777);

	/* the owner runs commands */
	EXPECT_EQ(0, run_as(&u1000, child_use, &a.idx));
	ASSERT_EQ(0, mux_info(self->fd, a.idx, &info));
	EXPECT_EQ(1, info.started);
	EXPECT_EQ(2, info.commands);
	/* everyone else is turned away */
	EXPECT_EQ(EACCES, run_as(&u1001, child_open, &a));
	EXPECT_EQ(EACCES, run_as(&nobody, child_open, &a));
	a.flags = O_RDONLY;
	EXPECT_EQ(EACCES, run_as(&u1001, child_open, &a));
	/* the owner may use it, not destroy it */
	EXPECT_EQ(EPERM, run_as(&u1000, child_destroy, &a.idx));
	EXPECT_EQ(0, mux_info(self->fd, a.idx, &info));
}

TEST_F(perm, group_access_0660)
{
	struct open_args a = { .flags = O_RDWR };

	BEGIN();
	a.idx = make(_metadata, self, VTPM_MUX_CREATE_OWNER |
		     VTPM_MUX_CREATE_MODE, 1000, 1002, 0660);
	EXPECT_EQ(0, run_as(&u1001_in_1002, child_open, &a));
	EXPECT_EQ(0, run_as(&u1001_in_1002, child_use, &a.idx));
	EXPECT_EQ(EACCES, run_as(&u1001, child_open, &a));
}

TEST_F(perm, others_read_only_0644)
{
	struct open_args a = { .flags = O_RDONLY };

	BEGIN();
	a.idx = make(_metadata, self, VTPM_MUX_CREATE_OWNER |
		     VTPM_MUX_CREATE_MODE, 1000, 1000, 0644);
	EXPECT_EQ(0, run_as(&u1001, child_open, &a));
	a.flags = O_RDWR;
	EXPECT_EQ(EACCES, run_as(&u1001, child_open, &a));
	a.flags = O_WRONLY;
	EXPECT_EQ(EACCES, run_as(&u1001, child_open, &a));
	EXPECT_EQ(0, run_as(&u1000, child_open, &a));
}

/*
 * securityfs vtpmN/view and ascii_measurements: the device's owner and
 * group, and the read bits of its mode; whoever may not read /dev/vtpmN
 * may not read them either.
 */
TEST_F(perm, secfs_follows_device_mode)
{
	static const unsigned int modes[] = { 0600, 0640, 0660, 0644, 0666,
					      0400, 0200 };
	struct open_args a = { 0 };
	char path[96];
	struct stat st;
	unsigned int i;
	int f;

	BEGIN();
	for (i = 0; i < ARRAY_LEN(modes); i++) {
		a.idx = make(_metadata, self, VTPM_MUX_CREATE_OWNER |
			     VTPM_MUX_CREATE_MODE, 1000, 1002, modes[i]);
		for (f = 0; f < 2; f++) {
			snprintf(path, sizeof(path),
				 "/sys/kernel/security/vtpm_mux/vtpm%u/%s",
				 a.idx, f ? "ascii_measurements" : "view");
			ASSERT_EQ(0, stat(path, &st));
			EXPECT_EQ(1000, st.st_uid);
			EXPECT_EQ(1002, st.st_gid);
			EXPECT_EQ(modes[i] & 0444, st.st_mode & 07777)
				TH_LOG("%s of a device %04o", path, modes[i]);
		}
		a.flags = 0;
		/* the group reads the view only if it may read the device */
		EXPECT_EQ(modes[i] & 0040 ? 0 : EACCES,
			  run_as(&u1001_in_1002, child_open_secfs, &a))
			TH_LOG("group member, view of a device %04o", modes[i]);
		EXPECT_EQ(modes[i] & 0004 ? 0 : EACCES,
			  run_as(&u1001, child_open_secfs, &a))
			TH_LOG("others, view of a device %04o", modes[i]);
		a.flags = 1;
		EXPECT_EQ(modes[i] & 0400 ? 0 : EACCES,
			  run_as(&u1000, child_open_secfs, &a))
			TH_LOG("owner, ascii list of a device %04o", modes[i]);
	}
}

TEST_HARNESS_MAIN
