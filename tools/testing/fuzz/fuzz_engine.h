/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The input format of fuzz_command, shared with its seed generator
 * (seedgen.c) so that both set an engine up the same way.
 *
 * An input is one mode byte, then TPM 2.0 commands separated by
 * FUZZ_CMD_SEP (4 bytes that no command needs):
 *
 *   mode bit 0	  TPM2_Startup(CLEAR) before the first command
 *   mode bits 1-2  the PCR banks (fuzz_banks[])
 *   mode bit 3	  the anchor refuses every vPCR change (TPM_RC_RETRY)
 *   mode bit 4	  the response buffer is larger than the minimum
 *
 * Every input starts from a fresh instance and a fresh platform (the
 * deterministic RNG and clock of tools/testing/unit/plat.c), so that a
 * crash reproduces from its input alone.
 */
#ifndef _VTPM_FUZZ_ENGINE_H
#define _VTPM_FUZZ_ENGINE_H

#include "../unit/plat.h"
#include "../../../drivers/vtpm/lib/command.h"

#define FUZZ_CMD_SEP		"\xf0\x0d\xca\xfe"
#define FUZZ_CMD_SEP_SIZE	4
#define FUZZ_MAX_COMMANDS	32

#define FUZZ_MODE_STARTUP	BIT(0)
#define FUZZ_MODE_BANKS(m)	(((m) >> 1) & 3)
#define FUZZ_MODE_REFUSE	BIT(3)
#define FUZZ_MODE_BIG_RSP	BIT(4)

static const u16 fuzz_banks[4][VTPM_MAX_BANKS] = {
	{ VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512 },
	{ VTPM_ALG_SHA256 },
	{ VTPM_ALG_SHA256, VTPM_ALG_SHA1 },
	{ VTPM_ALG_SHA512, VTPM_ALG_SHA384 },
};

/* the bank sets, made once */
static inline void fuzz_banks_init(struct vtpm_banks *b)
{
	unsigned int i, j;

	for (i = 0; i < 4; i++) {
		memset(&b[i], 0, sizeof(b[i]));
		for (j = 0; j < VTPM_MAX_BANKS && fuzz_banks[i][j]; j++)
			if (vtpm_banks_add(&b[i], fuzz_banks[i][j]))
				__builtin_trap();
	}
}

/* a fresh platform and instance (@t of vtpm_tpm_size(@banks) bytes) */
static inline void fuzz_engine_reset(struct vtpm_tpm *t,
				     const struct vtpm_banks *banks, u8 mode)
{
	memset(&plat, 0, sizeof(plat));
	plat.rng = 0x5eed;
	plat.now_ms = 1000;
	vtpm_tpm_init(t, banks);
	if (mode & FUZZ_MODE_REFUSE)
		plat.anchor_rc = VTPM_RC_RETRY;
}

/* the next command of an input: its bytes up to the separator or the end */
static inline size_t fuzz_next_cmd(const u8 *p, size_t left, size_t *skip)
{
	size_t i;

	for (i = 0; i + FUZZ_CMD_SEP_SIZE <= left; i++) {
		if (!memcmp(p + i, FUZZ_CMD_SEP, FUZZ_CMD_SEP_SIZE)) {
			*skip = i + FUZZ_CMD_SEP_SIZE;
			return i;
		}
	}
	*skip = left;
	return left;
}

#endif /* _VTPM_FUZZ_ENGINE_H */
