// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the mapping log (drivers/vtpm/lib/mlog.c), built from the
 * module's own source files.  Every expected value is computed
 * independently: the test vectors of Documentation/log-format.md (written
 * with a separate implementation of the format) and OpenSSL's EVP and HMAC
 * for everything derived at run time.  Output: TAP.
 */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>

#include "plat.h"
#include "../../../drivers/vtpm/lib/command.h"
#include "../../../drivers/vtpm/lib/mlog.h"
#include "../../../drivers/vtpm/lib/bundle.h"

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

#define SHA1	VTPM_ALG_SHA1
#define SHA256	VTPM_ALG_SHA256
#define SHA384	VTPM_ALG_SHA384
#define SHA512	VTPM_ALG_SHA512

static const u16 all_algs[] = { SHA1, SHA256, SHA384, SHA512 };

/* ------------------------------------------------------------------ */
/* OpenSSL: the independent computation of every digest                */

static const EVP_MD *md(u16 alg)
{
	switch (alg) {
	case SHA1:
		return EVP_sha1();
	case SHA256:
		return EVP_sha256();
	case SHA384:
		return EVP_sha384();
	case SHA512:
		return EVP_sha512();
	}
	abort();
}

static size_t dsize(u16 alg)
{
	return EVP_MD_size(md(alg));
}

static void put_be64(u64 v, u8 *p)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = v;
}

static void ossl_hash(u16 alg, const void *d, size_t n, u8 *out)
{
	unsigned int len;

	EVP_Digest(d, n, out, &len, md(alg), NULL);
}

/* H(a || b || c || d), pieces may be empty */
static void ossl_hash4(u16 alg, const void *a, size_t an, const void *b,
		       size_t bn, const void *c, size_t cn, const void *d,
		       size_t dn, u8 *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	EVP_DigestInit_ex(ctx, md(alg), NULL);
	EVP_DigestUpdate(ctx, a, an);
	EVP_DigestUpdate(ctx, b, bn);
	EVP_DigestUpdate(ctx, c, cn);
	EVP_DigestUpdate(ctx, d, dn);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

static void ossl_extend(u16 alg, u8 *v, const u8 *d)
{
	ossl_hash4(alg, v, dsize(alg), d, dsize(alg), "", 0, "", 0, v);
}

static void ossl_salt(const u8 *key, size_t klen, u64 seq, u8 *out)
{
	u8 m[24];
	unsigned int n;

	memcpy(m, "vtpm-mux salt v1", 16);
	put_be64(seq, m + 16);
	HMAC(EVP_sha256(), key, klen, m, sizeof(m), out, &n);
}

static void ossl_leaf(const u8 *salt, const u8 *tag, const u8 *body,
		      size_t len, u8 *out)
{
	ossl_hash4(SHA256, "vtpm-mux leaf v1", 16, salt, 32, tag, 32, body,
		   len, out);
}

static void ossl_batch(u16 alg, u64 batch, const u8 *leaves, u32 n, u8 *out)
{
	u8 h[12];

	put_be64(batch, h);
	put_unaligned_be32(n, h + 8);
	ossl_hash4(alg, "vtpm-mux batch v1", 17, h, 12, leaves, 32 * n, "",
		   0, out);
}

/* ------------------------------------------------------------------ */
/* A deterministic random generator (splitmix64)                        */

static u64 rnd_next(u64 *s)
{
	u64 z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rnd(u64 *s, u32 n)
{
	return rnd_next(s) % n;
}

static void rnd_bytes(u64 *s, u8 *p, size_t n)
{
	while (n--)
		*p++ = rnd_next(s);
}

/* ------------------------------------------------------------------ */
/* An independent encoder of record bodies (no validation)              */

static size_t raw_encode(const struct vtpm_log_rec *r, u8 *out)
{
	size_t n = 0, xlen_at, i;
	u8 label_len;

	out[n++] = 1;
	out[n++] = r->type;
	put_be64(r->seq, out + n);
	n += 8;
	memcpy(out + n, r->uuid, 16);
	n += 16;
	put_unaligned_be32(r->pcr, out + n);
	n += 4;
	out[n++] = r->count;
	for (i = 0; i < r->count; i++) {
		put_unaligned_be16(r->d[i].alg, out + n);
		memcpy(out + n + 2, r->d[i].digest, dsize(r->d[i].alg));
		n += 2 + dsize(r->d[i].alg);
	}
	xlen_at = n;
	n += 2;
	switch (r->type) {
	case VTPM_REC_GENESIS:
		put_unaligned_be32(r->genesis.hw_pcr, out + n);
		out[n + 4] = r->genesis.nr_banks;
		n += 5;
		for (i = 0; i < r->genesis.nr_banks; i++) {
			u16 alg = r->genesis.start[i].alg;

			put_unaligned_be16(alg, out + n);
			memcpy(out + n + 2, r->genesis.start[i].digest,
			       dsize(alg));
			n += 2 + dsize(alg);
		}
		put_unaligned_be32(r->genesis.reset_count, out + n);
		put_unaligned_be32(r->genesis.restart_count, out + n + 4);
		put_be64(r->genesis.clock, out + n + 8);
		memcpy(out + n + 16, r->genesis.log_id, 16);
		n += 32;
		break;
	case VTPM_REC_CREATE:
		label_len = strnlen(r->create.label, 64);
		put_unaligned_be32(r->create.index, out + n);
		out[n + 4] = label_len;
		memcpy(out + n + 5, r->create.label, label_len);
		n += 5 + label_len;
		break;
	case VTPM_REC_ABORT:
		put_be64(r->abort_batch, out + n);
		n += 8;
		break;
	}
	put_unaligned_be16(n - xlen_at - 2, out + xlen_at);
	return n;
}

static bool is_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/*
 * The test vectors of Documentation/log-format.md, "Test vectors":
 * generated by tools/testing/unit/mkvectors.py, an implementation of the
 * format that shares no code with mlog.c (Python's hashlib and hmac).  The
 * block between the markers is its --c output, byte for byte: regenerate
 * it, never edit it (make -C tools/testing/unit vectors checks both).
 */

/* BEGIN: generated by tools/testing/unit/mkvectors.py --c */

static const u8 v_key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b,
	0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};

static const u8 v_body3[67] = {
	0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xa0, 0xa1,
	0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
	0xae, 0xaf, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x0b, 0xca, 0x97, 0x81,
	0x12, 0xca, 0x1b, 0xbd, 0xca, 0xfa, 0xc2, 0x31, 0xb3, 0x9a, 0x23, 0xdc,
	0x4d, 0xa7, 0x86, 0xef, 0xf8, 0x14, 0x7c, 0x4e, 0x72, 0xb9, 0x80, 0x77,
	0x85, 0xaf, 0xee, 0x48, 0xbb, 0x00, 0x00,
};

static const u8 v_salt3[32] = {
	0x3b, 0x17, 0xd5, 0x08, 0x1d, 0x36, 0x98, 0xcc, 0x1b, 0x12, 0x2a, 0xbe,
	0xfc, 0xb8, 0x7e, 0xc6, 0x50, 0x34, 0x75, 0x99, 0x8a, 0xd2, 0xd3, 0x27,
	0x72, 0xa6, 0xce, 0x41, 0x8e, 0x57, 0x14, 0x77,
};

static const u8 v_leaf3[32] = {
	0x11, 0xe0, 0x54, 0x63, 0x63, 0xbc, 0x35, 0x16, 0xaa, 0xbf, 0xec, 0xcb,
	0x87, 0x92, 0x09, 0x42, 0x68, 0xf6, 0x26, 0xe7, 0xc2, 0xaf, 0x6e, 0x98,
	0x28, 0xc5, 0x4c, 0x74, 0x64, 0x6c, 0x92, 0xb3,
};

static const u8 v_leaf4[32] = {
	0x79, 0x3b, 0x77, 0x33, 0x81, 0x47, 0xb6, 0x9e, 0x2c, 0x2f, 0x6d, 0x14,
	0xc1, 0xea, 0xaf, 0x1d, 0xba, 0x0a, 0xb7, 0x99, 0x95, 0x56, 0x96, 0x2d,
	0x01, 0x5f, 0x54, 0xeb, 0xed, 0xd6, 0xc9, 0x40,
};

static const u8 v_batch2_sha256[32] = {
	0x36, 0x42, 0x4f, 0x34, 0x19, 0xef, 0x58, 0xdc, 0x68, 0xbf, 0xd0, 0xa0,
	0x2a, 0x6f, 0x6b, 0xd5, 0xb6, 0x3b, 0x17, 0x13, 0x51, 0x51, 0x0e, 0xf8,
	0xda, 0x1b, 0x9d, 0x56, 0x68, 0x59, 0x52, 0xd6,
};

static const u8 v_batch2_sha1[20] = {
	0x9e, 0xd3, 0x93, 0x44, 0xaf, 0x68, 0xa9, 0x23, 0xe0, 0xee, 0xb9, 0x04,
	0x81, 0xf1, 0x3c, 0xe4, 0xef, 0x45, 0x1c, 0xf5,
};

static const u8 v_pcr1_sha256[32] = {
	0xd3, 0x72, 0xb1, 0x5e, 0xfa, 0xc0, 0xf3, 0x1a, 0xb1, 0x75, 0x2e, 0x8f,
	0x40, 0x17, 0xb7, 0x04, 0xf0, 0xd5, 0x14, 0xce, 0x33, 0xa7, 0x0e, 0x0c,
	0xf3, 0x71, 0x31, 0x5a, 0xc3, 0x65, 0x47, 0xb0,
};

static const u8 v_pcr1_sha1[20] = {
	0x88, 0x68, 0x3b, 0xce, 0x50, 0x3c, 0x88, 0x0f, 0x70, 0xed, 0xb1, 0xdd,
	0x1a, 0xc7, 0x22, 0x23, 0xa7, 0x32, 0x66, 0x66,
};

static const u8 v_pcr2_sha256[32] = {
	0x93, 0xd7, 0xe7, 0x2c, 0x5d, 0x46, 0x58, 0x00, 0x65, 0xda, 0x9c, 0x64,
	0x78, 0x0c, 0x06, 0x85, 0x3c, 0x89, 0xbf, 0xcf, 0xff, 0x46, 0xe4, 0x38,
	0x54, 0x33, 0x1e, 0x45, 0x29, 0x2f, 0x24, 0x36,
};

static const u8 v_pcr2_sha1[20] = {
	0x18, 0xfe, 0x1d, 0xb3, 0x26, 0x91, 0x70, 0x47, 0xa7, 0x91, 0xd1, 0x49,
	0xff, 0xb5, 0x24, 0x4c, 0x39, 0x8c, 0x27, 0xd1,
};

/* (c) the full log of batches 0-3 */
static const u8 v_full[1044] = {
	0x56, 0x54, 0x50, 0x4d, 0x4c, 0x4f, 0x47, 0x00, 0x00, 0x02, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x04, 0x00, 0x0b, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09, 0x74, 0xbe, 0xcf, 0x91, 0xd7,
	0x33, 0xff, 0xd8, 0xba, 0x4e, 0xa4, 0xac, 0x2e, 0x1b, 0x0a, 0xe9, 0x19,
	0x23, 0xd9, 0x44, 0xd0, 0x30, 0x5f, 0xde, 0x79, 0x18, 0xb7, 0x95, 0x37,
	0x2a, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7e,
	0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x5d, 0x00, 0x00, 0x00,
	0x0b, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56,
	0x78, 0x9a, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9,
	0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x41, 0x7b, 0x1b, 0xf9, 0x99,
	0xe6, 0x72, 0x90, 0x94, 0x3e, 0xc5, 0xb0, 0x77, 0xfe, 0x8e, 0x2e, 0x07,
	0x1f, 0xf2, 0xd5, 0x7d, 0x47, 0xe8, 0xd4, 0xf2, 0x8e, 0x49, 0x93, 0x4a,
	0x46, 0x28, 0x18, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0x00,
	0x2e, 0x01, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xa0,
	0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac,
	0xad, 0xae, 0xaf, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x0d, 0x00, 0x00,
	0x00, 0x00, 0x08, 0x74, 0x65, 0x6e, 0x61, 0x6e, 0x74, 0x2d, 0x61, 0x01,
	0x25, 0x1b, 0x66, 0xb4, 0x90, 0xc7, 0xfb, 0x04, 0x82, 0x5d, 0x51, 0x61,
	0x1c, 0xf7, 0x72, 0xb5, 0xec, 0xc1, 0xb7, 0x21, 0xb8, 0x94, 0x32, 0xe9,
	0x6d, 0x27, 0x7c, 0x80, 0x53, 0x89, 0x25, 0x9d, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0x00, 0x2e, 0x01, 0x11, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x02, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x0d, 0x00, 0x00, 0x00, 0x01, 0x08, 0x74, 0x65, 0x6e, 0x61,
	0x6e, 0x74, 0x2d, 0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x02, 0x01, 0x3b, 0x17, 0xd5, 0x08, 0x1d, 0x36, 0x98,
	0xcc, 0x1b, 0x12, 0x2a, 0xbe, 0xfc, 0xb8, 0x7e, 0xc6, 0x50, 0x34, 0x75,
	0x99, 0x8a, 0xd2, 0xd3, 0x27, 0x72, 0xa6, 0xce, 0x41, 0x8e, 0x57, 0x14,
	0x77, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x43, 0x01,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x0b, 0xca, 0x97, 0x81, 0x12,
	0xca, 0x1b, 0xbd, 0xca, 0xfa, 0xc2, 0x31, 0xb3, 0x9a, 0x23, 0xdc, 0x4d,
	0xa7, 0x86, 0xef, 0xf8, 0x14, 0x7c, 0x4e, 0x72, 0xb9, 0x80, 0x77, 0x85,
	0xaf, 0xee, 0x48, 0xbb, 0x00, 0x00, 0x01, 0x7c, 0x7c, 0x38, 0x13, 0xe0,
	0xdb, 0xaa, 0xc1, 0xcc, 0x54, 0x07, 0xb5, 0x2c, 0x63, 0x3b, 0xb8, 0x0b,
	0xbf, 0xbb, 0xa5, 0x03, 0x68, 0x43, 0x41, 0xb4, 0x6f, 0xb2, 0xca, 0xc6,
	0xe0, 0x6d, 0x61, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0x00,
	0x43, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0xb0,
	0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc,
	0xbd, 0xbe, 0xbf, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x0b, 0x3e, 0x23,
	0xe8, 0x16, 0x00, 0x39, 0x59, 0x4a, 0x33, 0x89, 0x4f, 0x65, 0x64, 0xe1,
	0xb1, 0x34, 0x8b, 0xbd, 0x7a, 0x00, 0x88, 0xd4, 0x2c, 0x4a, 0xcb, 0x73,
	0xee, 0xae, 0xd5, 0x9c, 0x00, 0x9d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x01, 0x2d, 0xd3, 0x87,
	0xf2, 0x81, 0xf2, 0x59, 0xd5, 0x96, 0xd2, 0xc3, 0x51, 0x78, 0x2f, 0xc3,
	0xea, 0xa0, 0xc0, 0x4c, 0xe4, 0x4f, 0xe8, 0xde, 0x69, 0x5a, 0x51, 0xf5,
	0x8f, 0x42, 0x9e, 0xcb, 0xde, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0x00, 0x59, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x05, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
	0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x10, 0x02, 0x00, 0x04,
	0xaa, 0xf4, 0xc6, 0x1d, 0xdc, 0xc5, 0xe8, 0xa2, 0xda, 0xbe, 0xde, 0x0f,
	0x3b, 0x48, 0x2c, 0xd9, 0xae, 0xa9, 0x43, 0x4d, 0x00, 0x0b, 0x2c, 0xf2,
	0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b, 0x2a, 0xc5, 0xb9,
	0xe2, 0x9e, 0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42, 0x5e, 0x73, 0x04,
	0x33, 0x62, 0x93, 0x8b, 0x98, 0x24, 0x00, 0x00, 0x01, 0x5d, 0x42, 0x73,
	0xd0, 0x87, 0xcf, 0x74, 0xd5, 0x53, 0x29, 0x73, 0x24, 0x0b, 0x42, 0x6e,
	0xcd, 0x2b, 0x84, 0xf7, 0x46, 0x51, 0xf6, 0x9b, 0x12, 0x86, 0x6a, 0x42,
	0x8a, 0xd7, 0xfa, 0xb2, 0xe5, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7, 0xb7,
	0xb7, 0x00, 0x21, 0x01, 0x12, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba,
	0xbb, 0xbc, 0xbd, 0xbe, 0xbf, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
};

/* (c) A's view of batches 0-3 */
static const u8 v_view[836] = {
	0x56, 0x54, 0x50, 0x4d, 0x4c, 0x4f, 0x47, 0x00, 0x00, 0x02, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x04, 0x00, 0x0b, 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x03, 0xe6, 0xb4, 0x02, 0x49, 0x21, 0x9e, 0x22, 0x84, 0x13, 0x08, 0x8a,
	0x62, 0xad, 0xd2, 0xd6, 0x4a, 0xe3, 0xe2, 0xdd, 0x9d, 0xcf, 0xef, 0x8d,
	0x44, 0xfe, 0x72, 0x42, 0x2d, 0xb5, 0x2c, 0x74, 0xcb, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09, 0x74,
	0xbe, 0xcf, 0x91, 0xd7, 0x33, 0xff, 0xd8, 0xba, 0x4e, 0xa4, 0xac, 0x2e,
	0x1b, 0x0a, 0xe9, 0x19, 0x23, 0xd9, 0x44, 0xd0, 0x30, 0x5f, 0xde, 0x79,
	0x18, 0xb7, 0x95, 0x37, 0x2a, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x7e, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
	0x5d, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
	0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x41,
	0x7b, 0x1b, 0xf9, 0x99, 0xe6, 0x72, 0x90, 0x94, 0x3e, 0xc5, 0xb0, 0x77,
	0xfe, 0x8e, 0x2e, 0x07, 0x1f, 0xf2, 0xd5, 0x7d, 0x47, 0xe8, 0xd4, 0xf2,
	0x8e, 0x49, 0x93, 0x4a, 0x46, 0x28, 0x18, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0x00, 0x2e, 0x01, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xff, 0xff, 0xff, 0xff, 0x00,
	0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x08, 0x74, 0x65, 0x6e, 0x61, 0x6e,
	0x74, 0x2d, 0x61, 0x00, 0xe7, 0x14, 0x39, 0x7f, 0x4b, 0x9d, 0x8d, 0x2e,
	0xba, 0xc2, 0x71, 0x34, 0x57, 0xd0, 0xb2, 0xfa, 0x74, 0x79, 0xa5, 0x77,
	0x79, 0x97, 0xba, 0x18, 0x87, 0xa9, 0x5a, 0x22, 0x81, 0x3c, 0x49, 0xdc,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
	0x01, 0x3b, 0x17, 0xd5, 0x08, 0x1d, 0x36, 0x98, 0xcc, 0x1b, 0x12, 0x2a,
	0xbe, 0xfc, 0xb8, 0x7e, 0xc6, 0x50, 0x34, 0x75, 0x99, 0x8a, 0xd2, 0xd3,
	0x27, 0x72, 0xa6, 0xce, 0x41, 0x8e, 0x57, 0x14, 0x77, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00,
	0x0a, 0x01, 0x00, 0x0b, 0xca, 0x97, 0x81, 0x12, 0xca, 0x1b, 0xbd, 0xca,
	0xfa, 0xc2, 0x31, 0xb3, 0x9a, 0x23, 0xdc, 0x4d, 0xa7, 0x86, 0xef, 0xf8,
	0x14, 0x7c, 0x4e, 0x72, 0xb9, 0x80, 0x77, 0x85, 0xaf, 0xee, 0x48, 0xbb,
	0x00, 0x00, 0x00, 0x79, 0x3b, 0x77, 0x33, 0x81, 0x47, 0xb6, 0x9e, 0x2c,
	0x2f, 0x6d, 0x14, 0xc1, 0xea, 0xaf, 0x1d, 0xba, 0x0a, 0xb7, 0x99, 0x95,
	0x56, 0x96, 0x2d, 0x01, 0x5f, 0x54, 0xeb, 0xed, 0xd6, 0xc9, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x01,
	0x2d, 0xd3, 0x87, 0xf2, 0x81, 0xf2, 0x59, 0xd5, 0x96, 0xd2, 0xc3, 0x51,
	0x78, 0x2f, 0xc3, 0xea, 0xa0, 0xc0, 0x4c, 0xe4, 0x4f, 0xe8, 0xde, 0x69,
	0x5a, 0x51, 0xf5, 0x8f, 0x42, 0x9e, 0xcb, 0xde, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x59, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x10,
	0x02, 0x00, 0x04, 0xaa, 0xf4, 0xc6, 0x1d, 0xdc, 0xc5, 0xe8, 0xa2, 0xda,
	0xbe, 0xde, 0x0f, 0x3b, 0x48, 0x2c, 0xd9, 0xae, 0xa9, 0x43, 0x4d, 0x00,
	0x0b, 0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b,
	0x2a, 0xc5, 0xb9, 0xe2, 0x9e, 0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42,
	0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24, 0x00, 0x00, 0x00,
	0x88, 0x62, 0x0c, 0xc5, 0x3a, 0xee, 0x7b, 0x30, 0x23, 0x37, 0xca, 0x94,
	0x1c, 0x3b, 0x99, 0xc8, 0x6b, 0xe0, 0x18, 0xc3, 0x0f, 0x37, 0xe2, 0x9d,
	0x7d, 0x98, 0x19, 0xfc, 0xa0, 0x24, 0xde, 0x13,
};

static const u8 v_pcr_sha1[20] = {
	0xae, 0xe5, 0x14, 0x18, 0x14, 0x51, 0x3c, 0xec, 0x19, 0x45, 0xf5, 0xd6,
	0x8c, 0x69, 0x72, 0x42, 0x35, 0xd9, 0x77, 0x93,
};

static const u8 v_pcr_sha256[32] = {
	0x5e, 0x85, 0x66, 0x79, 0xdc, 0x03, 0x31, 0xfc, 0xd4, 0xac, 0x56, 0x3f,
	0xa2, 0xc0, 0x42, 0xae, 0x4f, 0xd7, 0x84, 0xc4, 0x3b, 0xfd, 0x3c, 0x43,
	0x7b, 0x25, 0x77, 0xf0, 0x9a, 0x4e, 0xf3, 0x2c,
};

static const u8 v_a10_sha256[32] = {
	0x8c, 0x37, 0x4a, 0x53, 0x78, 0x26, 0x42, 0xf7, 0x51, 0x4d, 0x08, 0x7d,
	0x26, 0xa3, 0xe7, 0x33, 0xf1, 0xb8, 0x06, 0x00, 0x9a, 0x03, 0xe0, 0x4a,
	0x43, 0xb2, 0x88, 0xef, 0x2f, 0xa9, 0xf9, 0xc0,
};

static const u8 v_a16_sha1[20] = {
	0x00, 0x62, 0x99, 0x97, 0x20, 0x6c, 0x7d, 0x58, 0x7b, 0x4e, 0xd7, 0x9a,
	0xab, 0xc3, 0xdb, 0x58, 0xc3, 0x2e, 0x14, 0x92,
};

static const u8 v_a16_sha256[32] = {
	0x98, 0x51, 0x31, 0x20, 0x28, 0x95, 0x25, 0x21, 0x51, 0x0e, 0x8e, 0xaa,
	0xb5, 0xbe, 0x94, 0xe7, 0xdc, 0x24, 0xb5, 0xfc, 0x29, 0x2b, 0x2e, 0x97,
	0x81, 0x17, 0x3c, 0xf1, 0x1f, 0xfa, 0x98, 0x78,
};

static const u8 v_abort_body[41] = {
	0x01, 0x13, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x07,
};

static const u8 v_reset_body[33] = {
	0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0xa0, 0xa1,
	0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
	0xae, 0xaf, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00,
};

static const u8 v_sstate_body[33] = {
	0x01, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0xa0, 0xa1,
	0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad,
	0xae, 0xaf, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00,
};

static const u8 v_full_sha256[32] = {
	0xa6, 0x91, 0xf4, 0x76, 0x8c, 0x53, 0x5e, 0x75, 0x9d, 0xf2, 0xdc, 0xe9,
	0x05, 0x88, 0x43, 0xd0, 0x93, 0x7e, 0xfd, 0xaa, 0xb0, 0xdd, 0x09, 0x57,
	0x40, 0x96, 0xd5, 0xa3, 0x99, 0x21, 0x36, 0xe1,
};

static const u8 v_view_sha256[32] = {
	0x34, 0x13, 0x49, 0xf1, 0xcd, 0xc0, 0x53, 0x74, 0xdd, 0x5b, 0x4f, 0xef,
	0x20, 0x21, 0x30, 0x27, 0x38, 0x21, 0x57, 0x0b, 0x41, 0x57, 0x37, 0xef,
	0x48, 0xa3, 0x03, 0x2b, 0x96, 0x7e, 0x7a, 0x82,
};

static const char *const v_ascii[] = {
	"- ba408539789ce333627121e86d788008d88c4ebfa261080d639e81ac79c47596 "
	"vtpm-mux sha256:0000000000000000000000000000000000000000000000000000000000000000 "
	"create\n",
	"10 11e0546363bc3516aabfeccb8792094268f626e7c2af6e9828c54c74646c92b3 "
	"vtpm-mux sha256:ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb "
	"pcr_extend\n",
	"16 5126e41c83895c956f77bee4d5d984710f2cc127d152f1affb2fb398b7fbecf6 "
	"vtpm-mux sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 "
	"pcr_event\n",
};

/* (d) A's view of batches 0-5 (batch 4 voided) */
static const u8 v_view6[1369] = {
	0x56, 0x54, 0x50, 0x4d, 0x4c, 0x4f, 0x47, 0x00, 0x00, 0x02, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x04, 0x00, 0x0b, 0xa0, 0xa1, 0xa2,
	0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae,
	0xaf, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x06, 0x20, 0x09, 0xf9, 0x8a, 0xdf, 0x3a, 0x72, 0x6b, 0x01, 0x11, 0x9b,
	0x2b, 0xc2, 0x67, 0x04, 0x14, 0xef, 0xbf, 0x02, 0xe4, 0x61, 0xd0, 0x57,
	0x14, 0xfd, 0x32, 0xb1, 0x2a, 0x09, 0xee, 0x32, 0xa2, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x09, 0x74,
	0xbe, 0xcf, 0x91, 0xd7, 0x33, 0xff, 0xd8, 0xba, 0x4e, 0xa4, 0xac, 0x2e,
	0x1b, 0x0a, 0xe9, 0x19, 0x23, 0xd9, 0x44, 0xd0, 0x30, 0x5f, 0xde, 0x79,
	0x18, 0xb7, 0x95, 0x37, 0x2a, 0x7f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x7e, 0x01, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
	0x5d, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5,
	0xf6, 0xf7, 0xf8, 0xf9, 0xfa, 0xfb, 0xfc, 0xfd, 0xfe, 0xff, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x41,
	0x7b, 0x1b, 0xf9, 0x99, 0xe6, 0x72, 0x90, 0x94, 0x3e, 0xc5, 0xb0, 0x77,
	0xfe, 0x8e, 0x2e, 0x07, 0x1f, 0xf2, 0xd5, 0x7d, 0x47, 0xe8, 0xd4, 0xf2,
	0x8e, 0x49, 0x93, 0x4a, 0x46, 0x28, 0x18, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0x00, 0x2e, 0x01, 0x11, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0xff, 0xff, 0xff, 0xff, 0x00,
	0x00, 0x0d, 0x00, 0x00, 0x00, 0x00, 0x08, 0x74, 0x65, 0x6e, 0x61, 0x6e,
	0x74, 0x2d, 0x61, 0x00, 0xe7, 0x14, 0x39, 0x7f, 0x4b, 0x9d, 0x8d, 0x2e,
	0xba, 0xc2, 0x71, 0x34, 0x57, 0xd0, 0xb2, 0xfa, 0x74, 0x79, 0xa5, 0x77,
	0x79, 0x97, 0xba, 0x18, 0x87, 0xa9, 0x5a, 0x22, 0x81, 0x3c, 0x49, 0xdc,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02,
	0x01, 0x3b, 0x17, 0xd5, 0x08, 0x1d, 0x36, 0x98, 0xcc, 0x1b, 0x12, 0x2a,
	0xbe, 0xfc, 0xb8, 0x7e, 0xc6, 0x50, 0x34, 0x75, 0x99, 0x8a, 0xd2, 0xd3,
	0x27, 0x72, 0xa6, 0xce, 0x41, 0x8e, 0x57, 0x14, 0x77, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x03, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6,
	0xa7, 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00,
	0x0a, 0x01, 0x00, 0x0b, 0xca, 0x97, 0x81, 0x12, 0xca, 0x1b, 0xbd, 0xca,
	0xfa, 0xc2, 0x31, 0xb3, 0x9a, 0x23, 0xdc, 0x4d, 0xa7, 0x86, 0xef, 0xf8,
	0x14, 0x7c, 0x4e, 0x72, 0xb9, 0x80, 0x77, 0x85, 0xaf, 0xee, 0x48, 0xbb,
	0x00, 0x00, 0x00, 0x79, 0x3b, 0x77, 0x33, 0x81, 0x47, 0xb6, 0x9e, 0x2c,
	0x2f, 0x6d, 0x14, 0xc1, 0xea, 0xaf, 0x1d, 0xba, 0x0a, 0xb7, 0x99, 0x95,
	0x56, 0x96, 0x2d, 0x01, 0x5f, 0x54, 0xeb, 0xed, 0xd6, 0xc9, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00, 0x02, 0x01,
	0x2d, 0xd3, 0x87, 0xf2, 0x81, 0xf2, 0x59, 0xd5, 0x96, 0xd2, 0xc3, 0x51,
	0x78, 0x2f, 0xc3, 0xea, 0xa0, 0xc0, 0x4c, 0xe4, 0x4f, 0xe8, 0xde, 0x69,
	0x5a, 0x51, 0xf5, 0x8f, 0x42, 0x9e, 0xcb, 0xde, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x59, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x05, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x10,
	0x02, 0x00, 0x04, 0xaa, 0xf4, 0xc6, 0x1d, 0xdc, 0xc5, 0xe8, 0xa2, 0xda,
	0xbe, 0xde, 0x0f, 0x3b, 0x48, 0x2c, 0xd9, 0xae, 0xa9, 0x43, 0x4d, 0x00,
	0x0b, 0x2c, 0xf2, 0x4d, 0xba, 0x5f, 0xb0, 0xa3, 0x0e, 0x26, 0xe8, 0x3b,
	0x2a, 0xc5, 0xb9, 0xe2, 0x9e, 0x1b, 0x16, 0x1e, 0x5c, 0x1f, 0xa7, 0x42,
	0x5e, 0x73, 0x04, 0x33, 0x62, 0x93, 0x8b, 0x98, 0x24, 0x00, 0x00, 0x00,
	0x88, 0x62, 0x0c, 0xc5, 0x3a, 0xee, 0x7b, 0x30, 0x23, 0x37, 0xca, 0x94,
	0x1c, 0x3b, 0x99, 0xc8, 0x6b, 0xe0, 0x18, 0xc3, 0x0f, 0x37, 0xe2, 0x9d,
	0x7d, 0x98, 0x19, 0xfc, 0xa0, 0x24, 0xde, 0x13, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x03, 0x01, 0xd3, 0xbf, 0x1b,
	0x25, 0x7d, 0x5c, 0x84, 0xbf, 0x34, 0x09, 0xd6, 0x80, 0xc7, 0x6d, 0xad,
	0x27, 0x98, 0x8b, 0xe8, 0x9f, 0x06, 0xd1, 0x4d, 0x71, 0xb9, 0xea, 0x31,
	0xe6, 0xcd, 0xb4, 0x88, 0xb4, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0x00, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x07, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
	0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x00, 0x0b,
	0x2e, 0x7d, 0x2c, 0x03, 0xa9, 0x50, 0x7a, 0xe2, 0x65, 0xec, 0xf5, 0xb5,
	0x35, 0x68, 0x85, 0xa5, 0x33, 0x93, 0xa2, 0x02, 0x9d, 0x24, 0x13, 0x94,
	0x99, 0x72, 0x65, 0xa1, 0xa2, 0x5a, 0xef, 0xc6, 0x00, 0x00, 0x01, 0x77,
	0xb7, 0x91, 0x69, 0xa2, 0x4e, 0x3a, 0x55, 0x96, 0x51, 0x2f, 0x89, 0x97,
	0x62, 0xb6, 0x28, 0xb6, 0x19, 0x9d, 0x62, 0x19, 0x75, 0x1f, 0x9e, 0xce,
	0x22, 0x64, 0x37, 0xd3, 0xe4, 0x78, 0xbe, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0x00, 0x21, 0x01, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x08, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8,
	0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x45, 0x09, 0x12, 0x6c, 0x48, 0x26, 0x63, 0x6d, 0x49,
	0xd4, 0x6d, 0xdb, 0xd7, 0xbe, 0x50, 0xa1, 0xdf, 0xcb, 0x6f, 0x73, 0x1a,
	0x23, 0x48, 0x0e, 0x55, 0xec, 0x26, 0xc2, 0xc3, 0xc0, 0xf8, 0x40, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x02, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x29, 0x01, 0x13, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x01,
	0xf2, 0x55, 0x1d, 0x64, 0xf1, 0x9b, 0x1f, 0xec, 0x23, 0x33, 0x50, 0xa8,
	0xd6, 0xb0, 0x88, 0xc3, 0x3f, 0x45, 0x79, 0x84, 0xe4, 0x19, 0xc4, 0x36,
	0x8b, 0x8a, 0x80, 0x69, 0xca, 0x5d, 0xcf, 0xbd, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7, 0xa7,
	0xa7, 0xa7, 0xa7, 0xa7, 0x00, 0x43, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x0b, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf, 0x00, 0x00, 0x00, 0x0a,
	0x01, 0x00, 0x0b, 0x2e, 0x7d, 0x2c, 0x03, 0xa9, 0x50, 0x7a, 0xe2, 0x65,
	0xec, 0xf5, 0xb5, 0x35, 0x68, 0x85, 0xa5, 0x33, 0x93, 0xa2, 0x02, 0x9d,
	0x24, 0x13, 0x94, 0x99, 0x72, 0x65, 0xa1, 0xa2, 0x5a, 0xef, 0xc6, 0x00,
	0x00,
};

static const u8 v_view6_sha256[32] = {
	0x6b, 0xfd, 0x79, 0xe4, 0xf3, 0x37, 0x29, 0x79, 0x2b, 0xa4, 0x00, 0x06,
	0x82, 0x6d, 0x40, 0x59, 0x67, 0x4b, 0x47, 0x92, 0xe2, 0x17, 0x53, 0x2b,
	0x96, 0x89, 0x23, 0x78, 0x2b, 0xa5, 0x52, 0xe3,
};

static const u8 v_full6_sha256[32] = {
	0xdc, 0xcd, 0x6e, 0x06, 0x2f, 0x8a, 0x3e, 0xaa, 0x79, 0x7c, 0x1f, 0xc6,
	0x63, 0x83, 0xcd, 0xd9, 0x81, 0x12, 0xff, 0xd8, 0x5d, 0xb8, 0x1e, 0x00,
	0x5b, 0x02, 0x6e, 0x04, 0x20, 0xa8, 0xe1, 0xe3,
};

static const u8 v_pcr6_sha1[20] = {
	0x86, 0x50, 0xa7, 0xa5, 0x7e, 0x2a, 0x4e, 0x28, 0xf7, 0x3d, 0x17, 0x55,
	0xcc, 0xa2, 0xe1, 0x88, 0x38, 0x2e, 0xd3, 0x44,
};

static const u8 v_pcr6_sha256[32] = {
	0x75, 0xc0, 0xc5, 0xee, 0x0e, 0xf2, 0x06, 0x29, 0x27, 0xe2, 0x93, 0xd1,
	0xa4, 0xd8, 0xdc, 0xe4, 0x71, 0x9b, 0x43, 0x61, 0x0c, 0xa7, 0xa8, 0x16,
	0x44, 0xf5, 0x3b, 0x37, 0xe7, 0x92, 0x21, 0xae,
};

static const u8 v_a10_6_sha256[32] = {
	0x1a, 0x91, 0x8d, 0x3c, 0x87, 0xf4, 0x70, 0x7d, 0x9e, 0xdc, 0xd2, 0xd6,
	0xa2, 0xf4, 0xd6, 0xf9, 0xac, 0xd7, 0x2e, 0x24, 0x09, 0x86, 0x8d, 0x42,
	0xd0, 0x8f, 0xea, 0xeb, 0xcd, 0xef, 0xce, 0x64,
};

/* (e) A's chain after its first record (seq 1) */
static const u8 v_chain1[32] = {
	0xbe, 0xb2, 0x38, 0x08, 0x4c, 0xce, 0x21, 0x68, 0xcd, 0x79, 0x5d, 0xa4,
	0x25, 0xf8, 0xf1, 0x2a, 0x7a, 0xd9, 0x70, 0x0b, 0x5c, 0x92, 0x7b, 0x39,
	0x4e, 0x23, 0xfa, 0x6c, 0x78, 0xc0, 0xe2, 0x5e,
};

/* (e) (records, chain) of A, B, C at the cuts B = 1..6 */
static const struct vtpm_log_commit v_commit[6][3] = {
	{
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
	},
	{
		{ 1, {
			0xbe, 0xb2, 0x38, 0x08, 0x4c, 0xce, 0x21, 0x68,
			0xcd, 0x79, 0x5d, 0xa4, 0x25, 0xf8, 0xf1, 0x2a,
			0x7a, 0xd9, 0x70, 0x0b, 0x5c, 0x92, 0x7b, 0x39,
			0x4e, 0x23, 0xfa, 0x6c, 0x78, 0xc0, 0xe2, 0x5e,
		} },
		{ 1, {
			0xf9, 0x9c, 0x4d, 0x82, 0xd1, 0x5b, 0x62, 0xeb,
			0x57, 0x51, 0x5f, 0x4a, 0xb5, 0x09, 0x7c, 0x40,
			0xcf, 0x14, 0x1d, 0xab, 0x59, 0x02, 0xfc, 0xdb,
			0x4a, 0x3d, 0x9b, 0xd7, 0xf2, 0x4a, 0x39, 0x75,
		} },
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
	},
	{
		{ 2, {
			0x36, 0x78, 0x3a, 0x7a, 0x44, 0xca, 0x3a, 0xc8,
			0x7d, 0x15, 0x6b, 0x31, 0x85, 0x0a, 0x5a, 0x28,
			0x9e, 0x5f, 0xbf, 0x37, 0xab, 0x38, 0x9c, 0x06,
			0x42, 0xd4, 0xe3, 0x4a, 0x8b, 0x38, 0x17, 0x80,
		} },
		{ 2, {
			0xaf, 0x74, 0xfe, 0x46, 0x26, 0x2b, 0x97, 0xcc,
			0xd0, 0x5f, 0x47, 0x26, 0xf5, 0x7a, 0x8b, 0x6d,
			0x84, 0x88, 0x87, 0xf3, 0x0f, 0x44, 0x66, 0x1a,
			0xa0, 0x29, 0x35, 0xe1, 0x69, 0xf4, 0x53, 0xcf,
		} },
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
	},
	{
		{ 3, {
			0xe6, 0xb4, 0x02, 0x49, 0x21, 0x9e, 0x22, 0x84,
			0x13, 0x08, 0x8a, 0x62, 0xad, 0xd2, 0xd6, 0x4a,
			0xe3, 0xe2, 0xdd, 0x9d, 0xcf, 0xef, 0x8d, 0x44,
			0xfe, 0x72, 0x42, 0x2d, 0xb5, 0x2c, 0x74, 0xcb,
		} },
		{ 3, {
			0x66, 0x33, 0x03, 0x1a, 0x2e, 0x3c, 0xb4, 0x4f,
			0x0a, 0x0b, 0x8b, 0xdc, 0x3f, 0xfe, 0x97, 0xc1,
			0xc9, 0xc9, 0x2d, 0xfe, 0x66, 0x20, 0xd3, 0x9e,
			0xca, 0x2c, 0x78, 0x22, 0xe3, 0x6d, 0x23, 0x2a,
		} },
		{ 0, {
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
			0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		} },
	},
	{
		{ 5, {
			0x58, 0xfc, 0xea, 0x52, 0x6b, 0xb7, 0xed, 0xb5,
			0xb0, 0xcf, 0xb9, 0x46, 0x6c, 0x86, 0xe3, 0xfb,
			0xbc, 0x44, 0x29, 0x22, 0xe0, 0xa8, 0x69, 0xeb,
			0x02, 0x71, 0x79, 0x76, 0xa8, 0xd7, 0x4c, 0xdf,
		} },
		{ 3, {
			0x66, 0x33, 0x03, 0x1a, 0x2e, 0x3c, 0xb4, 0x4f,
			0x0a, 0x0b, 0x8b, 0xdc, 0x3f, 0xfe, 0x97, 0xc1,
			0xc9, 0xc9, 0x2d, 0xfe, 0x66, 0x20, 0xd3, 0x9e,
			0xca, 0x2c, 0x78, 0x22, 0xe3, 0x6d, 0x23, 0x2a,
		} },
		{ 1, {
			0xc5, 0x93, 0x18, 0x59, 0xd6, 0x27, 0xe9, 0x8f,
			0x21, 0xe5, 0xc4, 0xff, 0x44, 0xa4, 0x70, 0x2d,
			0xc8, 0xf2, 0xa9, 0xf7, 0x9d, 0x16, 0x72, 0x00,
			0xe5, 0xaa, 0x61, 0x27, 0xb1, 0x69, 0x1e, 0xa4,
		} },
	},
	{
		{ 6, {
			0x20, 0x09, 0xf9, 0x8a, 0xdf, 0x3a, 0x72, 0x6b,
			0x01, 0x11, 0x9b, 0x2b, 0xc2, 0x67, 0x04, 0x14,
			0xef, 0xbf, 0x02, 0xe4, 0x61, 0xd0, 0x57, 0x14,
			0xfd, 0x32, 0xb1, 0x2a, 0x09, 0xee, 0x32, 0xa2,
		} },
		{ 3, {
			0x66, 0x33, 0x03, 0x1a, 0x2e, 0x3c, 0xb4, 0x4f,
			0x0a, 0x0b, 0x8b, 0xdc, 0x3f, 0xfe, 0x97, 0xc1,
			0xc9, 0xc9, 0x2d, 0xfe, 0x66, 0x20, 0xd3, 0x9e,
			0xca, 0x2c, 0x78, 0x22, 0xe3, 0x6d, 0x23, 0x2a,
		} },
		{ 1, {
			0xc5, 0x93, 0x18, 0x59, 0xd6, 0x27, 0xe9, 0x8f,
			0x21, 0xe5, 0xc4, 0xff, 0x44, 0xa4, 0x70, 0x2d,
			0xc8, 0xf2, 0xa9, 0xf7, 0x9d, 0x16, 0x72, 0x00,
			0xe5, 0xaa, 0x61, 0x27, 0xb1, 0x69, 0x1e, 0xa4,
		} },
	},
};

/* (e) the nonce, "verifier-nonce-1" */
static const u8 v_nonce[16] = {
	0x76, 0x65, 0x72, 0x69, 0x66, 0x69, 0x65, 0x72, 0x2d, 0x6e, 0x6f, 0x6e,
	0x63, 0x65, 0x2d, 0x31,
};

/* (e) A's request value v2 at B = 4 */
static const u8 v_value4[32] = {
	0x14, 0xee, 0xde, 0x15, 0x98, 0x0a, 0x4a, 0x27, 0x20, 0x92, 0xaa, 0x7b,
	0x4e, 0x0a, 0x4d, 0xd0, 0xa9, 0xcb, 0xb6, 0x97, 0x6e, 0x25, 0xf4, 0xae,
	0xab, 0xdf, 0xe1, 0x75, 0x70, 0x91, 0x16, 0xda,
};

/* (e) A's request value v2 at B = 6 */
static const u8 v_value6[32] = {
	0x27, 0x9e, 0xb9, 0x78, 0x60, 0x87, 0x9c, 0xa8, 0x9f, 0xff, 0x54, 0x0e,
	0x28, 0x47, 0xc0, 0x18, 0x33, 0xbd, 0x58, 0x26, 0xca, 0x98, 0xcf, 0x4c,
	0x89, 0x3d, 0x96, 0xaa, 0xf8, 0x78, 0x3a, 0xb1,
};

/* END: generated by tools/testing/unit/mkvectors.py --c */

static const u8 uuid_a[16] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
	0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf,
};

static const u8 uuid_b[16] = {
	0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7,
	0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};

static const u8 uuid_c[16] = {
	0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7,
	0xc8, 0xc9, 0xca, 0xcb, 0xcc, 0xcd, 0xce, 0xcf,
};

static const u8 zero[64];

/* ------------------------------------------------------------------ */
/* Replay helpers                                                       */

static struct vtpm_replay *rp;
static struct vtpm_tpm *tenant;
static size_t tenant_size;

static int replay(const u8 *log, size_t len, const u8 *uuid, bool reconstruct)
{
	memset(rp, 0, sizeof(*rp));
	if (uuid)
		memcpy(rp->uuid, uuid, 16);
	if (reconstruct) {
		memset(tenant, 0x5a, tenant_size);
		rp->tenant = tenant;
	}
	return vtpm_log_replay(log, len, rp);
}

/*
 * vPCR @pcr of bank @bank of the instance replay reconstructed; if replay
 * reconstructed none (it failed, or the instance was not found), bytes that
 * match no expected value rather than a wild pointer.
 */
static const u8 *vpcr(u32 pcr, u32 bank)
{
	static const u8 none[64] = { 0x5a, 0xa5, 0x5a, 0xa5 };

	if (tenant->banks != &rp->banks || pcr >= VTPM_NUM_PCRS ||
	    bank >= rp->banks.nr)
		return none;
	return tenant->pcr + pcr * tenant->banks->stride +
	       tenant->banks->bank[bank].offset;
}

static bool pcr_is(u32 bank, const u8 *v)
{
	return !memcmp(rp->pcr[bank], v, rp->banks.bank[bank].size);
}

/* ------------------------------------------------------------------ */
/* The vector log: records, written with the API under test             */

#define VEC_RECS	12
#define VEC_BATCHES	6

/* the batch of each record: batches 0-3 are (a)-(c), 4 (voided) and 5 (d) */
static const u32 vec_batch[VEC_RECS] = { 0, 1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5 };

static const u8 *const vec_uuids[3] = { uuid_a, uuid_b, uuid_c };

static void vec_rec(int i, struct vtpm_log_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->seq = i;
	r->pcr = VTPM_LOG_NO_PCR;
	switch (i) {
	case 0:
		r->type = VTPM_REC_GENESIS;
		r->genesis.hw_pcr = 11;
		r->genesis.nr_banks = 2;
		r->genesis.start[0].alg = SHA1;
		r->genesis.start[1].alg = SHA256;
		r->genesis.reset_count = 7;
		r->genesis.restart_count = 1;
		r->genesis.clock = 0x123456789aULL;
		for (i = 0; i < 16; i++)
			r->genesis.log_id[i] = 0xf0 + i;
		break;
	case 1:
	case 2:
	case 9:
		r->type = VTPM_REC_CREATE;
		memcpy(r->uuid, vec_uuids[i == 9 ? 2 : i - 1], 16);
		r->create.index = i == 9 ? 2 : i - 1;
		strcpy(r->create.label, i == 1 ? "tenant-a" :
		       i == 2 ? "tenant-b" : "tenant-c");
		break;
	case 3:
	case 4:
	case 7:
	case 11:
		r->type = VTPM_REC_EXTEND;
		memcpy(r->uuid, i == 4 ? uuid_b : uuid_a, 16);
		r->pcr = 10;
		r->count = 1;
		r->d[0].alg = SHA256;
		ossl_hash(SHA256, i == 3 ? "a" : i == 4 ? "b" : "c", 1,
			  r->d[0].digest);
		break;
	case 5:
		r->type = VTPM_REC_EVENT;
		memcpy(r->uuid, uuid_a, 16);
		r->pcr = 16;
		r->count = 2;
		r->d[0].alg = SHA1;
		ossl_hash(SHA1, "hello", 5, r->d[0].digest);
		r->d[1].alg = SHA256;
		ossl_hash(SHA256, "hello", 5, r->d[1].digest);
		break;
	case 6:
		r->type = VTPM_REC_DESTROY;
		memcpy(r->uuid, uuid_b, 16);
		break;
	case 8:
		r->type = VTPM_REC_RESET;
		memcpy(r->uuid, uuid_a, 16);
		r->pcr = 16;
		break;
	case 10:
		r->type = VTPM_REC_ABORT;
		r->abort_batch = 4;
		break;
	}
}

/* the instance's tag: a7, b7 or c7 x 32; zero for GENESIS and ABORT */
static void vec_tag(const struct vtpm_log_rec *r, u8 *tag)
{
	memset(tag, r->uuid[0] ? r->uuid[0] | 0x07 : 0, 32);
}

struct vec_ent {
	struct vtpm_log_rec r;
	u8 body[VTPM_REC_MAX_BODY];
	size_t len;
	u8 salt[32];
	u8 tag[32];
	u8 leaf[32];
};

/* the vector records encoded, salted and sealed with the API under test */
static void vec_ents(struct vec_ent *e)
{
	int i;

	for (i = 0; i < VEC_RECS; i++) {
		vec_rec(i, &e[i].r);
		e[i].len = vtpm_rec_encode(&e[i].r, e[i].body,
					   sizeof(e[i].body));
		if (e[i].r.type == VTPM_REC_ABORT)
			memset(e[i].salt, 0, 32);
		else if (vtpm_rec_salt(v_key, 32, i, e[i].salt))
			memset(e[i].salt, 0xee, 32);
		vec_tag(&e[i].r, e[i].tag);
		if (vtpm_rec_leaf(e[i].salt, e[i].tag, e[i].body, e[i].len,
				  e[i].leaf))
			memset(e[i].leaf, 0xee, 32);
	}
}

/* the leaves of the vector records, with OpenSSL and the raw encoder */
static void ossl_vec_leaves(u8 lv[VEC_RECS][32])
{
	u8 body[VTPM_REC_MAX_BODY], salt[32], tag[32];
	struct vtpm_log_rec r;
	size_t len;
	int i;

	for (i = 0; i < VEC_RECS; i++) {
		vec_rec(i, &r);
		len = raw_encode(&r, body);
		if (r.type == VTPM_REC_ABORT)
			memset(salt, 0, 32);
		else
			ossl_salt(v_key, 32, i, salt);
		vec_tag(&r, tag);
		ossl_leaf(salt, tag, body, len, lv[i]);
	}
}

/* chain = SHA-256("vtpm-mux chain v1" || chain || leaf), with OpenSSL */
static void ossl_chain(u8 *chain, const u8 *leaf)
{
	ossl_hash4(SHA256, "vtpm-mux chain v1", 17, chain, 32, leaf, 32, "",
		   0, chain);
}

/* @uuid's commitment in the first @nb vector batches, with OpenSSL */
static void ossl_vec_commit(u8 lv[VEC_RECS][32], const u8 *uuid, u32 nb,
			    struct vtpm_log_commit *c)
{
	struct vtpm_log_rec r;
	int i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < VEC_RECS && vec_batch[i] < nb; i++) {
		vec_rec(i, &r);
		if (!memcmp(r.uuid, uuid, 16) && !is_zero(uuid, 16)) {
			ossl_chain(c->chain, lv[i]);
			c->records++;
		}
	}
}

/* the same with vtpm_commit_add() */
static int vec_commit(const struct vec_ent *e, const u8 *uuid, u32 nb,
		      struct vtpm_log_commit *c)
{
	int i, ret = 0;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < VEC_RECS && vec_batch[i] < nb && !ret; i++)
		if (!memcmp(e[i].r.uuid, uuid, 16) && !is_zero(uuid, 16))
			ret = vtpm_commit_add(c, e[i].leaf);
	return ret;
}

static bool commit_eq(const struct vtpm_log_commit *a,
		      const struct vtpm_log_commit *b)
{
	return a->records == b->records && !memcmp(a->chain, b->chain, 32);
}

/*
 * The vector log of the first @nb batches, written with vtpm_rec_encode,
 * _salt, _leaf, vtpm_commit_add and vtpm_log_wr_*: the full log (@view
 * NULL) or @view's view, whose header carries its commitment.
 */
static size_t vec_log(const u8 *view, u32 nb, u8 *buf, size_t cap)
{
	struct vtpm_log_header h = {
		.kind = view ? VTPM_LOG_VIEW : VTPM_LOG_FULL, .hw_pcr = 11,
		.nr_banks = 2, .algs = { SHA1, SHA256 }, .nr_batches = nb,
	};
	struct vec_ent *e = calloc(VEC_RECS, sizeof(*e));
	struct tpm_wr w;
	u32 b, n;
	int i;

	vec_ents(e);
	if (view) {
		memcpy(h.uuid, view, 16);
		if (vec_commit(e, view, nb, &h.commit)) {
			free(e);
			return 0;
		}
	}
	tpm_wr_init(&w, buf, cap);
	vtpm_log_wr_header(&w, &h);
	for (b = 0, i = 0; b < nb; b++) {
		for (n = 0; i + n < VEC_RECS && vec_batch[i + n] == b; n++)
			;
		vtpm_log_wr_batch(&w, b, n);
		for (; n; n--, i++) {
			if (!view || is_zero(e[i].r.uuid, 16) ||
			    !memcmp(e[i].r.uuid, view, 16))
				vtpm_log_wr_clear(&w, e[i].salt, e[i].tag,
						  e[i].body, e[i].len);
			else
				vtpm_log_wr_leaf(&w, e[i].leaf);
		}
	}
	free(e);
	return w.err ? 0 : w.pos;
}

/* the header of a view of @nr_banks banks: where its commitment is */
#define VIEW_RECORDS_AT(nr_banks)	(8 + 2 + 2 + 4 + 1 + 2 * (nr_banks) + \
					 16 + 8 + 8)
#define VIEW_CHAIN_AT(nr_banks)		(VIEW_RECORDS_AT(nr_banks) + 8)

/* the commitment a view's header carries */
static void view_commit(const u8 *view, u32 nr_banks,
			struct vtpm_log_commit *c)
{
	size_t at = VIEW_RECORDS_AT(nr_banks);

	c->records = (u64)get_unaligned_be32(view + at) << 32 |
		     get_unaligned_be32(view + at + 4);
	memcpy(c->chain, view + at + 8, 32);
}

/* write @c into the header of a view of @nr_banks banks */
static void set_view_commit(u8 *view, u32 nr_banks,
			    const struct vtpm_log_commit *c)
{
	put_be64(c->records, view + VIEW_RECORDS_AT(nr_banks));
	memcpy(view + VIEW_CHAIN_AT(nr_banks), c->chain, 32);
}

/* the request value v2, with OpenSSL */
static void ossl_attest_value(const u8 *log_id, u64 batches, const u8 *uuid,
			      const struct vtpm_log_commit *c, const u8 *nonce,
			      u8 nonce_len, u8 *out)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	u8 be[8];

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	EVP_DigestUpdate(ctx, "vtpm-mux attest v2", 18);
	EVP_DigestUpdate(ctx, log_id, 16);
	put_be64(batches, be);
	EVP_DigestUpdate(ctx, be, 8);
	EVP_DigestUpdate(ctx, uuid, 16);
	put_be64(c->records, be);
	EVP_DigestUpdate(ctx, be, 8);
	EVP_DigestUpdate(ctx, c->chain, 32);
	EVP_DigestUpdate(ctx, &nonce_len, 1);
	EVP_DigestUpdate(ctx, nonce, nonce_len);
	EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
}

struct ascii_ctx {
	char text[4096];
	size_t len;
	int calls;
	int stop_at;
	u64 last_seq;
	bool ordered;
	int unapplied;
};

static int on_rec(void *p, const struct vtpm_log_rec *r, const u8 *leaf,
		  u64 batch, bool applied)
{
	struct ascii_ctx *c = p;

	(void)batch;
	if (c->calls && r->seq <= c->last_seq)
		c->ordered = false;
	c->last_seq = r->seq;
	c->calls++;
	if (!applied)
		c->unapplied++;
	if (c->len < sizeof(c->text))
		c->len += vtpm_rec_ascii(r, leaf, c->text + c->len,
					 sizeof(c->text) - c->len);
	return c->stop_at && c->calls == c->stop_at ? -EINTR : 0;
}

/* print why a replay that should have succeeded failed */
static void why_not(int ret)
{
	if (ret)
		printf("# replay: %d, %s at %zu\n", ret,
		       rp->why ? rp->why : "(no reason)", rp->err_offset);
}

static void test_vectors(void)
{
	u8 out[64], ref[64], leaves[64], buf[2048], tag[32], pcr[64];
	u8 body[VTPM_REC_MAX_BODY];
	struct vtpm_log_commit c;
	struct vtpm_log_rec r, d;
	struct ascii_ctx ctx;
	size_t len, i;
	int ret;

	/* (a) salt, record body, leaf */
	ossl_salt(v_key, 32, 3, ref);
	CHECK(!memcmp(ref, v_salt3, 32), "vector: OpenSSL HMAC gives salt(3)");
	CHECK(!vtpm_rec_salt(v_key, 32, 3, out) && !memcmp(out, v_salt3, 32),
	      "vector: vtpm_rec_salt(key, 3) equals the vector");
	vec_rec(3, &r);
	len = vtpm_rec_encode(&r, body, sizeof(body));
	CHECK(len == sizeof(v_body3) && !memcmp(body, v_body3, len),
	      "vector: EXTEND body encodes byte for byte (%zu bytes)", len);
	vec_tag(&r, tag);
	ossl_leaf(v_salt3, tag, v_body3, sizeof(v_body3), ref);
	CHECK(!memcmp(ref, v_leaf3, 32), "vector: OpenSSL gives the leaf");
	CHECK(!vtpm_rec_leaf(v_salt3, tag, v_body3, sizeof(v_body3), out) &&
	      !memcmp(out, v_leaf3, 32), "vector: vtpm_rec_leaf equals the vector");
	CHECK(!vtpm_rec_decode(v_body3, sizeof(v_body3), &d) &&
	      !memcmp(&d, &r, sizeof(r)), "vector: the body decodes to the record");

	/* (b) one batch of two leaves, both banks, the hardware extend */
	memcpy(leaves, v_leaf3, 32);
	memcpy(leaves + 32, v_leaf4, 32);
	ossl_batch(SHA256, 2, leaves, 2, ref);
	CHECK(!memcmp(ref, v_batch2_sha256, 32) &&
	      !vtpm_batch_digest(SHA256, 2, leaves, 2, out) &&
	      !memcmp(out, v_batch2_sha256, 32),
	      "vector: batch digest sha256 (OpenSSL and vtpm_batch_digest)");
	ossl_batch(SHA1, 2, leaves, 2, ref);
	CHECK(!memcmp(ref, v_batch2_sha1, 20) &&
	      !vtpm_batch_digest(SHA1, 2, leaves, 2, out) &&
	      !memcmp(out, v_batch2_sha1, 20),
	      "vector: batch digest sha1 (OpenSSL and vtpm_batch_digest)");
	memcpy(ref, v_pcr1_sha256, 32);
	ossl_extend(SHA256, ref, v_batch2_sha256);
	memcpy(pcr, v_pcr1_sha256, 32);
	CHECK(!memcmp(ref, v_pcr2_sha256, 32) &&
	      !vtpm_pcr_extend_value(SHA256, pcr, v_batch2_sha256) &&
	      !memcmp(pcr, v_pcr2_sha256, 32), "vector: PCR extend sha256");
	memcpy(ref, v_pcr1_sha1, 20);
	ossl_extend(SHA1, ref, v_batch2_sha1);
	memcpy(pcr, v_pcr1_sha1, 20);
	CHECK(!memcmp(ref, v_pcr2_sha1, 20) &&
	      !vtpm_pcr_extend_value(SHA1, pcr, v_batch2_sha1) &&
	      !memcmp(pcr, v_pcr2_sha1, 20), "vector: PCR extend sha1");

	/* (c) the full log and the view of A */
	len = vec_log(NULL, 4, buf, sizeof(buf));
	CHECK(len == sizeof(v_full) && !memcmp(buf, v_full, len),
	      "vector: the full log is written byte for byte (%zu bytes)", len);
	len = vec_log(uuid_a, 4, buf, sizeof(buf));
	CHECK(len == sizeof(v_view) && !memcmp(buf, v_view, len),
	      "vector: the view of A (version 2, A's commitment in its "
	      "header) is written byte for byte (%zu bytes)", len);
	CHECK(get_unaligned_be16(v_full + 8) == 2 &&
	      get_unaligned_be16(v_view + 8) == 2 && VTPM_LOG_VERSION == 2,
	      "vector: both logs are of version 2");

	ossl_hash(SHA256, v_full, sizeof(v_full), out);
	ossl_hash(SHA256, v_view, sizeof(v_view), ref);
	CHECK(!memcmp(out, v_full_sha256, 32) && !memcmp(ref, v_view_sha256, 32),
	      "vector: SHA-256 of the full log and of the view as documented");

	/* the PCR chain recomputed with OpenSSL from the vector's records */
	{
		u8 p1[20] = { 0 }, p256[32] = { 0 }, lv[VEC_RECS][32], bd[64];
		bool at3 = false;
		u32 b, k;

		ossl_vec_leaves(lv);
		for (b = 0, k = 0; b < VEC_BATCHES; b++) {
			u32 n;

			for (n = 0; k + n < VEC_RECS && vec_batch[k + n] == b; n++)
				;
			ossl_batch(SHA1, b, lv[k], n, bd);
			ossl_extend(SHA1, p1, bd);
			ossl_batch(SHA256, b, lv[k], n, bd);
			ossl_extend(SHA256, p256, bd);
			k += n;
			if (b == 3)
				at3 = !memcmp(p1, v_pcr_sha1, 20) &&
				      !memcmp(p256, v_pcr_sha256, 32);
		}
		CHECK(at3 && !memcmp(p1, v_pcr6_sha1, 20) &&
		      !memcmp(p256, v_pcr6_sha256, 32),
		      "vector: OpenSSL replays the vector log to the vector PCRs "
		      "(after batch 3 and after batch 5)");
	}

	ret = replay(v_full, sizeof(v_full), NULL, false);
	why_not(ret);
	CHECK(!ret && pcr_is(0, v_pcr_sha1) && pcr_is(1, v_pcr_sha256) &&
	      rp->batches == 4 && rp->records == 7 && rp->clear == 7 &&
	      !rp->aborted && rp->genesis.hw_pcr == 11 &&
	      rp->genesis.reset_count == 7 && rp->genesis.clock ==
	      0x123456789aULL && !rp->commit.records &&
	      is_zero(rp->commit.chain, 32),
	      "vector: the full log replays to the vector PCRs (no uuid: "
	      "no commitment)");

	ret = replay(v_view, sizeof(v_view), uuid_a, true);
	why_not(ret);
	view_commit(v_view, 2, &c);
	CHECK(!ret && pcr_is(0, v_pcr_sha1) && pcr_is(1, v_pcr_sha256) &&
	      rp->records == 7 && rp->clear == 4 && rp->found &&
	      !rp->destroyed && rp->tenant_records == 3 &&
	      commit_eq(&rp->commit, &v_commit[3][0]) &&
	      commit_eq(&rp->hdr.commit, &v_commit[3][0]) &&
	      commit_eq(&c, &v_commit[3][0]),
	      "vector: the view of A replays to the same PCRs, with A's "
	      "commitment (3 records) in its header and in r->commit");
	ossl_extend(SHA256, memset(ref, 0, 32), v_body3 + 33);
	CHECK(!ret && !memcmp(vpcr(10, 1), v_a10_sha256, 32) &&
	      !memcmp(ref, v_a10_sha256, 32) &&
	      !memcmp(vpcr(16, 0), v_a16_sha1, 20) &&
	      !memcmp(vpcr(16, 1), v_a16_sha256, 32) &&
	      !memcmp(vpcr(10, 0), zero, 20) && vpcr(17, 1)[0] == 0xff,
	      "vector: A's vPCRs 10 and 16 reconstructed from its view");

	ret = replay(v_full, sizeof(v_full), uuid_a, true);
	why_not(ret);
	CHECK(!ret && rp->found && !memcmp(vpcr(10, 1), v_a10_sha256, 32) &&
	      !memcmp(vpcr(16, 1), v_a16_sha256, 32) &&
	      commit_eq(&rp->commit, &v_commit[3][0]),
	      "vector: the full log with r->uuid A: the same vPCRs, and the "
	      "commitment A's view carries");

	ret = replay(v_full, sizeof(v_full), uuid_b, true);
	why_not(ret);
	CHECK(!ret && rp->found && rp->destroyed && rp->tenant_records == 3 &&
	      commit_eq(&rp->commit, &v_commit[3][1]),
	      "vector: B in the full log: created, extended, destroyed; "
	      "its commitment");

	/* the ASCII list of A, through on_record */
	memset(&ctx, 0, sizeof(ctx));
	ctx.ordered = true;
	memset(rp, 0, sizeof(*rp));
	rp->on_record = on_rec;
	rp->ctx = &ctx;
	ret = vtpm_log_replay(v_view, sizeof(v_view), rp);
	len = 0;
	for (i = 0; i < ARRAY_SIZE(v_ascii); i++) {
		if (strncmp(ctx.text + len, v_ascii[i], strlen(v_ascii[i])))
			break;
		len += strlen(v_ascii[i]);
	}
	CHECK(!ret && ctx.calls == 4 && ctx.ordered && len == ctx.len &&
	      i == ARRAY_SIZE(v_ascii),
	      "vector: A's ASCII list from its view equals the vector");

	/* more record bodies */
	memset(&r, 0, sizeof(r));
	r.type = VTPM_REC_ABORT;
	r.seq = 9;
	r.pcr = VTPM_LOG_NO_PCR;
	r.abort_batch = 7;
	len = vtpm_rec_encode(&r, body, sizeof(body));
	CHECK(len == sizeof(v_abort_body) && !memcmp(body, v_abort_body, len) &&
	      !vtpm_rec_decode(body, len, &d) && !memcmp(&d, &r, sizeof(r)),
	      "vector: ABORT body");
	memset(&r, 0, sizeof(r));
	r.type = VTPM_REC_RESET;
	r.seq = 10;
	r.pcr = 16;
	memcpy(r.uuid, uuid_a, 16);
	len = vtpm_rec_encode(&r, body, sizeof(body));
	CHECK(len == sizeof(v_reset_body) && !memcmp(body, v_reset_body, len) &&
	      !vtpm_rec_decode(body, len, &d) && !memcmp(&d, &r, sizeof(r)),
	      "vector: RESET body");
	r.type = VTPM_REC_STARTUP_STATE;
	r.seq = 11;
	r.pcr = VTPM_LOG_NO_PCR;
	len = vtpm_rec_encode(&r, body, sizeof(body));
	CHECK(len == sizeof(v_sstate_body) &&
	      !memcmp(body, v_sstate_body, len) &&
	      !vtpm_rec_decode(body, len, &d) && !memcmp(&d, &r, sizeof(r)),
	      "vector: STARTUP_STATE body");
}

/* (d): a view with a voided batch */
static void test_vector_voided(void)
{
	u8 *buf = malloc(4096), out[32], ref[32];
	struct vtpm_log_commit c;
	struct ascii_ctx ctx;
	size_t len;
	int ret;

	len = vec_log(uuid_a, 6, buf, 4096);
	CHECK(len == sizeof(v_view6) && !memcmp(buf, v_view6, len),
	      "vector (d): A's view of batches 0-5 is written byte for byte "
	      "(%zu bytes)", len);
	ossl_hash(SHA256, v_view6, sizeof(v_view6), out);
	len = vec_log(NULL, 6, buf, 4096);
	ossl_hash(SHA256, buf, len, ref);
	CHECK(!memcmp(out, v_view6_sha256, 32) &&
	      !memcmp(ref, v_full6_sha256, 32),
	      "vector (d): SHA-256 of the view and of the full log of "
	      "batches 0-5 as documented");

	ret = replay(v_view6, sizeof(v_view6), uuid_a, true);
	why_not(ret);
	view_commit(v_view6, 2, &c);
	CHECK(!ret && pcr_is(0, v_pcr6_sha1) && pcr_is(1, v_pcr6_sha256) &&
	      rp->batches == 6 && rp->records == 12 && rp->clear == 8 &&
	      rp->aborted == 1,
	      "vector (d): A's view replays to the vector PCR (6 batches, "
	      "12 records, 8 in the clear, 1 ABORT)");
	CHECK(!ret && rp->found && !rp->destroyed && rp->tenant_records == 4 &&
	      commit_eq(&rp->commit, &v_commit[5][0]) &&
	      commit_eq(&c, &v_commit[5][0]) && c.records == 6,
	      "vector (d): A found, 4 records applied (not the 2 voided), 6 "
	      "in its commitment, header and replay alike");
	memset(ref, 0, 32);
	ossl_extend(SHA256, ref, v_body3 + 33);
	ossl_hash(SHA256, "c", 1, out);
	ossl_extend(SHA256, ref, out);
	CHECK(!ret && !memcmp(vpcr(10, 1), v_a10_6_sha256, 32) &&
	      !memcmp(ref, v_a10_6_sha256, 32) &&
	      !memcmp(vpcr(10, 0), zero, 20) &&
	      !memcmp(vpcr(16, 0), v_a16_sha1, 20) &&
	      !memcmp(vpcr(16, 1), v_a16_sha256, 32),
	      "vector (d): A's vPCR 10 extended once with SHA-256(\"c\"), "
	      "vPCR 16 not reset (the voided batch is not applied)");

	memset(&ctx, 0, sizeof(ctx));
	ctx.ordered = true;
	memset(rp, 0, sizeof(*rp));
	rp->on_record = on_rec;
	rp->ctx = &ctx;
	ret = vtpm_log_replay(v_view6, sizeof(v_view6), rp);
	CHECK(!ret && ctx.calls == 8 && ctx.unapplied == 2 && ctx.ordered,
	      "vector (d): on_record sees A's view's 8 clear records, seq 7 "
	      "and 8 with applied false");

	ret = replay(buf, len, uuid_c, true);
	why_not(ret);
	CHECK(!ret && !rp->found && !rp->tenant_records &&
	      commit_eq(&rp->commit, &v_commit[5][2]) && c.records,
	      "vector (d): C (its CREATE voided) is not found in the full log, "
	      "and has 1 record in its commitment");
	ret = replay(buf, len, uuid_b, true);
	why_not(ret);
	CHECK(!ret && rp->found && rp->destroyed &&
	      commit_eq(&rp->commit, &v_commit[5][1]),
	      "vector (d): B in the full log of batches 0-5");
	free(buf);
}

/* (e): the commitment at each cut, and the request value */
static void test_vector_commit(void)
{
	static const u8 uuid_d[16] = { 0xd0, 0xd1, 0xd2, 0xd3 };
	u8 *buf = malloc(4096), lv[VEC_RECS][32], out[32], ref[32];
	struct vec_ent *e = calloc(VEC_RECS, sizeof(*e));
	bool api_ok = true, ossl_ok = true, full_ok = true, view_ok = true;
	struct vtpm_log_commit c, h;
	u32 nb, k;
	size_t len;
	int ret;

	vec_ents(e);
	ossl_vec_leaves(lv);
	memset(&c, 0, sizeof(c));
	memset(ref, 0, 32);
	ossl_chain(ref, lv[1]);
	CHECK(!memcmp(e[1].leaf, lv[1], 32) && !vtpm_commit_add(&c, e[1].leaf) &&
	      c.records == 1 && !memcmp(c.chain, v_chain1, 32) &&
	      !memcmp(ref, v_chain1, 32),
	      "vector (e): A's first chain step, vtpm_commit_add and OpenSSL");

	for (nb = 1; nb <= VEC_BATCHES; nb++) {
		for (k = 0; k < 3; k++) {
			const struct vtpm_log_commit *want = &v_commit[nb - 1][k];

			api_ok &= !vec_commit(e, vec_uuids[k], nb, &c) &&
				  commit_eq(&c, want);
			ossl_vec_commit(lv, vec_uuids[k], nb, &c);
			ossl_ok &= commit_eq(&c, want);
			len = vec_log(NULL, nb, buf, 4096);
			ret = replay(buf, len, vec_uuids[k], false);
			why_not(ret);
			full_ok &= !ret && commit_eq(&rp->commit, want);
			len = vec_log(vec_uuids[k], nb, buf, 4096);
			view_commit(buf, 2, &h);
			ret = replay(buf, len, vec_uuids[k], false);
			why_not(ret);
			view_ok &= !ret && commit_eq(&rp->commit, want) &&
				   commit_eq(&h, want);
		}
	}
	CHECK(api_ok, "vector (e): A's, B's and C's commitments at the cuts "
	      "B = 1..6 with vtpm_commit_add equal the vector");
	CHECK(ossl_ok, "vector (e): ... and with OpenSSL");
	CHECK(full_ok, "vector (e): ... and a replay of the full log of B "
	      "batches with r->uuid reports them");
	CHECK(view_ok, "vector (e): ... and each view of B batches carries "
	      "them in its header and replays, reporting them");

	/* B = 5: batch 4 is not voided yet; at B = 6 it is */
	len = vec_log(NULL, 5, buf, 4096);
	ret = replay(buf, len, uuid_c, true);
	CHECK(!ret && rp->found && !rp->aborted &&
	      commit_eq(&rp->commit, &v_commit[4][2]),
	      "vector (e): at B = 5 batch 4 is not voided yet: C is found");
	len = vec_log(uuid_a, 5, buf, 4096);
	ret = replay(buf, len, uuid_a, true);
	ossl_hash(SHA256, "c", 1, out);
	memcpy(ref, v_a10_sha256, 32);
	ossl_extend(SHA256, ref, out);
	CHECK(!ret && rp->tenant_records == 5 &&
	      !memcmp(vpcr(10, 1), ref, 32) &&
	      is_zero(vpcr(16, 1), 32) &&
	      commit_eq(&rp->commit, &v_commit[4][0]),
	      "vector (e): A's view at B = 5 applies seq 7 and 8 (vPCR 16 "
	      "reset), its commitment has 5 records");

	/* an instance a log or view does not know: 0 records, zero chain */
	len = vec_log(uuid_a, 1, buf, 4096);
	ret = replay(buf, len, uuid_a, true);
	CHECK(!ret && !rp->found && !rp->commit.records &&
	      is_zero(rp->commit.chain, 32) && !rp->hdr.commit.records &&
	      is_zero(rp->hdr.commit.chain, 32),
	      "commitment: A's view of batch 0 alone (before its CREATE): "
	      "found false, 0 records, zero chain");
	len = vec_log(NULL, 6, buf, 4096);
	ret = replay(buf, len, uuid_d, true);
	CHECK(!ret && !rp->found && !rp->commit.records &&
	      is_zero(rp->commit.chain, 32),
	      "commitment: an instance the full log does not know: found "
	      "false, 0 records, zero chain");
	ret = replay(v_view6, sizeof(v_view6), uuid_b, true);
	CHECK(!ret && !rp->found && commit_eq(&rp->commit, &v_commit[5][0]),
	      "commitment: A's view replayed with r->uuid B: B not found, the "
	      "commitment reported is the view's instance's (A's)");

	/* the request value v2 */
	ossl_attest_value(e[0].r.genesis.log_id, 4, uuid_a, &v_commit[3][0],
			  v_nonce, sizeof(v_nonce), ref);
	CHECK(!memcmp(ref, v_value4, 32) &&
	      !vtpm_attest_value(e[0].r.genesis.log_id, 4, uuid_a,
				 &v_commit[3][0], v_nonce, sizeof(v_nonce),
				 out) && !memcmp(out, v_value4, 32),
	      "vector (e): A's request value v2 at B = 4 (OpenSSL and "
	      "vtpm_attest_value)");
	ossl_attest_value(e[0].r.genesis.log_id, 6, uuid_a, &v_commit[5][0],
			  v_nonce, sizeof(v_nonce), ref);
	CHECK(!memcmp(ref, v_value6, 32) &&
	      !vtpm_attest_value(e[0].r.genesis.log_id, 6, uuid_a,
				 &v_commit[5][0], v_nonce, sizeof(v_nonce),
				 out) && !memcmp(out, v_value6, 32),
	      "vector (e): A's request value v2 at B = 6");
	/* as a verifier computes it: from the view it was given */
	ret = replay(v_view, sizeof(v_view), uuid_a, false);
	CHECK(!ret && !vtpm_attest_value(rp->genesis.log_id, rp->batches,
					 rp->hdr.uuid, &rp->hdr.commit,
					 v_nonce, sizeof(v_nonce), out) &&
	      !memcmp(out, v_value4, 32),
	      "vector (e): the value from what A's view says (log_id, B, "
	      "uuid, header commitment) is the vector");
	free(e);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Records: round trips and rejections                                  */

/* a valid record of each type, its fields from @s */
static void some_rec(u8 type, u64 *s, struct vtpm_log_rec *r)
{
	u32 i;

	memset(r, 0, sizeof(*r));
	r->type = type;
	r->seq = rnd_next(s);
	r->pcr = VTPM_LOG_NO_PCR;
	if (type != VTPM_REC_GENESIS && type != VTPM_REC_ABORT) {
		rnd_bytes(s, r->uuid, 16);
		r->uuid[0] |= 1;
	}
	switch (type) {
	case VTPM_REC_EXTEND:
		r->count = 1 + rnd(s, 8);
		for (i = 0; i < r->count; i++) {
			r->d[i].alg = all_algs[rnd(s, 4)];
			rnd_bytes(s, r->d[i].digest, dsize(r->d[i].alg));
		}
		r->pcr = rnd(s, 24);
		break;
	case VTPM_REC_EVENT:
		r->count = 4;
		for (i = 0; i < 4; i++) {
			r->d[i].alg = all_algs[i];
			rnd_bytes(s, r->d[i].digest, dsize(all_algs[i]));
		}
		r->pcr = rnd(s, 24);
		break;
	case VTPM_REC_RESET:
		r->pcr = rnd(s, 24);
		break;
	case VTPM_REC_GENESIS:
		r->genesis.hw_pcr = rnd(s, 24);
		r->genesis.nr_banks = 4;
		for (i = 0; i < 4; i++) {
			r->genesis.start[i].alg = all_algs[3 - i];
			rnd_bytes(s, r->genesis.start[i].digest,
				  dsize(all_algs[3 - i]));
		}
		r->genesis.reset_count = rnd_next(s);
		r->genesis.restart_count = rnd_next(s);
		r->genesis.clock = rnd_next(s);
		rnd_bytes(s, r->genesis.log_id, 16);
		break;
	case VTPM_REC_CREATE:
		r->create.index = rnd_next(s);
		for (i = 0; i < rnd(s, 64); i++)
			r->create.label[i] = 0x20 + rnd(s, 0x5f);
		break;
	case VTPM_REC_ABORT:
		r->abort_batch = rnd_next(s);
		break;
	}
}

static const u8 rec_types[] = {
	VTPM_REC_EXTEND, VTPM_REC_EVENT, VTPM_REC_RESET,
	VTPM_REC_STARTUP_CLEAR, VTPM_REC_STARTUP_STATE, VTPM_REC_GENESIS,
	VTPM_REC_CREATE, VTPM_REC_DESTROY, VTPM_REC_ABORT,
};

static void test_roundtrip(void)
{
	u8 body[VTPM_REC_MAX_BODY], raw[VTPM_REC_MAX_BODY], again[2048];
	struct vtpm_log_rec r, d;
	unsigned int t, k;
	u64 s = 42;

	for (t = 0; t < ARRAY_SIZE(rec_types); t++) {
		bool ok = true, trunc = true, small = true;
		size_t len = 0, max = 0, n;

		for (k = 0; k < 200; k++) {
			some_rec(rec_types[t], &s, &r);
			len = vtpm_rec_encode(&r, body, sizeof(body));
			n = raw_encode(&r, raw);
			ok &= len && len == n && !memcmp(body, raw, len);
			ok &= !vtpm_rec_decode(body, len, &d) &&
			      !memcmp(&d, &r, sizeof(r));
			ok &= vtpm_rec_encode(&d, again, sizeof(again)) == len &&
			      !memcmp(again, body, len);
			for (n = 0; n < len && k < 20; n++) {
				trunc &= vtpm_rec_decode(body, n, &d) == -EINVAL;
				small &= !vtpm_rec_encode(&r, again, n);
			}
			body[len] = 0;
			trunc &= vtpm_rec_decode(body, len + 1, &d) == -EINVAL;
			if (len > max)
				max = len;
		}
		CHECK(ok, "%s: 200 random records encode as the independent "
		      "encoder does, decode and re-encode identically (max %zu "
		      "bytes)", vtpm_rec_type_name(rec_types[t]), max);
		CHECK(trunc, "%s: decode rejects every truncation and a "
		      "trailing byte", vtpm_rec_type_name(rec_types[t]));
		CHECK(small, "%s: encode returns 0 when the body does not fit",
		      vtpm_rec_type_name(rec_types[t]));
	}
}

/* one malformed body: built from a valid record @r and patched */
struct bad_case {
	const char *what;
	u8 type;
	int expect;
};

static const struct bad_case bad_cases[] = {
	{ "version 0", VTPM_REC_EXTEND, -EBADMSG },
	{ "version 2", VTPM_REC_CREATE, -EBADMSG },
	{ "type 0", VTPM_REC_EXTEND, -EBADMSG },
	{ "type 6", VTPM_REC_EXTEND, -EBADMSG },
	{ "type 15", VTPM_REC_EXTEND, -EBADMSG },
	{ "type 20", VTPM_REC_DESTROY, -EBADMSG },
	{ "type 255", VTPM_REC_DESTROY, -EBADMSG },
	{ "EXTEND with a zero uuid", VTPM_REC_EXTEND, -EINVAL },
	{ "CREATE with a zero uuid", VTPM_REC_CREATE, -EINVAL },
	{ "GENESIS with a uuid", VTPM_REC_GENESIS, -EINVAL },
	{ "ABORT with a uuid", VTPM_REC_ABORT, -EINVAL },
	{ "EXTEND of vPCR 24", VTPM_REC_EXTEND, -EINVAL },
	{ "EVENT of vPCR 0xffffffff", VTPM_REC_EVENT, -EINVAL },
	{ "RESET of vPCR 100", VTPM_REC_RESET, -EINVAL },
	{ "CREATE with vPCR 0", VTPM_REC_CREATE, -EINVAL },
	{ "STARTUP_CLEAR with vPCR 3", VTPM_REC_STARTUP_CLEAR, -EINVAL },
	{ "GENESIS with vPCR 23", VTPM_REC_GENESIS, -EINVAL },
	{ "EXTEND with no digest", VTPM_REC_EXTEND, -EINVAL },
	{ "EXTEND with 9 digests", VTPM_REC_EXTEND, -EINVAL },
	{ "EVENT with no digest", VTPM_REC_EVENT, -EINVAL },
	{ "EVENT with two sha256 digests", VTPM_REC_EVENT, -EINVAL },
	{ "RESET with a digest", VTPM_REC_RESET, -EINVAL },
	{ "DESTROY with a digest", VTPM_REC_DESTROY, -EINVAL },
	{ "GENESIS with a digest", VTPM_REC_GENESIS, -EINVAL },
	{ "EXTEND with unknown algorithm 0x0012", VTPM_REC_EXTEND, -EINVAL },
	{ "EXTEND with algorithm 0 (TPM_ALG_ERROR)", VTPM_REC_EXTEND, -EINVAL },
	{ "EXTEND digest cut short", VTPM_REC_EXTEND, -EINVAL },
	{ "EXTEND with xlen 1", VTPM_REC_EXTEND, -EINVAL },
	{ "STARTUP_STATE with xlen 2", VTPM_REC_STARTUP_STATE, -EINVAL },
	{ "CREATE xlen one short", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE xlen one long", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE xlen 0", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE label of 64 bytes", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE label with 0x1f", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE label with 0x7f", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE label with NUL", VTPM_REC_CREATE, -EINVAL },
	{ "CREATE label with 0xe9", VTPM_REC_CREATE, -EINVAL },
	{ "GENESIS with 0 banks", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS with 9 banks", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS with an unknown bank", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS with a bank twice", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS xlen one short", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS xlen one long", VTPM_REC_GENESIS, -EINVAL },
	{ "ABORT xlen 0", VTPM_REC_ABORT, -EINVAL },
	{ "ABORT xlen 9", VTPM_REC_ABORT, -EINVAL },
	{ "a trailing byte", VTPM_REC_RESET, -EINVAL },
	{ "an empty body", VTPM_REC_RESET, -EINVAL },
	{ "GENESIS with hardware PCR 24", VTPM_REC_GENESIS, -EINVAL },
	{ "GENESIS with hardware PCR 0xffffffff", VTPM_REC_GENESIS, -EINVAL },
};

/* @b holds the valid body of @r (@len bytes): make it case @i */
static size_t make_bad(unsigned int i, struct vtpm_log_rec *r, u8 *b,
		       size_t len)
{
	size_t xl = 31;	/* offset of xlen */
	u32 k;

	for (k = 0; k < r->count; k++)
		xl += 2 + dsize(r->d[k].alg);
	switch (i) {
	case 0:
		b[0] = 0;
		break;
	case 1:
		b[0] = 2;
		break;
	case 2:
		b[1] = 0;
		break;
	case 3:
		b[1] = 6;
		break;
	case 4:
		b[1] = 15;
		break;
	case 5:
		b[1] = 20;
		break;
	case 6:
		b[1] = 255;
		break;
	case 7:
	case 8:
		memset(b + 10, 0, 16);
		break;
	case 9:
	case 10:
		b[25] = 1;
		break;
	case 11:
		put_unaligned_be32(24, b + 26);
		break;
	case 12:
		put_unaligned_be32(0xffffffff, b + 26);
		break;
	case 13:
		put_unaligned_be32(100, b + 26);
		break;
	case 14:
		put_unaligned_be32(0, b + 26);
		break;
	case 15:
		put_unaligned_be32(3, b + 26);
		break;
	case 16:
		put_unaligned_be32(23, b + 26);
		break;
	case 17:
	case 19:
		r->count = 0;
		return raw_encode(r, b);
	case 18:	/* 8 digests, then the count says 9 and a 9th is added */
		r->count = 8;
		for (k = 0; k < 8; k++)
			r->d[k].alg = SHA256;
		len = raw_encode(r, b);
		b[30] = 9;
		memmove(b + 31 + 34, b + 31, len - 31);
		put_unaligned_be16(SHA256, b + 31);
		return len + 34;
	case 20:
		r->d[2].alg = SHA256;
		return raw_encode(r, b);
	case 21:
	case 22:
	case 23:
		r->count = 1;
		r->d[0].alg = SHA256;
		return raw_encode(r, b);
	case 24:
		put_unaligned_be16(0x0012, b + 31);
		break;
	case 25:
		put_unaligned_be16(0, b + 31);
		break;
	case 26:	/* 40 of the 64 bytes of a sha512 digest */
		r->count = 1;
		r->d[0].alg = SHA512;
		raw_encode(r, b);
		return 31 + 2 + 40;
	case 27:
	case 28:
		put_unaligned_be16(i == 27 ? 1 : 2, b + xl);
		memset(b + len, 0, 2);
		return len + (i == 27 ? 1 : 2);
	case 29:
	case 41:	/* xlen one short: the last byte is gone */
		put_unaligned_be16(get_unaligned_be16(b + xl) - 1, b + xl);
		return len - 1;
	case 30:
	case 42:	/* xlen one long: a byte more */
		put_unaligned_be16(get_unaligned_be16(b + xl) + 1, b + xl);
		b[len] = 'x';
		return len + 1;
	case 31:
	case 43:
		put_unaligned_be16(0, b + xl);
		return xl + 2;
	case 32:
		memset(r->create.label, 'x', 64);
		return raw_encode(r, b);
	case 33:
	case 34:
	case 35:
	case 36:
		memset(r->create.label, 0, sizeof(r->create.label));
		strcpy(r->create.label, "tenant");
		len = raw_encode(r, b);
		b[len - 3] = i == 33 ? 0x1f : i == 34 ? 0x7f : i == 35 ? 0 :
			     0xe9;
		return len;
	case 37:
		r->genesis.nr_banks = 0;
		return raw_encode(r, b);
	case 38:
		b[xl + 2 + 4] = 9;
		break;
	case 39:
		put_unaligned_be16(0x0011, b + xl + 7);
		break;
	case 40:
		r->genesis.start[1].alg = r->genesis.start[0].alg;
		return raw_encode(r, b);
	case 44:
		put_unaligned_be16(9, b + xl);
		b[len] = 0;
		return len + 1;
	case 45:
		b[len] = 0;
		return len + 1;
	case 46:
		return 0;
	case 47:
	case 48:
		put_unaligned_be32(i == 47 ? 24 : 0xffffffff, b + xl + 2);
		break;
	}
	return len;
}

static void test_decode_rejects(void)
{
	u8 b[2 * VTPM_REC_MAX_BODY];
	struct vtpm_log_rec r, d;
	unsigned int i;
	u64 s = 7;
	size_t len;
	int ret;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		some_rec(bad_cases[i].type, &s, &r);
		memset(b, 0, sizeof(b));
		len = raw_encode(&r, b);
		if (vtpm_rec_decode(b, len, &d)) {
			CHECK(0, "decode: the base record of \"%s\" is valid",
			      bad_cases[i].what);
			continue;
		}
		len = make_bad(i, &r, b, len);
		ret = vtpm_rec_decode(b, len, &d);
		CHECK(ret == bad_cases[i].expect, "decode rejects %s (%d)",
		      bad_cases[i].what, ret);
	}

	/* edges that are valid */
	some_rec(VTPM_REC_CREATE, &s, &r);
	memset(r.create.label, 0, sizeof(r.create.label));
	len = vtpm_rec_encode(&r, b, sizeof(b));
	CHECK(len && !vtpm_rec_decode(b, len, &d) && !d.create.label[0],
	      "decode: an empty label is valid");
	memset(r.create.label, '~', 63);
	r.create.label[0] = ' ';
	len = vtpm_rec_encode(&r, b, sizeof(b));
	CHECK(len && !vtpm_rec_decode(b, len, &d) &&
	      strlen(d.create.label) == 63,
	      "decode: a label of 63 bytes from ' ' to '~' is valid");
	some_rec(VTPM_REC_EXTEND, &s, &r);
	r.count = 8;
	for (i = 0; i < 8; i++)
		r.d[i].alg = SHA256;
	len = vtpm_rec_encode(&r, b, sizeof(b));
	CHECK(len && !vtpm_rec_decode(b, len, &d) && d.count == 8,
	      "decode: an EXTEND of 8 digests of one bank (command order) "
	      "is valid");
	some_rec(VTPM_REC_GENESIS, &s, &r);
	r.genesis.nr_banks = 1;
	len = vtpm_rec_encode(&r, b, sizeof(b));
	CHECK(len && !vtpm_rec_decode(b, len, &d) && d.genesis.nr_banks == 1,
	      "decode: a GENESIS of one bank is valid");

	/* the encoder refuses what the decoder refuses */
	{
		struct {
			const char *what;
			u8 type;
			int field;
		} enc[] = {
			{ "unknown type", 7, 0 },
			{ "zero uuid", VTPM_REC_EXTEND, 1 },
			{ "uuid in GENESIS", VTPM_REC_GENESIS, 2 },
			{ "vPCR 24", VTPM_REC_RESET, 3 },
			{ "vPCR in DESTROY", VTPM_REC_DESTROY, 4 },
			{ "no digest in EVENT", VTPM_REC_EVENT, 5 },
			{ "9 digests", VTPM_REC_EXTEND, 6 },
			{ "unknown algorithm", VTPM_REC_EXTEND, 7 },
			{ "64-byte label", VTPM_REC_CREATE, 8 },
			{ "label with 0x7f", VTPM_REC_CREATE, 9 },
			{ "genesis of 0 banks", VTPM_REC_GENESIS, 10 },
			{ "genesis bank twice", VTPM_REC_GENESIS, 11 },
			{ "genesis unknown bank", VTPM_REC_GENESIS, 13 },
			{ "digest in STARTUP_CLEAR",
			  VTPM_REC_STARTUP_CLEAR, 12 },
			{ "genesis hardware PCR 24", VTPM_REC_GENESIS, 14 },
			{ "genesis hardware PCR 0xffffffff",
			  VTPM_REC_GENESIS, 15 },
		};
		bool ok = true;

		for (i = 0; i < ARRAY_SIZE(enc); i++) {
			some_rec(enc[i].type == 7 ? VTPM_REC_DESTROY :
				 enc[i].type, &s, &r);
			switch (enc[i].field) {
			case 0:
				r.type = 7;
				break;
			case 1:
				memset(r.uuid, 0, 16);
				break;
			case 2:
				r.uuid[3] = 1;
				break;
			case 3:
				r.pcr = 24;
				break;
			case 4:
				r.pcr = 1;
				break;
			case 5:
				r.count = 0;
				break;
			case 6:
				r.count = 9;
				break;
			case 7:
				r.d[0].alg = 0x0012;
				break;
			case 8:
				memset(r.create.label, 'a', 64);
				break;
			case 9:
				r.create.label[0] = 0x7f;
				break;
			case 10:
				r.genesis.nr_banks = 0;
				break;
			case 11:
				r.genesis.start[3].alg = SHA512;
				break;
			case 12:
				r.count = 1;
				r.d[0].alg = SHA1;
				break;
			case 13:
				r.genesis.start[2].alg = 0x0012;
				break;
			case 14:
				r.genesis.hw_pcr = 24;
				break;
			case 15:
				r.genesis.hw_pcr = 0xffffffff;
				break;
			}
			if (vtpm_rec_encode(&r, b, sizeof(b))) {
				ok = false;
				printf("# encoded: %s\n", enc[i].what);
			}
		}
		CHECK(ok, "encode refuses %zu kinds of invalid records",
		      ARRAY_SIZE(enc));
	}
}

/* ------------------------------------------------------------------ */
/*
 * A log generator: records as the kernel would write them, salts and
 * leaves computed with OpenSSL, and a model of every tenant's vPCRs kept
 * with OpenSSL (PC Client initial values) to compare the replay with.
 */

#define MAX_ENTS	4096
#define MAX_TENANTS	320
#define MAX_BATCHES	512

struct ent {
	u64 batch;
	int owner;		/* tenant, -1: a global record */
	bool as_leaf;		/* write as a LEAF even where it is clear */
	bool force_clear;	/* write in the clear even in others' views */
	u8 salt[32];
	u8 tag[32];
	u8 leaf[32];
	u16 len;
	u8 body[VTPM_REC_MAX_BODY];
	size_t off;		/* in the log written last */
};

struct tenant {
	u8 uuid[16];
	u8 tag[32];
	char label[64];
	const u8 *salt_key;	/* NULL: the log's key */
	bool created;
	bool destroyed;
	u64 drng;		/* its digests */
	u8 v[VTPM_NUM_PCRS][VTPM_MAX_BANKS][64];
};

struct gen {
	u32 nr_banks;
	u16 algs[VTPM_MAX_BANKS];
	u32 hw_pcr;
	u8 key[32];
	u8 start[VTPM_MAX_BANKS][64];
	u64 rng;
	u32 nr_tenants;
	struct tenant t[MAX_TENANTS];
	struct ent e[MAX_ENTS];
	size_t n;
	u64 batch;		/* being filled */
	bool voided;		/* it will be voided by an ABORT */
	u64 nr_voided;
	size_t voided_recs;
	size_t boff[MAX_BATCHES];	/* batch offsets, last log written */
	u8 pcr[VTPM_MAX_BANKS][64];	/* expected, by gen_finish() */
	int enc_mismatch;
};

static int bank_of(const struct gen *g, u16 alg)
{
	u32 i;

	for (i = 0; i < g->nr_banks; i++)
		if (g->algs[i] == alg)
			return i;
	return -1;
}

static void model_init(struct gen *g, struct tenant *t, u32 pcr)
{
	u32 b;

	for (b = 0; b < g->nr_banks; b++)
		memset(t->v[pcr][b], pcr >= 17 && pcr <= 22 ? 0xff : 0,
		       dsize(g->algs[b]));
}

static void model_apply(struct gen *g, struct tenant *t,
			const struct vtpm_log_rec *r)
{
	u32 i;

	switch (r->type) {
	case VTPM_REC_CREATE:
	case VTPM_REC_STARTUP_CLEAR:
		for (i = 0; i < VTPM_NUM_PCRS; i++)
			model_init(g, t, i);
		break;
	case VTPM_REC_STARTUP_STATE:
		for (i = 16; i < VTPM_NUM_PCRS; i++)
			model_init(g, t, i);
		break;
	case VTPM_REC_RESET:
		model_init(g, t, r->pcr);
		break;
	case VTPM_REC_EXTEND:
	case VTPM_REC_EVENT:
		for (i = 0; i < r->count; i++)
			if (bank_of(g, r->d[i].alg) >= 0)
				ossl_extend(r->d[i].alg,
					    t->v[r->pcr][bank_of(g, r->d[i].alg)],
					    r->d[i].digest);
		break;
	}
}

/* append a record (its seq is its position) */
static void gen_add(struct gen *g, int owner, struct vtpm_log_rec *r)
{
	struct ent *e = &g->e[g->n];
	struct tenant *t = owner >= 0 ? &g->t[owner] : NULL;
	u8 raw[VTPM_REC_MAX_BODY];
	size_t n;

	if (g->n == MAX_ENTS)
		abort();
	r->seq = g->n;
	e->batch = g->batch;
	e->owner = owner;
	e->len = vtpm_rec_encode(r, e->body, sizeof(e->body));
	n = raw_encode(r, raw);
	if (!e->len || n != e->len || memcmp(raw, e->body, n))
		g->enc_mismatch++;
	ossl_salt(t && t->salt_key ? t->salt_key : g->key, 32, r->seq,
		  e->salt);
	if (r->type == VTPM_REC_ABORT)	/* its leaf is public */
		memset(e->salt, 0, 32);
	memcpy(e->tag, t ? t->tag : zero, 32);
	ossl_leaf(e->salt, e->tag, e->body, e->len, e->leaf);
	g->n++;
	if (g->voided)
		g->voided_recs++;
	else if (t)
		model_apply(g, t, r);
}

static void rec_init(struct vtpm_log_rec *r, u8 type, const struct tenant *t)
{
	memset(r, 0, sizeof(*r));
	r->type = type;
	r->pcr = VTPM_LOG_NO_PCR;
	if (t)
		memcpy(r->uuid, t->uuid, 16);
}

static struct gen *gen_new(u32 nr_banks, const u16 *algs, u32 nr_tenants,
			   u64 seed)
{
	struct gen *g = calloc(1, sizeof(*g));
	struct vtpm_log_rec r;
	u32 i;

	g->nr_banks = nr_banks;
	memcpy(g->algs, algs, nr_banks * sizeof(*algs));
	g->rng = seed;
	g->hw_pcr = rnd(&g->rng, 24);
	rnd_bytes(&g->rng, g->key, 32);
	g->nr_tenants = nr_tenants;
	for (i = 0; i < nr_tenants; i++) {
		struct tenant *t = &g->t[i];
		u32 k, n = 8 + rnd(&g->rng, 40);

		rnd_bytes(&g->rng, t->uuid, 16);
		rnd_bytes(&g->rng, t->tag, 32);
		for (k = 0; k < n; k++)
			t->label[k] = 0x21 + rnd(&g->rng, 0x5e);
		t->drng = rnd_next(&g->rng);
	}
	rec_init(&r, VTPM_REC_GENESIS, NULL);
	r.genesis.hw_pcr = g->hw_pcr;
	r.genesis.nr_banks = nr_banks;
	for (i = 0; i < nr_banks; i++) {
		rnd_bytes(&g->rng, g->start[i], dsize(algs[i]));
		r.genesis.start[i].alg = algs[i];
		memcpy(r.genesis.start[i].digest, g->start[i], dsize(algs[i]));
	}
	r.genesis.reset_count = rnd_next(&g->rng);
	r.genesis.clock = rnd_next(&g->rng);
	rnd_bytes(&g->rng, r.genesis.log_id, 16);
	gen_add(g, -1, &r);
	return g;
}

/* start the next batch; @void_it: an ABORT in the one after voids it */
static void gen_next(struct gen *g, bool void_it)
{
	struct vtpm_log_rec r;

	g->batch++;
	if (g->voided) {
		g->voided = false;
		rec_init(&r, VTPM_REC_ABORT, NULL);
		r.abort_batch = g->batch - 1;
		gen_add(g, -1, &r);
		g->nr_voided++;
	}
	g->voided = void_it;
}

static void gen_create(struct gen *g, int i)
{
	struct vtpm_log_rec r;

	rec_init(&r, VTPM_REC_CREATE, &g->t[i]);
	r.create.index = i;
	memcpy(r.create.label, g->t[i].label, sizeof(r.create.label));
	g->t[i].created = true;
	gen_add(g, i, &r);
}

static void gen_simple(struct gen *g, int i, u8 type, u32 pcr)
{
	struct vtpm_log_rec r;

	rec_init(&r, type, &g->t[i]);
	if (type == VTPM_REC_RESET)
		r.pcr = pcr;
	if (type == VTPM_REC_DESTROY)
		g->t[i].destroyed = true;
	gen_add(g, i, &r);
}

/* an extend of 1..8 digests of random banks, from the tenant's stream */
static void gen_extend(struct gen *g, int i, u32 pcr)
{
	struct tenant *t = &g->t[i];
	struct vtpm_log_rec r;
	u32 k;

	rec_init(&r, VTPM_REC_EXTEND, t);
	r.pcr = pcr;
	r.count = 1 + rnd(&t->drng, 8);
	for (k = 0; k < r.count; k++) {
		r.d[k].alg = g->algs[rnd(&t->drng, g->nr_banks)];
		rnd_bytes(&t->drng, r.d[k].digest, dsize(r.d[k].alg));
	}
	gen_add(g, i, &r);
}

static void gen_event(struct gen *g, int i, u32 pcr)
{
	struct tenant *t = &g->t[i];
	struct vtpm_log_rec r;
	u8 data[100];
	u32 k, n = 8 + rnd(&t->drng, sizeof(data) - 8);

	rnd_bytes(&t->drng, data, n);
	rec_init(&r, VTPM_REC_EVENT, t);
	r.pcr = pcr;
	r.count = g->nr_banks;
	for (k = 0; k < r.count; k++) {
		r.d[k].alg = g->algs[k];
		ossl_hash(g->algs[k], data, n, r.d[k].digest);
	}
	gen_add(g, i, &r);
}

/* close the log: the ABORT of a voided last batch, the expected PCRs */
static void gen_finish(struct gen *g)
{
	u8 leaves[VTPM_MAX_BATCH * 32], d[64];
	size_t i, k;
	u64 b;
	u32 n;

	if (g->voided)
		gen_next(g, false);
	for (k = 0; k < g->nr_banks; k++)
		memcpy(g->pcr[k], g->start[k], dsize(g->algs[k]));
	for (b = 0, i = 0; b <= g->batch; b++) {
		for (n = 0; i < g->n && g->e[i].batch == b; i++, n++)
			memcpy(leaves + 32 * n, g->e[i].leaf, 32);
		for (k = 0; k < g->nr_banks; k++) {
			ossl_batch(g->algs[k], b, leaves, n, d);
			ossl_extend(g->algs[k], g->pcr[k], d);
		}
	}
}

/* re-number the records from @from on and re-seal them (salt, leaf) */
static void gen_reseal(struct gen *g, size_t from)
{
	size_t i;

	for (i = from; i < g->n; i++) {
		struct ent *e = &g->e[i];
		const struct tenant *t = e->owner >= 0 ? &g->t[e->owner] : NULL;

		put_be64(i, e->body + 2);
		ossl_salt(t && t->salt_key ? t->salt_key : g->key, 32, i,
			  e->salt);
		if (e->body[1] == VTPM_REC_ABORT)
			memset(e->salt, 0, 32);
		ossl_leaf(e->salt, e->tag, e->body, e->len, e->leaf);
	}
}

static size_t log_cap(const struct gen *g)
{
	return 128 + (g->batch + 1) * 12 + g->n * (67 + VTPM_REC_MAX_BODY);
}

/*
 * Tenant @view's commitment, with OpenSSL: the chain over the leaves of
 * all its records in the log (hidden ones, those of voided batches too)
 */
static void gen_commit(const struct gen *g, int view,
		       struct vtpm_log_commit *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < g->n; i++) {
		if (g->e[i].owner != view)
			continue;
		ossl_chain(c->chain, g->e[i].leaf);
		c->records++;
	}
}

/*
 * The full log (@view < 0) or the view of tenant @view, whose header
 * carries gen_commit()
 */
static size_t write_log(struct gen *g, int view, u8 *buf, size_t cap)
{
	struct vtpm_log_header h = {
		.kind = view < 0 ? VTPM_LOG_FULL : VTPM_LOG_VIEW,
		.hw_pcr = g->hw_pcr,
		.nr_banks = g->nr_banks,
		.nr_batches = g->batch + 1,
	};
	struct tpm_wr w;
	size_t i, k;
	u64 b;
	u32 n;

	memcpy(h.algs, g->algs, sizeof(h.algs));
	if (view >= 0) {
		memcpy(h.uuid, g->t[view].uuid, 16);
		gen_commit(g, view, &h.commit);
	}
	tpm_wr_init(&w, buf, cap);
	vtpm_log_wr_header(&w, &h);
	for (b = 0, i = 0; b <= g->batch; b++) {
		for (n = 0, k = i; k < g->n && g->e[k].batch == b; k++)
			n++;
		if (b < MAX_BATCHES)
			g->boff[b] = w.pos;
		vtpm_log_wr_batch(&w, b, n);
		for (; i < k; i++) {
			struct ent *e = &g->e[i];
			bool clear = view < 0 || e->owner < 0 ||
				     e->owner == view || e->force_clear;

			e->off = w.pos;
			if (clear && !e->as_leaf)
				vtpm_log_wr_clear(&w, e->salt, e->tag, e->body,
						  e->len);
			else
				vtpm_log_wr_leaf(&w, e->leaf);
		}
	}
	return w.err ? 0 : w.pos;
}

/*
 * A random history: @nr_tenants tenants (the last one created half way),
 * @nr_batches batches of 1..10 records (batch @big: 250), batch @void_at
 * voided by an ABORT.  Tenant 1's digests come from @b_seed and its salts
 * from @b_key, so that two logs can differ in them only.
 */
static struct gen *gen_random(u64 seed, u32 nr_banks, const u16 *algs,
			      u32 nr_tenants, u32 nr_batches, u32 void_at,
			      u32 big, const u8 *b_key, u64 b_seed)
{
	struct gen *g = gen_new(nr_banks, algs, nr_tenants, seed);
	u32 b, k, i, n, alive = nr_tenants - 1;

	if (b_seed && nr_tenants > 1)
		g->t[1].drng = b_seed;
	if (b_key && nr_tenants > 1)
		g->t[1].salt_key = b_key;
	gen_next(g, false);
	for (i = 0; i + 1 < nr_tenants; i++)
		gen_create(g, i);
	for (b = 2; b < nr_batches; b++) {
		gen_next(g, b == void_at);
		n = b == big ? 250 : 1 + rnd(&g->rng, 10);
		for (k = 0; k < n; k++) {
			u32 op = rnd(&g->rng, 100), pcr = rnd(&g->rng, 24);

			if (b == nr_batches / 2 && !k && !g->voided) {
				gen_create(g, nr_tenants - 1);
				alive++;
				continue;
			}
			do {
				i = rnd(&g->rng, nr_tenants);
			} while (!g->t[i].created || g->t[i].destroyed);
			if (op < 45) {
				gen_extend(g, i, pcr);
			} else if (op < 60) {
				gen_event(g, i, pcr);
			} else if (op < 70) {
				gen_simple(g, i, VTPM_REC_RESET, pcr);
			} else if (op < 77) {
				gen_simple(g, i, VTPM_REC_STARTUP_CLEAR, 0);
			} else if (op < 84) {
				gen_simple(g, i, VTPM_REC_STARTUP_STATE, 0);
			} else if (op < 88 && !g->voided && alive > 2 &&
				   b > nr_batches * 2 / 3) {
				gen_simple(g, i, VTPM_REC_DESTROY, 0);
				alive--;
			} else {
				gen_extend(g, i, pcr);
			}
		}
	}
	gen_finish(g);
	return g;
}

static bool pcr_expected(const struct gen *g)
{
	u32 k;

	for (k = 0; k < g->nr_banks; k++)
		if (!pcr_is(k, g->pcr[k]))
			return false;
	return rp->banks.nr == g->nr_banks;
}

static bool vpcrs_expected(const struct gen *g, const struct tenant *t)
{
	u32 p, k;

	for (p = 0; p < VTPM_NUM_PCRS; p++)
		for (k = 0; k < g->nr_banks; k++)
			if (memcmp(vpcr(p, k), t->v[p][k], dsize(g->algs[k])))
				return false;
	return true;
}

static void test_generated(void)
{
	static const u16 two[] = { SHA256, SHA384 };
	static const u16 one[] = { SHA1 };
	struct {
		u64 seed;
		u32 nr_banks;
		const u16 *algs;
		u32 tenants, batches, void_at, big;
	} cfg[] = {
		{ 1, 4, all_algs, 5, 40, 7, 20 },
		{ 2, 2, two, 3, 15, 3, 0 },
		{ 3, 1, one, 4, 10, 9, 0 },
		{ 4, 4, all_algs, 8, 60, 31, 0 },
	};
	unsigned int c, i;

	for (c = 0; c < ARRAY_SIZE(cfg); c++) {
		struct gen *g = gen_random(cfg[c].seed, cfg[c].nr_banks,
					   cfg[c].algs, cfg[c].tenants,
					   cfg[c].batches, cfg[c].void_at,
					   cfg[c].big, NULL, 0);
		size_t cap = log_cap(g), len, vlen;
		u8 *log = malloc(cap), *view = malloc(cap);
		bool full_ok = true, view_ok = true, pcr_ok = true;
		bool flags_ok = true, commit_ok = true;
		struct ascii_ctx ctx;
		int ret;

		CHECK(!g->enc_mismatch, "log %u: vtpm_rec_encode equals the "
		      "independent encoder on all %zu records", c, g->n);
		len = write_log(g, -1, log, cap);
		ret = replay(log, len, NULL, false);
		CHECK(!ret && pcr_expected(g) && rp->batches == g->batch + 1 &&
		      rp->records == g->n && rp->clear == g->n &&
		      rp->aborted == g->nr_voided && g->nr_voided == 1,
		      "log %u: the full log (%zu bytes, %llu batches, %zu "
		      "records, 1 ABORT) replays to the PCRs OpenSSL computes",
		      c, len, (unsigned long long)g->batch + 1, g->n);
		if (ret)
			printf("# %d: %s at %zu\n", ret, rp->why,
			       rp->err_offset);

		for (i = 0; i < g->nr_tenants; i++) {
			const struct tenant *t = &g->t[i];
			struct vtpm_log_commit want, full, hdr;
			size_t own = 0, k;

			gen_commit(g, i, &want);
			ret = replay(log, len, t->uuid, true);
			full_ok &= !ret && vpcrs_expected(g, t);
			flags_ok &= rp->found == t->created &&
				    rp->destroyed == t->destroyed;
			full = rp->commit;
			for (k = 0; k < g->n; k++)
				own += g->e[k].owner < 0 ||
				       g->e[k].owner == (int)i;
			vlen = write_log(g, i, view, cap);
			view_commit(view, g->nr_banks, &hdr);
			ret = replay(view, vlen, t->uuid, true);
			view_ok &= !ret && vpcrs_expected(g, t) &&
				   rp->clear == own && rp->records == g->n;
			pcr_ok &= !ret && pcr_expected(g);
			flags_ok &= rp->found == t->created &&
				    rp->destroyed == t->destroyed;
			commit_ok &= !ret && commit_eq(&full, &want) &&
				     commit_eq(&hdr, &want) &&
				     commit_eq(&rp->commit, &want) &&
				     commit_eq(&rp->hdr.commit, &want) &&
				     want.records;
		}
		CHECK(full_ok, "log %u: each tenant's vPCRs reconstructed from "
		      "the full log equal the OpenSSL model", c);
		CHECK(pcr_ok, "log %u: each tenant's view replays to the same "
		      "PCRs as the full log", c);
		CHECK(view_ok, "log %u: each tenant's view shows its records "
		      "and the global ones in the clear, and reconstructs "
		      "its vPCRs", c);
		CHECK(flags_ok, "log %u: found and destroyed as in the history",
		      c);
		CHECK(commit_ok, "log %u: each tenant's commitment (OpenSSL) is "
		      "what a replay of the full log with r->uuid reports, "
		      "what its view's header carries and what the view's "
		      "replay reports", c);

		memset(&ctx, 0, sizeof(ctx));
		ctx.ordered = true;
		memset(rp, 0, sizeof(*rp));
		rp->on_record = on_rec;
		rp->ctx = &ctx;
		ret = vtpm_log_replay(log, len, rp);
		CHECK(!ret && ctx.calls == (int)g->n && ctx.ordered &&
		      ctx.unapplied == (int)g->voided_recs &&
		      g->voided_recs > 0,
		      "log %u: on_record sees every record in order, the %zu "
		      "of the voided batch with applied false", c,
		      g->voided_recs);
		free(log);
		free(view);
		free(g);
	}
}

/* ------------------------------------------------------------------ */
/* More instances than replay's cache: the rules hold for all of them   */

enum evict_case { EV_VALID, EV_TAG, EV_AFTER_DESTROY, EV_CREATE_TWICE,
		  EV_NEVER_CREATED, EV_NR };

static struct gen *gen_many(enum evict_case c)
{
	static const u16 algs[] = { SHA1, SHA256 };
	struct gen *g = gen_new(2, algs, 301, 77);
	int i;

	gen_next(g, false);
	for (i = 0; i < 200; i++)
		gen_create(g, i);
	gen_next(g, false);
	for (i = 200; i < 300; i++)
		gen_create(g, i);
	gen_next(g, false);
	for (i = 0; i < 150; i++)
		gen_extend(g, i, i % 24);
	gen_next(g, false);
	for (i = 150; i < 300; i++)
		gen_event(g, i, i % 24);
	gen_next(g, false);
	gen_simple(g, 5, VTPM_REC_DESTROY, 0);
	gen_extend(g, 0, 7);
	gen_next(g, false);
	for (i = 0; i < 150; i++)
		if (i != 5)
			gen_extend(g, i, 23);
	gen_next(g, false);
	for (i = 150; i < 300; i++)
		gen_simple(g, i, VTPM_REC_STARTUP_STATE, 0);
	gen_next(g, false);
	switch (c) {
	case EV_TAG:
		gen_extend(g, 3, 1);
		memset(g->e[g->n - 1].tag, 0x33, 32);
		ossl_leaf(g->e[g->n - 1].salt, g->e[g->n - 1].tag,
			  g->e[g->n - 1].body, g->e[g->n - 1].len,
			  g->e[g->n - 1].leaf);
		break;
	case EV_AFTER_DESTROY:
		gen_extend(g, 5, 1);
		break;
	case EV_VALID:
		gen_extend(g, 6, 1);
		break;
	case EV_CREATE_TWICE:
		gen_create(g, 9);
		break;
	case EV_NEVER_CREATED:
		gen_extend(g, 300, 1);
		break;
	default:
		break;
	}
	gen_finish(g);
	return g;
}

static void test_many_instances(void)
{
	static const char *const what[] = {
		"", "a record with another tag", "a record after DESTROY",
		"a second CREATE", "a record of an instance never created",
	};
	bool ok = true;
	int c, ret;

	for (c = 0; c < EV_NR; c++) {
		struct gen *g = gen_many(c);
		size_t cap = log_cap(g), len;
		u8 *log = malloc(cap);

		len = write_log(g, -1, log, cap);
		if (c == EV_VALID) {
			ret = replay(log, len, NULL, false);
			CHECK(!ret && pcr_expected(g) && rp->records == g->n,
			      "300 instances (more than the replay's cache of "
			      "%d): the log replays", VTPM_REPLAY_SETS *
			      VTPM_REPLAY_WAYS);
			ret = replay(log, len, g->t[0].uuid, true);
			ok = !ret && vpcrs_expected(g, &g->t[0]);
			ret = replay(log, len, g->t[5].uuid, true);
			ok &= !ret && vpcrs_expected(g, &g->t[5]) &&
			      rp->destroyed;
			ret = replay(log, len, g->t[299].uuid, true);
			ok &= !ret && vpcrs_expected(g, &g->t[299]);
			CHECK(ok, "300 instances: vPCRs of the first, a "
			      "destroyed and the last equal the model");
		} else {
			ret = replay(log, len, NULL, false);
			CHECK(ret == -EBADMSG && rp->err_offset ==
			      g->e[g->n - 1].off + (c == EV_TAG ? 33 : 67),
			      "300 instances: %s, long after the cache forgot "
			      "the instance, is found (%s)", what[c],
			      rp->why ? rp->why : "accepted");
		}
		free(log);
		free(g);
	}
}

/* ------------------------------------------------------------------ */
/* A DESTROY in a voided batch: its deferred copy in a later batch      */

/*
 * The kernel keeps a DESTROY record whose batch failed and puts it into the
 * next batch that succeeds (log-format.md, "Faults"); when the failed batch
 * is in the log nevertheless, voided by an ABORT, the instance's DESTROY
 * stands twice, and only the second counts.  With @many, 300 instances
 * come between the two, so that the cache has forgotten the instance.
 * With @after, a record of it follows the second DESTROY.
 */
static struct gen *gen_voided_destroy(bool many, bool after)
{
	static const u16 algs[] = { SHA1, SHA256 };
	u32 nr = many ? 300 : 3;
	struct gen *g = gen_new(2, algs, nr, 91);
	u32 i;

	for (i = 0; i < nr; i++) {
		if (i % 200 == 0)	/* at most VTPM_MAX_BATCH a batch */
			gen_next(g, false);
		gen_create(g, i);
	}
	gen_next(g, false);
	gen_extend(g, 1, 4);
	gen_next(g, true);		/* voided */
	gen_extend(g, 2, 5);
	gen_simple(g, 1, VTPM_REC_DESTROY, 0);
	gen_extend(g, 0, 6);
	gen_next(g, false);		/* ABORT first */
	gen_extend(g, 0, 7);
	for (i = 3; i < nr; i++) {
		if (i % 200 == 0)
			gen_next(g, false);
		gen_extend(g, i, i % 24);
	}
	gen_next(g, false);
	gen_extend(g, 2, 8);
	gen_simple(g, 1, VTPM_REC_DESTROY, 0);	/* the deferred copy */
	if (after) {
		gen_next(g, false);
		gen_extend(g, 1, 9);
	}
	gen_finish(g);
	return g;
}

static void test_voided_destroy(void)
{
	int many, ret;

	for (many = 0; many < 2; many++) {
		struct gen *g = gen_voided_destroy(many, false);
		size_t cap = log_cap(g), len;
		u8 *log = malloc(cap);
		bool ok;

		len = write_log(g, -1, log, cap);
		ret = replay(log, len, NULL, false);
		CHECK(!ret && pcr_expected(g) && rp->aborted == 1,
		      "%s: a DESTROY in a voided batch, then its deferred copy: "
		      "the log replays (%s)", many ? "300 instances" : "3 instances",
		      rp->why ? rp->why : "ok");
		ret = replay(log, len, g->t[1].uuid, true);
		ok = !ret && rp->found && rp->destroyed &&
		     rp->tenant_records == 3 && vpcrs_expected(g, &g->t[1]);
		CHECK(ok, "... the instance is destroyed once, by the copy "
		      "(%llu records applied)",
		      (unsigned long long)rp->tenant_records);
		len = write_log(g, 1, log, cap);
		ret = replay(log, len, g->t[1].uuid, true);
		CHECK(!ret && rp->destroyed && vpcrs_expected(g, &g->t[1]) &&
		      rp->commit.records == 4,
		      "... and so does its view, whose commitment has both "
		      "DESTROYs (%s)", rp->why ? rp->why : "ok");
		free(log);
		free(g);

		g = gen_voided_destroy(many, true);
		cap = log_cap(g);
		log = malloc(cap);
		len = write_log(g, -1, log, cap);
		ret = replay(log, len, NULL, false);
		CHECK(ret == -EBADMSG && rp->err_offset == g->e[g->n - 1].off + 67,
		      "... a record after the copy is rejected (%s)",
		      rp->why ? rp->why : "accepted");
		free(log);
		free(g);
	}
}

/* ------------------------------------------------------------------ */
/* Tampering                                                            */

struct snap {
	u8 pcr[VTPM_MAX_BANKS][64];
	u8 *v;
};

static void snap_take(struct snap *s)
{
	memcpy(s->pcr, rp->pcr, sizeof(s->pcr));
	memcpy(s->v, tenant->pcr, VTPM_NUM_PCRS * tenant->banks->stride);
}

static bool snap_same_pcr(const struct snap *s)
{
	return !memcmp(s->pcr, rp->pcr, sizeof(s->pcr));
}

static bool snap_same_vpcrs(const struct snap *s)
{
	return rp->found &&
	       !memcmp(s->v, tenant->pcr, VTPM_NUM_PCRS * rp->banks.stride);
}

/* flip every byte of @log three ways: never the same PCR */
static void flip_all(const char *name, const u8 *log, size_t len,
		     const u8 *uuid)
{
	static const u8 masks[] = { 0x01, 0x80, 0xff };
	struct snap s = { .v = malloc(VTPM_NUM_PCRS * 8 * 64) };
	unsigned int same = 0, same_both = 0, accepted = 0, m;
	u8 *copy = malloc(len);
	size_t i;

	if (replay(log, len, uuid, true)) {
		CHECK(0, "%s: the log to tamper with replays", name);
		return;
	}
	snap_take(&s);
	for (i = 0; i < len; i++) {
		for (m = 0; m < ARRAY_SIZE(masks); m++) {
			memcpy(copy, log, len);
			copy[i] ^= masks[m];
			if (replay(copy, len, uuid, true))
				continue;
			accepted++;
			if (snap_same_pcr(&s)) {
				same++;
				same_both += snap_same_vpcrs(&s);
				printf("# %s: flip at %zu accepted, same PCR\n",
				       name, i);
			}
		}
	}
	CHECK(!same && !same_both, "%s: each of the %zu bytes flipped 3 ways: "
	      "rejected, or a different PCR (%u accepted, 0 with the same "
	      "PCR)", name, len, accepted);
	for (i = 0, same = 0; i < len; i++)
		same += !replay(log, i, uuid, false);
	CHECK(!same, "%s: every truncation (0..%zu bytes) is rejected", name,
	      len - 1);
	free(copy);
	free(s.v);
}

static bool why_has(const char *s)
{
	return rp->why && strstr(rp->why, s);
}

/* replay a tampered @g; full (@view < 0) or a view */
static int replay_gen(struct gen *g, int view, const u8 *uuid, u8 *buf,
		      size_t cap, size_t *len)
{
	*len = write_log(g, view, buf, cap);
	return replay(buf, *len, uuid, !!uuid);
}

/* the first entry of @g in batch @b */
static size_t first_of(const struct gen *g, u64 b)
{
	size_t i;

	for (i = 0; i < g->n && g->e[i].batch != b; i++)
		;
	return i;
}

#define SMALL_VOID	4

/* 3 tenants, 7 batches, batch 4 voided; then an extend of tenant 0 */
static struct gen *small_gen(void)
{
	static const u16 algs[] = { SHA1, SHA256 };
	struct gen *g = gen_random(5, 2, algs, 3, 7, SMALL_VOID, 0, NULL, 0);

	gen_next(g, false);
	gen_extend(g, 0, 5);
	gen_finish(g);
	return g;
}

/* a record of batch 2 or later, not CREATE/DESTROY, with another after it
 * in its batch
 */
static size_t plain_pair(const struct gen *g)
{
	size_t k;

	for (k = first_of(g, 2); k + 1 < g->n; k++)
		if (g->e[k].batch == g->e[k + 1].batch &&
		    g->e[k].body[1] != VTPM_REC_CREATE &&
		    g->e[k].body[1] != VTPM_REC_DESTROY &&
		    g->e[k].body[1] != VTPM_REC_ABORT)
			return k;
	abort();
}

static void swap_ents(struct gen *g, size_t i, size_t j)
{
	struct ent t = g->e[i];
	u64 bi = g->e[i].batch, bj = g->e[j].batch;

	g->e[i] = g->e[j];
	g->e[j] = t;
	g->e[i].batch = bi;
	g->e[j].batch = bj;
}

static void test_tamper(void)
{
	struct gen *g = small_gen(), *t;
	size_t cap = log_cap(g) + 4096, len, i, k;
	u8 *log = malloc(cap), *buf = malloc(cap);
	struct snap s = { .v = malloc(VTPM_NUM_PCRS * 8 * 64) };
	const u8 *ua = g->t[0].uuid;
	u64 vb;
	int ret;

	flip_all("vector full log", v_full, sizeof(v_full), uuid_a);
	flip_all("vector view of A", v_view, sizeof(v_view), uuid_a);
	len = write_log(g, -1, log, cap);
	flip_all("generated full log with an ABORT", log, len, ua);
	len = write_log(g, 0, log, cap);
	flip_all("view of a generated log with an ABORT", log, len, ua);

	/* reference */
	ret = replay_gen(g, -1, ua, log, cap, &len);
	snap_take(&s);
	CHECK(!ret && pcr_expected(g) && vpcrs_expected(g, &g->t[0]),
	      "tamper: the small generated log replays");

	/* a digest changed (the last record: an extend of A's vPCR 5) */
	i = g->n - 1;
	memcpy(buf, log, len);
	buf[g->e[i].off + 67 + 33 + 5] ^= 0x10;
	ret = replay(buf, len, ua, true);
	CHECK(!ret && !snap_same_pcr(&s) && !snap_same_vpcrs(&s),
	      "tamper: a digest changed: another PCR and other vPCRs");

	/* the vPCR index changed */
	memcpy(buf, log, len);
	buf[g->e[i].off + 67 + 29] ^= 0x01;
	ret = replay(buf, len, ua, true);
	CHECK(!ret && !snap_same_pcr(&s) && !snap_same_vpcrs(&s),
	      "tamper: the vPCR index changed: another PCR and other vPCRs");
	buf[g->e[i].off + 67 + 29] = 24;
	CHECK(replay(buf, len, ua, true) == -EINVAL && why_has("vPCR"),
	      "tamper: vPCR 24: rejected (%s)", rp->why);

	/* two records swapped */
	k = plain_pair(g);
	t = malloc(sizeof(*g));
	memcpy(t, g, sizeof(*g));
	swap_ents(t, k, k + 1);
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EBADMSG && why_has("sequence"),
	      "tamper: two records swapped: rejected (%s)", rp->why);
	gen_reseal(t, k);
	ret = replay_gen(t, -1, ua, buf, cap, &len);
	CHECK(!ret && !snap_same_pcr(&s),
	      "tamper: swapped and re-sealed with the key: another PCR");

	/* a record dropped */
	memcpy(t, g, sizeof(*g));
	memmove(&t->e[k], &t->e[k + 1], (t->n - k - 1) * sizeof(t->e[0]));
	t->n--;
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EBADMSG && why_has("sequence"),
	      "tamper: a record dropped: rejected (%s)", rp->why);
	gen_reseal(t, k);
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(!ret && !snap_same_pcr(&s),
	      "tamper: dropped and re-sealed: another PCR");

	/* a record inserted */
	memcpy(t, g, sizeof(*g));
	memmove(&t->e[k + 1], &t->e[k], (t->n - k) * sizeof(t->e[0]));
	t->n++;
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EBADMSG && why_has("sequence"),
	      "tamper: a record inserted: rejected (%s)", rp->why);
	gen_reseal(t, k);
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(!ret && !snap_same_pcr(&s),
	      "tamper: inserted and re-sealed: another PCR");

	/* another tenant's leaf changed in A's view */
	for (k = 1; g->e[k].owner <= 0; k++)
		;
	len = write_log(g, 0, log, cap);
	log[g->e[k].off + 1 + 7] ^= 1;
	ret = replay(log, len, ua, true);
	CHECK(!ret && !snap_same_pcr(&s) && snap_same_vpcrs(&s),
	      "tamper: another tenant's leaf changed in a view: another PCR "
	      "(A's own vPCRs unchanged)");

	/* batch numbers */
	len = write_log(g, -1, log, cap);
	memcpy(buf, log, len);
	buf[g->boff[2] + 7] = 3;
	ret = replay(buf, len, NULL, false);
	CHECK(ret == -EBADMSG && rp->err_offset == g->boff[2] &&
	      why_has("batch number"), "tamper: batch 2 numbered 3: "
	      "rejected at its offset (%s)", rp->why);
	memcpy(buf, log, g->boff[2]);
	k = g->boff[3] - g->boff[2];
	memcpy(buf + g->boff[2], log + g->boff[3], g->boff[4] - g->boff[3]);
	memcpy(buf + g->boff[2] + g->boff[4] - g->boff[3], log + g->boff[2],
	       k);
	memcpy(buf + g->boff[4], log + g->boff[4], len - g->boff[4]);
	ret = replay(buf, len, NULL, false);
	CHECK(ret == -EBADMSG && why_has("batch number"),
	      "tamper: batches 2 and 3 swapped: rejected (%s)", rp->why);
	memcpy(buf, log, len);
	put_be64(g->batch + 2, buf + g->boff[0] - 8);
	CHECK(replay(buf, len, NULL, false) == -EINVAL &&
	      why_has("fewer batches"), "tamper: nr_batches too large: "
	      "rejected (%s)", rp->why);
	put_be64(g->batch, buf + g->boff[0] - 8);
	CHECK(replay(buf, len, NULL, false) == -EINVAL &&
	      why_has("after the last batch"), "tamper: nr_batches too small: "
	      "rejected (%s)", rp->why);

	/* ABORT */
	vb = SMALL_VOID;
	i = first_of(g, vb + 1);
	CHECK(g->e[i].body[1] == VTPM_REC_ABORT && g->e[i + 1].batch == vb + 1,
	      "tamper: the ABORT is first in batch %llu, another record "
	      "follows", (unsigned long long)vb + 1);
	memcpy(t, g, sizeof(*g));
	swap_ents(t, i, i + 1);
	gen_reseal(t, i);
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EBADMSG && why_has("not first"),
	      "tamper: ABORT second in its batch (re-sealed): rejected (%s)",
	      rp->why);
	for (k = 0; k < 4; k++) {
		const u64 wrong[] = { vb - 1, vb + 1, 0, 1000 };

		memcpy(t, g, sizeof(*g));
		put_be64(wrong[k], t->e[i].body + 33);
		gen_reseal(t, i);
		ret = replay_gen(t, -1, NULL, buf, cap, &len);
		CHECK(ret == -EBADMSG && why_has("ABORT of a batch"),
		      "tamper: in batch %llu, ABORT of batch %llu: rejected "
		      "(%s)", (unsigned long long)vb + 1,
		      (unsigned long long)wrong[k], rp->why);
	}
	memcpy(t, g, sizeof(*g));
	t->e[i].as_leaf = true;		/* the ABORT hidden in a full log */
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EINVAL && why_has("leaf entry in a full log"),
	      "tamper: a LEAF entry in a full log: rejected (%s)", rp->why);
	/* whoever cuts a view cannot hide the ABORT: its leaf is public */
	for (k = 0; k < 2; k++) {
		memcpy(t, g, sizeof(*g));
		t->e[i].as_leaf = true;
		ret = replay_gen(t, (int)k, NULL, buf, cap, &len);
		CHECK(ret == -EBADMSG && why_has("ABORT record shown as a leaf"),
		      "tamper: the ABORT as a leaf in tenant %u's view: "
		      "rejected (%s)", (unsigned int)k, rp->why);
	}
	memcpy(t, g, sizeof(*g));
	t->e[i].salt[31] = 1;
	ossl_leaf(t->e[i].salt, t->e[i].tag, t->e[i].body, t->e[i].len,
		  t->e[i].leaf);
	ret = replay_gen(t, -1, NULL, buf, cap, &len);
	CHECK(ret == -EBADMSG && why_has("non-zero salt"),
	      "tamper: an ABORT with a secret salt: rejected (%s)", rp->why);
	free(t);
	free(log);
	free(buf);
	free(s.v);
	free(g);
}

/* the rules of replay, one broken at a time */
static void test_rules(void)
{
	static const u16 algs[] = { SHA1, SHA256 };
	struct gen *g = small_gen(), *t = malloc(sizeof(*g));
	size_t cap = log_cap(g) + 4096, len, i;
	u8 *log = malloc(cap), *buf = malloc(cap);
	struct vtpm_log_rec r;
	int ret;

	len = write_log(g, -1, log, cap);
#define HDR(off, val, exp, text) do {					\
	memcpy(buf, log, len);						\
	buf[off] = val;							\
	ret = replay(buf, len, NULL, false);				\
	CHECK(ret == (exp) && why_has(text) && rp->err_offset <= len,	\
	      "rule: %s (%d, %s at %zu)", text, ret, rp->why,		\
	      rp->err_offset);						\
} while (0)
	HDR(0, 'v', -EINVAL, "bad magic");
	HDR(7, 1, -EINVAL, "bad magic");
	HDR(9, 3, -EINVAL, "unsupported log version");
	HDR(9, 1, -EINVAL, "log version 1 (views without their instance's "
	    "commitment) is no longer supported");
	HDR(11, 3, -EINVAL, "unknown log kind");
	HDR(11, 2, -EINVAL, "a view without an instance uuid");
	HDR(16, 0, -EINVAL, "bad number of banks");
	HDR(16, 9, -EINVAL, "bad number of banks");
	HDR(18, 0x12, -EINVAL, "unknown or repeated bank");
	HDR(20, 4, -EINVAL, "unknown or repeated bank");
	HDR(21, 1, -EINVAL, "a full log with an instance uuid");
	HDR(44, 1, -EBADMSG, "the first batch is not batch 0");
	HDR(52, 0, -EBADMSG, "no genesis batch");
	HDR(15, (log[15] + 1) % 24, -EBADMSG, "different hardware PCRs");
	HDR(15, 24, -EINVAL, "hardware PCR out of range");
	HDR(12, 1, -EINVAL, "hardware PCR out of range");
	HDR(20, 0x0c, -EBADMSG, "genesis and header list different banks");
	HDR(g->boff[1] + 11, 0, -EINVAL, "bad number of entries");
	memcpy(buf, log, len);
	put_unaligned_be32(257, buf + g->boff[1] + 8);
	ret = replay(buf, len, NULL, false);
	CHECK(ret == -EINVAL && why_has("bad number of entries"),
	      "rule: a batch of 257 entries (%s)", rp->why);
	HDR(g->boff[1] + 12, 2, -EINVAL, "unknown entry form");
	HDR(g->boff[0] + 11, 2, -EBADMSG, "genesis batch holds more");
#undef HDR

	/* a header of one bank, a genesis record of two */
	memcpy(buf, log, 16);
	buf[16] = 1;
	memcpy(buf + 17, log + 17, 2);
	memcpy(buf + 19, log + 21, len - 21);
	CHECK(replay(buf, len - 2, NULL, false) == -EBADMSG &&
	      why_has("different banks"),
	      "rule: header of one bank, genesis of two (%s)", rp->why);

	/* header banks in another order than the genesis record's */
	memcpy(buf, log, len);
	put_unaligned_be16(SHA256, buf + 17);
	put_unaligned_be16(SHA1, buf + 19);
	CHECK(replay(buf, len, NULL, false) == -EBADMSG &&
	      why_has("different banks"),
	      "rule: header banks in another order than genesis (%s)", rp->why);

#define GEN(text, exp, view, body) do {					\
	memcpy(t, g, sizeof(*g));					\
	{ body; }							\
	ret = replay_gen(t, view, view >= 0 ? t->t[view].uuid : NULL,	\
			 buf, cap, &len);				\
	CHECK(ret == (exp) && why_has(text), "rule: %s (%d, %s)", text,	\
	      ret, rp->why);						\
} while (0)
	i = first_of(g, 2);
	GEN("tag differs", -EBADMSG, -1, memset(t->e[i].tag, 1, 32));
	GEN("global record with a non-zero tag", -EBADMSG, -1,
	    t->e[0].tag[31] = 1);
	GEN("genesis record is not in the clear", -EBADMSG, 0,
	    t->e[0].as_leaf = true);
	GEN("another instance's record", -EBADMSG, 0,
	    i = 1;
	    while (t->e[i].owner <= 0)
		i++;
	    t->e[i].force_clear = true);
	GEN("before its CREATE", -EBADMSG, -1,
	    swap_ents(t, 1, first_of(t, 2)); gen_reseal(t, 1));
	GEN("first record is not a genesis", -EBADMSG, -1,
	    swap_ents(t, 0, 1); gen_reseal(t, 0));
	GEN("a genesis record after the first batch", -EBADMSG, -1,
	    t->e[t->n] = t->e[0]; t->e[t->n].batch = t->batch; t->n++;
	    gen_reseal(t, t->n - 1));
	GEN("second CREATE", -EBADMSG, -1,
	    t->batch++; gen_create(t, 0));
	GEN("after its DESTROY", -EBADMSG, -1,
	    t->batch++; gen_simple(t, 1, VTPM_REC_DESTROY, 0);
	    gen_simple(t, 1, VTPM_REC_RESET, 16));
	GEN("a bank the log does not have", -EBADMSG, -1,
	    t->batch++;
	    rec_init(&r, VTPM_REC_EXTEND, &t->t[0]); r.pcr = 3; r.count = 2;
	    r.d[0].alg = SHA256; r.d[1].alg = SHA384; gen_add(t, 0, &r));
	GEN("event digests do not match", -EBADMSG, -1,
	    t->batch++;
	    rec_init(&r, VTPM_REC_EVENT, &t->t[0]); r.pcr = 3; r.count = 2;
	    r.d[0].alg = SHA256; r.d[1].alg = SHA1; gen_add(t, 0, &r));
	GEN("event digests do not match", -EBADMSG, -1,
	    t->batch++;
	    rec_init(&r, VTPM_REC_EVENT, &t->t[0]); r.pcr = 3; r.count = 1;
	    r.d[0].alg = SHA1; gen_add(t, 0, &r));
	GEN("an ABORT of a batch other than the previous one", -EBADMSG, -1,
	    t->batch = 0; t->voided = true; t->n = 1; gen_next(t, false);
	    gen_create(t, 0));
	GEN("record truncated", -EINVAL, -1,
	    t->e[1].len--; gen_reseal(t, 1));
#undef GEN

	/* an aborted CREATE: the instance is not found */
	memcpy(t, g, sizeof(*g));
	t->batch++;
	t->voided = true;
	rnd_bytes(&t->rng, t->t[2].uuid, 16);
	gen_create(t, 2);
	gen_next(t, false);
	gen_extend(t, 0, 4);
	gen_extend(t, 2, 4);
	gen_finish(t);
	ret = replay_gen(t, -1, t->t[2].uuid, buf, cap, &len);
	CHECK(!ret && !rp->found && !rp->tenant_records && rp->aborted == 2 &&
	      pcr_expected(t), "rule: a CREATE in a voided batch: in the PCR "
	      "chain, the instance not found, its later records not applied");

	/* on_record stops the replay */
	{
		struct ascii_ctx ctx = { .stop_at = 3, .ordered = true };

		len = write_log(g, -1, log, cap);
		memset(rp, 0, sizeof(*rp));
		rp->on_record = on_rec;
		rp->ctx = &ctx;
		ret = vtpm_log_replay(log, len, rp);
		CHECK(ret == -EINTR && ctx.calls == 3 &&
		      why_has("stopped by the caller") &&
		      rp->err_offset == g->e[2].off,
		      "rule: on_record's non-zero return stops the replay");
	}
	(void)algs;
	free(t);
	free(g);
	free(log);
	free(buf);
}

/* ------------------------------------------------------------------ */
/* Rule 9: a view commits to its instance's records                      */

#define WHY_FEWER	"the view hides records of its instance: it shows " \
			"fewer than its header commits to"
#define WHY_MORE	"the view shows more records of its instance than " \
			"its header commits to"
#define WHY_CHAIN	"the view's records of its instance are not those " \
			"its header commits to"
#define WHY_V1		"log version 1 (views without their instance's " \
			"commitment) is no longer supported"
#define WHY_VERSION	"unsupported log version"
#define WHY_HW_PCR	"hardware PCR out of range"

static bool why_is(const char *s)
{
	return rp->why && !strcmp(rp->why, s);
}

/*
 * Tenants 0 (A) and 1; batch 2 holds one record of A of @type (@voided:
 * voided by an ABORT in batch 3), among records of tenant 1; A's CREATE is
 * in batch 1 unless @type is CREATE.  @followed: A extends in batch 3.
 */
static struct gen *hide_gen(u8 type, bool voided, bool followed)
{
	static const u16 algs[] = { SHA1, SHA256 };
	struct gen *g = gen_new(2, algs, 2, 300 + type);

	gen_next(g, false);
	gen_create(g, 1);
	if (type != VTPM_REC_CREATE)
		gen_create(g, 0);
	gen_next(g, voided);
	gen_extend(g, 1, 3);
	switch (type) {
	case VTPM_REC_CREATE:
		gen_create(g, 0);
		break;
	case VTPM_REC_EXTEND:
		gen_extend(g, 0, 7);
		break;
	case VTPM_REC_EVENT:
		gen_event(g, 0, 8);
		break;
	case VTPM_REC_RESET:
		gen_simple(g, 0, type, 16);
		break;
	default:
		gen_simple(g, 0, type, 0);
		break;
	}
	gen_extend(g, 1, 4);
	gen_next(g, false);		/* the ABORT first if voided */
	if (followed)
		gen_extend(g, 0, 9);
	gen_extend(g, 1, 5);
	gen_finish(g);
	return g;
}

/* the entry of A's record of @type */
static size_t entry_of(const struct gen *g, int owner, u8 type)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->e[i].owner == owner && g->e[i].body[1] == type)
			return i;
	abort();
}

static void test_hide(void)
{
	static const u8 types[] = {
		VTPM_REC_CREATE, VTPM_REC_EXTEND, VTPM_REC_EVENT,
		VTPM_REC_RESET, VTPM_REC_STARTUP_CLEAR,
		VTPM_REC_STARTUP_STATE, VTPM_REC_DESTROY,
	};
	const size_t rec_at = VIEW_RECORDS_AT(2);
	unsigned int k, voided;
	struct gen *g;
	size_t cap, len, i;
	u8 *buf;
	int ret;

	for (voided = 0; voided < 2; voided++) {
		for (k = 0; k < ARRAY_SIZE(types); k++) {
			const char *name = vtpm_rec_type_name(types[k]);
			bool ref_ok;

			g = hide_gen(types[k], voided, false);
			cap = log_cap(g);
			buf = malloc(cap);
			len = write_log(g, 0, buf, cap);
			ret = replay(buf, len, g->t[0].uuid, true);
			why_not(ret);
			ref_ok = !ret && pcr_expected(g) &&
				 rp->aborted == voided;
			i = entry_of(g, 0, types[k]);
			g->e[i].as_leaf = true;
			len = write_log(g, 0, buf, cap);
			ret = replay(buf, len, g->t[0].uuid, true);
			CHECK(ref_ok && ret == -EBADMSG && why_is(WHY_FEWER) &&
			      rp->err_offset == rec_at && pcr_expected(g),
			      "rule 9: A's %s%s shown as a LEAF in A's view: "
			      "the PCR matches, the view is refused (%d, %s at "
			      "%zu)", name, voided ? " in a voided batch" : "",
			      ret, rp->why, rp->err_offset);
			free(buf);
			free(g);
		}
	}

	/* an earlier rule may fire first: a record after a hidden CREATE */
	g = hide_gen(VTPM_REC_CREATE, false, true);
	cap = log_cap(g);
	buf = malloc(cap);
	g->e[entry_of(g, 0, VTPM_REC_CREATE)].as_leaf = true;
	len = write_log(g, 0, buf, cap);
	ret = replay(buf, len, g->t[0].uuid, true);
	CHECK(ret == -EBADMSG &&
	      why_is("a record of an instance before its CREATE"),
	      "rule 5 before rule 9: A's CREATE hidden, A's next record "
	      "refused (%s)", rp->why);
	free(buf);
	free(g);

	/* a relay that also rewrites the header to what the view shows */
	{
		struct vtpm_log_commit truth, shown;
		u8 v1[32], v2[32], nonce[8] = "nonce";
		size_t h;

		g = hide_gen(VTPM_REC_EXTEND, false, true);
		cap = log_cap(g);
		buf = malloc(cap);
		gen_commit(g, 0, &truth);
		h = entry_of(g, 0, VTPM_REC_EXTEND);
		g->e[h].as_leaf = true;
		len = write_log(g, 0, buf, cap);
		memset(&shown, 0, sizeof(shown));
		for (i = 0; i < g->n; i++) {
			if (g->e[i].owner != 0 || i == h)
				continue;
			ossl_chain(shown.chain, g->e[i].leaf);
			shown.records++;
		}
		set_view_commit(buf, 2, &shown);
		ret = replay(buf, len, g->t[0].uuid, true);
		CHECK(!ret && pcr_expected(g) &&
		      commit_eq(&rp->commit, &shown) &&
		      !commit_eq(&shown, &truth) && truth.records == 3,
		      "rule 9: a relay that also rewrites the header: the view "
		      "replays, its commitment is not the instance's");
		CHECK(!vtpm_attest_value(zero, g->batch + 1, g->t[0].uuid,
					 &truth, nonce, 5, v1) &&
		      !vtpm_attest_value(zero, g->batch + 1, g->t[0].uuid,
					 &rp->commit, nonce, 5, v2) &&
		      memcmp(v1, v2, 32),
		      "... so the request value it leads to is not the one "
		      "the quote covers");
		free(buf);
		free(g);
	}
}

/* the header's commitment, one bit at a time; headers that commit to more */
static void test_header_commit(void)
{
	const size_t rec_at = VIEW_RECORDS_AT(2), chain_at = VIEW_CHAIN_AT(2);
	static const struct {
		size_t off;	/* from the records field */
		u8 mask;
		const char *why;
	} flips[] = {
		{ 7, 0x01, WHY_MORE },		/* 3 -> 2 */
		{ 7, 0x02, WHY_MORE },		/* 3 -> 1 */
		{ 7, 0x04, WHY_FEWER },		/* 3 -> 7 */
		{ 0, 0x80, WHY_FEWER },		/* 3 + 2^63 */
		{ 8, 0x01, WHY_CHAIN },		/* the chain's first bit */
		{ 8 + 31, 0x80, WHY_CHAIN },	/* its last */
		{ 8 + 17, 0x10, WHY_CHAIN },
	};
	u8 *buf = malloc(sizeof(v_view6));
	struct vtpm_log_commit c;
	unsigned int i;
	int ret;

	CHECK(v_view[rec_at + 7] == 3, "header: A's view commits to 3 "
	      "records at offset %zu", rec_at);
	for (i = 0; i < ARRAY_SIZE(flips); i++) {
		size_t at = rec_at + flips[i].off;

		memcpy(buf, v_view, sizeof(v_view));
		buf[at] ^= flips[i].mask;
		ret = replay(buf, sizeof(v_view), uuid_a, true);
		CHECK(ret == -EBADMSG && why_is(flips[i].why) &&
		      rp->err_offset == (flips[i].off < 8 ? rec_at : chain_at) &&
		      pcr_is(0, v_pcr_sha1) && pcr_is(1, v_pcr_sha256),
		      "header: bit %u of byte %zu of the commitment flipped: "
		      "refused (%s at %zu)", __builtin_ctz(flips[i].mask),
		      flips[i].off, rp->why, rp->err_offset);
	}

	/* A's view of 4 batches with A's commitment at 6 */
	memcpy(buf, v_view, sizeof(v_view));
	set_view_commit(buf, 2, &v_commit[5][0]);
	ret = replay(buf, sizeof(v_view), uuid_a, true);
	CHECK(ret == -EBADMSG && why_is(WHY_FEWER) && rp->err_offset == rec_at,
	      "header: a view of 4 batches committing to A's 6 records of 6 "
	      "batches: refused (%s)", rp->why);
	/* A's view of 6 batches with A's commitment at 4 */
	memcpy(buf, v_view6, sizeof(v_view6));
	set_view_commit(buf, 2, &v_commit[3][0]);
	ret = replay(buf, sizeof(v_view6), uuid_a, true);
	CHECK(ret == -EBADMSG && why_is(WHY_MORE) && rp->err_offset == rec_at,
	      "header: a view of 6 batches committing to A's 3 records of 4: "
	      "refused (%s)", rp->why);
	/* the right count, another instance's chain */
	memcpy(buf, v_view, sizeof(v_view));
	set_view_commit(buf, 2, &v_commit[3][1]);
	ret = replay(buf, sizeof(v_view), uuid_a, true);
	CHECK(v_commit[3][1].records == 3 && ret == -EBADMSG &&
	      why_is(WHY_CHAIN) && rp->err_offset == chain_at,
	      "header: A's view carrying B's commitment (3 records too): "
	      "refused (%s at %zu)", rp->why, rp->err_offset);
	/* a chain over A's records in another order */
	{
		u8 lv[VEC_RECS][32];

		ossl_vec_leaves(lv);
		memset(&c, 0, sizeof(c));
		ossl_chain(c.chain, lv[1]);
		ossl_chain(c.chain, lv[5]);
		ossl_chain(c.chain, lv[3]);
		c.records = 3;
		memcpy(buf, v_view, sizeof(v_view));
		set_view_commit(buf, 2, &c);
		ret = replay(buf, sizeof(v_view), uuid_a, true);
		CHECK(ret == -EBADMSG && why_is(WHY_CHAIN),
		      "header: a chain over A's leaves in another order: "
		      "refused (%s)", rp->why);
	}

	/* a view header cut short in its commitment */
	ret = replay(v_view, chain_at + 31, uuid_a, false);
	CHECK(ret == -EINVAL && why_is("header truncated"),
	      "header: a view header without the last byte of its chain: "
	      "-EINVAL (%s)", rp->why);
	ret = replay(v_view, rec_at, uuid_a, false);
	CHECK(ret == -EINVAL && why_is("header truncated"),
	      "header: a view header without its commitment: -EINVAL (%s)",
	      rp->why);
	/* a full log has none: its first batch follows nr_batches */
	CHECK(get_unaligned_be32(v_full + rec_at) == 0 &&
	      get_unaligned_be32(v_full + rec_at + 4) == 0 &&
	      get_unaligned_be32(v_full + rec_at + 8) == 1,
	      "header: a full log's batch 0 follows nr_batches at once");
	free(buf);
}

/* log versions and the hardware PCR's range */
static void test_header_v2(void)
{
	static const u32 bad_pcr[] = { 24, 0xffffffff, 0x100, 0x80000000 };
	const size_t gen_body = 53 + 12 + 1 + 32 + 32 + 2;	/* in v_full */
	const size_t vgen_body = gen_body + 40;			/* in v_view */
	u8 *buf = malloc(sizeof(v_full)), body[VTPM_REC_MAX_BODY];
	struct vtpm_log_rec r, d;
	unsigned int i, k;
	size_t len;
	int ret;

	for (k = 0; k < 2; k++) {
		const u8 *log = k ? v_view : v_full;
		size_t n = k ? sizeof(v_view) : sizeof(v_full);
		const char *what = k ? "view" : "full log";

		memcpy(buf, log, n);
		buf[9] = 1;
		ret = replay(buf, n, uuid_a, true);
		CHECK(ret == -EINVAL && why_is(WHY_V1) && rp->err_offset == 8,
		      "version: a version-1 %s is refused (%d, %s at %zu)",
		      what, ret, rp->why, rp->err_offset);
		for (i = 0; i < 3; i++) {
			static const u16 v[] = { 0, 3, 0x0102 };

			put_unaligned_be16(v[i], buf + 8);
			ret = replay(buf, n, uuid_a, true);
			CHECK(ret == -EINVAL && why_is(WHY_VERSION) &&
			      rp->err_offset == 8,
			      "version: a %s of version %u is refused (%s)",
			      what, v[i], rp->why);
		}

		for (i = 0; i < ARRAY_SIZE(bad_pcr); i++) {
			memcpy(buf, log, n);
			put_unaligned_be32(bad_pcr[i], buf + 12);
			ret = replay(buf, n, uuid_a, true);
			CHECK(ret == -EINVAL && why_is(WHY_HW_PCR) &&
			      rp->err_offset == 12,
			      "hw_pcr: %s header of hw_pcr 0x%x is refused "
			      "(%s at %zu)", what, bad_pcr[i], rp->why,
			      rp->err_offset);
		}
		memcpy(buf, log, n);
		put_unaligned_be32(23, buf + 12);
		ret = replay(buf, n, uuid_a, true);
		CHECK(ret == -EBADMSG &&
		      why_is("genesis and header name different hardware PCRs"),
		      "hw_pcr: %s header of hw_pcr 23 (in range, not the "
		      "genesis record's) (%s)", what, rp->why);

		len = k ? vgen_body : gen_body;
		CHECK(get_unaligned_be32(log + len + 33) == 11 &&
		      log[len + 1] == VTPM_REC_GENESIS,
		      "hw_pcr: the %s's GENESIS body at %zu", what, len);
		for (i = 0; i < ARRAY_SIZE(bad_pcr); i++) {
			memcpy(buf, log, n);
			put_unaligned_be32(bad_pcr[i], buf + len + 33);
			ret = replay(buf, n, uuid_a, true);
			CHECK(ret == -EINVAL && why_is(WHY_HW_PCR) &&
			      rp->err_offset == len + 33,
			      "hw_pcr: a GENESIS of hw_pcr 0x%x in a %s is "
			      "refused (%s at %zu)", bad_pcr[i], what, rp->why,
			      rp->err_offset);
			put_unaligned_be32(bad_pcr[i], buf + 12);
			ret = replay(buf, n, uuid_a, true);
			CHECK(ret == -EINVAL && why_is(WHY_HW_PCR) &&
			      rp->err_offset == 12,
			      "hw_pcr: ... and with the header's equal to it, "
			      "the header is refused first (at %zu)",
			      rp->err_offset);
		}
	}

	/* the record rule: decode refuses, encode refuses */
	vec_rec(0, &r);
	for (i = 0; i < ARRAY_SIZE(bad_pcr); i++) {
		r.genesis.hw_pcr = bad_pcr[i];
		len = raw_encode(&r, body);
		ret = vtpm_rec_decode(body, len, &d);
		CHECK(ret == -EINVAL && !vtpm_rec_encode(&r, body, sizeof(body)),
		      "hw_pcr: a GENESIS body of hw_pcr 0x%x: decode -EINVAL, "
		      "encode 0", bad_pcr[i]);
	}
	r.genesis.hw_pcr = 23;
	len = vtpm_rec_encode(&r, body, sizeof(body));
	CHECK(len && !vtpm_rec_decode(body, len, &d) && d.genesis.hw_pcr == 23,
	      "hw_pcr: a GENESIS of hw_pcr 23 is valid");
	free(buf);
}

/* the chain formula against OpenSSL */
static void test_chain(void)
{
	struct vtpm_log_commit c;
	u8 leaf[32], ref[32];
	bool ok = true;
	u64 s = 13;
	int i;

	memset(&c, 0, sizeof(c));
	memset(ref, 0, 32);
	for (i = 0; i < 1000; i++) {
		rnd_bytes(&s, leaf, 32);
		ossl_hash4(SHA256, "vtpm-mux chain v1", 17, ref, 32, leaf, 32,
			   "", 0, ref);
		ok &= !vtpm_commit_add(&c, leaf) && c.records == (u64)i + 1 &&
		      !memcmp(c.chain, ref, 32);
	}
	CHECK(ok && sizeof(VTPM_CHAIN_DOMAIN) - 1 == 17,
	      "chain: 1000 random leaves, vtpm_commit_add equals "
	      "SHA-256(\"vtpm-mux chain v1\" || chain || leaf) with OpenSSL");
	c.records = ~0ULL - 1;
	memset(leaf, 0, 32);
	CHECK(!vtpm_commit_add(&c, leaf) && c.records == ~0ULL,
	      "chain: the count is a u64");
}

/* ------------------------------------------------------------------ */
/* Concealment                                                          */

static bool contains(const u8 *hay, size_t n, const u8 *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (hay[i] == needle[0] && !memcmp(hay + i, needle, m))
			return true;
	return false;
}

/* does @view hold any 8-byte piece of @p? */
static unsigned int leaks(const u8 *view, size_t len, const u8 *p, size_t n)
{
	unsigned int found = 0;
	size_t i;

	for (i = 0; i + 8 <= n; i++)
		found += contains(view, len, p + i, 8);
	return found;
}

static void test_conceal(void)
{
	static const u8 key2[32] = { 0xee, 0x01, 0x02 };
	struct gen *g1 = gen_random(11, 4, all_algs, 3, 30, 12, 0, NULL, 0);
	struct gen *g2 = gen_random(11, 4, all_algs, 3, 30, 12, 0, key2,
				    0xb0b);
	size_t cap = log_cap(g1) > log_cap(g2) ? log_cap(g1) : log_cap(g2);
	u8 *v1 = malloc(cap), *v2 = malloc(cap), *f1 = malloc(cap);
	u8 *f2 = malloc(cap);
	size_t l1, l2, lf1, lf2, i, k, nb = 0, bdiff = 0, odiff = 0;
	unsigned int leak = 0, bdigests = 0;
	struct vtpm_log_rec r;

	lf1 = write_log(g1, -1, f1, cap);
	lf2 = write_log(g2, -1, f2, cap);
	l1 = write_log(g1, 0, v1, cap);
	l2 = write_log(g2, 0, v2, cap);

	/* nothing of B or C in A's view */
	for (i = 0; i < g1->n; i++) {
		const struct ent *e = &g1->e[i];

		if (e->owner <= 0)
			continue;
		if (vtpm_rec_decode(e->body, e->len, &r))
			abort();
		for (k = 0; k < r.count; k++, bdigests++)
			leak += leaks(v1, l1, r.d[k].digest,
				      dsize(r.d[k].alg));
		leak += leaks(v1, l1, e->salt, 32);
	}
	for (i = 1; i < 3; i++) {
		leak += leaks(v1, l1, g1->t[i].tag, 32);
		leak += leaks(v1, l1, (u8 *)g1->t[i].label,
			      strlen(g1->t[i].label));
		leak += leaks(v1, l1, g1->t[i].uuid, 16);
	}
	CHECK(!leak && bdigests > 50, "conceal: A's view holds no 8 bytes of "
	      "B's or C's %u digests, salts, tags, labels, uuids",
	      bdigests);

	/* B extended other digests (other banks, other counts), with other salts */
	CHECK(g1->n == g2->n && (lf1 != lf2 || memcmp(f1, f2, lf1)),
	      "conceal: two histories differing in B's digests and salts "
	      "(full logs of %zu and %zu bytes)", lf1, lf2);
	for (i = 0; i < g1->n; i++) {
		const struct ent *e1 = &g1->e[i], *e2 = &g2->e[i];

		if (e1->owner != 1) {
			odiff += e1->len != e2->len ||
				 memcmp(e1->body, e2->body, e1->len);
			continue;
		}
		nb++;
		bdiff += memcmp(v1 + e1->off + 1, v2 + e2->off + 1, 32) != 0;
		/* blank B's leaves to compare the rest */
		memset(v1 + e1->off + 1, 0, 32);
		memset(v2 + e2->off + 1, 0, 32);
	}
	CHECK(!odiff, "conceal: the other tenants' records are the same");
	CHECK(l1 == l2 && !memcmp(v1, v2, l1) && bdiff == nb && nb > 10,
	      "conceal: A's views of both have the same length (%zu, %zu) and "
	      "bytes, but for B's %zu leaves, which all differ", l1, l2, nb);
	free(v1);
	free(v2);
	free(f1);
	free(f2);
	free(g1);
	free(g2);
}

/* ------------------------------------------------------------------ */
/* Fuzzing                                                              */

static void test_fuzz(void)
{
	struct gen *g = small_gen();
	size_t cap = log_cap(g), lens[4], len, i;
	u8 *logs[4], *buf = malloc(cap + 64);
	unsigned int odd = 0, ok = 0, einval = 0, ebadmsg = 0;
	const u8 *uuids[4] = { uuid_a, uuid_a, g->t[0].uuid, g->t[1].uuid };
	u64 s = 99;
	int ret;

	logs[0] = (u8 *)v_full;
	lens[0] = sizeof(v_full);
	logs[1] = (u8 *)v_view;
	lens[1] = sizeof(v_view);
	logs[2] = malloc(cap);
	lens[2] = write_log(g, -1, logs[2], cap);
	logs[3] = malloc(cap);
	lens[3] = write_log(g, 1, logs[3], cap);

	for (i = 0; i < 100000; i++) {
		unsigned int w = i % 4, m = 1 + rnd(&s, 4);

		len = lens[w];
		memcpy(buf, logs[w], len);
		while (m--) {
			u32 how = rnd(&s, 16), at = rnd(&s, len);

			if (how < 10) {
				buf[at] = rnd_next(&s);
			} else if (how < 12) {
				buf[at] ^= 1 << rnd(&s, 8);
			} else if (how < 13) {
				len = at;
			} else if (how < 14 && len + 8 < cap + 64) {
				memmove(buf + at + 1, buf + at, len - at);
				buf[at] = rnd_next(&s);
				len++;
			} else if (how < 15 && len > 1) {
				memmove(buf + at, buf + at + 1, len - at - 1);
				len--;
			} else if (at + 4 <= len) {
				put_unaligned_be32(rnd(&s, 300), buf + at);
			}
			if (!len)
				break;
		}
		ret = replay(buf, len, uuids[w], true);
		if (!ret)
			ok++;
		else if (ret == -EINVAL)
			einval++;
		else if (ret == -EBADMSG)
			ebadmsg++;
		if ((ret && ret != -EINVAL && ret != -EBADMSG) ||
		    (ret && (!rp->why || rp->err_offset > len)) ||
		    (!ret && rp->why))
			odd++;
	}
	CHECK(!odd, "fuzz: 100000 mutated logs: no crash, each accepted or "
	      "rejected with -EINVAL/-EBADMSG, a reason and an offset inside "
	      "(%u accepted, %u -EINVAL, %u -EBADMSG)", ok, einval, ebadmsg);
	free(logs[2]);
	free(logs[3]);
	free(buf);
	free(g);
}

/* ------------------------------------------------------------------ */
/* The rest of the API                                                  */

static void test_api(void)
{
	static const char *const names[] = {
		"unknown", "extend", "event", "reset", "startup_clear",
		"startup_state",
	};
	struct vtpm_log_header h = { .kind = 1, .nr_banks = 1 };
	struct vtpm_log_rec r;
	struct vtpm_banks banks = { 0 };
	struct vtpm_tpm *t;
	u8 leaf[32], buf[256], out[64];
	char line[300];
	struct tpm_wr w;
	bool ok = true;
	size_t n, len;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(names); i++)
		ok &= !strcmp(vtpm_rec_type_name(i), names[i]);
	ok &= !strcmp(vtpm_rec_type_name(16), "genesis") &&
	      !strcmp(vtpm_rec_type_name(17), "create") &&
	      !strcmp(vtpm_rec_type_name(18), "destroy") &&
	      !strcmp(vtpm_rec_type_name(19), "abort") &&
	      !strcmp(vtpm_rec_type_name(6), "unknown") &&
	      !strcmp(vtpm_rec_type_name(15), "unknown") &&
	      !strcmp(vtpm_rec_type_name(20), "unknown") &&
	      !strcmp(vtpm_rec_type_name(255), "unknown");
	CHECK(ok, "vtpm_rec_type_name of every type, and unknown ones");

	for (i = 0; i < 32; i++)
		leaf[i] = i;
	memset(&r, 0, sizeof(r));
	memcpy(r.uuid, uuid_a, 16);
	r.type = VTPM_REC_EXTEND;
	r.pcr = 23;
	r.count = 2;
	r.d[0].alg = SHA512;
	memset(r.d[0].digest, 0xab, 64);
	r.d[1].alg = SHA1;
	n = vtpm_rec_ascii(&r, leaf, line, sizeof(line));
	CHECK(n == strlen(line) && !strncmp(line, "23 000102030405060708090a0b"
	      "0c0d0e0f101112131415161718191a1b1c1d1e1f vtpm-mux sha512:abab",
	      88), "ascii: no sha256 digest: the first one (%.88s)", line);
	CHECK(n == 2 + 1 + 64 + 10 + 7 + 128 + 12 && line[n - 1] == '\n' &&
	      !strcmp(line + n - 12, " pcr_extend\n"),
	      "ascii: an extend line has the expected length and ending");
	r.type = VTPM_REC_RESET;
	r.pcr = 7;
	r.count = 0;
	n = vtpm_rec_ascii(&r, leaf, line, sizeof(line));
	CHECK(n == 2 + 64 + 10 + 7 + 64 + 11 && line[0] == '7' &&
	      line[1] == ' ' && !strncmp(line + 75, " sha256:0000", 12) &&
	      !strcmp(line + n - 11, " pcr_reset\n"),
	      "ascii: reset: vPCR, zero sha256 digest, pcr_reset");
	for (i = 0; i < 4; i++) {
		static const u8 ty[] = { VTPM_REC_STARTUP_CLEAR,
			VTPM_REC_STARTUP_STATE, VTPM_REC_CREATE,
			VTPM_REC_DESTROY };
		static const char *const ev[] = { "startup_clear",
			"startup_state", "create", "destroy" };
		char want[300];

		r.type = ty[i];
		r.pcr = VTPM_LOG_NO_PCR;
		snprintf(want, sizeof(want), "- 000102030405060708090a0b0c0d0e"
			 "0f101112131415161718191a1b1c1d1e1f vtpm-mux sha256:"
			 "%064d %s\n", 0, ev[i]);
		n = vtpm_rec_ascii(&r, leaf, line, sizeof(line));
		CHECK(n == strlen(want) && !strcmp(line, want),
		      "ascii: %s line", ev[i]);
	}
	r.type = VTPM_REC_EVENT;
	r.pcr = 2;
	r.count = 0;
	CHECK(!vtpm_rec_ascii(&r, leaf, line, sizeof(line)),
	      "ascii: an EVENT without digests has no line");
	r.count = 1;
	r.d[0].alg = SHA256;
	r.pcr = 24;
	CHECK(!vtpm_rec_ascii(&r, leaf, line, sizeof(line)),
	      "ascii: an EVENT of vPCR 24 has no line");
	r.pcr = VTPM_LOG_NO_PCR;
	r.count = 0;
	r.type = VTPM_REC_GENESIS;
	CHECK(!vtpm_rec_ascii(&r, leaf, line, sizeof(line)),
	      "ascii: GENESIS has no line");
	r.type = VTPM_REC_ABORT;
	CHECK(!vtpm_rec_ascii(&r, leaf, line, sizeof(line)),
	      "ascii: ABORT has no line");
	r.type = VTPM_REC_DESTROY;
	len = vtpm_rec_ascii(&r, leaf, line, sizeof(line));
	memset(line, '#', sizeof(line));
	CHECK(vtpm_rec_ascii(&r, leaf, line, len) == len &&
	      line[len] == '#' && !vtpm_rec_ascii(&r, leaf, line, len - 1),
	      "ascii: a line fits exactly without its NUL, not in one byte "
	      "less");

	CHECK(vtpm_batch_digest(SHA256, 0, buf, 0, out) == -EINVAL &&
	      vtpm_batch_digest(SHA256, 0, buf, 257, out) == -EINVAL &&
	      vtpm_batch_digest(0x0012, 0, buf, 1, out) == -EINVAL,
	      "batch digest: 0 or 257 leaves, or an unknown hash: -EINVAL");
	{
		u8 *many = calloc(256, 32);

		ossl_batch(SHA384, 1ULL << 40, many, 256, buf);
		CHECK(!vtpm_batch_digest(SHA384, 1ULL << 40, many, 256, out) &&
		      !memcmp(out, buf, 48),
		      "batch digest: 256 leaves, a 64-bit batch number, sha384");
		free(many);
	}
	memset(buf, 1, 64);
	memcpy(out, buf, 64);
	CHECK(vtpm_pcr_extend_value(0x0012, buf, out) == -EINVAL &&
	      !memcmp(buf, out, 64), "extend value: unknown hash: -EINVAL, "
	      "PCR unchanged");
	ossl_extend(SHA512, out, zero);
	CHECK(!vtpm_pcr_extend_value(SHA512, buf, zero) &&
	      !memcmp(buf, out, 64), "extend value: sha512");

	tpm_wr_init(&w, buf, 20);
	vtpm_log_wr_header(&w, &h);
	CHECK(w.err, "writer: a header that does not fit sets err");
	tpm_wr_init(&w, buf, sizeof(buf));
	h.nr_banks = 0;
	vtpm_log_wr_header(&w, &h);
	CHECK(w.err && !w.pos, "writer: a header of 0 banks sets err");
	tpm_wr_init(&w, buf, 40);
	vtpm_log_wr_clear(&w, zero, zero, zero, 10);
	CHECK(w.err, "writer: an entry that does not fit sets err");
	tpm_wr_init(&w, buf, sizeof(buf));
	vtpm_log_wr_leaf(&w, leaf);
	vtpm_log_wr_batch(&w, 0x0102030405060708ULL, 0x0a0b0c0d);
	CHECK(w.pos == 33 + 12 && buf[0] == 0 && buf[1] == 0 &&
	      buf[32] == 31 && buf[33] == 1 && buf[40] == 8 &&
	      get_unaligned_be32(buf + 41) == 0x0a0b0c0d,
	      "writer: leaf entry and batch header bytes");

	/* vtpm_rec_apply */
	vtpm_banks_add(&banks, SHA256);
	t = calloc(1, vtpm_tpm_size(&banks));
	vtpm_tpm_init(t, &banks);
	memset(&r, 0, sizeof(r));
	r.type = VTPM_REC_EXTEND;
	r.pcr = 4;
	r.count = 2;
	r.d[0].alg = SHA256;
	r.d[0].digest[0] = 1;
	r.d[1].alg = SHA256;
	r.d[1].digest[0] = 2;
	memset(out, 0, 32);
	ossl_extend(SHA256, out, r.d[0].digest);
	ossl_extend(SHA256, out, r.d[1].digest);
	CHECK(!vtpm_rec_apply(t, &r) && !memcmp(t->pcr + 4 * 32, out, 32),
	      "apply: two digests of one bank, in order");
	r.d[1].alg = SHA1;
	CHECK(vtpm_rec_apply(t, &r) == -EINVAL &&
	      !memcmp(t->pcr + 4 * 32, out, 32),
	      "apply: a digest of a bank the instance lacks: -EINVAL, "
	      "unchanged");
	r.d[1].alg = SHA256;
	r.count = 9;
	CHECK(vtpm_rec_apply(t, &r) == -EINVAL, "apply: 9 digests: -EINVAL");
	r.count = 2;
	r.pcr = 24;
	CHECK(vtpm_rec_apply(t, &r) == -EINVAL, "apply: vPCR 24: -EINVAL");
	r.pcr = 4;
	r.type = VTPM_REC_STARTUP_STATE;
	memset(t->pcr + 17 * 32, 0, 32);
	CHECK(!vtpm_rec_apply(t, &r) && !memcmp(t->pcr + 4 * 32, out, 32) &&
	      t->pcr[17 * 32] == 0xff, "apply: STARTUP_STATE keeps 4, "
	      "re-initialises 17");
	r.type = VTPM_REC_CREATE;
	CHECK(!vtpm_rec_apply(t, &r) && !memcmp(t->pcr + 4 * 32, out, 32),
	      "apply: CREATE changes nothing");
	r.type = VTPM_REC_STARTUP_CLEAR;
	CHECK(!vtpm_rec_apply(t, &r) && is_zero(t->pcr + 4 * 32, 32),
	      "apply: STARTUP_CLEAR re-initialises 4");
	free(t);
}

/*
 * The kernel writes a bundle as its head, then the view as it renders it:
 * that must be exactly the bundle vtpm_bundle_write() writes.
 */
static void test_bundle_head(void)
{
	static u8 whole[8192], split[8192];
	static const u8 attest[40] = { 0xff, 0x54, 0x43, 0x47 };
	static const u8 sig[72] = { 0x00, 0x18 };
	struct vtpm_bundle b = { .batches = 7, .nonce_len = 3,
				 .nonce = { 1, 2, 3 }, .leaf_index = 1,
				 .nr_leaves = 3, .path_len = 2 };
	u8 view[300];
	size_t n, h, i;

	for (i = 0; i < sizeof(view); i++)
		view[i] = (u8)(i * 7);
	memset(b.uuid, 0xab, sizeof(b.uuid));
	memset(b.path, 0x5a, sizeof(b.path));
	b.attest = attest;
	b.attest_len = sizeof(attest);
	b.sig = sig;
	b.sig_len = sizeof(sig);
	b.view = view;
	b.view_len = sizeof(view);
	n = vtpm_bundle_write(&b, whole, sizeof(whole));
	CHECK(n == vtpm_bundle_size(&b), "bundle: write gives its size (%zu)",
	      n);
	b.view = NULL;
	h = vtpm_bundle_write_head(&b, split, sizeof(split));
	CHECK(h + sizeof(view) == n,
	      "bundle: the head is the bundle less its view (%zu + %zu)", h,
	      sizeof(view));
	memcpy(split + h, view, sizeof(view));
	CHECK(!memcmp(whole, split, n),
	      "bundle: head then view is the bundle byte for byte");
	CHECK(!vtpm_bundle_write_head(&b, split, h - 1),
	      "bundle: a head one byte too small for its buffer is refused");
	b.view_len = 0;
	CHECK(!vtpm_bundle_write_head(&b, split, sizeof(split)),
	      "bundle: a head with no view is refused");
}

int main(void)
{
	rp = calloc(1, sizeof(*rp));
	tenant_size = sizeof(struct vtpm_tpm) + VTPM_NUM_PCRS *
		      VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE;
	tenant = malloc(tenant_size);
	printf("# sizeof(struct vtpm_replay) = %zu\n", sizeof(*rp));

	test_vectors();
	test_vector_voided();
	test_vector_commit();
	test_chain();
	test_roundtrip();
	test_decode_rejects();
	test_generated();
	test_many_instances();
	test_voided_destroy();
	test_tamper();
	test_rules();
	test_hide();
	test_header_commit();
	test_header_v2();
	test_conceal();
	test_api();
	test_bundle_head();
	test_fuzz();
	printf("1..%d\n", tests);
	free(rp);
	free(tenant);
	return failures ? 1 : 0;
}
