// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed TPM 2.0 commands: every row of malformed_cases.def is written to
 * a fresh instance as raw bytes; the response must carry exactly the tag and
 * response code a TPM 2.0 (swtpm/libtpms) gives, or the one abi.md defines
 * where the module deliberately differs.  Afterwards the instance must still
 * work: PCR_Read succeeds and PCR 0 (sha1, sha256) and PCR 17 (sha256) hold
 * the values they had before the row.
 *
 * Targets: a new vtpm-mux instance per row; VTPM_DEV=/dev/vtpmN (expects the
 * module's answers, rows before Startup are skipped); VTPM_TCTI=swtpm:port=P
 * (expects swtpm's answers, raw commands over TCP port P, CMD_INIT on P+1).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_util.h"
#include "kselftest_harness.h"

#define MC_PRE_STARTUP	(1u << 0)
#define MC_NO_TCP	(1u << 1)

struct malformed_case {
	const char *name;
	unsigned int flags;
	uint16_t tag;
	uint32_t rc;
	uint16_t mux_tag;
	uint32_t mux_rc;
	const char *hex;
};

enum {
#define X(name, fl, t, r, mt, mr, hex) MC_##name,
#include "malformed_cases.def"
#undef X
	MC_COUNT
};

static const struct malformed_case cases[] = {
#define X(name, fl, t, r, mt, mr, hex) \
	[MC_##name] = { #name, fl, t, r, mt, mr, hex },
#include "malformed_cases.def"
#undef X
};

/* the PCRs compared before and after each row */
static const struct {
	uint16_t alg;
	unsigned int pcr;
} watched[] = {
	{ ALG_SHA256, 0 }, { ALG_SHA1, 0 }, { ALG_SHA256, 17 },
};

TEST(table_is_well_formed)
{
	uint8_t buf[8192];

	ASSERT_GE(MC_COUNT, 25);
	for (int i = 0; i < MC_COUNT; i++) {
		const struct malformed_case *c = &cases[i];
		ssize_t n = hex_decode(c->hex, buf, sizeof(buf));
		bool size_case = !strncmp(c->name, "size_", 5) ||
				 !strncmp(c->name, "pre_size_", 9) ||
				 !strncmp(c->name, "hdr_", 4);

		ASSERT_GT(n, 0) TH_LOG("%s: bad hex", c->name);
		ASSERT_LE(n, 4096) TH_LOG("%s", c->name);
		/* only the framing rows may lie about their size */
		if (!size_case) {
			ASSERT_GE(n, 10) TH_LOG("%s", c->name);
			ASSERT_EQ((uint32_t)n, get_be32(buf + 2))
				TH_LOG("%s: commandSize", c->name);
		}
		ASSERT_NE(0, c->mux_tag) TH_LOG("%s", c->name);
		ASSERT_EQ(!!(c->flags & MC_NO_TCP), c->tag == 0)
			TH_LOG("%s", c->name);
	}
}

FIXTURE(malformed) {
	struct vtpm_target t;
	bool skip;
};

FIXTURE_VARIANT(malformed) {
	int idx;
};

#define X(name, fl, t, r, mt, mr, hex) \
	FIXTURE_VARIANT_ADD(malformed, name) { .idx = MC_##name };
#include "malformed_cases.def"
#undef X

FIXTURE_SETUP(malformed)
{
	char err[256];
	int r;

	r = target_setup(&self->t, "", err, sizeof(err));
	if (r == -ENOENT && self->t.kind == TARGET_MUX) {
		self->skip = true;
		SKIP(return, "%s", err);
	}
	ASSERT_EQ(0, r) TH_LOG("%s", err);
	if (!target_has_raw(&self->t)) {
		self->skip = true;
		SKIP(return, "no raw access to %s", target_name(&self->t));
	}
}

FIXTURE_TEARDOWN(malformed)
{
	target_teardown(&self->t);
}

static long startup_clear(struct __test_metadata *_metadata,
			  const struct vtpm_target *t)
{
	uint8_t cmd[16], resp[64];
	ssize_t n;

	n = raw_xfer(t, cmd, build_startup(cmd, 0), resp, sizeof(resp), 5000);
	EXPECT_EQ(10, n);
	if (n != 10)
		return -1;
	return get_be32(resp + 6);
}

TEST_F_TIMEOUT(malformed, exact_response, 60)
{
	const struct malformed_case *c = &cases[variant->idx];
	uint8_t cmd[8192], resp[TPM_BUFSIZE];
	uint8_t before[ARRAY_LEN(watched)][64], now[64];
	unsigned int blen[ARRAY_LEN(watched)], nlen;
	bool swtpm = self->t.kind == TARGET_SWTPM;
	uint16_t want_tag = swtpm ? c->tag : c->mux_tag;
	uint32_t want_rc = swtpm ? c->rc : c->mux_rc;
	bool pre = c->flags & MC_PRE_STARTUP;
	ssize_t n, len;
	long rc;

	if (self->skip)
		return;
	if (pre && !target_is_fresh(&self->t))
		SKIP(return, "%s is not a fresh TPM", target_name(&self->t));

	len = hex_decode(c->hex, cmd, sizeof(cmd));
	ASSERT_GT(len, 0);

	if (!pre) {
		rc = startup_clear(_metadata, &self->t);
		if (target_is_fresh(&self->t)) {
			ASSERT_EQ(RC_SUCCESS, rc);
		} else {
			ASSERT_TRUE(rc == RC_SUCCESS || rc == RC_INITIALIZE);
		}
		for (size_t i = 0; i < ARRAY_LEN(watched); i++) {
			ASSERT_EQ(0, raw_pcr_read(&self->t, watched[i].alg,
						  watched[i].pcr, before[i],
						  &blen[i]));
		}
	}

	n = raw_xfer(&self->t, cmd, len, resp, sizeof(resp),
		     swtpm && (c->flags & MC_NO_TCP) ? 1000 : 10000);
	if (swtpm && (c->flags & MC_NO_TCP)) {
		/* swtpm waits for a complete 10-byte header */
		ASSERT_EQ(-ETIMEDOUT, n);
	} else {
		char hex[64];

		ASSERT_GE(n, 10) TH_LOG("%s: no response (%zd)", c->name, n);
		hex_encode(resp, 10, hex);
		TH_LOG("%s -> %s%s", c->name, hex, n > 10 ? "..." : "");
		EXPECT_EQ(want_tag, get_be16(resp));
		EXPECT_EQ(want_rc, get_be32(resp + 6));
		EXPECT_EQ((uint32_t)n, get_be32(resp + 2));
		/* an error response is just the header */
		if (get_be32(resp + 6) != RC_SUCCESS) {
			EXPECT_EQ(10, n);
		}
	}

	/* the instance still works and nothing changed */
	if (pre) {
		ASSERT_EQ(RC_SUCCESS, startup_clear(_metadata, &self->t));
	}
	for (size_t i = 0; i < ARRAY_LEN(watched); i++) {
		const struct alg_desc *a = alg_by_id(watched[i].alg);
		uint8_t init[64];

		ASSERT_EQ(0, raw_pcr_read(&self->t, watched[i].alg,
					  watched[i].pcr, now, &nlen));
		ASSERT_EQ(a->size, nlen);
		if (target_is_fresh(&self->t)) {
			pcr_initial_value(watched[i].pcr, a->size, init);
			EXPECT_EQ(0, memcmp(init, now, a->size))
				TH_LOG("%s PCR %u changed", a->name,
				       watched[i].pcr);
		}
		if (!pre) {
			ASSERT_EQ(blen[i], nlen);
			EXPECT_EQ(0, memcmp(before[i], now, nlen));
		}
	}
}

TEST_HARNESS_MAIN
