// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the pure engine (drivers/vtpm/lib), built from the module's
 * own source files.  Expected digests are computed independently with
 * OpenSSL.  Output: TAP.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>

#include "plat.h"
#include "../../../drivers/vtpm/lib/command.h"

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
static struct vtpm_tpm *tpm;
static u8 rsp[4096];
static size_t rsp_len;

static u32 rc_of(void)
{
	return rsp_len >= 10 ? get_unaligned_be32(rsp + 6) : 0xffffffff;
}

static u32 run(const u8 *cmd, size_t len)
{
	rsp_len = vtpm_execute(tpm, cmd, len, rsp, sizeof(rsp));
	return rc_of();
}

/* A command: header, handles, optional password session, parameters */
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

static void cmd_pw(struct cmd *c, const char *pw)
{
	u16 n = strlen(pw);

	tpm_wr_u32(&c->w, 9 + n);
	tpm_wr_u32(&c->w, VTPM_RS_PW);
	tpm_wr_u16(&c->w, 0);
	tpm_wr_u8(&c->w, 1);
	tpm_wr_tpm2b(&c->w, pw, n);
}

static u32 cmd_run(struct cmd *c)
{
	put_unaligned_be32(c->w.pos, c->buf + 2);
	return run(c->buf, c->w.pos);
}

static void fresh(void)
{
	free(tpm);
	tpm = calloc(1, vtpm_tpm_size(&banks));
	vtpm_tpm_init(tpm, &banks);
	memset(&plat, 0, sizeof(plat));
}

static u32 startup(u16 su)
{
	struct cmd c;

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_STARTUP);
	tpm_wr_u16(&c.w, su);
	return cmd_run(&c);
}

static u32 shutdown(u16 su)
{
	struct cmd c;

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_SHUTDOWN);
	tpm_wr_u16(&c.w, su);
	return cmd_run(&c);
}

static const EVP_MD *md(u16 alg)
{
	return EVP_get_digestbyname(vtpm_alg_name(alg));
}

static void hash(u16 alg, const void *d, size_t n, u8 *out)
{
	unsigned int len;

	EVP_Digest(d, n, out, &len, md(alg), NULL);
}

/* expected = H(old || digest) */
static void extend(u16 alg, u8 *v, const u8 *d)
{
	u8 buf[128];
	size_t n = vtpm_alg_digest_size(alg);

	memcpy(buf, v, n);
	memcpy(buf + n, d, n);
	hash(alg, buf, 2 * n, v);
}

/* Read one vPCR of one bank through TPM2_PCR_Read */
static int pcr_read(u16 alg, u32 pcr, u8 *out)
{
	struct cmd c;
	size_t n = vtpm_alg_digest_size(alg);

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_PCR_READ);
	tpm_wr_u32(&c.w, 1);
	tpm_wr_u16(&c.w, alg);
	tpm_wr_u8(&c.w, 3);
	tpm_wr_u8(&c.w, pcr < 8 ? 1 << pcr : 0);
	tpm_wr_u8(&c.w, pcr >= 8 && pcr < 16 ? 1 << (pcr - 8) : 0);
	tpm_wr_u8(&c.w, pcr >= 16 ? 1 << (pcr - 16) : 0);
	if (cmd_run(&c))
		return -1;
	/* counter 4, selection 4+2+1+3, count 4, size 2 */
	if (rsp_len != 10 + 4 + 10 + 4 + 2 + n ||
	    get_unaligned_be32(rsp + 24) != 1)
		return -1;
	memcpy(out, rsp + 30, n);
	return 0;
}

static u32 pcr_extend(u32 pcr, const char *pw, int nalgs, const u16 *algs,
		      u8 digests[][64])
{
	struct cmd c;
	int i;

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EXTEND);
	tpm_wr_u32(&c.w, pcr);
	cmd_pw(&c, pw);
	tpm_wr_u32(&c.w, nalgs);
	for (i = 0; i < nalgs; i++) {
		tpm_wr_u16(&c.w, algs[i]);
		tpm_wr_bytes(&c.w, digests[i], vtpm_alg_digest_size(algs[i]));
	}
	return cmd_run(&c);
}

static const u16 all_algs[] = {
	VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512
};

static void test_marshal(void)
{
	u8 b[3] = { 1, 2, 3 }, out[4];
	struct tpm_rd r;
	struct tpm_wr w;

	tpm_rd_init(&r, b, sizeof(b));
	CHECK(tpm_rd_u16(&r) == 0x0102 && !r.err, "marshal: read u16");
	CHECK(tpm_rd_u32(&r) == 0 && r.err && tpm_rd_left(&r) == 1,
	      "marshal: short read fails and consumes nothing");
	CHECK(tpm_rd_u8(&r) == 0 && r.err, "marshal: reader stays failed");
	tpm_wr_init(&w, out, sizeof(out));
	tpm_wr_u16(&w, 0xabcd);
	tpm_wr_u32(&w, 1);
	CHECK(w.err && w.pos == 2 && out[0] == 0xab,
	      "marshal: overflowing write fails and writes nothing");
}

static void test_startup(void)
{
	struct cmd c;

	fresh();
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_RANDOM);
	tpm_wr_u16(&c.w, 8);
	CHECK(cmd_run(&c) == VTPM_RC_INITIALIZE,
	      "a command before Startup gets TPM_RC_INITIALIZE");
	CHECK(startup(2) == 0x1c4, "Startup(2) gets TPM_RC_VALUE+P1");
	CHECK(startup(VTPM_SU_STATE) == 0x1c4,
	      "Startup(STATE) without Shutdown(STATE) gets 0x1c4");
	CHECK(startup(VTPM_SU_CLEAR) == 0 && plat.nr_changes == 1 &&
	      plat.changes[0].type == VTPM_CHANGE_STARTUP,
	      "Startup(CLEAR) succeeds and is anchored");
	CHECK(startup(VTPM_SU_CLEAR) == VTPM_RC_INITIALIZE,
	      "a second Startup gets TPM_RC_INITIALIZE");
	CHECK(cmd_run(&c) == 0 && rsp_len == 10 + 2 + 8,
	      "GetRandom(8) returns 8 bytes");
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_RANDOM);
	tpm_wr_u16(&c.w, 100);
	CHECK(cmd_run(&c) == 0 && get_unaligned_be16(rsp + 10) == 64,
	      "GetRandom(100) returns at most 64 bytes");
}

static void test_extend(void)
{
	u8 d[4][64], expect[64], got[64];
	unsigned int i;
	u16 sha256 = VTPM_ALG_SHA256;
	bool ok = true;

	fresh();
	startup(VTPM_SU_CLEAR);
	for (i = 0; i < 4; i++)
		memset(d[i], 0x11 * (i + 1), 64);

	CHECK(pcr_extend(3, "", 1, &sha256, d) == 0,
	      "PCR_Extend sha256 into PCR 3");
	memset(expect, 0, 32);
	extend(VTPM_ALG_SHA256, expect, d[0]);
	CHECK(!pcr_read(VTPM_ALG_SHA256, 3, got) && !memcmp(got, expect, 32),
	      "PCR 3 sha256 = sha256(0^32 || digest)");
	CHECK(!pcr_read(VTPM_ALG_SHA1, 3, got) &&
	      !memcmp(got, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20),
	      "PCR 3 sha1 untouched by a sha256-only extend");

	CHECK(pcr_extend(7, "", 4, all_algs, d) == 0,
	      "PCR_Extend all four banks into PCR 7");
	for (i = 0; i < 4; i++) {
		size_t n = vtpm_alg_digest_size(all_algs[i]);

		memset(expect, 0, n);
		extend(all_algs[i], expect, d[i]);
		ok &= !pcr_read(all_algs[i], 7, got) && !memcmp(got, expect, n);
	}
	CHECK(ok, "PCR 7 of every bank equals the OpenSSL-computed value");
	CHECK(plat.nr_changes == 3 && plat.changes[2].type ==
	      VTPM_CHANGE_EXTEND && plat.changes[2].pcr == 7 &&
	      plat.changes[2].count == 4, "each extend is anchored once");

	CHECK(pcr_extend(17, "", 1, &sha256, d) == VTPM_RC_LOCALITY,
	      "PCR_Extend 17 at locality 0 gets TPM_RC_LOCALITY");
	CHECK(pcr_extend(24, "", 1, &sha256, d) == 0x184,
	      "PCR_Extend 24 gets TPM_RC_VALUE+H1");
	CHECK(pcr_extend(VTPM_RH_NULL, "", 1, &sha256, d) == 0 &&
	      plat.nr_changes == 3, "PCR_Extend TPM_RH_NULL is a no-op");
	CHECK(pcr_extend(3, "x", 1, &sha256, d) == 0x9a2,
	      "a wrong password gets TPM_RC_BAD_AUTH+S1");
	CHECK(!pcr_read(VTPM_ALG_SHA256, 17, got) && got[0] == 0xff &&
	      got[31] == 0xff, "PCR 17 starts at all ones");

	plat.anchor_rc = VTPM_RC_RETRY;
	memset(expect, 0, 32);
	extend(VTPM_ALG_SHA256, expect, d[0]);
	CHECK(pcr_extend(3, "", 1, &sha256, d) == VTPM_RC_RETRY &&
	      !pcr_read(VTPM_ALG_SHA256, 3, got) && !memcmp(got, expect, 32),
	      "a refused anchor fails the extend and leaves the vPCR as it was");
	plat.anchor_rc = 0;
}

static void test_event_reset(void)
{
	u8 expect[64], got[64], h[64], ev[4096];
	unsigned int i;
	struct cmd c;
	bool ok = true;

	fresh();
	startup(VTPM_SU_CLEAR);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_EVENT);
	tpm_wr_u32(&c.w, 16);
	cmd_pw(&c, "");
	tpm_wr_tpm2b(&c.w, "abc", 3);
	CHECK(cmd_run(&c) == 0, "PCR_Event on PCR 16");
	memcpy(ev, rsp, rsp_len);
	/* header, parameterSize, count, then alg + digest per bank */
	ok = get_unaligned_be32(ev + 14) == 4;
	for (i = 0, h[0] = 0; i < 4; i++) {
		size_t off = 18, n = vtpm_alg_digest_size(all_algs[i]), j;

		for (j = 0; j < i; j++)
			off += 2 + vtpm_alg_digest_size(all_algs[j]);
		hash(all_algs[i], "abc", 3, h);
		ok &= get_unaligned_be16(ev + off) == all_algs[i] &&
		      !memcmp(ev + off + 2, h, n);
		memset(expect, 0, n);
		extend(all_algs[i], expect, h);
		ok &= !pcr_read(all_algs[i], 16, got) && !memcmp(got, expect, n);
	}
	CHECK(ok, "PCR_Event returns H(data) per bank and extends it");

	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 16);
	cmd_pw(&c, "");
	memset(expect, 0, 64);
	CHECK(cmd_run(&c) == 0 && !pcr_read(VTPM_ALG_SHA512, 16, got) &&
	      !memcmp(got, expect, 64), "PCR_Reset 16 zeroes it");
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 0);
	cmd_pw(&c, "");
	CHECK(cmd_run(&c) == VTPM_RC_LOCALITY,
	      "PCR_Reset 0 gets TPM_RC_LOCALITY");
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 23);
	cmd_pw(&c, "");
	tpm_wr_u8(&c.w, 0);
	plat.nr_changes = 0;
	CHECK(cmd_run(&c) == VTPM_RC_SIZE && !plat.nr_changes,
	      "PCR_Reset with a byte of parameters gets TPM_RC_SIZE, anchors nothing");
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 16);
	CHECK(cmd_run(&c) == VTPM_RC_AUTH_MISSING,
	      "PCR_Reset without a session gets TPM_RC_AUTH_MISSING");
}

static void test_state(void)
{
	u8 d[1][64], v0[64], got[64];
	u16 sha256 = VTPM_ALG_SHA256;

	fresh();
	startup(VTPM_SU_CLEAR);
	memset(d[0], 0x5a, 32);
	pcr_extend(0, "", 1, &sha256, d);
	pcr_extend(16, "", 1, &sha256, d);
	pcr_read(VTPM_ALG_SHA256, 0, v0);
	CHECK(shutdown(VTPM_SU_STATE) == 0 && startup(VTPM_SU_STATE) == 0,
	      "Shutdown(STATE) then Startup(STATE)");
	CHECK(!pcr_read(VTPM_ALG_SHA256, 0, got) && !memcmp(got, v0, 32),
	      "Startup(STATE) keeps PCR 0");
	CHECK(!pcr_read(VTPM_ALG_SHA256, 16, got) && !got[0] && !got[31],
	      "Startup(STATE) resets PCR 16");
	CHECK(shutdown(VTPM_SU_STATE) == 0 &&
	      pcr_extend(0, "", 1, &sha256, d) == 0 &&
	      startup(VTPM_SU_STATE) == 0x1c4,
	      "a vPCR change after Shutdown(STATE) forbids Startup(STATE)");
	CHECK(startup(VTPM_SU_CLEAR) == 0 && !pcr_read(VTPM_ALG_SHA256, 0, got) &&
	      !got[0] && !got[31], "Startup(CLEAR) after Shutdown resets PCR 0");
}

static void test_framing(void)
{
	static const u8 tpm12[] = { 0, 0xc1, 0, 0, 0, 10, 0, 0, 0, 0x65 };
	static const u8 shortsz[] = { 0x80, 1, 0, 0, 0, 12, 0, 0, 1, 0x7b };
	static const u8 unknown[] = { 0x80, 1, 0, 0, 0, 10, 0x20, 0, 0x10, 0 };

	fresh();
	startup(VTPM_SU_CLEAR);
	CHECK(run(tpm12, sizeof(tpm12)) == VTPM_RC_BAD_TAG && rsp_len == 10 &&
	      get_unaligned_be16(rsp) == VTPM_ST_RSP_COMMAND,
	      "a TPM 1.2 command gets tag 0x00C4, TPM_RC_BAD_TAG");
	CHECK(run(shortsz, sizeof(shortsz)) == VTPM_RC_COMMAND_SIZE,
	      "commandSize larger than the bytes written: TPM_RC_COMMAND_SIZE");
	CHECK(run(shortsz, 5) == VTPM_RC_COMMAND_SIZE,
	      "a truncated header: TPM_RC_COMMAND_SIZE");
	CHECK(run(unknown, sizeof(unknown)) == VTPM_RC_COMMAND_CODE,
	      "an unknown command: TPM_RC_COMMAND_CODE");
}

static void test_capability(void)
{
	struct cmd c;
	u32 i, prev = 0;
	bool sorted = true;

	fresh();
	startup(VTPM_SU_CLEAR);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_CAPABILITY);
	tpm_wr_u32(&c.w, VTPM_CAP_TPM_PROPERTIES);
	tpm_wr_u32(&c.w, 0x100);
	tpm_wr_u32(&c.w, 3);
	CHECK(cmd_run(&c) == 0 && rsp[10] == 1 &&
	      get_unaligned_be32(rsp + 15) == 3 &&
	      get_unaligned_be32(rsp + 19) == 0x100 &&
	      get_unaligned_be32(rsp + 23) == 0x322e3000,
	      "properties from 0x100, 3 at a time, with moreData");

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_CAPABILITY);
	tpm_wr_u32(&c.w, VTPM_CAP_COMMANDS);
	tpm_wr_u32(&c.w, 0);
	tpm_wr_u32(&c.w, 100);
	CHECK(cmd_run(&c) == 0 && rsp[10] == 0 &&
	      get_unaligned_be32(rsp + 15) == vtpm_nr_commands,
	      "COMMANDS lists all %u commands", vtpm_nr_commands);
	for (i = 0; i < vtpm_nr_commands; i++) {
		u32 cc = get_unaligned_be32(rsp + 19 + 4 * i) & 0xffff;

		sorted &= cc > prev;
		prev = cc;
	}
	CHECK(sorted, "COMMANDS are in ascending order");

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_GET_CAPABILITY);
	tpm_wr_u32(&c.w, 0x55);
	tpm_wr_u32(&c.w, 0);
	tpm_wr_u32(&c.w, 1);
	CHECK(cmd_run(&c) == 0x1c4, "an unknown capability: TPM_RC_VALUE+P1");
}

static void test_hmac_kdfa(void)
{
	/* RFC 4231, test case 2 */
	static const u8 rfc4231[32] = {
		0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e, 0x6a, 0x04,
		0x24, 0x26, 0x08, 0x95, 0x75, 0xc7, 0x5a, 0x00, 0x3f, 0x08,
		0x9d, 0x27, 0x39, 0x83, 0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec,
		0x38, 0x43,
	};
	const char *msg = "what do ya want for nothing?";
	struct vtpm_iov iov[2] = { { msg, 10 }, { msg + 10, strlen(msg) - 10 } };
	u8 key[200], out[64], ref[64], kdf[100], blk[64], in[64];
	unsigned int n, i;
	bool ok = true;

	CHECK(!vtpm_hmac(VTPM_ALG_SHA256, (const u8 *)"Jefe", 4, iov, 2, out) &&
	      !memcmp(out, rfc4231, 32), "HMAC-SHA256 matches RFC 4231 case 2");
	memset(key, 0xaa, sizeof(key));
	for (i = 0; i < 4; i++) {
		vtpm_hmac(all_algs[i], key, sizeof(key), iov, 2, out);
		HMAC(md(all_algs[i]), key, sizeof(key), (const u8 *)msg,
		     strlen(msg), ref, &n);
		ok &= !memcmp(out, ref, n);
	}
	CHECK(ok, "HMAC with a key longer than the block equals OpenSSL's, all hashes");

	/* KDFa: HMAC(key, [i] || label || 0 || u || v || [bits]) blocks */
	CHECK(!vtpm_kdfa(VTPM_ALG_SHA256, key, 32, "ATH", key + 32, 16,
			 key + 48, 16, 800, kdf), "KDFa of 800 bits");
	ok = true;
	for (i = 1; i <= 4; i++) {
		size_t off = 0;

		put_unaligned_be32(i, in);
		memcpy(in + 4, "ATH", 4);
		memcpy(in + 8, key + 32, 32);
		put_unaligned_be32(800, in + 40);
		off = 44;
		HMAC(md(VTPM_ALG_SHA256), key, 32, in, off, blk, &n);
		ok &= !memcmp(kdf + 32 * (i - 1), blk,
			      i < 4 ? 32 : 100 - 96);
	}
	CHECK(ok, "KDFa equals the counter-mode construction over OpenSSL HMAC");
}

/* An HMAC session, driven as a client would, HMACs computed with OpenSSL */
static void test_session(void)
{
	u8 nonce_caller[32], nonce_tpm[32], cp[32], hm[32], buf[256];
	u32 handle;
	unsigned int n;
	size_t off;
	struct cmd c;
	u8 attrs = 1;

	fresh();
	startup(VTPM_SU_CLEAR);
	memset(nonce_caller, 0x42, 32);
	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_START_AUTH_SESSION);
	tpm_wr_u32(&c.w, VTPM_RH_NULL);
	tpm_wr_u32(&c.w, VTPM_RH_NULL);
	tpm_wr_tpm2b(&c.w, nonce_caller, 32);
	tpm_wr_u16(&c.w, 0);
	tpm_wr_u8(&c.w, VTPM_SE_HMAC);
	tpm_wr_u16(&c.w, VTPM_ALG_NULL);
	tpm_wr_u16(&c.w, VTPM_ALG_SHA256);
	CHECK(cmd_run(&c) == 0 && rsp_len == 10 + 4 + 2 + 32,
	      "StartAuthSession: unbound, unsalted, sha256");
	handle = get_unaligned_be32(rsp + 10);
	memcpy(nonce_tpm, rsp + 16, 32);
	CHECK((handle >> 24) == VTPM_HT_HMAC_SESSION, "an HMAC session handle");

	/* PCR_Reset 16 authorised by the session */
	put_unaligned_be32(VTPM_CC_PCR_RESET, buf);
	put_unaligned_be32(16, buf + 4);
	hash(VTPM_ALG_SHA256, buf, 8, cp);
	memcpy(buf, cp, 32);
	memcpy(buf + 32, nonce_caller, 32);
	memcpy(buf + 64, nonce_tpm, 32);
	buf[96] = attrs;
	HMAC(md(VTPM_ALG_SHA256), "", 0, buf, 97, hm, &n);
	cmd_start(&c, VTPM_ST_SESSIONS, VTPM_CC_PCR_RESET);
	tpm_wr_u32(&c.w, 16);
	tpm_wr_u32(&c.w, 4 + 2 + 32 + 1 + 2 + 32);
	tpm_wr_u32(&c.w, handle);
	tpm_wr_tpm2b(&c.w, nonce_caller, 32);
	tpm_wr_u8(&c.w, attrs);
	off = c.w.pos + 2;
	tpm_wr_tpm2b(&c.w, hm, 32);
	CHECK(cmd_run(&c) == 0, "a command with a correct session HMAC");

	/* response: nonceTPM, attrs, HMAC over rpHash = H(rc || cc) */
	memcpy(nonce_tpm, rsp + 10 + 4 + 2, 32);
	put_unaligned_be32(0, buf);
	put_unaligned_be32(VTPM_CC_PCR_RESET, buf + 4);
	hash(VTPM_ALG_SHA256, buf, 8, cp);
	memcpy(buf, cp, 32);
	memcpy(buf + 32, nonce_tpm, 32);
	memcpy(buf + 64, nonce_caller, 32);
	buf[96] = attrs;
	HMAC(md(VTPM_ALG_SHA256), "", 0, buf, 97, hm, &n);
	CHECK(rsp[48] == attrs && !memcmp(rsp + 51, hm, 32),
	      "the response HMAC is right");

	c.buf[off] ^= 1;	/* the same command again, old nonce, bad HMAC */
	CHECK(cmd_run(&c) == 0x9a2, "a wrong session HMAC gets TPM_RC_BAD_AUTH+S1");

	cmd_start(&c, VTPM_ST_NO_SESSIONS, VTPM_CC_FLUSH_CONTEXT);
	tpm_wr_u32(&c.w, handle);
	CHECK(cmd_run(&c) == 0, "FlushContext of the session");
	CHECK(cmd_run(&c) == 0x1cb, "FlushContext again gets TPM_RC_HANDLE+P1");
}

/* Random mutations of valid commands: always a well-formed response */
static void test_mutations(void)
{
	static const u8 seeds[][32] = {
		{ 0x80, 2, 0, 0, 0, 0x1b, 0, 0, 1, 0x82, 0, 0, 0, 3, 0, 0,
		  0, 9, 0x40, 0, 0, 9, 0, 0, 1, 0, 0, 0, 0, 0, 0 },
		{ 0x80, 1, 0, 0, 0, 0x14, 0, 0, 1, 0x7e, 0, 0, 0, 1, 0, 0xb,
		  3, 0xff, 0xff, 0xff },
		{ 0x80, 1, 0, 0, 0, 0x16, 0, 0, 1, 0x7a, 0, 0, 0, 6, 0, 0,
		  1, 0, 0, 0, 0, 8 },
	};
	unsigned int i, bad = 0;
	u8 buf[64];

	fresh();
	startup(VTPM_SU_CLEAR);
	srand(1);
	for (i = 0; i < 200000; i++) {
		size_t len = 10 + rand() % 40, j;

		memcpy(buf, seeds[i % 3], sizeof(seeds[0]));
		for (j = rand() % 4; j; j--)
			buf[rand() % len] = rand();
		if (rand() % 2)
			put_unaligned_be32(len, buf + 2);
		rsp_len = vtpm_execute(tpm, buf, len, rsp, sizeof(rsp));
		if (rsp_len < 10 || get_unaligned_be32(rsp + 2) != rsp_len)
			bad++;
	}
	CHECK(!bad, "200000 mutated commands all get well-formed responses");
}

int main(void)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		vtpm_banks_add(&banks, all_algs[i]);

	test_marshal();
	test_startup();
	test_extend();
	test_event_reset();
	test_state();
	test_framing();
	test_capability();
	test_hmac_kdfa();
	test_session();
	test_mutations();
	printf("1..%d\n", tests);
	free(tpm);
	return failures ? 1 : 0;
}
