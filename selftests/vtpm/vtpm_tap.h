/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP lines of the selftests that are not kselftest_harness tests: each
 * CHECK() prints "ok N - ..." or "not ok N - ..."; the test prints the
 * plan "1..tap_tests" at the end and exits non-zero if tap_failures.
 * For one translation unit per test (the counters are static).
 */
#ifndef VTPM_TAP_H
#define VTPM_TAP_H

#include <stdio.h>

static int tap_tests, tap_failures;

#define CHECK(cond, ...) do {						\
	tap_tests++;							\
	if (cond) {							\
		printf("ok %d - ", tap_tests);				\
	} else {							\
		tap_failures++;						\
		printf("not ok %d - ", tap_tests);			\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	fflush(stdout);							\
} while (0)

#endif /* VTPM_TAP_H */
