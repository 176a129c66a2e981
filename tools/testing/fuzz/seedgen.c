// SPDX-License-Identifier: GPL-2.0
/*
 * seedgen: the seed corpora of fuzz_command and fuzz_log, made with the
 * module's own code, so that nothing binary needs committing.
 *
 *   seedgen command DIR	valid commands of every command code the engine
 *			implements, and sequences (sessions with correct
 *			HMACs, Shutdown/Startup, every capability)
 *   seedgen log DIR	logs and views written with the log's own encoder
 *			(vtpm_rec_encode(), vtpm_log_wr_*()), and record
 *			bodies of every type; logs that break one rule each;
 *			views that hide their instance's records as leaves
 *			(with the header's commitment kept or rewritten),
 *			logs of version 1 and 3
 *
 * The command sequences are executed while they are written, by an engine
 * set up as fuzz_command sets it up, so that HMACs over nonceTPM are right.
 */
#include <stdio.h>
#include <stdlib.h>

#include "fuzz_engine.h"
#include "../../../drivers/vtpm/lib/mlog.h"

static const char *dir;
static unsigned int nr_seeds;

static void write_seed(const char *name, const u8 *p, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
	nr_seeds++;
}

/* ------------------------------------------------------------------ */
/* fuzz_command                                                         */

static struct vtpm_banks banks[4];
static struct vtpm_tpm *tpm;

struct seq {
	u8 buf[16384];
	size_t len;
	u8 mode;
	unsigned int n;
	unsigned int failed;	/* commands that got an error */
	u8 rsp[VTPM_MAX_RESPONSE_SIZE];
	size_t rsp_len;
};

/* one command being built */
struct cmd {
	u8 buf[VTPM_MAX_COMMAND_SIZE];
	struct tpm_wr w;
	size_t auth_at;		/* where the authorisation area starts */
};

static void seq_start(struct seq *s, u8 mode)
{
	static const u8 startup[] = {
		0x80, 0x01, 0, 0, 0, 12, 0, 0, 0x01, 0x44, 0, 0,
	};

	s->mode = mode;
	s->buf[0] = mode;
	s->len = 1;
	s->n = 0;
	s->failed = 0;
	fuzz_engine_reset(tpm, &banks[FUZZ_MODE_BANKS(mode)],
			  mode & ~FUZZ_MODE_REFUSE);
	if (mode & FUZZ_MODE_STARTUP)
		vtpm_execute(tpm, startup, sizeof(startup), s->rsp,
			     sizeof(s->rsp));
}

/* append raw command bytes (and execute them) */
static u32 seq_raw(struct seq *s, const u8 *p, size_t len)
{
	if (s->n) {
		memcpy(s->buf + s->len, FUZZ_CMD_SEP, FUZZ_CMD_SEP_SIZE);
		s->len += FUZZ_CMD_SEP_SIZE;
	}
	memcpy(s->buf + s->len, p, len);
	s->len += len;
	if (s->mode & FUZZ_MODE_REFUSE)
		plat.anchor_rc = s->n % 2 ? 0 : VTPM_RC_RETRY;
	s->n++;
	s->rsp_len = vtpm_execute(tpm, p, len, s->rsp, sizeof(s->rsp));
	if (get_unaligned_be32(s->rsp + 6))
		s->failed++;
	return get_unaligned_be32(s->rsp + 6);
}

static void cmd_start(struct cmd *c, u16 tag, u32 cc)
{
	tpm_wr_init(&c->w, c->buf, sizeof(c->buf));
	tpm_wr_u16(&c->w, tag);
	tpm_wr_u32(&c->w, 0);
	tpm_wr_u32(&c->w, cc);
	c->auth_at = 0;
}

/* a password session with an empty password */
static void cmd_pw(struct cmd *c)
{
	tpm_wr_u32(&c->w, 9);
	tpm_wr_u32(&c->w, VTPM_RS_PW);
	tpm_wr_u16(&c->w, 0);
	tpm_wr_u8(&c->w, VTPM_SA_CONTINUE_SESSION);
	tpm_wr_u16(&c->w, 0);
}

static u32 seq_cmd(struct seq *s, struct cmd *c)
{
	put_unaligned_be32(c->w.pos, c->buf + 2);
	return seq_raw(s, c->buf, c->w.pos);
}

/* a seed whose commands all succeed but @failures of them */
static void seq_save_failing(struct seq *s, const char *name,
			     unsigned int failures)
{
	char full[256];

	if (s->failed != failures) {
		fprintf(stderr, "seedgen: %s: %u commands failed, not %u\n",
			name, s->failed, failures);
		exit(1);
	}

	snprintf(full, sizeof(full), "cmd-%s", name);
	write_seed(full, s->buf, s->len);
}

static void seq_save(struct seq *s, const char *name)
{
	seq_save_failing(s, name, 0);
}

/* a whole seed of one command, startup first, all four banks */
static void one(const char *name, struct cmd *c)
{
	struct seq s;

	seq_start(&s, FUZZ_MODE_STARTUP);
	seq_cmd(&s, c);
	seq_save(&s, name);
}

static void getcap(const char *name, u32 cap, u32 prop, u32 count)
{
	struct cmd c;

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_CAPABILITY);
	tpm_wr_u32(&c.w, cap);
	tpm_wr_u32(&c.w, prop);
	tpm_wr_u32(&c.w, count);
	one(name, &c);
}

static void wr_extend_params(struct cmd *c, unsigned int nr)
{
	static const u16 algs[] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	u8 d[VTPM_MAX_DIGEST_SIZE];
	unsigned int i;

	tpm_wr_u32(&c->w, nr);
	for (i = 0; i < nr; i++) {
		memset(d, 0x11 * (i + 1), sizeof(d));
		tpm_wr_u16(&c->w, algs[i % 4]);
		tpm_wr_bytes(&c->w, d, vtpm_alg_digest_size(algs[i % 4]));
	}
}

/* StartAuthSession: unbound, or bound to PCR @bind; returns the handle */
static u32 start_session(struct seq *s, u16 alg, u32 bind)
{
	u8 nonce[32];
	struct cmd c;

	memset(nonce, 0x42, sizeof(nonce));
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_START_AUTH_SESSION);
	tpm_wr_u32(&c.w, VTPM_RH_NULL);
	tpm_wr_u32(&c.w, bind);
	tpm_wr_tpm2b(&c.w, nonce, sizeof(nonce));
	tpm_wr_u16(&c.w, 0);
	tpm_wr_u8(&c.w, VTPM_SE_HMAC);
	tpm_wr_u16(&c.w, VTPM_ALG_NULL);
	tpm_wr_u16(&c.w, alg);
	if (seq_cmd(s, &c))
		return 0;
	return get_unaligned_be32(s->rsp + VTPM_HEADER_SIZE);
}

/*
 * A command authorised by HMAC session @h: @c holds the header and the
 * handle @handle; @params the parameters.  The HMAC is computed here from
 * the engine's state of the session (its key and nonceTPM).
 */
static u32 hmac_cmd(struct seq *s, u32 cc, u32 handle, u32 h, u8 attrs,
		    const u8 *params, size_t plen)
{
	struct vtpm_session *ss = vtpm_session_find(tpm, h);
	u8 ccb[4], hb[4], cp[VTPM_MAX_DIGEST_SIZE], mac[VTPM_MAX_DIGEST_SIZE];
	u8 nonce[16];
	struct vtpm_iov iov[3];
	struct cmd c;

	if (!ss)
		abort();
	memset(nonce, 0x24, sizeof(nonce));
	put_unaligned_be32(cc, ccb);
	put_unaligned_be32(handle, hb);
	iov[0] = (struct vtpm_iov){ ccb, 4 };
	iov[1] = (struct vtpm_iov){ hb, 4 };
	iov[2] = (struct vtpm_iov){ params, plen };
	if (vtpm_plat_hashv(ss->alg, iov, 3, cp))
		abort();
	iov[0] = (struct vtpm_iov){ cp, ss->size };
	iov[1] = (struct vtpm_iov){ nonce, sizeof(nonce) };
	iov[2] = (struct vtpm_iov){ ss->nonce_tpm, ss->size };
	{
		struct vtpm_iov all[4] = {
			iov[0], iov[1], iov[2], { &attrs, 1 },
		};

		if (vtpm_hmac(ss->alg, ss->key, ss->key_size, all, 4, mac))
			abort();
	}
	cmd_start(&c, VTPM_ST_SESSIONS, cc);
	tpm_wr_u32(&c.w, handle);
	tpm_wr_u32(&c.w, 4 + 2 + sizeof(nonce) + 1 + 2 + ss->size);
	tpm_wr_u32(&c.w, h);
	tpm_wr_tpm2b(&c.w, nonce, sizeof(nonce));
	tpm_wr_u8(&c.w, attrs);
	tpm_wr_tpm2b(&c.w, mac, ss->size);
	tpm_wr_bytes(&c.w, params, plen);
	return seq_cmd(s, &c);
}

static void command_seeds(void)
{
	static const u16 algs2[] = { VTPM_ALG_SHA1, VTPM_ALG_SHA256 };
	u8 params[512];
	struct tpm_wr pw;
	struct seq s;
	struct cmd c;
	unsigned int i, m;
	u32 h, h2;

	fuzz_banks_init(banks);
	tpm = malloc(vtpm_tpm_size(&banks[0]));
	if (!tpm)
		abort();

	/* Startup and Shutdown */
	for (m = 0; m < 4; m++) {
		char name[32];

		seq_start(&s, m << 1);	/* no automatic Startup */
		cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STARTUP);
		tpm_wr_u16(&c.w, VTPM_SU_CLEAR);
		seq_cmd(&s, &c);
		snprintf(name, sizeof(name), "startup-banks%u", m);
		seq_save(&s, name);
	}
	seq_start(&s, FUZZ_MODE_STARTUP);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_SHUTDOWN);
	tpm_wr_u16(&c.w, VTPM_SU_STATE);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STARTUP);
	tpm_wr_u16(&c.w, VTPM_SU_STATE);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_SHUTDOWN);
	tpm_wr_u16(&c.w, VTPM_SU_CLEAR);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STARTUP);
	tpm_wr_u16(&c.w, VTPM_SU_CLEAR);
	seq_cmd(&s, &c);
	seq_save(&s, "shutdown-startup");

	/* the commands without handles */
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_SELF_TEST);
	tpm_wr_u8(&c.w, 1);
	one("self-test", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_INCREMENTAL_SELF_TEST);
	tpm_wr_u32(&c.w, 2);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA1);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	one("incremental-self-test", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_TEST_RESULT);
	one("get-test-result", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_READ_CLOCK);
	one("read-clock", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_RANDOM);
	tpm_wr_u16(&c.w, 32);
	one("get-random", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STIR_RANDOM);
	memset(params, 0x77, 16);
	tpm_wr_tpm2b(&c.w, params, 16);
	one("stir-random", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_TEST_PARMS);
	tpm_wr_u16(&c.w, VTPM_ALG_KEYEDHASH);
	tpm_wr_u16(&c.w, VTPM_ALG_HMAC);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	one("test-parms-hmac", &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_TEST_PARMS);
	tpm_wr_u16(&c.w, VTPM_ALG_KEYEDHASH);
	tpm_wr_u16(&c.w, VTPM_ALG_XOR);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA384);
	tpm_wr_u16(&c.w, VTPM_ALG_KDF1_SP800_108);
	one("test-parms-xor", &c);

	/* every capability */
	getcap("cap-algs", VTPM_CAP_ALGS, 0, 64);
	getcap("cap-handles-pcr", VTPM_CAP_HANDLES, 0, 64);
	getcap("cap-handles-permanent", VTPM_CAP_HANDLES, 0x40000000, 3);
	getcap("cap-handles-session", VTPM_CAP_HANDLES, 0x02000000, 64);
	getcap("cap-commands", VTPM_CAP_COMMANDS, 0, 100);
	getcap("cap-pp-commands", VTPM_CAP_PP_COMMANDS, 0, 100);
	getcap("cap-audit-commands", VTPM_CAP_AUDIT_COMMANDS, 0, 100);
	getcap("cap-pcrs", VTPM_CAP_PCRS, 0, 1);
	getcap("cap-fixed", VTPM_CAP_TPM_PROPERTIES, 0x100, 100);
	getcap("cap-var", VTPM_CAP_TPM_PROPERTIES, 0x200, 3);
	getcap("cap-pcr-properties", VTPM_CAP_PCR_PROPERTIES, 0, 100);
	getcap("cap-ecc-curves", VTPM_CAP_ECC_CURVES, 0, 100);
	getcap("cap-auth-policies", VTPM_CAP_AUTH_POLICIES, 0x40000001, 1);
	getcap("cap-act", VTPM_CAP_ACT, 0x40000110, 1);

	/* the PCR commands, with a password session */
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_PCR_READ);
	tpm_wr_u32(&c.w, 4);
	for (i = 0; i < 4; i++) {
		tpm_wr_u16(&c.w, fuzz_banks[0][i]);
		tpm_wr_u8(&c.w, 3);
		tpm_wr_u8(&c.w, 0x81);
		tpm_wr_u8(&c.w, 0x00);
		tpm_wr_u8(&c.w, 0x01 << i);
	}
	one("pcr-read", &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, 0);
	cmd_pw(&c);
	wr_extend_params(&c, 4);
	one("pcr-extend-0", &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, 23);
	cmd_pw(&c);
	wr_extend_params(&c, 1);
	one("pcr-extend-23", &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, VTPM_RH_NULL);
	cmd_pw(&c);
	wr_extend_params(&c, 2);
	one("pcr-extend-null", &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EVENT);
	tpm_wr_u32(&c.w, 16);
	cmd_pw(&c);
	tpm_wr_tpm2b(&c.w, "event data", 10);
	one("pcr-event-16", &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 16);
	cmd_pw(&c);
	one("pcr-reset-16", &c);

	/* extend, read, reset, read: a vPCR's life, one bank */
	seq_start(&s, FUZZ_MODE_STARTUP | 1 << 1);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, 23);
	cmd_pw(&c);
	wr_extend_params(&c, 2);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_PCR_READ);
	tpm_wr_u32(&c.w, 1);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	tpm_wr_u8(&c.w, 3);
	tpm_wr_u8(&c.w, 0);
	tpm_wr_u8(&c.w, 0);
	tpm_wr_u8(&c.w, 0x80);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 23);
	cmd_pw(&c);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_PCR_READ);
	tpm_wr_u32(&c.w, 1);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	tpm_wr_u8(&c.w, 3);
	tpm_wr_u8(&c.w, 0);
	tpm_wr_u8(&c.w, 0);
	tpm_wr_u8(&c.w, 0x80);
	seq_cmd(&s, &c);
	seq_save(&s, "pcr-life");

	/* the same with the anchor refusing every other change */
	seq_start(&s, FUZZ_MODE_STARTUP | FUZZ_MODE_REFUSE);
	for (i = 0; i < 3; i++) {
		cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
		tpm_wr_u32(&c.w, 16);
		cmd_pw(&c);
		wr_extend_params(&c, 4);
		seq_cmd(&s, &c);
	}
	seq_save_failing(&s, "anchor-refuses", 2);

	/* HMAC sessions: unbound and bound, sha256 and sha1 */
	seq_start(&s, FUZZ_MODE_STARTUP);
	h = start_session(&s, VTPM_ALG_SHA256, VTPM_RH_NULL);
	if (hmac_cmd(&s, VTPM_CC_PCR_RESET, 16, h, VTPM_SA_CONTINUE_SESSION,
		     NULL, 0))
		abort();
	tpm_wr_init(&pw, params, sizeof(params));
	tpm_wr_u32(&pw, 2);
	for (i = 0; i < 2; i++) {
		tpm_wr_u16(&pw, algs2[i]);
		memset(pw.p + pw.pos, 0x5a, vtpm_alg_digest_size(algs2[i]));
		pw.pos += vtpm_alg_digest_size(algs2[i]);
	}
	if (hmac_cmd(&s, VTPM_CC_PCR_EXTEND, 16, h, VTPM_SA_CONTINUE_SESSION,
		     params, pw.pos))
		abort();
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_FLUSH_CONTEXT);
	tpm_wr_u32(&c.w, h);
	seq_cmd(&s, &c);
	seq_save(&s, "session-unbound");

	seq_start(&s, FUZZ_MODE_STARTUP);
	h = start_session(&s, VTPM_ALG_SHA1, 16);
	put_unaligned_be16(5, params);
	memcpy(params + 2, "hello", 5);
	if (hmac_cmd(&s, VTPM_CC_PCR_EVENT, 23, h, 0, params, 7))
		abort();
	seq_save(&s, "session-bound-event");

	/* every session slot taken, and one more asked for */
	seq_start(&s, FUZZ_MODE_STARTUP);
	h = start_session(&s, VTPM_ALG_SHA512, VTPM_RH_OWNER);
	h2 = start_session(&s, VTPM_ALG_SHA384, 3);
	start_session(&s, VTPM_ALG_SHA256, VTPM_RH_NULL);
	start_session(&s, VTPM_ALG_SHA256, VTPM_RH_NULL);
	if (hmac_cmd(&s, VTPM_CC_PCR_RESET, 23, h2, VTPM_SA_CONTINUE_SESSION,
		     NULL, 0))
		abort();
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_CAPABILITY);
	tpm_wr_u32(&c.w, VTPM_CAP_HANDLES);
	tpm_wr_u32(&c.w, 0x02000000);
	tpm_wr_u32(&c.w, 8);
	seq_cmd(&s, &c);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_FLUSH_CONTEXT);
	tpm_wr_u32(&c.w, h);
	seq_cmd(&s, &c);
	seq_save_failing(&s, "sessions-full", 1);
	free(tpm);
}

/* ------------------------------------------------------------------ */
/* fuzz_log                                                             */

static const u8 log_key[32] = { 1, 2, 3, 4, 5, 6, 7, 8 };

/* a record body: version, then type (Documentation/log-format.md) */
#define VTPM_REC_OFF_TYPE_SEED	1
/* a GENESIS body: version, type, seq, uuid, pcr, count 0, xlen, hw_pcr */
#define VTPM_REC_OFF_HW_PCR_SEED (1 + 1 + 8 + VTPM_UUID_SIZE + 4 + 1 + 2)

struct ent {
	u64 batch;
	int owner;		/* -1: global */
	u8 salt[VTPM_SALT_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	u8 body[VTPM_REC_MAX_BODY];
	u16 len;
};

struct lg {
	u32 nr_banks;
	u16 algs[VTPM_MAX_BANKS];
	u8 uuid[200][VTPM_UUID_SIZE];
	u8 tag[200][VTPM_TAG_SIZE];
	struct ent e[600];
	unsigned int n;
	u64 batch;
};

static struct vtpm_replay rp;

static void lg_add(struct lg *g, int owner, struct vtpm_log_rec *r)
{
	struct ent *e = &g->e[g->n];

	if (owner >= 0)
		memcpy(r->uuid, g->uuid[owner], VTPM_UUID_SIZE);
	r->seq = g->n;
	e->batch = g->batch;
	e->owner = owner;
	e->len = vtpm_rec_encode(r, e->body, sizeof(e->body));
	if (!e->len)
		abort();
	if (r->type == VTPM_REC_ABORT)
		memset(e->salt, 0, VTPM_SALT_SIZE);
	else if (vtpm_rec_salt(log_key, sizeof(log_key), r->seq, e->salt))
		abort();
	if (owner >= 0)
		memcpy(e->tag, g->tag[owner], VTPM_TAG_SIZE);
	else
		memset(e->tag, 0, VTPM_TAG_SIZE);
	g->n++;
}

static void rec_init(struct vtpm_log_rec *r, u8 type)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->pcr = VTPM_LOG_NO_PCR;
}

static void lg_new(struct lg *g, u32 nr_banks, const u16 *algs)
{
	struct vtpm_log_rec r;
	u32 i;

	memset(g, 0, sizeof(*g));
	g->nr_banks = nr_banks;
	memcpy(g->algs, algs, nr_banks * sizeof(*algs));
	for (i = 0; i < 200; i++) {
		memset(g->uuid[i], 0xa0 + i % 16, VTPM_UUID_SIZE);
		g->uuid[i][0] = i;
		g->uuid[i][1] = i >> 8 | 0x10;
		memset(g->tag[i], 0x30 + i % 64, VTPM_TAG_SIZE);
	}
	rec_init(&r, VTPM_REC_GENESIS);
	r.genesis.hw_pcr = 11;
	r.genesis.nr_banks = nr_banks;
	for (i = 0; i < nr_banks; i++) {
		r.genesis.start[i].alg = algs[i];
		memset(r.genesis.start[i].digest, i, VTPM_MAX_DIGEST_SIZE);
	}
	r.genesis.reset_count = 3;
	r.genesis.restart_count = 1;
	r.genesis.clock = 123456;
	memset(r.genesis.log_id, 0x1d, sizeof(r.genesis.log_id));
	lg_add(g, -1, &r);
}

static void lg_create(struct lg *g, int i, const char *label)
{
	struct vtpm_log_rec r;

	rec_init(&r, VTPM_REC_CREATE);
	r.create.index = i;
	snprintf(r.create.label, sizeof(r.create.label), "%s", label);
	lg_add(g, i, &r);
}

static void lg_simple(struct lg *g, int i, u8 type, u32 pcr)
{
	struct vtpm_log_rec r;

	rec_init(&r, type);
	if (type == VTPM_REC_RESET)
		r.pcr = pcr;
	lg_add(g, i, &r);
}

static void lg_extend(struct lg *g, int i, u8 type, u32 pcr, u32 count)
{
	struct vtpm_log_rec r;
	u32 k;

	rec_init(&r, type);
	r.pcr = pcr;
	r.count = type == VTPM_REC_EVENT ? g->nr_banks : count;
	for (k = 0; k < r.count; k++) {
		r.d[k].alg = g->algs[k % g->nr_banks];
		memset(r.d[k].digest, 0x60 + k + pcr, VTPM_MAX_DIGEST_SIZE);
	}
	lg_add(g, i, &r);
}

static void lg_abort(struct lg *g)
{
	struct vtpm_log_rec r;

	rec_init(&r, VTPM_REC_ABORT);
	r.abort_batch = g->batch - 1;
	lg_add(g, -1, &r);
}

/*
 * How a log is written besides its records: the defaults (all zero) are
 * an honest log of the current format.
 */
struct lg_how {
	int hide;		/* entry shown as its leaf in a view (-1: none) */
	bool recommit;		/* the view's commitment: what it shows, not
				 * every record of its instance */
	u16 version;		/* 0: VTPM_LOG_VERSION; 1: version 1's layout
				 * (a view without its commitment) */
	int records_delta;	/* added to the commitment's number of records */
	bool bad_chain;		/* a bit of the commitment's chain flipped */
	u32 hw_pcr;		/* 0: 11, as the genesis record says */
};

static const struct lg_how honest = { .hide = -1 };

/*
 * the full log (@view < 0) or @view's view, written as @how says; replay
 * must give @expect (0, -EBADMSG for the seeds that break a rule of the
 * log, -EINVAL for the malformed ones), with a reason that contains
 * @why (NULL: any)
 */
static void lg_write_how(struct lg *g, int view, const char *name,
			 const struct lg_how *how, int expect, const char *why)
{
	struct vtpm_log_header h = {
		.kind = view < 0 ? VTPM_LOG_FULL : VTPM_LOG_VIEW,
		.hw_pcr = how->hw_pcr ? how->hw_pcr : 11,
		.nr_banks = g->nr_banks,
		.nr_batches = g->batch + 1,
	};
	static u8 buf[1 << 17];
	u8 leaf[VTPM_LEAF_SIZE];
	struct tpm_wr w;
	unsigned int i, k, n;
	u64 b;
	int ret;

	memcpy(h.algs, g->algs, sizeof(h.algs));
	if (view >= 0)
		memcpy(h.uuid, g->uuid[view], VTPM_UUID_SIZE);
	/* the commitment: the view's instance's records, in log order */
	for (i = 0; view >= 0 && i < g->n; i++) {
		struct ent *e = &g->e[i];

		if (e->owner != view ||
		    (how->recommit && (int)i == how->hide))
			continue;
		if (vtpm_rec_leaf(e->salt, e->tag, e->body, e->len, leaf) ||
		    vtpm_commit_add(&h.commit, leaf))
			abort();
	}
	h.commit.records += how->records_delta;
	if (how->bad_chain)
		h.commit.chain[0] ^= 0x01;
	tpm_wr_init(&w, buf, sizeof(buf));
	vtpm_log_wr_header(&w, &h);
	if (how->version) {
		put_unaligned_be16(how->version, buf + VTPM_LOG_MAGIC_SIZE);
		/* version 1: no commitment, the header's last 40 bytes */
		if (how->version == 1 && view >= 0)
			w.pos -= 8 + VTPM_LEAF_SIZE;
	}
	for (b = 0, i = 0; b <= g->batch; b++) {
		for (n = 0, k = i; k < g->n && g->e[k].batch == b; k++)
			n++;
		vtpm_log_wr_batch(&w, b, n);
		for (; i < k; i++) {
			struct ent *e = &g->e[i];

			if (view < 0 || e->owner < 0 ||
			    (e->owner == view && (int)i != how->hide)) {
				vtpm_log_wr_clear(&w, e->salt, e->tag, e->body,
						  e->len);
			} else {
				vtpm_rec_leaf(e->salt, e->tag, e->body, e->len,
					      leaf);
				vtpm_log_wr_leaf(&w, leaf);
			}
		}
	}
	if (w.err)
		abort();
	memset(&rp, 0, sizeof(rp));
	ret = vtpm_log_replay(buf, w.pos, &rp);
	if (ret != expect || (why && (!rp.why || !strstr(rp.why, why)))) {
		fprintf(stderr, "seedgen: %s: replay: %d %s at %zu\n",
			name, ret, rp.why ? rp.why : "success", rp.err_offset);
		exit(1);
	}
	write_seed(name, buf, w.pos);
}

static void lg_write_expect(struct lg *g, int view, const char *name,
			    int expect)
{
	lg_write_how(g, view, name, &honest, expect, NULL);
}

static void lg_write(struct lg *g, int view, const char *name)
{
	lg_write_expect(g, view, name, 0);
}

static void lg_bad(struct lg *g, const char *name)
{
	lg_write_expect(g, -1, name, -EBADMSG);
}

#define HIDES	"the view hides records of its instance"

/*
 * Views of instance @view of @g that hide its records (log format 2,
 * rule 9): each of its records shown as its leaf, the header's commitment
 * left as it is (rule 9 fails; or rule 5 for its CREATE) or rewritten to
 * what the view shows (the replay cannot tell: the request value of an
 * attestation can); the commitment off by one record or one bit
 */
static void hidden_view_seeds(struct lg *g, int view, const char *prefix)
{
	static const u8 types[] = {
		VTPM_REC_CREATE, VTPM_REC_EXTEND, VTPM_REC_EVENT,
		VTPM_REC_RESET, VTPM_REC_STARTUP_CLEAR,
		VTPM_REC_STARTUP_STATE, VTPM_REC_DESTROY,
	};
	struct lg_how how = honest;
	char name[64];
	unsigned int i, j, k;
	bool more;

	for (i = 0; i < g->n; i++) {
		u8 type = g->e[i].body[VTPM_REC_OFF_TYPE_SEED];

		if (g->e[i].owner != view)
			continue;
		for (k = 0; k < sizeof(types) && types[k] != type; k++)
			;
		if (k == sizeof(types))
			abort();
		/* a record of the instance after this one */
		for (more = false, j = i + 1; j < g->n; j++)
			more |= g->e[j].owner == view;
		/* its CREATE hidden: the next record comes before a CREATE */
		more &= type == VTPM_REC_CREATE;
		how = honest;
		how.hide = i;
		snprintf(name, sizeof(name), "%s-hide-%u-%s", prefix, i,
			 vtpm_rec_type_name(type));
		lg_write_how(g, view, name, &how, -EBADMSG,
			     more ? "before its CREATE" : HIDES);
		how.recommit = true;
		snprintf(name, sizeof(name), "%s-hide-%u-%s-recommit", prefix,
			 i, vtpm_rec_type_name(type));
		lg_write_how(g, view, name, &how, more ? -EBADMSG : 0,
			     more ? "before its CREATE" : NULL);
	}
	how = honest;
	how.records_delta = -1;
	snprintf(name, sizeof(name), "%s-commit-fewer", prefix);
	lg_write_how(g, view, name, &how, -EBADMSG,
		     "the view shows more records of its instance");
	how.records_delta = 1;
	snprintf(name, sizeof(name), "%s-commit-more", prefix);
	lg_write_how(g, view, name, &how, -EBADMSG, HIDES);
	how.records_delta = 0;
	how.bad_chain = true;
	snprintf(name, sizeof(name), "%s-commit-chain", prefix);
	lg_write_how(g, view, name, &how, -EBADMSG,
		     "are not those its header commits to");
}

/* logs of another version (1: the layout of version 1), another header */
static void version_seeds(struct lg *g, int view, const char *prefix)
{
	struct lg_how how = honest;
	char name[64];

	how.version = 1;
	snprintf(name, sizeof(name), "%s-v1", prefix);
	lg_write_how(g, view, name, &how, -EINVAL,
		     "log version 1 (views without their instance's commitment) is no longer supported");
	how.version = 3;
	snprintf(name, sizeof(name), "%s-v3", prefix);
	lg_write_how(g, view, name, &how, -EINVAL, "unsupported log version");
	how.version = 0;
	how.hw_pcr = VTPM_NUM_PCRS;
	snprintf(name, sizeof(name), "%s-hw-pcr-24", prefix);
	lg_write_how(g, view, name, &how, -EINVAL, "hardware PCR out of range");
}

/* a record of instance @i with one digest of @alg */
static void lg_digest(struct lg *g, int i, u8 type, u16 alg)
{
	struct vtpm_log_rec r;

	rec_init(&r, type);
	r.pcr = 10;
	r.count = 1;
	r.d[0].alg = alg;
	memset(r.d[0].digest, 0x99, VTPM_MAX_DIGEST_SIZE);
	lg_add(g, i, &r);
}

/* logs that are well-formed but break a rule: each its own */
static void bad_log_seeds(void)
{
	static const u16 two[] = { VTPM_ALG_SHA256, VTPM_ALG_SHA384 };
	static const u16 one[] = { VTPM_ALG_SHA256 };
	static struct lg g;
	struct vtpm_log_rec r;

	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_simple(&g, 0, VTPM_REC_DESTROY, 0);
	lg_extend(&g, 0, VTPM_REC_EXTEND, 1, 1);
	lg_bad(&g, "bad-after-destroy");

	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_create(&g, 0, "a");
	lg_bad(&g, "bad-second-create");

	lg_new(&g, 1, one);
	g.batch++;
	lg_extend(&g, 0, VTPM_REC_EXTEND, 1, 1);
	lg_bad(&g, "bad-before-create");

	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	memset(g.tag[0], 0xee, VTPM_TAG_SIZE);
	lg_extend(&g, 0, VTPM_REC_EXTEND, 1, 1);
	lg_bad(&g, "bad-tag-differs");

	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_digest(&g, 0, VTPM_REC_EXTEND, VTPM_ALG_SHA1);
	lg_bad(&g, "bad-extend-other-bank");

	lg_new(&g, 2, two);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_digest(&g, 0, VTPM_REC_EVENT, VTPM_ALG_SHA256);
	lg_bad(&g, "bad-event-banks");

	lg_new(&g, 2, two);
	g.algs[1] = VTPM_ALG_SHA512;	/* the header's, not the genesis' */
	lg_bad(&g, "bad-genesis-banks");

	lg_new(&g, 1, one);
	g.n = 0;
	lg_create(&g, 0, "a");
	lg_bad(&g, "bad-no-genesis");

	lg_new(&g, 1, one);
	if (vtpm_rec_decode(g.e[0].body, g.e[0].len, &r))
		abort();
	g.batch++;
	lg_add(&g, -1, &r);
	lg_bad(&g, "bad-second-genesis");

	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	g.batch++;
	lg_extend(&g, 0, VTPM_REC_EXTEND, 1, 1);
	g.batch++;
	lg_extend(&g, 0, VTPM_REC_EXTEND, 2, 1);
	lg_abort(&g);
	lg_bad(&g, "bad-abort-not-first");

	lg_new(&g, 1, one);
	g.batch++;
	lg_abort(&g);
	lg_bad(&g, "bad-abort-of-genesis-batch");
}

static void log_seeds(void)
{
	static const u16 four[] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	static const u16 one[] = { VTPM_ALG_SHA256 };
	static struct lg g;
	unsigned int i, t;

	/* every record type, an ABORT, two instances, four banks */
	lg_new(&g, 4, four);
	g.batch++;
	lg_create(&g, 0, "tenant-a");
	lg_create(&g, 1, "tenant-b");
	g.batch++;
	lg_extend(&g, 0, VTPM_REC_EXTEND, 10, 2);
	lg_extend(&g, 0, VTPM_REC_EVENT, 16, 0);
	lg_simple(&g, 0, VTPM_REC_RESET, 16);
	lg_extend(&g, 1, VTPM_REC_EXTEND, 0, 8);
	g.batch++;
	lg_simple(&g, 0, VTPM_REC_STARTUP_CLEAR, 0);
	lg_simple(&g, 1, VTPM_REC_STARTUP_STATE, 0);
	g.batch++;			/* voided by the next */
	lg_extend(&g, 0, VTPM_REC_EXTEND, 7, 1);
	g.batch++;
	lg_abort(&g);
	lg_simple(&g, 1, VTPM_REC_DESTROY, 0);
	lg_extend(&g, 0, VTPM_REC_EXTEND, 23, 4);
	lg_write(&g, -1, "log-full");
	lg_write(&g, 0, "log-view-a");
	lg_write(&g, 1, "log-view-b");
	hidden_view_seeds(&g, 0, "log-view-a");
	hidden_view_seeds(&g, 1, "log-view-b");
	version_seeds(&g, -1, "log-full");
	version_seeds(&g, 0, "log-view-a");
	for (i = 0; i < g.n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "rec-%u-type%u", i,
			 g.e[i].body[1]);
		write_seed(name, g.e[i].body, g.e[i].len);
	}

	/* the smallest log: its genesis only */
	lg_new(&g, 1, one);
	lg_write(&g, -1, "log-genesis");
	/* its genesis record names a hardware PCR out of range */
	put_unaligned_be32(VTPM_NUM_PCRS,
			   g.e[0].body + VTPM_REC_OFF_HW_PCR_SEED);
	lg_write_how(&g, -1, "log-genesis-hw-pcr-24", &honest, -EINVAL,
		     "hardware PCR out of range");
	write_seed("rec-genesis-hw-pcr-24", g.e[0].body, g.e[0].len);

	/* a view whose instance has its CREATE alone, hidden */
	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_create(&g, 1, "b");
	lg_write(&g, 0, "log-view-create-only");
	hidden_view_seeds(&g, 0, "log-view-create-only");

	/* a full batch (VTPM_MAX_BATCH entries), in a view mostly leaves */
	lg_new(&g, 1, one);
	g.batch++;
	lg_create(&g, 0, "a");
	lg_create(&g, 1, "b");
	g.batch++;
	for (i = 0; i < VTPM_MAX_BATCH; i++)
		lg_extend(&g, i < 250 ? 1 : 0, VTPM_REC_EXTEND, i % 24, 1);
	lg_write(&g, 0, "log-view-max-batch");

	/* more instances than the replay's cache holds */
	lg_new(&g, 1, one);
	g.batch++;
	for (t = 0; t < 140; t++)
		lg_create(&g, t, "");
	g.batch++;
	for (t = 0; t < 140; t += 7)
		lg_simple(&g, t, VTPM_REC_RESET, 23);
	lg_write(&g, -1, "log-many-instances");
	lg_write(&g, 5, "log-many-instances-view");
	bad_log_seeds();
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: seedgen command|log DIR\n");
		return 2;
	}
	dir = argv[2];
	if (!strcmp(argv[1], "command"))
		command_seeds();
	else if (!strcmp(argv[1], "log"))
		log_seeds();
	else
		return 2;
	printf("%u seeds in %s\n", nr_seeds, dir);
	return 0;
}
