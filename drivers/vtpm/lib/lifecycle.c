// SPDX-License-Identifier: GPL-2.0
/*
 * The life of an instance's TPM: Startup and Shutdown, the self tests and
 * the clock.
 *
 * A vTPM has no power pin: its power cycle is the tenant's orderly
 * shutdown.  After TPM2_Shutdown the instance keeps executing commands,
 * and the next TPM2_Startup is accepted (on a chip it would need
 * _TPM_Init), so a VM that reboots starts with fresh vPCRs.
 */
#include "command.h"

static u32 vtpm_rd_su(struct vtpm_cmd *c, u16 *su)
{
	*su = tpm_rd_u16(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (*su != VTPM_SU_CLEAR && *su != VTPM_SU_STATE)
		return vtpm_rc_p(VTPM_RC_VALUE, 1);
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_startup(struct vtpm_cmd *c)
{
	struct vtpm_tpm *t = c->t;
	bool first = !t->started;
	u8 last = t->shutdown;
	u32 rc;
	u16 su;

	rc = vtpm_rd_su(c, &su);
	if (rc)
		return rc;
	if (!first && last == VTPM_SHUTDOWN_NONE)
		return VTPM_RC_INITIALIZE;
	if (su == VTPM_SU_STATE && last != VTPM_SHUTDOWN_STATE)
		return vtpm_rc_p(VTPM_RC_VALUE, 1);

	rc = vtpm_pcr_startup(t, su == VTPM_SU_CLEAR);
	if (rc)
		return rc;
	vtpm_sessions_flush(t);
	if (last == VTPM_SHUTDOWN_STATE) {
		t->restart_count++;		/* Resume or Restart */
	} else if (!first) {
		t->reset_count++;		/* Reset */
		t->restart_count = 0;
	}
	t->started = true;
	t->shutdown = VTPM_SHUTDOWN_NONE;
	t->started_ms = vtpm_plat_now_ms();
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_shutdown(struct vtpm_cmd *c)
{
	u32 rc;
	u16 su;

	rc = vtpm_rd_su(c, &su);
	if (rc)
		return rc;
	c->t->shutdown = su == VTPM_SU_STATE ? VTPM_SHUTDOWN_STATE :
					       VTPM_SHUTDOWN_CLEAR;
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_self_test(struct vtpm_cmd *c)
{
	u8 full = tpm_rd_u8(&c->in);

	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (full > 1)
		return vtpm_rc_p(VTPM_RC_VALUE, 1);
	return VTPM_RC_SUCCESS;
}

#define VTPM_MAX_ALG_LIST	64

u32 vtpm_cmd_incremental_self_test(struct vtpm_cmd *c)
{
	u32 count = tpm_rd_u32(&c->in);

	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (count > VTPM_MAX_ALG_LIST)
		return vtpm_rc_p(VTPM_RC_SIZE, 1);
	while (count--) {
		u16 alg = tpm_rd_u16(&c->in);

		if (c->in.err)
			return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
		if (!vtpm_alg_implemented(alg))
			return vtpm_rc_p(VTPM_RC_VALUE, 1);
	}
	/* every algorithm has been tested: the to-do list is empty */
	tpm_wr_u32(&c->out, 0);
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_get_test_result(struct vtpm_cmd *c)
{
	tpm_wr_u16(&c->out, 0);		/* outData */
	tpm_wr_u32(&c->out, VTPM_RC_SUCCESS);
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_read_clock(struct vtpm_cmd *c)
{
	u64 now = vtpm_plat_now_ms();

	tpm_wr_u64(&c->out, now - c->t->started_ms);	/* time */
	tpm_wr_u64(&c->out, now - c->t->created_ms);	/* clock */
	tpm_wr_u32(&c->out, c->t->reset_count);
	tpm_wr_u32(&c->out, c->t->restart_count);
	tpm_wr_u8(&c->out, 1);				/* safe */
	return VTPM_RC_SUCCESS;
}
