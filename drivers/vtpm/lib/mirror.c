// SPDX-License-Identifier: GPL-2.0
/*
 * Mirroring an instance's vPCRs into its TPM engine (mirror.h).
 *
 * The vPCRs are the truth: every change of them is anchored in the
 * hardware PCR by the kernel first.  The engine (swtpm) holds a copy, so
 * that its TPM2_Quote, TPM2_PolicyPCR and PCR-bound objects see the
 * anchored values; the kernel repeats every change there, as a
 * TPM2_PCR_Extend of the same digests or a TPM2_PCR_Reset, with an empty
 * password, which is every PCR's authorisation in both.
 */
#include "mirror.h"
#include "marshal.h"

/**
 * vtpm_mirror_route() - where a command of a sw-backed instance goes
 * @cmd: the command as the tenant wrote it
 * @len: its length
 *
 * The PCR commands stay in the kernel.  So do those that would make the
 * engine's PCRs differ from the vPCRs (PCR_Allocate, PCR_SetAuthPolicy,
 * PCR_SetAuthValue, EventSequenceComplete, which extends a PCR, and the
 * vendor commands, such as swtpm's locality switch: the kernel does not
 * implement them and answers TPM_RC_COMMAND_CODE).  Startup is the
 * kernel's: it starts the vPCRs, and the engine is started to match before
 * its next command.  Anything too
 * short to carry a command code goes to the kernel, which answers it with
 * the error a TPM gives.
 *
 * Return: &enum vtpm_route.
 */
enum vtpm_route vtpm_mirror_route(const u8 *cmd, size_t len)
{
	u32 cc;

	if (len < VTPM_HEADER_SIZE)
		return VTPM_ROUTE_KERNEL;
	cc = get_unaligned_be32(cmd + 6);
	if (cc & VTPM_CC_VENDOR)
		return VTPM_ROUTE_KERNEL;
	switch (cc) {
	case VTPM_CC_STARTUP:
	case VTPM_CC_PCR_EXTEND:
	case VTPM_CC_PCR_EVENT:
	case VTPM_CC_PCR_RESET:
	case VTPM_CC_PCR_READ:
	case VTPM_CC_PCR_ALLOCATE:
	case VTPM_CC_PCR_SET_AUTH_POLICY:
	case VTPM_CC_PCR_SET_AUTH_VALUE:
	case VTPM_CC_EVENT_SEQUENCE_COMPLETE:
		return VTPM_ROUTE_KERNEL;
	case VTPM_CC_SHUTDOWN:
		return VTPM_ROUTE_BOTH;
	default:
		return VTPM_ROUTE_ENGINE;
	}
}

static void vtpm_wr_password(struct tpm_wr *w)
{
	tpm_wr_u32(w, 9);		/* authorizationSize */
	tpm_wr_u32(w, VTPM_RS_PW);
	tpm_wr_u16(w, 0);		/* nonceCaller */
	tpm_wr_u8(w, 0);		/* sessionAttributes */
	tpm_wr_u16(w, 0);		/* hmac: the empty password */
}

/**
 * vtpm_mirror_command() - the engine command that repeats a vPCR change
 * @banks: the instance's banks
 * @chg:   the change, as anchored
 * @buf:   where to build the command
 * @cap:   room at @buf (VTPM_MAX_COMMAND_SIZE is always enough)
 *
 * EXTEND and EVENT become TPM2_PCR_Extend of the digests the change
 * extended (an event's digests are those of its data in each bank), RESET
 * TPM2_PCR_Reset, STARTUP TPM2_Startup(CLEAR).  RESUME has no command: an
 * engine is only ever started with CLEAR, then replayed.
 *
 * Return: the command's length, 0 if there is none or @cap is too small.
 */
size_t vtpm_mirror_command(const struct vtpm_banks *banks,
			   const struct vtpm_pcr_change *chg, u8 *buf,
			   size_t cap)
{
	struct tpm_wr w;
	u32 i;

	tpm_wr_init(&w, buf, cap);
	switch (chg->type) {
	case VTPM_CHANGE_EXTEND:
	case VTPM_CHANGE_EVENT:
		if (chg->count > banks->nr)
			return 0;
		tpm_wr_u16(&w, VTPM_ST_SESSIONS);
		tpm_wr_u32(&w, 0);
		tpm_wr_u32(&w, VTPM_CC_PCR_EXTEND);
		tpm_wr_u32(&w, chg->pcr);
		vtpm_wr_password(&w);
		tpm_wr_u32(&w, chg->count);
		for (i = 0; i < chg->count; i++) {
			const struct vtpm_bank *b;

			if (chg->d[i].bank >= banks->nr)
				return 0;
			b = &banks->bank[chg->d[i].bank];
			tpm_wr_u16(&w, b->alg);
			tpm_wr_bytes(&w, chg->d[i].digest, b->size);
		}
		break;
	case VTPM_CHANGE_RESET:
		tpm_wr_u16(&w, VTPM_ST_SESSIONS);
		tpm_wr_u32(&w, 0);
		tpm_wr_u32(&w, VTPM_CC_PCR_RESET);
		tpm_wr_u32(&w, chg->pcr);
		vtpm_wr_password(&w);
		break;
	case VTPM_CHANGE_STARTUP:
		tpm_wr_u16(&w, VTPM_ST_NO_SESSIONS);
		tpm_wr_u32(&w, 0);
		tpm_wr_u32(&w, VTPM_CC_STARTUP);
		tpm_wr_u16(&w, VTPM_SU_CLEAR);
		break;
	default:
		return 0;
	}
	if (w.err || chg->pcr >= VTPM_NUM_PCRS)
		return 0;
	put_unaligned_be32(w.pos, buf + 2);
	return w.pos;
}

/**
 * vtpm_response_rc() - the response code of a response
 * @rsp: the response
 * @len: its length
 *
 * Return: its TPM_RC, or TPM_RC_FAILURE if it is not a well-formed
 * response header whose size is @len.
 */
u32 vtpm_response_rc(const u8 *rsp, size_t len)
{
	u16 tag;

	if (len < VTPM_HEADER_SIZE || get_unaligned_be32(rsp + 2) != len)
		return VTPM_RC_FAILURE;
	tag = get_unaligned_be16(rsp);
	if (tag != VTPM_ST_NO_SESSIONS && tag != VTPM_ST_SESSIONS &&
	    tag != VTPM_ST_RSP_COMMAND)
		return VTPM_RC_FAILURE;
	return get_unaligned_be32(rsp + 6);
}

/**
 * vtpm_response_error() - an error response
 * @rc:  its TPM_RC
 * @rsp: where to build it
 * @cap: room at @rsp
 *
 * Return: its length (10), or 0 if @cap is too small.
 */
size_t vtpm_response_error(u32 rc, u8 *rsp, size_t cap)
{
	if (cap < VTPM_HEADER_SIZE)
		return 0;
	put_unaligned_be16(VTPM_ST_NO_SESSIONS, rsp);
	put_unaligned_be32(VTPM_HEADER_SIZE, rsp + 2);
	put_unaligned_be32(rc, rsp + 6);
	return VTPM_HEADER_SIZE;
}

static bool vtpm_handle_is_session(u32 h)
{
	return h >> 24 == VTPM_HT_HMAC_SESSION ||
	       h >> 24 == VTPM_HT_POLICY_SESSION;
}

/* transient objects and sequences, and sessions: what a file can leave */
static bool vtpm_handle_is_tracked(u32 h)
{
	return h >> 24 == VTPM_HT_TRANSIENT || vtpm_handle_is_session(h);
}

/**
 * vtpm_handle_created() - the object or session a command loaded
 * @cmd:  the command
 * @len:  its length
 * @rsp:  the engine's response to it
 * @rlen: its length
 *
 * The commands that load an object, start a sequence or a session, or
 * load a saved context return its handle first in their response.
 *
 * Return: the transient (0x80xxxxxx) or session (0x02xxxxxx, 0x03xxxxxx)
 * handle the command created, or 0.
 */
u32 vtpm_handle_created(const u8 *cmd, size_t len, const u8 *rsp,
			size_t rlen)
{
	u32 h;

	if (len < VTPM_HEADER_SIZE || rlen < VTPM_HEADER_SIZE + 4 ||
	    vtpm_response_rc(rsp, rlen) != VTPM_RC_SUCCESS)
		return 0;
	switch (get_unaligned_be32(cmd + 6)) {
	case VTPM_CC_CREATE_PRIMARY:
	case VTPM_CC_LOAD:
	case VTPM_CC_LOAD_EXTERNAL:
	case VTPM_CC_CREATE_LOADED:
	case VTPM_CC_CONTEXT_LOAD:
	case VTPM_CC_HMAC_START:
	case VTPM_CC_HASH_SEQUENCE_START:
	case VTPM_CC_START_AUTH_SESSION:
		h = get_unaligned_be32(rsp + VTPM_HEADER_SIZE);
		return vtpm_handle_is_tracked(h) ? h : 0;
	}
	return 0;
}

/**
 * vtpm_handle_released() - the object or session a command unloaded, or
 *			    handed over to the caller
 * @cmd:  the command
 * @len:  its length
 * @rsp:  the engine's response to it
 * @rlen: its length
 *
 * TPM2_FlushContext names it as its parameter, TPM2_SequenceComplete as
 * its handle.  TPM2_ContextSave of a session takes it out of the TPM's
 * memory and gives it to whoever holds the context: like /dev/tpmrm0, a
 * file does not flush a session it saved (tpm2-tools keeps sessions in
 * files from one process to the next that way).
 *
 * Return: the handle the command released, or 0.
 */
u32 vtpm_handle_released(const u8 *cmd, size_t len, const u8 *rsp,
			 size_t rlen)
{
	u32 h;

	if (len < VTPM_HEADER_SIZE + 4 ||
	    vtpm_response_rc(rsp, rlen) != VTPM_RC_SUCCESS)
		return 0;
	h = get_unaligned_be32(cmd + VTPM_HEADER_SIZE);
	switch (get_unaligned_be32(cmd + 6)) {
	case VTPM_CC_FLUSH_CONTEXT:
		return vtpm_handle_is_tracked(h) ? h : 0;
	case VTPM_CC_SEQUENCE_COMPLETE:
		return h >> 24 == VTPM_HT_TRANSIENT ? h : 0;
	case VTPM_CC_CONTEXT_SAVE:
		return vtpm_handle_is_session(h) ? h : 0;
	}
	return 0;
}

/* PCRs that TPM2_Startup(STATE) sets to their initial value */
#define VTPM_PCR_NOT_SAVED	0xff0000UL

/**
 * vtpm_mirror_plan_note() - first pass: note one record of the instance
 * @p:	  the plan, zeroed before the first record
 * @type: the record's type (&enum vtpm_change_type; others are ignored)
 * @pcr:  its vPCR
 * @seq:  its sequence number
 */
void vtpm_mirror_plan_note(struct vtpm_mirror_plan *p, u8 type, u8 pcr,
			   u64 seq)
{
	u32 i;

	switch (type) {
	case VTPM_CHANGE_RESET:
		if (pcr < VTPM_NUM_PCRS)
			p->reset[pcr] = seq + 1;
		break;
	case VTPM_CHANGE_STARTUP:
	case VTPM_CHANGE_RESUME:
		for (i = 0; i < VTPM_NUM_PCRS; i++)
			if (type == VTPM_CHANGE_STARTUP ||
			    (VTPM_PCR_NOT_SAVED & BIT(i)))
				p->reset[i] = seq + 1;
		break;
	}
}

/**
 * vtpm_mirror_plan_wanted() - second pass: must a fresh engine repeat it?
 * @p:	  the plan after the first pass
 * @type: the record's type
 * @pcr:  its vPCR
 * @seq:  its sequence number
 *
 * Return: true for an EXTEND or EVENT made since its vPCR was last set to
 * its initial value.
 */
bool vtpm_mirror_plan_wanted(const struct vtpm_mirror_plan *p, u8 type,
			     u8 pcr, u64 seq)
{
	if (type != VTPM_CHANGE_EXTEND && type != VTPM_CHANGE_EVENT)
		return false;
	return pcr < VTPM_NUM_PCRS && seq >= p->reset[pcr];
}
