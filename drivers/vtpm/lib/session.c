// SPDX-License-Identifier: GPL-2.0
/*
 * HMAC authorisation sessions (TPM 2.0 Part 1, 19.6 and 21): the commands
 * that start and flush them, the HMAC of each command and response, and
 * the HMAC and KDFa they are built on.
 *
 * A mux-only instance has no keys, so sessions are unsalted; they may be
 * bound to an entity, and every entity it has (PCRs, hierarchies) has an
 * empty authValue.  Parameter encryption needs a symmetric cipher the
 * instance does not have: StartAuthSession asks for TPM_ALG_NULL.
 */
#include "command.h"

#define VTPM_HASH_BLOCK_MAX	128
#define VTPM_KDFA_MAX_BYTES	512

static unsigned int vtpm_hash_block(u16 alg)
{
	return alg == VTPM_ALG_SHA384 || alg == VTPM_ALG_SHA512 ? 128 : 64;
}

/**
 * vtpm_hmac() - HMAC (RFC 2104) over the pieces of a message
 * @alg:  TPM_ALG_ID of the hash
 * @key:  the key
 * @klen: its length
 * @iov:  the message, in pieces
 * @n:	  number of pieces (at most 7)
 * @out:  digest-size result
 *
 * Return: 0 or -errno.
 */
int vtpm_hmac(u16 alg, const u8 *key, size_t klen, const struct vtpm_iov *iov,
	      unsigned int n, u8 *out)
{
	unsigned int bs = vtpm_hash_block(alg), i;
	u8 pad[VTPM_HASH_BLOCK_MAX], k[VTPM_HASH_BLOCK_MAX] = { 0 };
	u8 inner[VTPM_MAX_DIGEST_SIZE];
	struct vtpm_iov v[8];
	int ret;

	if (n > ARRAY_SIZE(v) - 1)
		return -EINVAL;
	if (klen > bs) {
		ret = vtpm_plat_hash(alg, key, klen, k);
		if (ret)
			return ret;
	} else if (klen) {
		memcpy(k, key, klen);
	}

	for (i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x36;
	v[0].p = pad;
	v[0].len = bs;
	memcpy(v + 1, iov, n * sizeof(*iov));
	ret = vtpm_plat_hashv(alg, v, n + 1, inner);
	if (ret)
		goto out;

	for (i = 0; i < bs; i++)
		pad[i] = k[i] ^ 0x5c;
	v[1].p = inner;
	v[1].len = vtpm_alg_digest_size(alg);
	ret = vtpm_plat_hashv(alg, v, 2, out);
out:
	memset(k, 0, sizeof(k));
	memset(pad, 0, sizeof(pad));
	return ret;
}

/**
 * vtpm_kdfa() - KDFa of TPM 2.0 Part 1, 11.4.10.2 (SP800-108 counter mode)
 * @alg:   TPM_ALG_ID of the HMAC's hash
 * @key:   the key
 * @klen:  its length
 * @label: NUL-terminated label (the NUL is part of the input)
 * @u:	   contextU
 * @ulen:  its length
 * @v:	   contextV
 * @vlen:  its length
 * @bits:  bits wanted, a multiple of 8, at most 4096
 * @out:   bits / 8 bytes
 *
 * Return: 0 or -errno.
 */
int vtpm_kdfa(u16 alg, const u8 *key, size_t klen, const char *label,
	      const u8 *u, size_t ulen, const u8 *v, size_t vlen, u32 bits,
	      u8 *out)
{
	size_t size = vtpm_alg_digest_size(alg), done = 0;
	u8 counter[4], nbits[4], block[VTPM_MAX_DIGEST_SIZE];
	struct vtpm_iov iov[5];
	u32 i;
	int ret;

	if (bits % 8 || bits > 8 * VTPM_KDFA_MAX_BYTES)
		return -EINVAL;
	put_unaligned_be32(bits, nbits);
	iov[1].p = label;
	iov[1].len = strlen(label) + 1;
	iov[2].p = u;
	iov[2].len = ulen;
	iov[3].p = v;
	iov[3].len = vlen;
	iov[4].p = nbits;
	iov[4].len = 4;
	for (i = 1; done < bits / 8; i++) {
		put_unaligned_be32(i, counter);
		iov[0].p = counter;
		iov[0].len = 4;
		ret = vtpm_hmac(alg, key, klen, iov, 5, block);
		if (ret)
			return ret;
		memcpy(out + done, block, min_t(size_t, size, bits / 8 - done));
		done += min_t(size_t, size, bits / 8 - done);
	}
	memset(block, 0, sizeof(block));
	return 0;
}

struct vtpm_session *vtpm_session_find(struct vtpm_tpm *t, u32 handle)
{
	unsigned int i;

	for (i = 0; i < VTPM_MAX_LOADED_SESSIONS; i++)
		if (t->sessions[i].handle && t->sessions[i].handle == handle)
			return &t->sessions[i];
	return NULL;
}

/* Every session is lost at Startup, as on a chip at _TPM_Init. */
void vtpm_sessions_flush(struct vtpm_tpm *t)
{
	memset(t->sessions, 0, sizeof(t->sessions));
}

static bool vtpm_bind_valid(u32 h)
{
	switch (h) {
	case VTPM_RH_NULL:
	case VTPM_RH_OWNER:
	case VTPM_RH_LOCKOUT:
	case VTPM_RH_ENDORSEMENT:
	case VTPM_RH_PLATFORM:
		return true;
	}
	return h < VTPM_NUM_PCRS;
}

/* TPMT_SYM_DEF: only TPM_ALG_NULL, there is no cipher for parameters */
static u32 vtpm_rd_symmetric(struct tpm_rd *in)
{
	u16 alg = tpm_rd_u16(in);

	if (in->err)
		return VTPM_RC_INSUFFICIENT;
	if (alg == VTPM_ALG_NULL)
		return VTPM_RC_SUCCESS;
	tpm_rd_u16(in);		/* keyBits */
	tpm_rd_u16(in);		/* mode */
	if (in->err)
		return VTPM_RC_INSUFFICIENT;
	return VTPM_RC_SYMMETRIC;
}

u32 vtpm_cmd_start_auth_session(struct vtpm_cmd *c)
{
	u32 tpm_key = c->handle[0], bind = c->handle[1], rc;
	struct vtpm_session *s = NULL;
	const u8 *nonce_caller;
	u16 ncaller, salt, alg;
	unsigned int i;
	u8 type;

	/* handles: tpmKey (TPMI_DH_OBJECT+), bind (TPMI_DH_ENTITY+) */
	if (tpm_key != VTPM_RH_NULL)
		return (tpm_key >> 24) == VTPM_HT_TRANSIENT ||
		       (tpm_key >> 24) == VTPM_HT_PERSISTENT ?
		       VTPM_RC_REFERENCE_H0 : VTPM_RC_VALUE + VTPM_RC_N(1);
	if (!vtpm_bind_valid(bind))
		return (bind >> 24) == VTPM_HT_TRANSIENT ||
		       (bind >> 24) == VTPM_HT_PERSISTENT ||
		       (bind >> 24) == VTPM_HT_NV_INDEX ?
		       VTPM_RC_REFERENCE_H0 + 1 : VTPM_RC_VALUE + VTPM_RC_N(2);

	ncaller = tpm_rd_u16(&c->in);
	nonce_caller = tpm_rd_bytes(&c->in, ncaller);
	if (!nonce_caller)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (ncaller < 16 || ncaller > VTPM_MAX_DIGEST_SIZE)
		return vtpm_rc_p(VTPM_RC_SIZE, 1);
	salt = tpm_rd_u16(&c->in);
	if (!tpm_rd_bytes(&c->in, salt))
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 2);
	if (salt)		/* a salt needs a tpmKey */
		return vtpm_rc_p(VTPM_RC_VALUE, 2);
	type = tpm_rd_u8(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 3);
	if (type != VTPM_SE_HMAC)	/* no policy commands to serve */
		return vtpm_rc_p(VTPM_RC_VALUE, 3);
	rc = vtpm_rd_symmetric(&c->in);
	if (rc)
		return vtpm_rc_p(rc, 4);
	alg = tpm_rd_u16(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 5);
	if (!vtpm_hash_implemented(alg))
		return vtpm_rc_p(VTPM_RC_HASH, 5);
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;

	for (i = 0; i < VTPM_MAX_LOADED_SESSIONS && !s; i++)
		if (!c->t->sessions[i].handle)
			s = &c->t->sessions[i];
	if (!s)
		return VTPM_RC_SESSION_MEMORY;

	memset(s, 0, sizeof(*s));
	s->alg = alg;
	s->size = vtpm_alg_digest_size(alg);
	vtpm_plat_random(s->nonce_tpm, s->size);
	if (bind != VTPM_RH_NULL) {
		/* KDFa(authHash, bind.authValue || salt, "ATH", nonceTPM,
		 * nonceCaller): both are empty here
		 */
		if (vtpm_kdfa(alg, NULL, 0, "ATH", s->nonce_tpm, s->size,
			      nonce_caller, ncaller, 8 * s->size, s->key))
			return VTPM_RC_FAILURE;
		s->key_size = s->size;
	}
	s->handle = (VTPM_HT_HMAC_SESSION << 24) | (s - c->t->sessions);
	c->rhandle = s->handle;
	tpm_wr_tpm2b(&c->out, s->nonce_tpm, s->size);
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_flush_context(struct vtpm_cmd *c)
{
	u32 h = tpm_rd_u32(&c->in);
	struct vtpm_session *s;

	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	switch (h >> 24) {
	case VTPM_HT_HMAC_SESSION:
	case VTPM_HT_POLICY_SESSION:
	case VTPM_HT_TRANSIENT:
		break;
	default:
		return vtpm_rc_p(VTPM_RC_VALUE, 1);
	}
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;
	s = vtpm_session_find(c->t, h);
	if (!s)
		return vtpm_rc_p(VTPM_RC_HANDLE, 1);
	memset(s, 0, sizeof(*s));
	return VTPM_RC_SUCCESS;
}

/* HMAC(sessionKey || authValue, pHash || nonceNewer || nonceOlder || attrs) */
static int vtpm_session_hmac(const struct vtpm_session *s, const u8 *phash,
			     const u8 *newer, size_t nnewer, const u8 *older,
			     size_t nolder, u8 attrs, u8 *out)
{
	struct vtpm_iov iov[4] = {
		{ phash, s->size },
		{ newer, nnewer },
		{ older, nolder },
		{ &attrs, 1 },
	};

	return vtpm_hmac(s->alg, s->key, s->key_size, iov, 4, out);
}

/**
 * vtpm_session_verify() - check the HMAC of one command session
 * @a:	     the session as the command carries it
 * @cc:	     the command code
 * @handles: the command's handles (their names are the handles themselves:
 *	     PCRs and permanent handles)
 * @nh:	     their number
 * @params:  the parameter area
 * @plen:    its size
 *
 * Return: 0 if the HMAC is right, 1 if not, -errno on a hash failure.
 */
int vtpm_session_verify(const struct vtpm_auth *a, u32 cc, const u32 *handles,
			unsigned int nh, const u8 *params, size_t plen)
{
	const struct vtpm_session *s = a->s;
	u8 cp[VTPM_MAX_DIGEST_SIZE], mac[VTPM_MAX_DIGEST_SIZE];
	u8 ccb[4], names[4 * VTPM_MAX_SESSIONS];
	struct vtpm_iov iov[3];
	unsigned int i;
	int ret;

	put_unaligned_be32(cc, ccb);
	for (i = 0; i < nh; i++)
		put_unaligned_be32(handles[i], names + 4 * i);
	iov[0].p = ccb;
	iov[0].len = 4;
	iov[1].p = names;
	iov[1].len = 4 * nh;
	iov[2].p = params;
	iov[2].len = plen;
	ret = vtpm_plat_hashv(s->alg, iov, 3, cp);
	if (!ret)
		ret = vtpm_session_hmac(s, cp, a->nonce, a->nonce_size,
					s->nonce_tpm, s->size, a->attrs, mac);
	if (ret)
		return ret;
	return a->hmac_size != s->size || memcmp(mac, a->hmac, s->size);
}

/**
 * vtpm_session_respond() - the response session of one command session
 * @a:	     the command's session
 * @cc:	     the command code
 * @rparams: the response's parameter area
 * @rlen:    its size
 * @w:	     where the TPMS_AUTH_RESPONSE goes
 *
 * Rolls nonceTPM and flushes the session unless continueSession is set.
 *
 * Return: 0 or -errno.
 */
int vtpm_session_respond(const struct vtpm_auth *a, u32 cc, const u8 *rparams,
			 size_t rlen, struct tpm_wr *w)
{
	struct vtpm_session *s = a->s;
	u8 rp[VTPM_MAX_DIGEST_SIZE], mac[VTPM_MAX_DIGEST_SIZE], hdr[8];
	struct vtpm_iov iov[2] = { { hdr, 8 }, { rparams, rlen } };
	int ret;

	if (!s) {		/* password: empty nonce and hmac */
		tpm_wr_u16(w, 0);
		tpm_wr_u8(w, VTPM_SA_CONTINUE_SESSION);
		tpm_wr_u16(w, 0);
		return 0;
	}
	put_unaligned_be32(VTPM_RC_SUCCESS, hdr);
	put_unaligned_be32(cc, hdr + 4);
	vtpm_plat_random(s->nonce_tpm, s->size);
	ret = vtpm_plat_hashv(s->alg, iov, 2, rp);
	if (!ret)
		ret = vtpm_session_hmac(s, rp, s->nonce_tpm, s->size, a->nonce,
					a->nonce_size, a->attrs, mac);
	if (ret)
		return ret;
	tpm_wr_tpm2b(w, s->nonce_tpm, s->size);
	tpm_wr_u8(w, a->attrs);
	tpm_wr_tpm2b(w, mac, s->size);
	if (!(a->attrs & VTPM_SA_CONTINUE_SESSION))
		memset(s, 0, sizeof(*s));
	return 0;
}
