/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Expected digests of the vtpm-mux selftests, computed with OpenSSL and
 * never taken from the TPM under test.
 */
#ifndef VTPM_CRYPTO_H
#define VTPM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "vtpm_util.h"

/* H(data) with OpenSSL; returns the digest size or 0 */
unsigned int ossl_digest(uint16_t alg, const void *data, size_t len,
			 uint8_t *out);
/* H(a || b) with OpenSSL: the value of an extend; returns the size or 0 */
unsigned int ossl_digest2(uint16_t alg, const void *a, size_t alen,
			  const void *b, size_t blen, uint8_t *out);
/* deterministic test pattern derived from seed (SHA-512 counter mode) */
void test_pattern(const char *seed, uint8_t *out, size_t len);

#endif /* VTPM_CRYPTO_H */
