// SPDX-License-Identifier: GPL-2.0
/*
 * TPM2_GetRandom and TPM2_StirRandom, served by the platform's RNG (the
 * kernel's in the module).
 */
#include "command.h"

u32 vtpm_cmd_get_random(struct vtpm_cmd *c)
{
	u8 buf[VTPM_MAX_DIGEST_SIZE];
	u16 n = tpm_rd_u16(&c->in);

	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	/* at most the size of the largest digest, as on a chip */
	n = min_t(u16, n, sizeof(buf));
	vtpm_plat_random(buf, n);
	tpm_wr_tpm2b(&c->out, buf, n);
	memset(buf, 0, sizeof(buf));
	return VTPM_RC_SUCCESS;
}

u32 vtpm_cmd_stir_random(struct vtpm_cmd *c)
{
	const u8 *data;
	u16 n;

	n = tpm_rd_u16(&c->in);
	if (c->in.err)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (n > VTPM_MAX_SYM_DATA)
		return vtpm_rc_p(VTPM_RC_SIZE, 1);
	data = tpm_rd_bytes(&c->in, n);
	if (!data)
		return vtpm_rc_p(VTPM_RC_INSUFFICIENT, 1);
	if (!vtpm_in_done(c))
		return VTPM_RC_SIZE;
	vtpm_plat_stir(data, n);
	return VTPM_RC_SUCCESS;
}
