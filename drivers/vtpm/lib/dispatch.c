// SPDX-License-Identifier: GPL-2.0
/*
 * The command dispatcher of the engine: header, handle area and
 * authorisation area, the command table, and the response frame.
 *
 * The checks run in the order of the TPM 2.0 reference implementation
 * (ExecuteCommand), so that a malformed command gets the response code a
 * TPM 2.0 chip gives for it.
 */
#include "command.h"

/* internal: TPM_RC_BAD_TAG in a TPM 1.2 style response (vtpm_bad_tag()) */
#define VTPM_RC_BAD_TAG_TPM12	0xFFFF001E

enum vtpm_handle_type {
	VTPM_HANDLE_ANY = 0,	/* checked by the command itself */
	VTPM_HANDLE_PCR,	/* TPMI_DH_PCR */
	VTPM_HANDLE_PCR_NULL,	/* TPMI_DH_PCR+ (TPM_RH_NULL allowed) */
};

#define VTPM_COMMAND(_cc, _h, _a, _ht, _rh, _fl, _fn) \
	{ .cc = _cc, .handles = _h, .auth = _a, .handle_type = _ht, \
	  .rhandle = _rh, .flags = _fl, .exec = _fn }

#define NV	VTPM_CMD_NV
#define NOSESS	VTPM_CMD_NO_SESSIONS

/* Sorted by command code: TPM_CAP_COMMANDS lists them in this order. */
const struct vtpm_command_desc vtpm_commands[] = {
	VTPM_COMMAND(VTPM_CC_PCR_EVENT, 1, 1, VTPM_HANDLE_PCR_NULL, false, NV,
		     vtpm_cmd_pcr_event),
	VTPM_COMMAND(VTPM_CC_PCR_RESET, 1, 1, VTPM_HANDLE_PCR, false, NV,
		     vtpm_cmd_pcr_reset),
	VTPM_COMMAND(VTPM_CC_INCREMENTAL_SELF_TEST, 0, 0, 0, false, NV,
		     vtpm_cmd_incremental_self_test),
	VTPM_COMMAND(VTPM_CC_SELF_TEST, 0, 0, 0, false, NV,
		     vtpm_cmd_self_test),
	VTPM_COMMAND(VTPM_CC_STARTUP, 0, 0, 0, false, NV | NOSESS,
		     vtpm_cmd_startup),
	VTPM_COMMAND(VTPM_CC_SHUTDOWN, 0, 0, 0, false, NV,
		     vtpm_cmd_shutdown),
	VTPM_COMMAND(VTPM_CC_STIR_RANDOM, 0, 0, 0, false, NV,
		     vtpm_cmd_stir_random),
	VTPM_COMMAND(VTPM_CC_FLUSH_CONTEXT, 0, 0, 0, false, NOSESS,
		     vtpm_cmd_flush_context),
	VTPM_COMMAND(VTPM_CC_START_AUTH_SESSION, 2, 0, VTPM_HANDLE_ANY, true, 0,
		     vtpm_cmd_start_auth_session),
	VTPM_COMMAND(VTPM_CC_GET_CAPABILITY, 0, 0, 0, false, 0,
		     vtpm_cmd_get_capability),
	VTPM_COMMAND(VTPM_CC_GET_RANDOM, 0, 0, 0, false, 0,
		     vtpm_cmd_get_random),
	VTPM_COMMAND(VTPM_CC_GET_TEST_RESULT, 0, 0, 0, false, 0,
		     vtpm_cmd_get_test_result),
	VTPM_COMMAND(VTPM_CC_PCR_READ, 0, 0, 0, false, 0,
		     vtpm_cmd_pcr_read),
	VTPM_COMMAND(VTPM_CC_READ_CLOCK, 0, 0, 0, false, 0,
		     vtpm_cmd_read_clock),
	VTPM_COMMAND(VTPM_CC_PCR_EXTEND, 1, 1, VTPM_HANDLE_PCR_NULL, false, NV,
		     vtpm_cmd_pcr_extend),
	VTPM_COMMAND(VTPM_CC_TEST_PARMS, 0, 0, 0, false, 0,
		     vtpm_cmd_test_parms),
};

#undef NV
#undef NOSESS

const unsigned int vtpm_nr_commands = ARRAY_SIZE(vtpm_commands);

static const struct vtpm_command_desc *vtpm_find_command(u32 cc)
{
	unsigned int lo = 0, hi = vtpm_nr_commands;

	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (vtpm_commands[mid].cc == cc)
			return &vtpm_commands[mid];
		if (vtpm_commands[mid].cc < cc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static u32 vtpm_check_handle(u8 type, u32 h)
{
	switch (type) {
	case VTPM_HANDLE_PCR_NULL:
		if (h == VTPM_RH_NULL)
			return VTPM_RC_SUCCESS;
		fallthrough;
	case VTPM_HANDLE_PCR:
		if (h < VTPM_NUM_PCRS)
			return VTPM_RC_SUCCESS;
		return VTPM_RC_VALUE;
	}
	return VTPM_RC_SUCCESS;
}

/*
 * Parse the authorisation area: @rd covers exactly authorizationSize bytes.
 * Sessions are password sessions or loaded HMAC sessions; a password is
 * checked here (every entity's authValue is empty), an HMAC once the
 * whole command is known.
 */
static u32 vtpm_parse_sessions(struct vtpm_tpm *t, struct tpm_rd *rd,
			       const struct vtpm_command_desc *desc,
			       struct vtpm_auth *a, unsigned int *nr)
{
	unsigned int i;

	for (i = 0; tpm_rd_left(rd); i++) {
		u32 idx = VTPM_RC_S + VTPM_RC_N(i + 1);
		u32 ht;

		if (i == VTPM_MAX_SESSIONS)
			return VTPM_RC_AUTHSIZE;
		memset(&a[i], 0, sizeof(a[i]));
		a[i].handle = tpm_rd_u32(rd);
		if (rd->err)
			return VTPM_RC_INSUFFICIENT + idx;
		ht = a[i].handle >> 24;
		if (a[i].handle != VTPM_RS_PW && ht != VTPM_HT_HMAC_SESSION &&
		    ht != VTPM_HT_POLICY_SESSION)
			return VTPM_RC_VALUE + idx;
		a[i].nonce_size = tpm_rd_u16(rd);
		if (!rd->err && a[i].nonce_size > VTPM_MAX_DIGEST_SIZE)
			return VTPM_RC_SIZE + idx;
		a[i].nonce = tpm_rd_bytes(rd, a[i].nonce_size);
		a[i].attrs = tpm_rd_u8(rd);
		if (!rd->err && (a[i].attrs & VTPM_SA_RESERVED))
			return VTPM_RC_RESERVED_BITS + idx;
		a[i].hmac_size = tpm_rd_u16(rd);
		if (!rd->err && a[i].hmac_size > VTPM_MAX_DIGEST_SIZE)
			return VTPM_RC_SIZE + idx;
		a[i].hmac = tpm_rd_bytes(rd, a[i].hmac_size);
		if (rd->err)
			return VTPM_RC_INSUFFICIENT + idx;
		if (a[i].handle != VTPM_RS_PW) {
			a[i].s = vtpm_session_find(t, a[i].handle);
			if (!a[i].s)
				return VTPM_RC_REFERENCE_S0 + i;
			if (a[i].nonce_size < 16)
				return VTPM_RC_SIZE + idx;
			/*
			 * A session that authorises nothing is an audit or
			 * encryption session, which an instance does not
			 * offer.
			 */
			if (i >= desc->auth)
				return VTPM_RC_ATTRIBUTES + idx;
			continue;
		}
		/*
		 * A password session only authorises, takes no nonce and no
		 * attribute but continueSession.
		 */
		if (i >= desc->auth)
			return VTPM_RC_HANDLE + idx;
		if (a[i].nonce_size)
			return VTPM_RC_NONCE + idx;
		if (a[i].attrs & ~VTPM_SA_CONTINUE_SESSION)
			return VTPM_RC_ATTRIBUTES + idx;
		/*
		 * The authValue of every PCR is the empty buffer (there is no
		 * PCR_SetAuthValue), and PCRs are exempt from dictionary
		 * attack protection.
		 */
		if (a[i].hmac_size)
			return VTPM_RC_BAD_AUTH + idx;
	}
	*nr = i;
	return VTPM_RC_SUCCESS;
}

/*
 * The answer to a tag that is neither TPM_ST_NO_SESSIONS nor
 * TPM_ST_SESSIONS.  A TPM 1.2 command (TPM_TAG_RQU_COMMAND,
 * _AUTH1_COMMAND, _AUTH2_COMMAND) gets TPM_RC_BAD_TAG in a response with
 * tag TPM_ST_RSP_COMMAND (Part 2, TPM_ST), the answer a TPM 1.2 stack can
 * parse; other TPM_ST values get TPM_RC_BAD_TAG, values that are no TPM_ST
 * at all TPM_RC_VALUE, as the reference implementation's unmarshalling of
 * TPMI_ST_COMMAND_TAG gives them.
 */
static u32 vtpm_bad_tag(u16 tag)
{
	switch (tag) {
	case 0x00C1 ... 0x00C3:
		return VTPM_RC_BAD_TAG_TPM12;
	case VTPM_ST_RSP_COMMAND:
	case 0x8000:			/* TPM_ST_NULL */
	case 0x8014 ... 0x801A:		/* TPM_ST_ATTEST_* */
	case 0x8021 ... 0x8025:		/* CREATION ... AUTH_SIGNED */
	case 0x8029:			/* TPM_ST_FU_MANIFEST */
		return VTPM_RC_BAD_TAG;
	default:
		return VTPM_RC_VALUE;
	}
}

static size_t vtpm_error(u8 *rsp, size_t cap, u16 tag, u32 rc)
{
	if (cap < VTPM_HEADER_SIZE)
		return 0;
	put_unaligned_be16(tag, rsp);
	put_unaligned_be32(VTPM_HEADER_SIZE, rsp + 2);
	put_unaligned_be32(rc, rsp + 6);
	return VTPM_HEADER_SIZE;
}

/*
 * Everything up to the parameter area: returns a TPM_RC and, on success,
 * the command's descriptor, its sessions and its parameter area in @c->in.
 */
static u32 vtpm_parse(struct vtpm_cmd *c, const u8 *cmd, size_t len, u16 *tag,
		      const struct vtpm_command_desc **descp,
		      struct vtpm_auth *a, unsigned int *nr_sessions)
{
	const struct vtpm_command_desc *desc;
	struct tpm_rd rd, auth;
	u32 size, rc;
	unsigned int i;

	tpm_rd_init(&rd, cmd, len);
	*tag = tpm_rd_u16(&rd);
	if (rd.err)
		return VTPM_RC_COMMAND_SIZE;
	if (*tag != VTPM_ST_NO_SESSIONS && *tag != VTPM_ST_SESSIONS)
		return vtpm_bad_tag(*tag);
	size = tpm_rd_u32(&rd);
	if (rd.err || size != len || size < VTPM_HEADER_SIZE ||
	    size > VTPM_MAX_COMMAND_SIZE)
		return VTPM_RC_COMMAND_SIZE;
	c->cc = tpm_rd_u32(&rd);
	desc = vtpm_find_command(c->cc);
	if (!desc)
		return VTPM_RC_COMMAND_CODE;
	*descp = desc;
	if (!c->t->started && c->cc != VTPM_CC_STARTUP)
		return VTPM_RC_INITIALIZE;

	for (i = 0; i < desc->handles; i++) {
		c->handle[i] = tpm_rd_u32(&rd);
		if (rd.err)
			return VTPM_RC_INSUFFICIENT + VTPM_RC_H +
			       VTPM_RC_N(i + 1);
		rc = vtpm_check_handle(desc->handle_type, c->handle[i]);
		if (rc)
			return rc + VTPM_RC_H + VTPM_RC_N(i + 1);
	}

	*nr_sessions = 0;
	if (*tag == VTPM_ST_SESSIONS) {
		if (desc->flags & VTPM_CMD_NO_SESSIONS)
			return VTPM_RC_AUTH_CONTEXT;
		size = tpm_rd_u32(&rd);
		if (rd.err)
			return VTPM_RC_INSUFFICIENT;
		if (size < 9 || size > tpm_rd_left(&rd))
			return VTPM_RC_SIZE;
		tpm_rd_init(&auth, tpm_rd_bytes(&rd, size), size);
		rc = vtpm_parse_sessions(c->t, &auth, desc, a, nr_sessions);
		if (rc)
			return rc;
	}
	if (*nr_sessions < desc->auth)
		return VTPM_RC_AUTH_MISSING;

	tpm_rd_init(&c->in, cmd + rd.pos, tpm_rd_left(&rd));
	for (i = 0; i < *nr_sessions; i++) {
		int bad;

		if (!a[i].s)
			continue;
		bad = vtpm_session_verify(&a[i], c->cc, c->handle,
					  desc->handles, c->in.p, c->in.len);
		if (bad < 0)
			return VTPM_RC_FAILURE;
		if (bad)
			return VTPM_RC_BAD_AUTH + VTPM_RC_S + VTPM_RC_N(i + 1);
	}
	return VTPM_RC_SUCCESS;
}

/**
 * vtpm_execute() - execute one TPM 2.0 command
 * @t:		the instance's TPM state; the caller serialises calls
 * @cmd:	the command as written by the tenant
 * @len:	its length in bytes (what was written, not what it claims)
 * @rsp:	buffer for the response
 * @cap:	its capacity, at least VTPM_MAX_RESPONSE_SIZE
 *
 * Every command gets a well-formed response, a malformed one an error
 * response with the code a TPM 2.0 chip returns.
 *
 * Return: the length of the response in @rsp.
 */
size_t vtpm_execute(struct vtpm_tpm *t, const u8 *cmd, size_t len,
		    u8 *rsp, size_t cap)
{
	const struct vtpm_command_desc *desc = NULL;
	struct vtpm_auth a[VTPM_MAX_SESSIONS];
	struct vtpm_cmd c = { .t = t };
	unsigned int nr_sessions = 0, i;
	size_t param_size_at, params_at;
	struct tpm_wr w;
	u16 tag = 0;
	u32 rc;

	t->commands++;
	rc = vtpm_parse(&c, cmd, len, &tag, &desc, a, &nr_sessions);
	if (rc == VTPM_RC_BAD_TAG_TPM12)
		return vtpm_error(rsp, cap, VTPM_ST_RSP_COMMAND,
				  VTPM_RC_BAD_TAG);
	if (rc)
		return vtpm_error(rsp, cap, VTPM_ST_NO_SESSIONS, rc);

	/* header, [handle], [parameterSize], parameters, [sessions] */
	tpm_wr_init(&w, rsp, cap);
	tpm_wr_u16(&w, tag);
	tpm_wr_u32(&w, 0);		/* responseSize, below */
	tpm_wr_u32(&w, VTPM_RC_SUCCESS);
	if (desc->rhandle)
		tpm_wr_u32(&w, 0);	/* the handle, below */
	param_size_at = w.pos;
	if (tag == VTPM_ST_SESSIONS)
		tpm_wr_u32(&w, 0);	/* parameterSize, below */
	params_at = w.pos;

	tpm_wr_init(&c.out, rsp + params_at, cap - params_at);
	rc = desc->exec(&c);
	if (!rc && tpm_rd_left(&c.in))
		rc = VTPM_RC_SIZE;
	if (!rc && c.out.err)
		rc = VTPM_RC_FAILURE;
	if (rc)
		return vtpm_error(rsp, cap, VTPM_ST_NO_SESSIONS, rc);

	w.pos += c.out.pos;
	if (desc->rhandle)
		put_unaligned_be32(c.rhandle, rsp + VTPM_HEADER_SIZE);
	if (tag == VTPM_ST_SESSIONS) {
		put_unaligned_be32(c.out.pos, rsp + param_size_at);
		for (i = 0; i < nr_sessions; i++)
			if (vtpm_session_respond(&a[i], c.cc, rsp + params_at,
						 c.out.pos, &w))
				w.err = true;
	}
	if (w.err)
		return vtpm_error(rsp, cap, VTPM_ST_NO_SESSIONS,
				  VTPM_RC_FAILURE);
	put_unaligned_be32(w.pos, rsp + 2);
	return w.pos;
}
