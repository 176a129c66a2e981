// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's platform hooks in user space: OpenSSL for hashing, a
 * deterministic RNG, a settable clock, and an anchor that records every
 * change and can be told to fail.
 */
#include <openssl/evp.h>
#include <time.h>

#include "plat.h"

struct plat_state plat;

int vtpm_plat_hash(u16 alg, const void *data, size_t len, u8 *out)
{
	const char *name = vtpm_alg_name(alg);
	unsigned int n;

	if (!name)
		return -EINVAL;
	return EVP_Digest(data, len, out, &n, EVP_get_digestbyname(name),
			  NULL) ? 0 : -EIO;
}

void vtpm_plat_random(void *buf, size_t len)
{
	u8 *p = buf;

	while (len--) {
		plat.rng = plat.rng * 6364136223846793005ULL + 1;
		*p++ = plat.rng >> 56;
	}
}

void vtpm_plat_stir(const void *buf, size_t len)
{
	plat.stirred += len;
	(void)buf;
}

u64 vtpm_plat_now_ms(void)
{
	return plat.now_ms;
}

u32 vtpm_plat_anchor(struct vtpm_tpm *t, const struct vtpm_pcr_change *chg)
{
	(void)t;
	if (plat.anchor_rc)
		return plat.anchor_rc;
	if (plat.nr_changes < PLAT_MAX_CHANGES)
		plat.changes[plat.nr_changes] = *chg;
	plat.nr_changes++;
	return 0;
}
