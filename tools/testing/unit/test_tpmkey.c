// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of drivers/vtpm/lib/tpmkey.c against real TPM outputs
 * (vectors/, made by vectors/mkvectors.sh with swtpm and tpm2-tools) and
 * OpenSSL.  Output: TAP.
 *
 *   test_tpmkey [VECTOR_DIR]	run the tests (default: vectors/ next to
 *				the binary)
 *   test_tpmkey --template	write vtpm_ak_template() to stdout
 */
#include <libgen.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>

#include "plat.h"
#include "../../../drivers/vtpm/lib/tpmkey.h"

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

static const char *vdir;

/* the file vdir/NAME.EXT, malloc'ed; NULL if it cannot be read */
static u8 *slurp(const char *name, const char *ext, size_t *len)
{
	char path[4096];
	u8 *buf = NULL;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%s", vdir, name, ext);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) >= 0 &&
	    !fseek(f, 0, SEEK_SET)) {
		buf = malloc(n + 1);
		if (buf && fread(buf, 1, n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		}
		if (buf) {
			buf[n] = 0;
			*len = n;
		}
	}
	fclose(f);
	return buf;
}

/* the parsers on an exact-size heap copy, so that ASan sees any overrun */
static int parse_exact(const u8 *p, size_t len, struct vtpm_tpmkey *k)
{
	u8 *c = malloc(len ? len : 1);
	int ret;

	memcpy(c, p, len);
	ret = vtpm_tpmkey_parse(c, len, k);
	free(c);
	return ret;
}

static int name_exact(const u8 *p, size_t len, u8 *name, size_t *name_len)
{
	u8 *c = malloc(len ? len : 1);
	int ret;

	memcpy(c, p, len);
	ret = vtpm_tpmkey_name(c, len, name, name_len);
	free(c);
	return ret;
}

static bool all_zero(const void *p, size_t n)
{
	const u8 *b = p;

	while (n--)
		if (*b++)
			return false;
	return true;
}

/* an OpenSSL key with the parameters of @k */
static EVP_PKEY *ossl_key(const struct vtpm_tpmkey *k)
{
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	EVP_PKEY_CTX *ctx = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY *pkey = NULL;
	BIGNUM *n = NULL, *e = NULL;
	u8 point[1 + 2 * VTPM_TPMKEY_ECC_MAX_BYTES];

	if (k->type == VTPM_ALG_RSA) {
		n = BN_bin2bn(k->rsa.n, k->rsa.size, NULL);
		e = BN_new();
		BN_set_word(e, k->rsa.exponent);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n);
		OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	} else {
		point[0] = 0x04;
		memcpy(point + 1, k->ecc.x, k->ecc.size);
		memcpy(point + 1 + k->ecc.size, k->ecc.y, k->ecc.size);
		OSSL_PARAM_BLD_push_utf8_string(bld,
						OSSL_PKEY_PARAM_GROUP_NAME,
						k->ecc.curve ==
						VTPM_ECC_NIST_P256 ?
						"prime256v1" : "secp384r1", 0);
		OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY,
						 point, 1 + 2 * k->ecc.size);
		ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	}
	params = OSSL_PARAM_BLD_to_param(bld);
	if (!ctx || !params || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		pkey = NULL;
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_free(n);
	BN_free(e);
	return pkey;
}

/* does OpenSSL's @pkey have the parameters of @k? */
static bool same_params(EVP_PKEY *pkey, const struct vtpm_tpmkey *k)
{
	u8 a[VTPM_TPMKEY_RSA_MAX_BYTES], b[VTPM_TPMKEY_ECC_MAX_BYTES];
	BIGNUM *x = NULL, *y = NULL;
	char group[64];
	bool ok = false;

	if (k->type == VTPM_ALG_RSA) {
		ok = EVP_PKEY_is_a(pkey, "RSA") &&
		     EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, &x) &&
		     EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &y) &&
		     BN_bn2binpad(x, a, k->rsa.size) == k->rsa.size &&
		     !memcmp(a, k->rsa.n, k->rsa.size) &&
		     BN_get_word(y) == k->rsa.exponent;
	} else if (k->type == VTPM_ALG_ECC) {
		ok = EVP_PKEY_is_a(pkey, "EC") &&
		     EVP_PKEY_get_utf8_string_param(pkey,
						    OSSL_PKEY_PARAM_GROUP_NAME,
						    group, sizeof(group),
						    NULL) &&
		     !strcmp(group, k->ecc.curve == VTPM_ECC_NIST_P256 ?
			     "prime256v1" : "secp384r1") &&
		     EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x) &&
		     EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y) &&
		     BN_bn2binpad(x, a, k->ecc.size) == k->ecc.size &&
		     BN_bn2binpad(y, b, k->ecc.size) == k->ecc.size &&
		     !memcmp(a, k->ecc.x, k->ecc.size) &&
		     !memcmp(b, k->ecc.y, k->ecc.size);
	}
	BN_free(x);
	BN_free(y);
	return ok;
}

static EVP_PKEY *pem_key(const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *pkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);

	BIO_free(bio);
	return pkey;
}

/* i2d_PUBKEY(@pkey) equals the @len bytes at @der */
static bool same_der(EVP_PKEY *pkey, const u8 *der, size_t len)
{
	unsigned char *d = NULL;
	int n = pkey ? i2d_PUBKEY(pkey, &d) : -1;
	bool ok = n > 0 && (size_t)n == len && !memcmp(d, der, len);

	OPENSSL_free(d);
	return ok;
}

/*
 * Our DER and PEM of @k against OpenSSL: the PEM parses and gives @k's
 * parameters, our DER is i2d_PUBKEY() of that key and of a key OpenSSL
 * makes from @k's parameters, our PEM is PEM_write_bio_PUBKEY()'s.
 * Every smaller capacity is refused without overrunning.
 */
static bool spki_matches(const struct vtpm_tpmkey *k, const char *what)
{
	u8 der[VTPM_TPMKEY_DER_MAX], *hb;
	char pem[VTPM_TPMKEY_PEM_MAX], *ref = NULL;
	size_t der_len, pem_len, cap;
	EVP_PKEY *pkey, *mine;
	bool ok = true, small = true;
	long ref_len;
	BIO *bio;

	der_len = vtpm_tpmkey_spki_der(k, der, sizeof(der));
	pem_len = vtpm_tpmkey_pem(k, pem, sizeof(pem));
	if (!der_len || !pem_len || pem[pem_len] || strlen(pem) != pem_len ||
	    vtpm_tpmkey_spki_der(k, NULL, 0) != der_len) {
		printf("# %s: DER %zu, PEM %zu\n", what, der_len, pem_len);
		return false;
	}
	pkey = pem_key(pem, pem_len);
	mine = ossl_key(k);
	if (!pkey || !same_params(pkey, k) || !same_der(pkey, der, der_len) ||
	    !mine || !same_der(mine, der, der_len)) {
		printf("# %s: PEM, DER or parameters differ from OpenSSL's\n",
		       what);
		ok = false;
	}
	bio = BIO_new(BIO_s_mem());
	if (mine && PEM_write_bio_PUBKEY(bio, mine))
		ref_len = BIO_get_mem_data(bio, &ref);
	else
		ref_len = -1;
	if (ref_len != (long)pem_len || memcmp(ref, pem, pem_len)) {
		printf("# %s: PEM text differs from PEM_write_bio_PUBKEY's\n",
		       what);
		ok = false;
	}
	BIO_free(bio);
	EVP_PKEY_free(pkey);
	EVP_PKEY_free(mine);

	for (cap = 0; cap < der_len; cap++) {
		hb = malloc(cap ? cap : 1);
		if (vtpm_tpmkey_spki_der(k, hb, cap))
			small = false;
		free(hb);
	}
	for (cap = 0; cap <= pem_len; cap++) {
		hb = malloc(cap ? cap : 1);
		if (vtpm_tpmkey_pem(k, (char *)hb, cap))
			small = false;
		free(hb);
	}
	hb = malloc(pem_len + 1);
	if (vtpm_tpmkey_pem(k, (char *)hb, pem_len + 1) != pem_len ||
	    memcmp(hb, pem, pem_len + 1))
		small = false;
	free(hb);
	if (!small) {
		printf("# %s: wrong answer for a small or exact capacity\n",
		       what);
		ok = false;
	}
	return ok;
}

/* malformed variants of a valid TPM2B_PUBLIC: all must be -EINVAL */
static void malformed(const char *what, const u8 *pub, size_t len)
{
	u8 buf[2048], name[VTPM_TPMKEY_NAME_MAX];
	struct vtpm_tpmkey k;
	size_t l, name_len;
	u32 bad = 0, bad_name = 0, bad_zero = 0;
	int ret;

	/* every truncation of the whole */
	for (l = 0; l < len; l++) {
		if (parse_exact(pub, l, &k) != -EINVAL)
			bad++;
		if (!all_zero(&k, sizeof(k)))
			bad_zero++;
		if (name_exact(pub, l, name, &name_len) != -EINVAL)
			bad_name++;
	}
	CHECK(!bad && !bad_zero && !bad_name,
	      "%s: all %zu truncations: -EINVAL, key zeroed", what, len);

	/* every truncation of the TPMT_PUBLIC, the TPM2B's size adjusted */
	bad = 0;
	bad_zero = 0;
	for (l = 2; l < len; l++) {
		memcpy(buf, pub, l);
		put_unaligned_be16(l - 2, buf);
		ret = parse_exact(buf, l, &k);
		if (ret != -EINVAL)
			bad++;
		if (!all_zero(&k, sizeof(k)))
			bad_zero++;
	}
	CHECK(!bad && !bad_zero,
	      "%s: all %zu truncated TPMT_PUBLICs with a matching size: -EINVAL",
	      what, len - 2);

	/* trailing bytes, outside and inside the TPM2B */
	memcpy(buf, pub, len);
	buf[len] = 0;
	bad = parse_exact(buf, len + 1, &k) != -EINVAL ||
	      name_exact(buf, len + 1, name, &name_len) != -EINVAL;
	put_unaligned_be16(len - 1, buf);
	bad += parse_exact(buf, len + 1, &k) != -EINVAL;
	/* the size one off either way, the length unchanged */
	put_unaligned_be16(len - 1, buf);
	bad += parse_exact(buf, len, &k) != -EINVAL;
	bad += name_exact(buf, len, name, &name_len) != -EINVAL;
	put_unaligned_be16(len - 3, buf);
	bad += parse_exact(buf, len, &k) != -EINVAL;
	bad += name_exact(buf, len, name, &name_len) != -EINVAL;
	put_unaligned_be16(0, buf);
	bad += parse_exact(buf, 2, &k) != -EINVAL;
	CHECK(!bad, "%s: trailing bytes and wrong TPM2B sizes: -EINVAL", what);
}

/* random mutations: no crash, only 0, -EINVAL or -EOPNOTSUPP */
static void mutate(const char *what, const u8 *pub, size_t len)
{
	u8 buf[2048], der[VTPM_TPMKEY_DER_MAX], name[VTPM_TPMKEY_NAME_MAX];
	char pem[VTPM_TPMKEY_PEM_MAX];
	struct vtpm_tpmkey k;
	u32 i, j, odd = 0, ok = 0;
	size_t l, name_len;
	u64 rng = 0x9e3779b97f4a7c15ULL ^ len;
	int ret;

	for (i = 0; i < 20000; i++) {
		memcpy(buf, pub, len);
		l = len;
		for (j = 0; j <= i % 4; j++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[(rng >> 33) % l] = rng >> 17;
		}
		if (i % 7 == 0)
			l = 2 + (rng >> 40) % (len - 1);
		if (i % 3 == 0)
			put_unaligned_be16(l - 2, buf);
		ret = parse_exact(buf, l, &k);
		if (ret && ret != -EINVAL && ret != -EOPNOTSUPP)
			odd++;
		if (!ret) {
			ok++;
			vtpm_tpmkey_check_ak(&k);
			if (!vtpm_tpmkey_spki_der(&k, der, sizeof(der)) ||
			    !vtpm_tpmkey_pem(&k, pem, sizeof(pem)))
				odd++;
		}
		ret = name_exact(buf, l, name, &name_len);
		if (ret && ret != -EINVAL)
			odd++;
	}
	CHECK(!odd, "%s: 20000 mutations (%u still parse): no crash, only 0, -EINVAL, -EOPNOTSUPP",
	      what, ok);
}

/* one TPM vector and what to expect of it */
struct vec {
	const char *name;
	int parse;
	int ak;
	u16 type, name_alg, scheme, hash;
	u32 attrs;
	u16 size;		/* curve or keyBits */
	bool pem;
};

#define AK	0x00050072
#define EK	0x000300b2
static const struct vec vecs[] = {
	{ "ak-ecc-p256", 0, 0, VTPM_ALG_ECC, VTPM_ALG_SHA256,
	  VTPM_ALG_ECDSA, VTPM_ALG_SHA256, AK, VTPM_ECC_NIST_P256, true },
	{ "ak-rsa2048", 0, 0, VTPM_ALG_RSA, VTPM_ALG_SHA256,
	  VTPM_ALG_RSASSA, VTPM_ALG_SHA256, AK, 2048, true },
	{ "ak-rsa3072-pss", 0, 0, VTPM_ALG_RSA, VTPM_ALG_SHA256,
	  VTPM_ALG_RSAPSS, VTPM_ALG_SHA384, AK, 3072, true },
	{ "ak-ecc-p384", 0, 0, VTPM_ALG_ECC, VTPM_ALG_SHA256,
	  VTPM_ALG_ECDSA, VTPM_ALG_SHA384, AK, VTPM_ECC_NIST_P384, true },
	{ "ak-ecc-p384-policy", 0, 0, VTPM_ALG_ECC, VTPM_ALG_SHA384,
	  VTPM_ALG_ECDSA, VTPM_ALG_SHA384, AK, VTPM_ECC_NIST_P384, true },
	{ "ek-rsa2048", 0, -EINVAL, VTPM_ALG_RSA, VTPM_ALG_SHA256,
	  VTPM_ALG_NULL, VTPM_ALG_NULL, EK, 2048, true },
	{ "ek-ecc-p256", 0, -EINVAL, VTPM_ALG_ECC, VTPM_ALG_SHA256,
	  VTPM_ALG_NULL, VTPM_ALG_NULL, EK, VTPM_ECC_NIST_P256, true },
	{ "ecc-p256-sign", 0, -EINVAL, VTPM_ALG_ECC, VTPM_ALG_SHA256,
	  VTPM_ALG_ECDSA, VTPM_ALG_SHA256, AK & ~VTPM_OA_RESTRICTED,
	  VTPM_ECC_NIST_P256, true },
	{ .name = "rsa1024", .parse = -EOPNOTSUPP },
	{ .name = "ecc-p521", .parse = -EOPNOTSUPP },
	{ .name = "hmac", .parse = -EOPNOTSUPP },
	{ .name = "aes", .parse = -EOPNOTSUPP },
};

static void test_vector(const struct vec *v)
{
	u8 *pub, *ref_name, name[VTPM_TPMKEY_NAME_MAX];
	size_t len, ref_len, name_len = 0, pem_len, rpem_len;
	char pem[VTPM_TPMKEY_PEM_MAX], *rpem;
	struct vtpm_tpmkey k;
	EVP_PKEY *rkey;
	int ret;

	pub = slurp(v->name, "pub", &len);
	ref_name = slurp(v->name, "name", &ref_len);
	if (!pub || !ref_name) {
		CHECK(0, "%s: vector files readable", v->name);
		free(pub);
		free(ref_name);
		return;
	}
	ret = parse_exact(pub, len, &k);
	if (v->parse) {
		CHECK(ret == v->parse && all_zero(&k, sizeof(k)),
		      "%s: parse: %d (expected %d), key zeroed", v->name, ret,
		      v->parse);
	} else {
		CHECK(!ret && k.type == v->type && k.name_alg == v->name_alg &&
		      k.attrs == v->attrs && k.scheme == v->scheme &&
		      k.scheme_hash == v->hash &&
		      (v->type == VTPM_ALG_RSA ?
		       k.rsa.bits == v->size && k.rsa.size == v->size / 8 &&
		       k.rsa.exponent == 65537 :
		       k.ecc.curve == v->size &&
		       k.ecc.size == (v->size == VTPM_ECC_NIST_P256 ? 32 : 48)),
		      "%s: parse: type, nameAlg, attributes, scheme, size",
		      v->name);
		ret = vtpm_tpmkey_check_ak(&k);
		CHECK(ret == v->ak, "%s: check_ak: %d (expected %d)", v->name,
		      ret, v->ak);
	}
	ret = name_exact(pub, len, name, &name_len);
	CHECK(!ret && name_len == ref_len && !memcmp(name, ref_name, ref_len),
	      "%s: name equals tpm2-tools' (%zu bytes)", v->name, ref_len);
	if (!v->parse && v->pem) {
		rpem = (char *)slurp(v->name, "pem", &rpem_len);
		pem_len = vtpm_tpmkey_pem(&k, pem, sizeof(pem));
		CHECK(rpem && pem_len == rpem_len && !memcmp(pem, rpem, pem_len),
		      "%s: PEM equals tpm2-tools' byte for byte", v->name);
		rkey = rpem ? pem_key(rpem, rpem_len) : NULL;
		CHECK(rkey && same_params(rkey, &k),
		      "%s: tpm2-tools' PEM has our key's parameters", v->name);
		EVP_PKEY_free(rkey);
		free(rpem);
		CHECK(spki_matches(&k, v->name),
		      "%s: DER and PEM agree with OpenSSL, small buffers refused",
		      v->name);
	}
	malformed(v->name, pub, len);
	mutate(v->name, pub, len);
	free(pub);
	free(ref_name);
}

static void test_template(void)
{
	u8 tmpl[64], *hb, *pub, *ours, *tt;
	size_t len, pub_len, ours_len, tt_len, cap;
	struct vtpm_tpmkey k;
	bool small = true;

	len = vtpm_ak_template(tmpl, sizeof(tmpl));
	tt = slurp("ak-ecc-p256", "tmpl", &tt_len);
	CHECK(len == VTPM_AK_TEMPLATE_SIZE && tt && tt_len == len - 2 &&
	      get_unaligned_be16(tmpl) == len - 2 &&
	      !memcmp(tmpl + 2, tt, tt_len),
	      "template: the TPMT_PUBLIC tpm2_createprimary -G ecc256:ecdsa-sha256:null sends");
	CHECK(get_unaligned_be16(tmpl + 2) == VTPM_ALG_ECC &&
	      get_unaligned_be16(tmpl + 4) == VTPM_ALG_SHA256 &&
	      get_unaligned_be32(tmpl + 6) == 0x00050072 &&
	      VTPM_AK_ATTRS == 0x00050072,
	      "template: ECC, nameAlg SHA-256, attributes 0x00050072");
	for (cap = 0; cap < len; cap++) {
		hb = malloc(cap ? cap : 1);
		if (vtpm_ak_template(hb, cap))
			small = false;
		free(hb);
	}
	CHECK(small && vtpm_ak_template(NULL, 0) == len,
	      "template: smaller buffers refused, NULL counts");

	/* the TPM's public area is the template with the point filled in */
	pub = slurp("ak-ecc-p256", "pub", &pub_len);
	CHECK(pub && pub_len == len + 2 * (2 + 32) - 4 &&
	      !memcmp(pub + 2, tmpl + 2, len - 6) &&
	      all_zero(tmpl + len - 4, 4) &&
	      get_unaligned_be16(pub + len - 4) == 32 &&
	      get_unaligned_be16(pub + len - 4 + 34) == 32,
	      "template: the AK tpm2_createprimary made is the template but unique");
	ours = slurp("ak-ecc-p256-ours", "pub", &ours_len);
	CHECK(pub && ours && ours_len == pub_len &&
	      !memcmp(ours, pub, pub_len),
	      "template: TPM2_CreatePrimary of our template made the same key");
	CHECK(vtpm_tpmkey_parse(tmpl, len, &k) == -EINVAL,
	      "template: not a key itself (empty point): -EINVAL");
	free(pub);
	free(ours);
	free(tt);
}

/* a TPM2B_PUBLIC being built, independently of tpmkey.c */
struct blob {
	u8 d[2048];
	size_t n;
};

static void b16(struct blob *b, u16 v)
{
	put_unaligned_be16(v, b->d + b->n);
	b->n += 2;
}

static void b32(struct blob *b, u32 v)
{
	put_unaligned_be32(v, b->d + b->n);
	b->n += 4;
}

static void bbytes(struct blob *b, const void *p, size_t n)
{
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void b2b(struct blob *b, const void *p, u16 n)
{
	b16(b, n);
	bbytes(b, p, n);
}

/* start: size placeholder, type, nameAlg, attributes, authPolicy */
static void bstart(struct blob *b, u16 type, u16 name_alg, u32 attrs,
		   u16 policy)
{
	static const u8 pol[64] = { 1, 2, 3 };

	b->n = 0;
	b16(b, 0);
	b16(b, type);
	b16(b, name_alg);
	b32(b, attrs);
	b2b(b, pol, policy);
}

static void bend(struct blob *b)
{
	put_unaligned_be16(b->n - 2, b->d);
}

/* an ECC key with the AK's parameters but @curve, @scheme and point */
static void becc(struct blob *b, u16 name_alg, u16 policy, u16 scheme,
		 u16 hash, u16 curve, const u8 *x, u16 xl, const u8 *y,
		 u16 yl)
{
	bstart(b, VTPM_ALG_ECC, name_alg, AK, policy);
	b16(b, VTPM_ALG_NULL);
	b16(b, scheme);
	if (scheme != VTPM_ALG_NULL)
		b16(b, hash);
	b16(b, curve);
	b16(b, VTPM_ALG_NULL);
	b2b(b, x, xl);
	b2b(b, y, yl);
	bend(b);
}

static void brsa(struct blob *b, u16 scheme, u16 bits, u32 e, const u8 *n,
		 u16 nl)
{
	bstart(b, VTPM_ALG_RSA, VTPM_ALG_SHA256, AK, 0);
	b16(b, VTPM_ALG_NULL);
	b16(b, scheme);
	if (scheme != VTPM_ALG_NULL && scheme != VTPM_ALG_RSAES)
		b16(b, VTPM_ALG_SHA256);
	b16(b, bits);
	b32(b, e);
	b2b(b, n, nl);
	bend(b);
}

static void fill(u8 *p, size_t n, u64 seed)
{
	while (n--) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		*p++ = seed >> 33;
	}
}

static void test_rsa(void)
{
	static const u32 exps[] = {
		0, 3, 17, 257, 65537, 0x00ffffff, 0x01000001, 0x7fffffff,
		0x80000001, 0xffffffff,
	};
	static const u16 sizes[] = { 2048, 3072, 4096 };
	u8 n[VTPM_TPMKEY_RSA_MAX_BYTES], der[VTPM_TPMKEY_DER_MAX];
	char pem[VTPM_TPMKEY_PEM_MAX];
	struct vtpm_tpmkey k;
	struct blob b;
	u32 bad = 0, i, s;
	size_t max_der = 0, max_pem = 0, l;
	u64 mod48;

	for (s = 0; s < ARRAY_SIZE(sizes); s++) {
		fill(n, sizes[s] / 8, sizes[s]);
		n[0] |= 0x80;
		for (i = 0; i < ARRAY_SIZE(exps); i++) {
			brsa(&b, VTPM_ALG_RSASSA, sizes[s], exps[i], n,
			     sizes[s] / 8);
			if (parse_exact(b.d, b.n, &k) || k.rsa.bits != sizes[s] ||
			    k.rsa.exponent != (exps[i] ? exps[i] : 65537) ||
			    !spki_matches(&k, "rsa")) {
				printf("# RSA %u, exponent %u\n", sizes[s],
				       exps[i]);
				bad++;
			}
			l = vtpm_tpmkey_spki_der(&k, der, sizeof(der));
			max_der = l > max_der ? l : max_der;
			l = vtpm_tpmkey_pem(&k, pem, sizeof(pem));
			max_pem = l > max_pem ? l : max_pem;
		}
	}
	CHECK(!bad, "RSA 2048/3072/4096 with %zu exponents each: DER and PEM as OpenSSL's",
	      ARRAY_SIZE(exps));
	CHECK(max_der == VTPM_TPMKEY_DER_MAX && max_pem + 1 == VTPM_TPMKEY_PEM_MAX,
	      "the largest DER and PEM (RSA 4096, 32-bit exponent) fill VTPM_TPMKEY_DER_MAX and _PEM_MAX exactly");

	/*
	 * Moduli with 0..99 leading zero bytes: minimal INTEGERs, and DER
	 * sizes of every remainder modulo 3 and 48 (base64 padding, a last
	 * line of exactly 64 characters)
	 */
	bad = 0;
	mod48 = 0;
	for (i = 0; i < 100 * 2 * 3; i++) {
		u32 zeroes = i / 6, e = i % 3 ? i % 3 == 1 ? 3 : 65537 :
					   0x80000001;

		fill(n, 256, i);
		memset(n, 0, zeroes);
		n[zeroes] = i / 3 % 2 ? 0x80 : 0x7f;
		brsa(&b, VTPM_ALG_RSASSA, 2048, e, n, 256);
		if (parse_exact(b.d, b.n, &k) || !spki_matches(&k, "rsa0"))
			bad++;
		mod48 |= 1ULL << vtpm_tpmkey_spki_der(&k, NULL, 0) % 48;
	}
	CHECK(!bad && mod48 == (1ULL << 48) - 1,
	      "moduli with leading zero bytes: the minimal INTEGER, DER and PEM as OpenSSL's for DER sizes of all 48 remainders modulo 48");

	fill(n, 512, 1);
	brsa(&b, VTPM_ALG_RSASSA, 2048, 1, n, 256);
	bad = parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 2048, 2, n, 256);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 2048, 65536, n, 256);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "RSA exponents 1 and even: -EINVAL");

	brsa(&b, VTPM_ALG_RSASSA, 2048, 0, n, 255);
	bad = parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 2048, 0, n, 257);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 2047, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 0, 0, n, 0);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_RSASSA, 4096, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "RSA modulus size not keyBits / 8: -EINVAL");

	brsa(&b, VTPM_ALG_RSASSA, 1024, 0, n, 128);
	bad = parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	brsa(&b, VTPM_ALG_RSASSA, 2056, 0, n, 257);
	bad += parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	CHECK(!bad, "RSA 1024 and 2056: -EOPNOTSUPP");

	brsa(&b, VTPM_ALG_ECDSA, 2048, 0, n, 256);
	bad = parse_exact(b.d, b.n, &k) != -EINVAL;
	brsa(&b, VTPM_ALG_SHA256, 2048, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "RSA with an ECC or no scheme id: -EINVAL");

	brsa(&b, VTPM_ALG_RSASSA, 2048, 0, n, 256);
	bad = parse_exact(b.d, b.n, &k) || vtpm_tpmkey_check_ak(&k);
	brsa(&b, VTPM_ALG_RSAPSS, 2048, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) || vtpm_tpmkey_check_ak(&k);
	brsa(&b, VTPM_ALG_RSAES, 2048, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) || k.scheme_hash != VTPM_ALG_NULL ||
	       vtpm_tpmkey_check_ak(&k) != -EINVAL;
	brsa(&b, VTPM_ALG_OAEP, 2048, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) || vtpm_tpmkey_check_ak(&k) != -EINVAL;
	brsa(&b, VTPM_ALG_NULL, 2048, 0, n, 256);
	bad += parse_exact(b.d, b.n, &k) || vtpm_tpmkey_check_ak(&k) != -EINVAL;
	CHECK(!bad, "check_ak: RSASSA and RSAPSS yes; RSAES, OAEP, NULL no");
}

/* a fresh OpenSSL key on @curve with a leading zero byte in x or y */
static EVP_PKEY *short_coord_key(const char *curve, u8 *x, u8 *y, size_t sz)
{
	BIGNUM *bx = NULL, *by = NULL;
	EVP_PKEY *pkey;
	int i;

	for (i = 0; i < 20000; i++) {
		pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", curve);
		if (!pkey ||
		    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &bx) ||
		    !EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &by))
			return NULL;
		BN_bn2binpad(bx, x, sz);
		BN_bn2binpad(by, y, sz);
		BN_free(bx);
		BN_free(by);
		bx = NULL;
		by = NULL;
		if (!x[0] || !y[0])
			return pkey;
		EVP_PKEY_free(pkey);
	}
	return NULL;
}

static void test_ecc(void)
{
	static const struct {
		const char *name;
		u16 curve;
		size_t size;
	} curves[] = {
		{ "P-256", VTPM_ECC_NIST_P256, 32 },
		{ "P-384", VTPM_ECC_NIST_P384, 48 },
	};
	u8 x[64], y[64], der[VTPM_TPMKEY_DER_MAX];
	struct vtpm_tpmkey k, k2;
	struct blob b;
	EVP_PKEY *pkey;
	size_t sz, xs, ys, len;
	u32 bad, c;

	for (c = 0; c < ARRAY_SIZE(curves); c++) {
		sz = curves[c].size;
		pkey = short_coord_key(curves[c].name, x, y, sz);
		xs = x[0] ? 0 : 1;
		ys = y[0] ? 0 : 1;
		/* the point with the leading zero left out */
		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x + xs, sz - xs, y + ys, sz - ys);
		bad = !pkey || parse_exact(b.d, b.n, &k) ||
		      memcmp(k.ecc.x, x, sz) || memcmp(k.ecc.y, y, sz) ||
		      !spki_matches(&k, curves[c].name);
		len = vtpm_tpmkey_spki_der(&k, der, sizeof(der));
		bad += !same_der(pkey, der, len);
		/* and with it */
		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x, sz, y, sz);
		bad += parse_exact(b.d, b.n, &k2) || memcmp(&k, &k2, sizeof(k));
		CHECK(!bad, "%s: a short coordinate is zero-padded; DER as OpenSSL's",
		      curves[c].name);
		EVP_PKEY_free(pkey);

		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x, sz + 1, y, sz);
		bad = parse_exact(b.d, b.n, &k) != -EINVAL;
		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x, sz, y, sz + 1);
		bad += parse_exact(b.d, b.n, &k) != -EINVAL;
		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x, 0, y, sz);
		bad += parse_exact(b.d, b.n, &k) != -EINVAL;
		becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     curves[c].curve, x, sz, y, 0);
		bad += parse_exact(b.d, b.n, &k) != -EINVAL;
		CHECK(!bad, "%s: a coordinate too long or empty: -EINVAL",
		      curves[c].name);
	}

	memset(x, 0x11, sizeof(x));
	memset(y, 0x22, sizeof(y));
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256, 0x0005,
	     x, 48, y, 48);
	bad = parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256, 0x0010,
	     x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256, 0,
	     x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "curves P-521 and BN P-256: -EOPNOTSUPP; curve 0: -EINVAL");

	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_RSASSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad = parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_NULL,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, 0x0099,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "ECC with an RSA scheme or a scheme without a hash: -EINVAL");

	/* nameAlg and authPolicy */
	becc(&b, 0x0099, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad = parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_SHA256, 1, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_SHA256, 48, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_SHA384, 32, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	becc(&b, VTPM_ALG_NULL, 32, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "an unknown nameAlg, an authPolicy not of nameAlg's size: -EINVAL");
	becc(&b, VTPM_ALG_SHA512, 64, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad = parse_exact(b.d, b.n, &k) || k.name_alg != VTPM_ALG_SHA512;
	becc(&b, VTPM_ALG_SHA1, 20, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) || k.name_alg != VTPM_ALG_SHA1;
	becc(&b, VTPM_ALG_NULL, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad += parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	CHECK(!bad, "nameAlg SHA-512 and SHA-1 with their policies parse; NULL: -EOPNOTSUPP");

	bad = 0;
	for (c = 0; c < 2; c++) {
		u8 name[VTPM_TPMKEY_NAME_MAX], md[64];
		size_t name_len;
		unsigned int mdl;
		u16 alg = c ? VTPM_ALG_SHA512 : VTPM_ALG_SHA1;

		becc(&b, alg, c ? 64 : 20, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
		     VTPM_ECC_NIST_P256, x, 32, y, 32);
		EVP_Digest(b.d + 2, b.n - 2, md, &mdl,
			   c ? EVP_sha512() : EVP_sha1(), NULL);
		bad += name_exact(b.d, b.n, name, &name_len) ||
		       name_len != 2 + mdl ||
		       get_unaligned_be16(name) != alg ||
		       memcmp(name + 2, md, mdl);
	}
	CHECK(!bad, "names with nameAlg SHA-1 and SHA-512 (66 bytes)");

	/* check_ak on the AK with one thing changed */
	becc(&b, VTPM_ALG_SHA256, 0, VTPM_ALG_ECDSA, VTPM_ALG_SHA256,
	     VTPM_ECC_NIST_P256, x, 32, y, 32);
	bad = parse_exact(b.d, b.n, &k) || vtpm_tpmkey_check_ak(&k);
	for (c = 0; c < 32; c++) {
		k2 = k;
		k2.attrs ^= BIT(c);
		if ((vtpm_tpmkey_check_ak(&k2) == -EINVAL) !=
		    (BIT(c) == VTPM_OA_RESTRICTED || BIT(c) == VTPM_OA_SIGN ||
		     BIT(c) == VTPM_OA_FIXED_TPM || BIT(c) == VTPM_OA_DECRYPT ||
		     BIT(c) == VTPM_OA_USER_WITH_AUTH))
			bad++;
	}
	k2 = k;
	k2.scheme = VTPM_ALG_ECDH;
	bad += vtpm_tpmkey_check_ak(&k2) != -EINVAL;
	k2 = k;
	k2.scheme = VTPM_ALG_RSASSA;
	bad += vtpm_tpmkey_check_ak(&k2) != -EINVAL;
	k2 = k;
	k2.scheme_hash = VTPM_ALG_NULL;
	bad += vtpm_tpmkey_check_ak(&k2) != -EINVAL;
	k2 = k;
	k2.type = VTPM_ALG_KEYEDHASH;
	bad += vtpm_tpmkey_check_ak(&k2) != -EINVAL;
	CHECK(!bad, "check_ak: needs restricted, sign, fixedTPM, userWithAuth, not decrypt, ECDSA with a hash");

	k2 = k;
	k2.ecc.size = 48;
	bad = vtpm_tpmkey_spki_der(&k2, der, sizeof(der)) != 0;
	k2 = k;
	k2.type = VTPM_ALG_SYMCIPHER;
	bad += vtpm_tpmkey_spki_der(&k2, der, sizeof(der)) != 0;
	bad += vtpm_tpmkey_pem(&k2, (char *)der, sizeof(der)) != 0;
	memset(&k2, 0, sizeof(k2));
	bad += vtpm_tpmkey_spki_der(&k2, der, sizeof(der)) != 0;
	bad += vtpm_tpmkey_parse(NULL, 0, &k2) != -EINVAL;
	CHECK(!bad, "DER and PEM of an unsupported key: 0; parse(NULL, 0): -EINVAL");
}

static void test_other_objects(void)
{
	static const u8 d32[32];
	struct vtpm_tpmkey k;
	struct blob b;
	u32 bad;

	/* keyedHash: HMAC, XOR with a KDF, sealed data; symCipher */
	bstart(&b, VTPM_ALG_KEYEDHASH, VTPM_ALG_SHA256, 0x72, 0);
	b16(&b, VTPM_ALG_XOR);
	b16(&b, VTPM_ALG_SHA256);
	b16(&b, VTPM_ALG_KDF1_SP800_108);
	b2b(&b, d32, 32);
	bend(&b);
	bad = parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	malformed("keyedHash XOR", b.d, b.n);
	bstart(&b, VTPM_ALG_KEYEDHASH, VTPM_ALG_SHA256, 0x72, 0);
	b16(&b, VTPM_ALG_NULL);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	bstart(&b, VTPM_ALG_KEYEDHASH, VTPM_ALG_SHA256, 0x72, 0);
	b16(&b, VTPM_ALG_ECDSA);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	bstart(&b, VTPM_ALG_SYMCIPHER, VTPM_ALG_SHA256, 0x30072, 0);
	b16(&b, VTPM_ALG_AES);
	b16(&b, 256);
	b16(&b, 0x0043);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EOPNOTSUPP;
	bstart(&b, VTPM_ALG_SYMCIPHER, VTPM_ALG_SHA256, 0x30072, 0);
	b16(&b, VTPM_ALG_AES);
	b16(&b, 129);
	b16(&b, 0x0043);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	bstart(&b, VTPM_ALG_SYMCIPHER, VTPM_ALG_SHA256, 0x30072, 0);
	b16(&b, VTPM_ALG_NULL);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	bstart(&b, 0x0002, VTPM_ALG_SHA256, 0x30072, 0);
	b2b(&b, d32, 32);
	bend(&b);
	bad += parse_exact(b.d, b.n, &k) != -EINVAL;
	CHECK(!bad, "keyedHash and symCipher: -EOPNOTSUPP when well formed, else -EINVAL; unknown type: -EINVAL");
}

static char *vector_dir(const char *argv0)
{
	static char buf[4096];
	char *copy = strdup(argv0);

	snprintf(buf, sizeof(buf), "%s/vectors", dirname(copy));
	free(copy);
	return buf;
}

int main(int argc, char **argv)
{
	u8 tmpl[VTPM_AK_TEMPLATE_SIZE];
	size_t i, len;

	if (argc == 2 && !strcmp(argv[1], "--template")) {
		len = vtpm_ak_template(tmpl, sizeof(tmpl));
		return len && fwrite(tmpl, 1, len, stdout) == len ? 0 : 1;
	}
	vdir = argc > 1 ? argv[1] : vector_dir(argv[0]);

	test_template();
	for (i = 0; i < ARRAY_SIZE(vecs); i++)
		test_vector(&vecs[i]);
	test_rsa();
	test_ecc();
	test_other_objects();

	printf("1..%d\n", tests);
	return failures ? 1 : 0;
}
