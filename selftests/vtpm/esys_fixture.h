/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture of the ESAPI tests: a fresh target (a new vtpm-mux instance,
 * or swtpm after CMD_INIT; see vtpm_util.h) and an ESAPI context on it.
 * Include after kselftest_harness.h.
 */
#ifndef VTPM_ESYS_FIXTURE_H
#define VTPM_ESYS_FIXTURE_H

#include "vtpm_esys.h"

FIXTURE(tpm) {
	struct vtpm_target t;
	struct esys e;
	bool skip;
};

FIXTURE_SETUP(tpm)
{
	char err[256];
	TSS2_RC rc;
	int r;

	r = target_setup(&self->t, "", err, sizeof(err));
	if (r == -ENOENT && self->t.kind == TARGET_MUX) {
		self->skip = true;
		SKIP(return, "%s", err);
	}
	ASSERT_EQ(0, r) TH_LOG("%s", err);
	rc = esys_open(&self->e, self->t.tcti);
	ASSERT_EQ(0, rc) TH_LOG("ESAPI on %s: 0x%x", self->t.tcti, rc);
}

FIXTURE_TEARDOWN(tpm)
{
	esys_close(&self->e);
	target_teardown(&self->t);
}

/*
 * The harness of 6.1 runs the test body after a SKIP() in the setup, so
 * every body starts with this.
 */
#define TPM_TEST_BEGIN() do { if (self->skip) return; } while (0)

#define REQUIRE_FRESH() do {						\
	if (!target_is_fresh(&self->t))					\
		SKIP(return, "%s is not a fresh TPM", self->t.tcti);	\
} while (0)

/* Startup(CLEAR): must succeed on a fresh target */
#define START() do {							\
	long __rc = tpm_startup(&self->e, TPM2_SU_CLEAR);		\
	if (target_is_fresh(&self->t)) {				\
		ASSERT_EQ(0, __rc);					\
	} else {							\
		ASSERT_TRUE(__rc == 0 || __rc == 0x100);		\
	}								\
} while (0)

#define NO_SESS ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE

#endif /* VTPM_ESYS_FIXTURE_H */
