// SPDX-License-Identifier: GPL-2.0
/*
 * Module unload (abi.md: "The module can be unloaded once no descriptor of
 * the control device or of any instance is open").  Run last, and only on
 * purpose (run_tests.sh --unload): the final test unloads vtpm_mux.
 *
 * A module that is in use makes delete_module() fail with EWOULDBLOCK (==
 * EAGAIN; kernel/module/main.c: try_stop_module()), which kmod's rmmod
 * reports as "Module vtpm_mux is in use".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"

#define MODNAME "vtpm_mux"

static int try_unload(void)
{
	return syscall(SYS_delete_module, MODNAME, O_NONBLOCK) ? errno : 0;
}

static bool loaded(void)
{
	struct stat st;

	return stat("/sys/module/" MODNAME, &st) == 0;
}

TEST(busy_while_control_device_open)
{
	int fd;

	if (!loaded())
		SKIP(return, MODNAME " is not loaded");
	fd = mux_ctl_open();
	ASSERT_LE(0, fd);
	EXPECT_EQ(EWOULDBLOCK, try_unload());
	EXPECT_TRUE(loaded());
	close(fd);
}

TEST(busy_while_instance_open)
{
	uint32_t idx;
	char dev[64];
	int ctl, fd;

	if (!loaded())
		SKIP(return, MODNAME " is not loaded");
	ctl = mux_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, mux_create_simple(ctl, "unload", &idx, NULL));
	close(ctl);
	mux_dev_path(idx, dev, sizeof(dev));
	ASSERT_TRUE(wait_for_path(dev, true));
	fd = open(dev, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	EXPECT_EQ(EWOULDBLOCK, try_unload());
	EXPECT_TRUE(loaded());
	/* kmod's rmmod agrees */
	EXPECT_NE(0, system("rmmod " MODNAME " 2>/dev/null"));
	EXPECT_TRUE(loaded());
	close(fd);
	/* the instance stays: an existing but closed instance must not
	 * keep the module from unloading (next test) */
}

TEST(unloads_when_nothing_is_open)
{
	struct stat st;

	if (!loaded())
		SKIP(return, MODNAME " is not loaded");
	/* rmmod, as an administrator would */
	ASSERT_EQ(0, system("rmmod " MODNAME));
	EXPECT_FALSE(loaded());
	EXPECT_NE(0, stat(VTPM_MUX_CONTROL_DEVICE, &st));
	EXPECT_NE(0, stat("/sys/class/" VTPM_MUX_CLASS, &st));
}

TEST_HARNESS_MAIN
