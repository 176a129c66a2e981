// SPDX-License-Identifier: GPL-2.0
/*
 * The platform hooks of the pure code (drivers/vtpm/lib/engine.h) for the
 * user-space tools that replay and verify the mapping log (vtpmctl,
 * vtpm-verify, the selftests): OpenSSL's libcrypto for hashing, the
 * kernel's RNG, the monotonic clock.  Nothing here anchors anything: the
 * tools only replay, so vtpm_plat_anchor() refuses.
 */
#include <openssl/evp.h>
#include <sys/random.h>
#include <time.h>

#include "engine.h"

int vtpm_plat_hashv(u16 alg, const struct vtpm_iov *iov, unsigned int n,
		    u8 *out)
{
	const char *name = vtpm_alg_name(alg);
	const EVP_MD *md = name ? EVP_get_digestbyname(name) : NULL;
	EVP_MD_CTX *ctx;
	unsigned int i;
	int ok;

	if (!md)
		return -EINVAL;
	ctx = EVP_MD_CTX_new();
	ok = ctx && EVP_DigestInit_ex(ctx, md, NULL);
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].p, iov[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -EIO;
}

void vtpm_plat_random(void *buf, size_t len)
{
	u8 *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n > 0) {
			p += n;
			len -= n;
		}
	}
}

void vtpm_plat_stir(const void *buf, size_t len)
{
	(void)buf;
	(void)len;
}

u64 vtpm_plat_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

u32 vtpm_plat_anchor(struct vtpm_tpm *t, const struct vtpm_pcr_change *chg)
{
	(void)t;
	(void)chg;
	return VTPM_RC_FAILURE;
}
