// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of drivers/vtpm/lib/merkle.c against an independent,
 * recursive implementation of RFC 6962's Merkle Tree Hash and audit paths
 * (sections 2.1 and 2.1.1) with OpenSSL.  Output: TAP.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>

#include "plat.h"
#include "../../../drivers/vtpm/lib/merkle.h"

static int tests, failures;

#define CHECK(cond, ...) do {						\
	tests++;							\
	if (cond) {							\
		printf("ok %d - ", tests);				\
	} else {							\
		failures++;						\
		printf("not ok %d - ", tests);				\
	}								\
	printf(__VA_ARGS__);						\
	printf("\n");							\
} while (0)

#define H 32
#define MAXN 300

static void sha256(const u8 *a, size_t alen, const u8 *b, size_t blen,
		   const u8 *c, size_t clen, u8 *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, a, alen);
	EVP_DigestUpdate(ctx, b, blen);
	EVP_DigestUpdate(ctx, c, clen);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

/* RFC 6962 2.1: MTH(D[n]), recursively */
static void mth(const u8 *d, u32 n, u8 *out)
{
	static const u8 zero = 0, one = 1;
	u8 l[H], r[H];
	u32 k = 1;

	if (n == 1) {
		sha256(&zero, 1, d, H, NULL, 0, out);
		return;
	}
	while (k * 2 < n)
		k *= 2;
	mth(d, k, l);
	mth(d + k * H, n - k, r);
	sha256(&one, 1, l, H, r, H, out);
}

/* RFC 6962 2.1.1: PATH(m, D[n]), leaf side first */
static u32 path_of(u32 m, const u8 *d, u32 n, u8 *out)
{
	u32 k = 1, len;

	if (n == 1)
		return 0;
	while (k * 2 < n)
		k *= 2;
	if (m < k) {
		len = path_of(m, d, k, out);
		mth(d + k * H, n - k, out + len * H);
	} else {
		len = path_of(m - k, d + k * H, n - k, out);
		mth(d, k, out + len * H);
	}
	return len + 1;
}

int main(void)
{
	static u8 values[MAXN * H], scratch[MAXN * H];
	u8 root[H], want[H], path[VTPM_MERKLE_MAX_DEPTH * H];
	u8 ref[VTPM_MERKLE_MAX_DEPTH * H];
	u32 n, m, len, rlen, bad_root = 0, bad_path = 0, bad_verify = 0;
	u32 accepted_tamper = 0, proofs = 0;
	size_t i;

	for (i = 0; i < sizeof(values); i++)
		values[i] = (u8)(i * 131 + (i >> 8) * 7);

	for (n = 1; n <= MAXN; n++) {
		if (vtpm_merkle_root(values, n, scratch, root))
			bad_root++;
		mth(values, n, want);
		if (memcmp(root, want, H))
			bad_root++;
		for (m = 0; m < n; m += (n > 70 ? 13 : 1)) {
			proofs++;
			if (vtpm_merkle_proof(values, n, m, scratch, path, &len))
				bad_path++;
			rlen = path_of(m, values, n, ref);
			if (len != rlen || memcmp(path, ref, len * H))
				bad_path++;
			if (vtpm_merkle_verify(values + m * H, m, n, path, len,
					       want))
				bad_verify++;
			/* every byte of the proof matters */
			for (i = 0; i < len * H; i += 7) {
				path[i] ^= 0x20;
				if (!vtpm_merkle_verify(values + m * H, m, n,
							path, len, want))
					accepted_tamper++;
				path[i] ^= 0x20;
			}
			/* another value, index, size or a short proof fails */
			if (n > 1 &&
			    (!vtpm_merkle_verify(values + ((m + 1) % n) * H, m,
						 n, path, len, want) ||
			     !vtpm_merkle_verify(values + m * H, (m + 1) % n,
						 n, path, len, want)))
				accepted_tamper++;
			if (len && !vtpm_merkle_verify(values + m * H, m, n,
						       path, len - 1, want))
				accepted_tamper++;
			if (!vtpm_merkle_verify(values + m * H, m, n + 1, path,
						len, want) &&
			    !(n & (n - 1)) && m + 1 < n)
				accepted_tamper++;
		}
	}
	CHECK(!bad_root, "roots of 1..%u values equal RFC 6962's MTH", MAXN);
	CHECK(!bad_path, "%u proofs equal RFC 6962's PATH(m, D[n])", proofs);
	CHECK(!bad_verify, "%u proofs verify", proofs);
	CHECK(!accepted_tamper,
	      "changed proof bytes, values, indices, sizes and short proofs are rejected");

	CHECK(vtpm_merkle_root(values, 0, scratch, root) == -EINVAL &&
	      vtpm_merkle_proof(values, 4, 4, scratch, path, &len) == -EINVAL &&
	      vtpm_merkle_verify(values, 4, 4, path, 2, want) == -EINVAL &&
	      vtpm_merkle_verify(values, 0, 0, path, 0, want) == -EINVAL &&
	      vtpm_merkle_verify(values, 0, 4, path, 17, want) == -EINVAL,
	      "bad sizes and indices: -EINVAL");

	/* one value: the root is its leaf hash, the proof is empty */
	CHECK(!vtpm_merkle_proof(values, 1, 0, scratch, path, &len) && !len &&
	      !vtpm_merkle_root(values, 1, scratch, root) &&
	      !vtpm_merkle_verify(values, 0, 1, path, 0, root),
	      "a lone request: empty proof, root = SHA-256(0x00 || value)");

	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
