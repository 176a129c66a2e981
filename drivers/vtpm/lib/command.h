/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the command handlers of the engine share with the dispatcher.
 */
#ifndef _VTPM_LIB_COMMAND_H
#define _VTPM_LIB_COMMAND_H

#include "engine.h"
#include "marshal.h"

/**
 * struct vtpm_cmd - one command being executed
 * @t:		the instance's TPM state
 * @cc:		command code
 * @handle:	the handles of the handle area
 * @rhandle:	the response's handle, for commands that return one
 * @in:		the parameter area
 * @out:	the response's parameter area
 */
struct vtpm_cmd {
	struct vtpm_tpm *t;
	u32 cc;
	u32 handle[VTPM_MAX_SESSIONS];
	u32 rhandle;
	struct tpm_rd in;
	struct tpm_wr out;
};

/**
 * struct vtpm_auth - one session of a command's authorisation area
 * @handle:	 session handle
 * @s:		 the loaded HMAC session, NULL for a password
 * @nonce:	 nonceCaller
 * @nonce_size:	 its size
 * @attrs:	 TPMA_SESSION
 * @hmac:	 the HMAC, or the password
 * @hmac_size:	 its size
 */
struct vtpm_auth {
	u32 handle;
	struct vtpm_session *s;
	const u8 *nonce;
	u16 nonce_size;
	u8 attrs;
	const u8 *hmac;
	u16 hmac_size;
};

/* The response code for parameter @n (1-based) of a command */
static inline u32 vtpm_rc_p(u32 rc, unsigned int n)
{
	return rc + VTPM_RC_P + VTPM_RC_N(n);
}

/* Each returns a TPM_RC; the response parameters go to @c->out. */
u32 vtpm_cmd_startup(struct vtpm_cmd *c);
u32 vtpm_cmd_shutdown(struct vtpm_cmd *c);
u32 vtpm_cmd_self_test(struct vtpm_cmd *c);
u32 vtpm_cmd_incremental_self_test(struct vtpm_cmd *c);
u32 vtpm_cmd_get_test_result(struct vtpm_cmd *c);
u32 vtpm_cmd_read_clock(struct vtpm_cmd *c);
u32 vtpm_cmd_get_random(struct vtpm_cmd *c);
u32 vtpm_cmd_stir_random(struct vtpm_cmd *c);
u32 vtpm_cmd_get_capability(struct vtpm_cmd *c);
u32 vtpm_cmd_test_parms(struct vtpm_cmd *c);
u32 vtpm_cmd_pcr_read(struct vtpm_cmd *c);
u32 vtpm_cmd_pcr_extend(struct vtpm_cmd *c);
u32 vtpm_cmd_pcr_event(struct vtpm_cmd *c);
u32 vtpm_cmd_pcr_reset(struct vtpm_cmd *c);
u32 vtpm_cmd_start_auth_session(struct vtpm_cmd *c);
u32 vtpm_cmd_flush_context(struct vtpm_cmd *c);

/* dispatch.c: the command table, for TPM_CAP_COMMANDS */
/* flags of &struct vtpm_command_desc */
#define VTPM_CMD_NV		BIT(0)	/* TPMA_CC nv: may write NV memory */
#define VTPM_CMD_NO_SESSIONS	BIT(1)	/* sessions: TPM_RC_AUTH_CONTEXT */

struct vtpm_command_desc {
	u32 cc;
	u8 handles;
	u8 auth;
	u8 handle_type;
	bool rhandle;
	u8 flags;
	u32 (*exec)(struct vtpm_cmd *c);
};

extern const struct vtpm_command_desc vtpm_commands[];
extern const unsigned int vtpm_nr_commands;

/* vpcr.c */
u32 vtpm_pcr_startup(struct vtpm_tpm *t, bool clear);
bool vtpm_pcr_selection_bank(const struct vtpm_banks *b, u16 alg, u32 *idx);
bool vtpm_hash_implemented(u16 alg);

bool vtpm_pcr_properties(struct tpm_wr *w, u32 first, u32 max);
bool vtpm_alg_implemented(u16 alg);

/* session.c */
int vtpm_hmac(u16 alg, const u8 *key, size_t klen, const struct vtpm_iov *iov,
	      unsigned int n, u8 *out);
int vtpm_kdfa(u16 alg, const u8 *key, size_t klen, const char *label,
	      const u8 *u, size_t ulen, const u8 *v, size_t vlen, u32 bits,
	      u8 *out);
struct vtpm_session *vtpm_session_find(struct vtpm_tpm *t, u32 handle);
void vtpm_sessions_flush(struct vtpm_tpm *t);
int vtpm_session_verify(const struct vtpm_auth *a, u32 cc, const u32 *handles,
			unsigned int nh, const u8 *params, size_t plen);
int vtpm_session_respond(const struct vtpm_auth *a, u32 cc, const u8 *rparams,
			 size_t rlen, struct tpm_wr *w);

/* All parameters consumed?  Checked before a command acts. */
static inline bool vtpm_in_done(const struct vtpm_cmd *c)
{
	return !tpm_rd_left(&c->in);
}

#endif /* _VTPM_LIB_COMMAND_H */
