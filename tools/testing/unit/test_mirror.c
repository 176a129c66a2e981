// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of lib/mirror.c, the sw backend's pure part: which commands
 * the kernel keeps, the commands that repeat a vPCR change in the engine,
 * the handles a command loads and flushes, and the replay plan of a fresh
 * engine.  The "engine" that the mirror commands are run on is a second
 * instance of the module's own engine, so that every mirrored change is
 * checked to give the same vPCRs.  Output: TAP.
 */
#include <stdio.h>
#include <stdlib.h>

#include "plat.h"
#include "../../../drivers/vtpm/lib/command.h"
#include "../../../drivers/vtpm/lib/mirror.h"

static int tests, failures;

#define CHECK(cond, ...) do {						\
	tests++;							\
	if (cond) {							\
		printf("ok %d - ", tests);				\
	} else {							\
		failures++;						\
		printf("not ok %d - ", tests);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

static struct vtpm_banks banks;
static u8 rsp[4096];

static struct vtpm_tpm *new_tpm(void)
{
	struct vtpm_tpm *t = calloc(1, vtpm_tpm_size(&banks));

	vtpm_tpm_init(t, &banks);
	return t;
}

static u32 run(struct vtpm_tpm *t, const u8 *cmd, size_t len)
{
	size_t n = vtpm_execute(t, cmd, len, rsp, sizeof(rsp));

	return vtpm_response_rc(rsp, n);
}

struct cmd {
	u8 buf[4096];
	struct tpm_wr w;
};

static void cmd_start(struct cmd *c, u16 tag, u32 cc)
{
	tpm_wr_init(&c->w, c->buf, sizeof(c->buf));
	tpm_wr_u16(&c->w, tag);
	tpm_wr_u32(&c->w, 0);
	tpm_wr_u32(&c->w, cc);
}

static size_t cmd_end(struct cmd *c)
{
	put_unaligned_be32(c->w.pos, c->buf + 2);
	return c->w.pos;
}

static void pw(struct cmd *c)
{
	tpm_wr_u32(&c->w, 9);
	tpm_wr_u32(&c->w, VTPM_RS_PW);
	tpm_wr_u16(&c->w, 0);
	tpm_wr_u8(&c->w, 0);
	tpm_wr_u16(&c->w, 0);
}

static u32 startup(struct vtpm_tpm *t, u16 su)
{
	struct cmd c;

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STARTUP);
	tpm_wr_u16(&c.w, su);
	return run(t, c.buf, cmd_end(&c));
}

static void test_route(void)
{
	static const struct {
		u32 cc;
		enum vtpm_route route;
		const char *name;
	} cases[] = {
		{ VTPM_CC_STARTUP, VTPM_ROUTE_KERNEL, "Startup" },
		{ VTPM_CC_SHUTDOWN, VTPM_ROUTE_BOTH, "Shutdown" },
		{ VTPM_CC_PCR_EXTEND, VTPM_ROUTE_KERNEL, "PCR_Extend" },
		{ VTPM_CC_PCR_EVENT, VTPM_ROUTE_KERNEL, "PCR_Event" },
		{ VTPM_CC_PCR_RESET, VTPM_ROUTE_KERNEL, "PCR_Reset" },
		{ VTPM_CC_PCR_READ, VTPM_ROUTE_KERNEL, "PCR_Read" },
		{ VTPM_CC_PCR_ALLOCATE, VTPM_ROUTE_KERNEL, "PCR_Allocate" },
		{ VTPM_CC_PCR_SET_AUTH_POLICY, VTPM_ROUTE_KERNEL, "PCR_SetAuthPolicy" },
		{ VTPM_CC_PCR_SET_AUTH_VALUE, VTPM_ROUTE_KERNEL, "PCR_SetAuthValue" },
		{ VTPM_CC_EVENT_SEQUENCE_COMPLETE, VTPM_ROUTE_KERNEL, "EventSequenceComplete" },
		{ 0x20001000, VTPM_ROUTE_KERNEL, "vendor (swtpm's set locality)" },
		{ VTPM_CC_CREATE_PRIMARY, VTPM_ROUTE_ENGINE, "CreatePrimary" },
		{ VTPM_CC_QUOTE, VTPM_ROUTE_ENGINE, "Quote" },
		{ VTPM_CC_GET_CAPABILITY, VTPM_ROUTE_ENGINE, "GetCapability" },
		{ VTPM_CC_START_AUTH_SESSION, VTPM_ROUTE_ENGINE, "StartAuthSession" },
		{ VTPM_CC_FLUSH_CONTEXT, VTPM_ROUTE_ENGINE, "FlushContext" },
	};
	u8 cmd[10] = { 0x80, 0x01, 0, 0, 0, 10 };
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put_unaligned_be32(cases[i].cc, cmd + 6);
		CHECK(vtpm_mirror_route(cmd, sizeof(cmd)) == cases[i].route,
		      "route: %s to the %s", cases[i].name,
		      cases[i].route == VTPM_ROUTE_ENGINE ? "engine" :
		      cases[i].route == VTPM_ROUTE_KERNEL ? "kernel" : "both");
	}
	CHECK(vtpm_mirror_route(cmd, 9) == VTPM_ROUTE_KERNEL,
	      "route: a command shorter than a header to the kernel");
}

/* Run @cmd on a started tenant, mirror what it anchored on a started
 * engine: both must then hold the same vPCRs. */
static bool mirrored_equal(struct vtpm_tpm *tenant, struct vtpm_tpm *engine,
			   const u8 *cmd, size_t len)
{
	unsigned int before = plat.nr_changes;
	struct vtpm_pcr_change chg;
	u8 mc[VTPM_MIRROR_MAX];
	size_t n;

	if (run(tenant, cmd, len) || plat.nr_changes != before + 1)
		return false;
	chg = plat.changes[before];
	n = vtpm_mirror_command(&banks, &chg, mc, sizeof(mc));
	if (!n || run(engine, mc, n))
		return false;
	return !memcmp(tenant->pcr, engine->pcr, VTPM_NUM_PCRS * banks.stride);
}

static void test_mirror_command(void)
{
	struct vtpm_tpm *tenant = new_tpm(), *engine = new_tpm();
	struct vtpm_pcr_change chg = { .type = VTPM_CHANGE_RESUME };
	u8 mc[VTPM_MIRROR_MAX];
	struct cmd c;
	u32 i;

	CHECK(!startup(tenant, VTPM_SU_CLEAR) && !startup(engine, VTPM_SU_CLEAR),
	      "two engines started");

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, 7);
	pw(&c);
	tpm_wr_u32(&c.w, banks.nr);
	for (i = 0; i < banks.nr; i++) {
		tpm_wr_u16(&c.w, banks.bank[i].alg);
		memset(tpm_wr_reserve(&c.w, banks.bank[i].size), 0x30 + i,
		       banks.bank[i].size);
	}
	CHECK(mirrored_equal(tenant, engine, c.buf, cmd_end(&c)),
	      "PCR_Extend of every bank, mirrored, gives the same vPCR 7");

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, 3);
	pw(&c);
	tpm_wr_u32(&c.w, 1);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	memset(tpm_wr_reserve(&c.w, 32), 0x77, 32);
	CHECK(mirrored_equal(tenant, engine, c.buf, cmd_end(&c)),
	      "PCR_Extend of one bank, mirrored, gives the same vPCR 3");

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EVENT);
	tpm_wr_u32(&c.w, 16);
	pw(&c);
	tpm_wr_tpm2b(&c.w, "an event", 8);
	CHECK(mirrored_equal(tenant, engine, c.buf, cmd_end(&c)),
	      "PCR_Event, mirrored as PCR_Extend of its digests, gives the same vPCR 16");

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 16);
	pw(&c);
	CHECK(mirrored_equal(tenant, engine, c.buf, cmd_end(&c)),
	      "PCR_Reset, mirrored, gives the same vPCR 16");

	CHECK(!vtpm_mirror_command(&banks, &chg, mc, sizeof(mc)),
	      "RESUME has no mirror command");
	chg.type = VTPM_CHANGE_EXTEND;
	chg.pcr = 24;
	CHECK(!vtpm_mirror_command(&banks, &chg, mc, sizeof(mc)),
	      "no mirror command for vPCR 24");
	chg.pcr = 0;
	chg.count = 1;
	chg.d[0].bank = banks.nr;
	CHECK(!vtpm_mirror_command(&banks, &chg, mc, sizeof(mc)),
	      "no mirror command for a bank that does not exist");
	chg.d[0].bank = 0;
	CHECK(!vtpm_mirror_command(&banks, &chg, mc, 20),
	      "no mirror command into too small a buffer");
	free(tenant);
	free(engine);
}

static void test_responses(void)
{
	u8 r[14] = { 0x80, 0x01, 0, 0, 0, 14, 0, 0, 0, 0, 0x80, 0, 0, 2 };
	u8 c[14] = { 0x80, 0x01, 0, 0, 0, 14, 0, 0, 0x01, 0x31 };

	CHECK(vtpm_response_rc(r, 14) == 0, "response_rc: success");
	CHECK(vtpm_response_rc(r, 13) == VTPM_RC_FAILURE,
	      "response_rc: a size that is not the length is a failure");
	CHECK(vtpm_response_rc(r, 9) == VTPM_RC_FAILURE,
	      "response_rc: shorter than a header is a failure");
	CHECK(vtpm_handle_created(c, 14, r, 14) == 0x80000002,
	      "CreatePrimary created transient handle 0x80000002");
	put_unaligned_be32(VTPM_CC_START_AUTH_SESSION, c + 6);
	put_unaligned_be32(0x03000001, r + 10);
	CHECK(vtpm_handle_created(c, 14, r, 14) == 0x03000001,
	      "StartAuthSession created policy session 0x03000001");
	put_unaligned_be32(VTPM_CC_CONTEXT_LOAD, c + 6);
	put_unaligned_be32(0x02000004, r + 10);
	CHECK(vtpm_handle_created(c, 14, r, 14) == 0x02000004,
	      "ContextLoad of an HMAC session created 0x02000004");
	put_unaligned_be32(VTPM_CC_LOAD, c + 6);
	put_unaligned_be32(0x81000001, r + 10);
	CHECK(vtpm_handle_created(c, 14, r, 14) == 0,
	      "a persistent handle is not tracked");
	put_unaligned_be32(VTPM_CC_FLUSH_CONTEXT, c + 6);
	put_unaligned_be32(0x80000005, c + 10);
	put_unaligned_be32(10, r + 2);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0x80000005,
	      "FlushContext released 0x80000005");
	put_unaligned_be32(0x02000004, c + 10);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0x02000004,
	      "FlushContext released session 0x02000004");
	put_unaligned_be32(VTPM_CC_CONTEXT_SAVE, c + 6);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0x02000004,
	      "ContextSave hands session 0x02000004 to the caller");
	put_unaligned_be32(0x80000005, c + 10);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0,
	      "ContextSave of an object leaves it loaded");
	put_unaligned_be32(0x81000001, c + 10);
	put_unaligned_be32(VTPM_CC_FLUSH_CONTEXT, c + 6);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0,
	      "FlushContext of a persistent handle releases nothing");
	put_unaligned_be32(0x80000005, c + 10);
	put_unaligned_be32(VTPM_RC_HANDLE, r + 6);
	CHECK(vtpm_handle_released(c, 14, r, 10) == 0,
	      "a FlushContext that failed released nothing");
	CHECK(vtpm_response_error(VTPM_RC_RETRY, r, sizeof(r)) == 10 &&
	      vtpm_response_rc(r, 10) == VTPM_RC_RETRY,
	      "response_error builds TPM_RC_RETRY");
}

/* The plan of a replay reproduces the vPCRs of a history of changes. */
static void test_plan(void)
{
	struct vtpm_tpm *tenant = new_tpm(), *sim = new_tpm();
	struct vtpm_pcr_change startup_chg = { .type = VTPM_CHANGE_STARTUP };
	struct vtpm_mirror_plan plan = { };
	unsigned int i, replayed = 0;
	struct cmd c;
	u32 round;

	plat.nr_changes = 0;
	startup(tenant, VTPM_SU_CLEAR);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < 4; i++) {
			u32 pcr = i == 3 ? 23 : i * 8;

			cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EVENT);
			tpm_wr_u32(&c.w, pcr);
			pw(&c);
			tpm_wr_tpm2b(&c.w, &round, sizeof(round));
			run(tenant, c.buf, cmd_end(&c));
		}
		cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
		tpm_wr_u32(&c.w, 23);
		pw(&c);
		run(tenant, c.buf, cmd_end(&c));
		cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_SHUTDOWN);
		tpm_wr_u16(&c.w, VTPM_SU_STATE);
		run(tenant, c.buf, cmd_end(&c));
		startup(tenant, round == 1 ? VTPM_SU_CLEAR : VTPM_SU_STATE);
		cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EVENT);
		tpm_wr_u32(&c.w, 16);
		pw(&c);
		tpm_wr_tpm2b(&c.w, "after", 5);
		run(tenant, c.buf, cmd_end(&c));
	}
	for (i = 0; i < plat.nr_changes; i++)
		vtpm_mirror_plan_note(&plan, plat.changes[i].type,
				      plat.changes[i].pcr, i);
	vtpm_pcr_change_apply(sim, &startup_chg);
	for (i = 0; i < plat.nr_changes; i++) {
		if (!vtpm_mirror_plan_wanted(&plan, plat.changes[i].type,
					     plat.changes[i].pcr, i))
			continue;
		vtpm_pcr_change_apply(sim, &plat.changes[i]);
		replayed++;
	}
	CHECK(plat.nr_changes == 22,
	      "a history of 22 changes (events, resets, Startup CLEAR and STATE): %u",
	      plat.nr_changes);
	CHECK(!memcmp(sim->pcr, tenant->pcr, VTPM_NUM_PCRS * banks.stride),
	      "the plan's %u extends from Startup(CLEAR) give the vPCRs",
	      replayed);
	CHECK(replayed == 3,
	      "... only those since each vPCR's last reset (3 of 15): %u",
	      replayed);
	free(tenant);
	free(sim);
}

int main(void)
{
	static const u16 algs[] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	unsigned int i;

	for (i = 0; i < 4; i++)
		vtpm_banks_add(&banks, algs[i]);
	test_route();
	test_mirror_command();
	test_responses();
	test_plan();
	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
