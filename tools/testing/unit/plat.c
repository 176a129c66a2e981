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

int vtpm_plat_hashv(u16 alg, const struct vtpm_iov *iov, unsigned int n,
		    u8 *out)
{
	const char *name = vtpm_alg_name(alg);
	EVP_MD_CTX *ctx;
	unsigned int i;
	int ok;

	if (!name)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, EVP_get_digestbyname(name), NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].p, iov[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
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
