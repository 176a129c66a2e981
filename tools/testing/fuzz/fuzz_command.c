// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the command parser and dispatcher of the engine
 * (vtpm_execute() of drivers/vtpm/lib), built from the module's own source
 * files.  An input is a mode byte and a sequence of commands
 * (fuzz_engine.h), executed one after the other by a fresh instance.
 *
 * Besides what the sanitizers catch (each command and each response
 * buffer is a heap block of exactly its size, so that a byte read past
 * the command or written past the buffer is an error), after every
 * command:
 *   - the response fits the buffer and VTPM_MAX_RESPONSE_SIZE, and is a
 *     well-formed TPM 2.0 response: a known tag, responseSize equal to the
 *     length returned, an error response is a bare header;
 *   - a success echoes the command's tag; with sessions, parameterSize and
 *     the response sessions account for every byte;
 *   - a failed command changed nothing in the instance and anchored
 *     nothing; a command anchors at most one change;
 *   - the vPCRs equal those of a shadow instance to which exactly the
 *     anchored changes were applied (vtpm_pcr_change_apply()): a change
 *     is in the vPCRs if and only if the anchor said yes;
 *   - the loaded sessions are well-formed.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_engine.h"

static struct vtpm_banks banks[4];
static struct vtpm_tpm *tpm, *shadow, *before;
static size_t tpm_size;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

#define CHECK(cond) do { if (!(cond)) fail(#cond, __LINE__); } while (0)

static void fail(const char *what, int line)
{
	fprintf(stderr, "fuzz_command: invariant broken (line %d): %s\n",
		line, what);
	abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_banks_init(banks);
	/* room for the largest bank set */
	tpm_size = vtpm_tpm_size(&banks[0]);
	tpm = malloc(tpm_size);
	shadow = malloc(tpm_size);
	before = malloc(tpm_size);
	if (!tpm || !shadow || !before)
		abort();
	return 0;
}

static void check_sessions(const struct vtpm_tpm *t)
{
	unsigned int i;

	for (i = 0; i < VTPM_MAX_LOADED_SESSIONS; i++) {
		const struct vtpm_session *s = &t->sessions[i];

		if (!s->handle)
			continue;
		CHECK(s->handle == ((u32)VTPM_HT_HMAC_SESSION << 24 | i));
		CHECK(vtpm_alg_digest_size(s->alg) == s->size);
		CHECK(!s->key_size || s->key_size == s->size);
	}
}

/* a success with sessions: handle, parameterSize, parameters, sessions */
static void check_session_response(const u8 *cmd, const u8 *rsp, size_t n)
{
	const struct vtpm_command_desc *d = NULL;
	struct tpm_rd rd;
	u32 cc = get_unaligned_be32(cmd + 6), psize;
	unsigned int i, nr = 0;

	for (i = 0; i < vtpm_nr_commands; i++)
		if (vtpm_commands[i].cc == cc)
			d = &vtpm_commands[i];
	CHECK(d);
	tpm_rd_init(&rd, rsp, n);
	tpm_rd_bytes(&rd, VTPM_HEADER_SIZE + (d->rhandle ? 4 : 0));
	psize = tpm_rd_u32(&rd);
	CHECK(tpm_rd_bytes(&rd, psize));
	while (tpm_rd_left(&rd)) {
		u16 ns = tpm_rd_u16(&rd);

		CHECK(ns <= VTPM_MAX_DIGEST_SIZE && tpm_rd_bytes(&rd, ns));
		tpm_rd_u8(&rd);
		ns = tpm_rd_u16(&rd);
		CHECK(ns <= VTPM_MAX_DIGEST_SIZE && tpm_rd_bytes(&rd, ns));
		CHECK(!rd.err);
		nr++;
	}
	CHECK(nr >= 1 && nr <= VTPM_MAX_SESSIONS);
}

static void check_response(const u8 *cmd, size_t len, const u8 *rsp,
			   size_t n, size_t cap)
{
	u16 tag;
	u32 rc;

	CHECK(n >= VTPM_HEADER_SIZE && n <= cap);
	CHECK(n <= VTPM_MAX_RESPONSE_SIZE);
	tag = get_unaligned_be16(rsp);
	rc = get_unaligned_be32(rsp + 6);
	CHECK(get_unaligned_be32(rsp + 2) == n);
	CHECK(tag == VTPM_ST_NO_SESSIONS || tag == VTPM_ST_SESSIONS ||
	      tag == VTPM_ST_RSP_COMMAND);
	if (tag == VTPM_ST_RSP_COMMAND)
		CHECK(rc == VTPM_RC_BAD_TAG);
	if (rc) {
		CHECK(n == VTPM_HEADER_SIZE);
		CHECK(tag != VTPM_ST_SESSIONS);
		return;
	}
	CHECK(len >= VTPM_HEADER_SIZE && get_unaligned_be32(cmd + 2) == len);
	CHECK(tag == get_unaligned_be16(cmd));
	if (tag == VTPM_ST_SESSIONS)
		check_session_response(cmd, rsp, n);
}

/* what an anchored change did to the shadow; the vPCRs must agree */
static void check_vpcrs(struct vtpm_tpm *t, unsigned int anchored)
{
	CHECK(plat.nr_changes <= anchored + 1);
	if (plat.nr_changes > anchored)
		CHECK(!vtpm_pcr_change_apply(shadow,
					     &plat.changes[anchored]));
	CHECK(!memcmp(shadow->pcr, t->pcr, VTPM_NUM_PCRS * t->banks->stride));
}

static void run(struct vtpm_tpm *t, const u8 *data, size_t len, size_t cap)
{
	unsigned int anchored = plat.nr_changes;
	u8 *cmd = malloc(len ? len : 1), *rsp = malloc(cap);
	size_t n;

	if (!cmd || !rsp)
		abort();
	memcpy(cmd, data, len);
	memcpy(before, t, vtpm_tpm_size(t->banks));
	n = vtpm_execute(t, cmd, len, rsp, cap);
	check_response(cmd, len, rsp, n, cap);
	CHECK(t->commands == before->commands + 1);
	CHECK(t->banks == before->banks);
	CHECK(t->shutdown <= VTPM_SHUTDOWN_STATE);
	if (get_unaligned_be32(rsp + 6)) {
		/* a failed command changes nothing and anchors nothing */
		before->commands++;
		CHECK(plat.nr_changes == anchored);
		CHECK(!memcmp(before, t, vtpm_tpm_size(t->banks)));
	}
	check_vpcrs(t, anchored);
	check_sessions(t);
	free(cmd);
	free(rsp);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u8 startup[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0,
	};
	const struct vtpm_banks *b;
	size_t cap, len, skip;
	unsigned int i;
	u8 mode;

	if (!size)
		return 0;
	mode = data[0];
	data++;
	size--;
	b = &banks[FUZZ_MODE_BANKS(mode)];
	cap = mode & FUZZ_MODE_BIG_RSP ? 2 * VTPM_MAX_RESPONSE_SIZE + 3 :
					 VTPM_MAX_RESPONSE_SIZE;
	fuzz_engine_reset(tpm, b, mode & ~FUZZ_MODE_REFUSE);
	fuzz_engine_reset(shadow, b, mode & ~FUZZ_MODE_REFUSE);
	if (mode & FUZZ_MODE_STARTUP) {
		run(tpm, startup, sizeof(startup), cap);
		CHECK(tpm->started);
	}
	for (i = 0; size && i < FUZZ_MAX_COMMANDS; i++) {
		/* refusing: the anchor says no to every other command */
		if (mode & FUZZ_MODE_REFUSE)
			plat.anchor_rc = i % 2 ? 0 : VTPM_RC_RETRY;
		len = fuzz_next_cmd(data, size, &skip);
		run(tpm, data, len, cap);
		data += skip;
		size -= skip;
	}
	return 0;
}
