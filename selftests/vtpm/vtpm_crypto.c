// SPDX-License-Identifier: GPL-2.0
/*
 * Expected digests of the vtpm-mux selftests, computed with OpenSSL.
 */
#define _GNU_SOURCE
#include <string.h>
#include <openssl/evp.h>

#include "vtpm_crypto.h"

static const EVP_MD *alg_md(uint16_t alg)
{
	switch (alg) {
	case ALG_SHA1:
		return EVP_sha1();
	case ALG_SHA256:
		return EVP_sha256();
	case ALG_SHA384:
		return EVP_sha384();
	case ALG_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

unsigned int ossl_digest2(uint16_t alg, const void *a, size_t alen,
			  const void *b, size_t blen, uint8_t *out)
{
	const EVP_MD *md = alg_md(alg);
	EVP_MD_CTX *c;
	unsigned int n = 0;

	if (!md)
		return 0;
	c = EVP_MD_CTX_new();
	if (!c)
		return 0;
	if (EVP_DigestInit_ex(c, md, NULL) != 1 ||
	    EVP_DigestUpdate(c, a, alen) != 1 ||
	    EVP_DigestUpdate(c, b, blen) != 1 ||
	    EVP_DigestFinal_ex(c, out, &n) != 1)
		n = 0;
	EVP_MD_CTX_free(c);
	return n;
}

unsigned int ossl_digest(uint16_t alg, const void *data, size_t len,
			 uint8_t *out)
{
	return ossl_digest2(alg, data, len, "", 0, out);
}

void test_pattern(const char *seed, uint8_t *out, size_t len)
{
	uint8_t block[64];
	uint32_t ctr = 0;

	while (len) {
		size_t n = len < sizeof(block) ? len : sizeof(block);

		ossl_digest2(ALG_SHA512, seed, strlen(seed), &ctr, sizeof(ctr),
			     block);
		memcpy(out, block, n);
		out += n;
		len -= n;
		ctr++;
	}
}
