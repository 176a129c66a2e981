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

/*
 * A context per digest and thread, set up once and then only reset: a
 * fetch and a fresh context per hash would cost more than hashing a record.
 */
static EVP_MD_CTX *user_ctx(u16 alg)
{
	static const u16 algs[4] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	static __thread EVP_MD_CTX *ctx[4];
	EVP_MD *md;
	unsigned int i;

	for (i = 0; i < 4; i++)
		if (algs[i] == alg)
			break;
	if (i == 4)
		return NULL;
	if (ctx[i])
		return EVP_DigestInit_ex2(ctx[i], NULL, NULL) ? ctx[i] : NULL;
	md = EVP_MD_fetch(NULL, vtpm_alg_name(alg), NULL);
	ctx[i] = md ? EVP_MD_CTX_new() : NULL;
	if (ctx[i] && !EVP_DigestInit_ex2(ctx[i], md, NULL)) {
		EVP_MD_CTX_free(ctx[i]);
		ctx[i] = NULL;
	}
	EVP_MD_free(md);	/* the context holds its own reference */
	return ctx[i];
}

int vtpm_plat_hashv(u16 alg, const struct vtpm_iov *iov, unsigned int n,
		    u8 *out)
{
	EVP_MD_CTX *ctx = user_ctx(alg);
	unsigned int i;
	int ok = !!ctx;

	if (!ctx && !vtpm_alg_name(alg))
		return -EINVAL;
	for (i = 0; ok && i < n; i++)
		ok = EVP_DigestUpdate(ctx, iov[i].p, iov[i].len);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
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
