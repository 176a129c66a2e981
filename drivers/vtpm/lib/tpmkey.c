// SPDX-License-Identifier: GPL-2.0
/*
 * TPM 2.0 public keys: the attestation key's template, TPM2B_PUBLIC parsing
 * (TPM 2.0 Library, Part 2, 12.2), names, and SubjectPublicKeyInfo in DER
 * (RFC 5280, RFC 5480, RFC 8017) and PEM (RFC 7468).
 */
#include "tpmkey.h"

/* TPM_ALG_ID used here only */
#define TPMKEY_ALG_MGF1			0x0007
#define TPMKEY_ALG_SM3_256		0x0012
#define TPMKEY_ALG_SM4			0x0013
#define TPMKEY_ALG_KDF1_SP800_56A	0x0020
#define TPMKEY_ALG_KDF2			0x0021
#define TPMKEY_ALG_CAMELLIA		0x0026
#define TPMKEY_ALG_SHA3_256		0x0027
#define TPMKEY_ALG_SHA3_384		0x0028
#define TPMKEY_ALG_SHA3_512		0x0029
#define TPMKEY_ALG_CTR			0x0040
#define TPMKEY_ALG_ECB			0x0044

#define TPMKEY_RSA_DEFAULT_EXPONENT	65537

/* DER tags */
#define DER_INTEGER	0x02
#define DER_BIT_STRING	0x03
#define DER_SEQUENCE	0x30

/**
 * vtpm_ak_template() - marshal the attestation key's creation template
 * @buf: where to write it; NULL to learn the size
 * @cap: capacity of @buf
 *
 * Writes the TPM2B_PUBLIC inPublic of TPM2_CreatePrimary for the default
 * attestation key of Documentation/attestation.md: ECC NIST P-256,
 * ECDSA-SHA256, objectAttributes %VTPM_AK_ATTRS, nameAlg SHA-256, no
 * authPolicy, symmetric and kdf TPM_ALG_NULL, x and y empty.
 *
 * Return: %VTPM_AK_TEMPLATE_SIZE, or 0 if @cap is too small.
 */
size_t vtpm_ak_template(u8 *buf, size_t cap)
{
	struct tpm_wr w;

	tpm_wr_init(&w, buf, buf ? cap : SIZE_MAX);
	tpm_wr_u16(&w, VTPM_AK_TEMPLATE_SIZE - 2);	/* size */
	tpm_wr_u16(&w, VTPM_ALG_ECC);			/* type */
	tpm_wr_u16(&w, VTPM_ALG_SHA256);		/* nameAlg */
	tpm_wr_u32(&w, VTPM_AK_ATTRS);			/* objectAttributes */
	tpm_wr_u16(&w, 0);				/* authPolicy */
	tpm_wr_u16(&w, VTPM_ALG_NULL);			/* symmetric */
	tpm_wr_u16(&w, VTPM_ALG_ECDSA);			/* scheme */
	tpm_wr_u16(&w, VTPM_ALG_SHA256);		/* its hashAlg */
	tpm_wr_u16(&w, VTPM_ECC_NIST_P256);		/* curveID */
	tpm_wr_u16(&w, VTPM_ALG_NULL);			/* kdf */
	tpm_wr_u16(&w, 0);				/* unique.x */
	tpm_wr_u16(&w, 0);				/* unique.y */
	return w.err ? 0 : w.pos;
}

/**
 * tpmkey_hash_size() - digest size of a hash algorithm
 * @alg: a TPM_ALG_ID
 *
 * Return: the size in bytes, or 0 if @alg is not a TPMI_ALG_HASH.
 */
static u16 tpmkey_hash_size(u16 alg)
{
	switch (alg) {
	case VTPM_ALG_SHA1:
		return 20;
	case VTPM_ALG_SHA256:
	case TPMKEY_ALG_SM3_256:
	case TPMKEY_ALG_SHA3_256:
		return 32;
	case VTPM_ALG_SHA384:
	case TPMKEY_ALG_SHA3_384:
		return 48;
	case VTPM_ALG_SHA512:
	case TPMKEY_ALG_SHA3_512:
		return 64;
	}
	return 0;
}

/**
 * tpmkey_rd_hash() - read a TPMI_ALG_HASH (TPM_ALG_NULL not allowed)
 * @r:	 the reader
 * @alg: out: the algorithm, or NULL
 *
 * Return: 0 or -EINVAL.
 */
static int tpmkey_rd_hash(struct tpm_rd *r, u16 *alg)
{
	u16 a = tpm_rd_u16(r);

	if (alg)
		*alg = a;
	return tpmkey_hash_size(a) ? 0 : -EINVAL;
}

/**
 * tpmkey_rd_sym() - read a TPMT_SYM_DEF_OBJECT
 * @r:	     the reader
 * @null_ok: whether TPM_ALG_NULL is allowed (TPMT_SYM_DEF_OBJECT+)
 *
 * Return: 0 or -EINVAL.
 */
static int tpmkey_rd_sym(struct tpm_rd *r, bool null_ok)
{
	u16 alg = tpm_rd_u16(r), bits, mode;

	if (alg == VTPM_ALG_NULL)
		return null_ok ? 0 : -EINVAL;
	bits = tpm_rd_u16(r);
	mode = tpm_rd_u16(r);
	switch (alg) {
	case VTPM_ALG_AES:
	case TPMKEY_ALG_CAMELLIA:
		if (bits != 128 && bits != 192 && bits != 256)
			return -EINVAL;
		break;
	case TPMKEY_ALG_SM4:
		if (bits != 128)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mode != VTPM_ALG_NULL &&
	    (mode < TPMKEY_ALG_CTR || mode > TPMKEY_ALG_ECB))
		return -EINVAL;
	return 0;
}

/**
 * tpmkey_rd_digest() - read a TPM2B_DIGEST (unique of keyedHash, symCipher)
 * @r: the reader
 *
 * Return: 0 or -EINVAL.
 */
static int tpmkey_rd_digest(struct tpm_rd *r)
{
	u16 size = tpm_rd_u16(r);

	tpm_rd_bytes(r, size);
	return size > VTPM_MAX_DIGEST_SIZE ? -EINVAL : 0;
}

/**
 * tpmkey_rd_keyedhash() - read TPMS_KEYEDHASH_PARMS and unique
 * @r: the reader
 *
 * Return: -EINVAL if they are malformed, else -EOPNOTSUPP.
 */
static int tpmkey_rd_keyedhash(struct tpm_rd *r)
{
	u16 scheme = tpm_rd_u16(r);
	int ret = 0;

	switch (scheme) {
	case VTPM_ALG_NULL:
		break;
	case VTPM_ALG_HMAC:
		ret = tpmkey_rd_hash(r, NULL);
		break;
	case VTPM_ALG_XOR:
		ret = tpmkey_rd_hash(r, NULL);
		switch (tpm_rd_u16(r)) {	/* kdf */
		case VTPM_ALG_NULL:
		case TPMKEY_ALG_MGF1:
		case TPMKEY_ALG_KDF1_SP800_56A:
		case TPMKEY_ALG_KDF2:
		case VTPM_ALG_KDF1_SP800_108:
			break;
		default:
			ret = -EINVAL;
		}
		break;
	default:
		return -EINVAL;
	}
	if (tpmkey_rd_digest(r))
		return -EINVAL;
	return ret ? ret : -EOPNOTSUPP;
}

/**
 * tpmkey_rd_symcipher() - read TPMS_SYMCIPHER_PARMS and unique
 * @r: the reader
 *
 * Return: -EINVAL if they are malformed, else -EOPNOTSUPP.
 */
static int tpmkey_rd_symcipher(struct tpm_rd *r)
{
	if (tpmkey_rd_sym(r, false) || tpmkey_rd_digest(r))
		return -EINVAL;
	return -EOPNOTSUPP;
}

/**
 * tpmkey_rd_rsa() - read TPMS_RSA_PARMS and the TPM2B_PUBLIC_KEY_RSA
 * @r: the reader
 * @k: out: the scheme and the key
 *
 * Return: 0, -EINVAL or -EOPNOTSUPP (a well formed key of another size).
 */
static int tpmkey_rd_rsa(struct tpm_rd *r, struct vtpm_tpmkey *k)
{
	const u8 *n;
	u16 size;
	int ret;

	ret = tpmkey_rd_sym(r, true);
	k->scheme = tpm_rd_u16(r);
	switch (k->scheme) {
	case VTPM_ALG_NULL:
	case VTPM_ALG_RSAES:
		break;
	case VTPM_ALG_RSASSA:
	case VTPM_ALG_RSAPSS:
	case VTPM_ALG_OAEP:
		if (tpmkey_rd_hash(r, &k->scheme_hash))
			ret = -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	k->rsa.bits = tpm_rd_u16(r);
	k->rsa.exponent = tpm_rd_u32(r);
	size = tpm_rd_u16(r);
	n = tpm_rd_bytes(r, size);
	if (ret || !n || !k->rsa.bits || k->rsa.bits % 8 ||
	    size != k->rsa.bits / 8)
		return -EINVAL;
	if (!k->rsa.exponent)
		k->rsa.exponent = TPMKEY_RSA_DEFAULT_EXPONENT;
	if (k->rsa.exponent == 1 || !(k->rsa.exponent & 1))
		return -EINVAL;
	if (k->rsa.bits != 2048 && k->rsa.bits != 3072 && k->rsa.bits != 4096)
		return -EOPNOTSUPP;
	k->rsa.size = size;
	memcpy(k->rsa.n, n, size);
	return 0;
}

/**
 * tpmkey_rd_coord() - read a coordinate (TPM2B_ECC_PARAMETER)
 * @r:	  the reader
 * @size: the curve's coordinate size
 * @out:  out: the coordinate in @size bytes, zeroes prepended if short
 *
 * Return: 0, or -EINVAL if it is empty or longer than @size.
 */
static int tpmkey_rd_coord(struct tpm_rd *r, u16 size, u8 *out)
{
	u16 len = tpm_rd_u16(r);
	const u8 *p = tpm_rd_bytes(r, len);

	if (!p || !len || len > size)
		return -EINVAL;
	memset(out, 0, size - len);
	memcpy(out + size - len, p, len);
	return 0;
}

/**
 * tpmkey_rd_ecc() - read TPMS_ECC_PARMS and the TPMS_ECC_POINT
 * @r: the reader
 * @k: out: the scheme and the key
 *
 * Return: 0, -EINVAL or -EOPNOTSUPP (a well formed key on another curve).
 */
static int tpmkey_rd_ecc(struct tpm_rd *r, struct vtpm_tpmkey *k)
{
	int ret;

	ret = tpmkey_rd_sym(r, true);
	k->scheme = tpm_rd_u16(r);
	switch (k->scheme) {
	case VTPM_ALG_NULL:
		break;
	case VTPM_ALG_ECDAA:
		if (tpmkey_rd_hash(r, &k->scheme_hash))
			ret = -EINVAL;
		tpm_rd_u16(r);		/* count */
		break;
	case VTPM_ALG_ECDSA:
	case VTPM_ALG_ECDH:
	case VTPM_ALG_SM2:
	case VTPM_ALG_ECSCHNORR:
	case VTPM_ALG_ECMQV:
		if (tpmkey_rd_hash(r, &k->scheme_hash))
			ret = -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	k->ecc.curve = tpm_rd_u16(r);
	switch (tpm_rd_u16(r)) {		/* kdf */
	case VTPM_ALG_NULL:
		break;
	case TPMKEY_ALG_MGF1:
	case TPMKEY_ALG_KDF1_SP800_56A:
	case TPMKEY_ALG_KDF2:
	case VTPM_ALG_KDF1_SP800_108:
		if (tpmkey_rd_hash(r, NULL))
			ret = -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (ret || !k->ecc.curve)
		return -EINVAL;
	switch (k->ecc.curve) {
	case VTPM_ECC_NIST_P256:
		k->ecc.size = 32;
		break;
	case VTPM_ECC_NIST_P384:
		k->ecc.size = 48;
		break;
	default:
		/* another curve: only check that the point is there */
		tpm_rd_bytes(r, tpm_rd_u16(r));
		tpm_rd_bytes(r, tpm_rd_u16(r));
		return -EOPNOTSUPP;
	}
	if (tpmkey_rd_coord(r, k->ecc.size, k->ecc.x) ||
	    tpmkey_rd_coord(r, k->ecc.size, k->ecc.y))
		return -EINVAL;
	return 0;
}

/**
 * vtpm_tpmkey_parse() - parse a TPM2B_PUBLIC holding an RSA or ECC key
 * @tpm2b_public: the TPM2B_PUBLIC, as a TPM returns it
 * @len:	  its length: nothing may follow it
 * @k:		  out: the key
 *
 * Accepts ECC keys on NIST P-256 and P-384 and RSA keys of 2048, 3072 and
 * 4096 bits with any public exponent (0 stands for 65537).  A coordinate
 * may be shorter than the curve's size (leading zeroes left out); a
 * modulus must have keyBits / 8 bytes.  The whole structure is checked
 * against TPM 2.0 Part 2: algorithm identifiers, the sizes of authPolicy,
 * the point and the modulus, and the TPM2B's size, which must be the rest
 * of @len.  Points are not checked to be on their curve.
 *
 * Return: 0; -EINVAL if the input is malformed, has trailing bytes, or its
 * nameAlg is not a known hash; -EOPNOTSUPP if it is well formed but another
 * kind of object (keyedHash, symCipher, nameAlg TPM_ALG_NULL, another
 * curve or key size).  On error @k is zeroed.
 */
int vtpm_tpmkey_parse(const u8 *tpm2b_public, size_t len,
		      struct vtpm_tpmkey *k)
{
	struct tpm_rd r;
	u16 size;
	int ret;

	memset(k, 0, sizeof(*k));
	tpm_rd_init(&r, tpm2b_public, len);
	size = tpm_rd_u16(&r);
	if (r.err || !size || size != tpm_rd_left(&r))
		return -EINVAL;
	k->type = tpm_rd_u16(&r);
	k->name_alg = tpm_rd_u16(&r);
	k->attrs = tpm_rd_u32(&r);
	k->scheme_hash = VTPM_ALG_NULL;		/* unless the scheme has one */
	size = tpm_rd_u16(&r);
	tpm_rd_bytes(&r, size);
	/* authPolicy: empty, or a digest of nameAlg */
	if (k->name_alg == VTPM_ALG_NULL) {
		if (size) {
			ret = -EINVAL;
			goto out;
		}
	} else if (!tpmkey_hash_size(k->name_alg) ||
		   (size && size != tpmkey_hash_size(k->name_alg))) {
		ret = -EINVAL;
		goto out;
	}
	switch (k->type) {
	case VTPM_ALG_RSA:
		ret = tpmkey_rd_rsa(&r, k);
		break;
	case VTPM_ALG_ECC:
		ret = tpmkey_rd_ecc(&r, k);
		break;
	case VTPM_ALG_KEYEDHASH:
		ret = tpmkey_rd_keyedhash(&r);
		break;
	case VTPM_ALG_SYMCIPHER:
		ret = tpmkey_rd_symcipher(&r);
		break;
	default:
		ret = -EINVAL;
		goto out;
	}
	if (r.err || tpm_rd_left(&r))
		ret = -EINVAL;
	else if (!ret && k->name_alg == VTPM_ALG_NULL)
		ret = -EOPNOTSUPP;
out:
	if (ret)
		memset(k, 0, sizeof(*k));
	return ret;
}

/**
 * vtpm_tpmkey_check_ak() - is @k usable as an attestation key?
 * @k: a key vtpm_tpmkey_parse() accepted
 *
 * An attestation key must be restricted, a signing key, fixedTPM and
 * userWithAuth, and not a decryption key; its scheme must be ECDSA (ECC)
 * or RSASSA or RSAPSS (RSA) with a hash.
 *
 * Return: 0 or -EINVAL.
 */
int vtpm_tpmkey_check_ak(const struct vtpm_tpmkey *k)
{
	const u32 need = VTPM_OA_RESTRICTED | VTPM_OA_SIGN |
			 VTPM_OA_FIXED_TPM | VTPM_OA_USER_WITH_AUTH;

	if ((k->attrs & (need | VTPM_OA_DECRYPT)) != need ||
	    !tpmkey_hash_size(k->scheme_hash))
		return -EINVAL;
	switch (k->type) {
	case VTPM_ALG_ECC:
		return k->scheme == VTPM_ALG_ECDSA ? 0 : -EINVAL;
	case VTPM_ALG_RSA:
		return k->scheme == VTPM_ALG_RSASSA ||
		       k->scheme == VTPM_ALG_RSAPSS ? 0 : -EINVAL;
	}
	return -EINVAL;
}

/**
 * vtpm_tpmkey_name() - the TPM name of a public area
 * @tpm2b_public: a TPM2B_PUBLIC
 * @len:	  its length: nothing may follow it
 * @name:	  out: the name, room for %VTPM_TPMKEY_NAME_MAX bytes
 * @name_len:	  out: its length, 2 + the size of nameAlg's digest
 *
 * The name is nameAlg (big endian) followed by the nameAlg digest of the
 * TPMT_PUBLIC (the TPM2B's content).  Only the TPM2B's size and nameAlg
 * are checked here, so any object can be named; vtpm_tpmkey_parse() checks
 * the rest.
 *
 * Return: 0; -EINVAL if the TPM2B's size is not the rest of @len or
 * nameAlg is not a known hash; or the hash's error.
 */
int vtpm_tpmkey_name(const u8 *tpm2b_public, size_t len, u8 *name,
		     size_t *name_len)
{
	struct tpm_rd r;
	u16 size, alg, dsize;
	int ret;

	tpm_rd_init(&r, tpm2b_public, len);
	size = tpm_rd_u16(&r);
	if (r.err || size != tpm_rd_left(&r))
		return -EINVAL;
	tpm_rd_u16(&r);					/* type */
	alg = tpm_rd_u16(&r);
	dsize = tpmkey_hash_size(alg);
	if (r.err || !dsize)
		return -EINVAL;
	ret = vtpm_plat_hash(alg, tpm2b_public + 2, size, name + 2);
	if (ret)
		return ret;
	put_unaligned_be16(alg, name);
	*name_len = 2 + dsize;
	return 0;
}

/**
 * der_len_size() - bytes of a DER length field
 * @len: the content's length, below 64 KiB
 *
 * Return: 1, 2 or 3.
 */
static size_t der_len_size(size_t len)
{
	return len < 0x80 ? 1 : len < 0x100 ? 2 : 3;
}

/**
 * der_size() - bytes of a whole DER element
 * @len: its content's length, below 64 KiB
 *
 * Return: tag, length and content bytes.
 */
static size_t der_size(size_t len)
{
	return 1 + der_len_size(len) + len;
}

/**
 * der_hdr() - write a DER tag and length
 * @w:	 the writer
 * @tag: the tag
 * @len: the content's length, below 64 KiB
 */
static void der_hdr(struct tpm_wr *w, u8 tag, size_t len)
{
	tpm_wr_u8(w, tag);
	if (len >= 0x100) {
		tpm_wr_u8(w, 0x82);
		tpm_wr_u16(w, len);
	} else if (len >= 0x80) {
		tpm_wr_u8(w, 0x81);
		tpm_wr_u8(w, len);
	} else {
		tpm_wr_u8(w, len);
	}
}

/**
 * der_uint_trim() - drop the leading zero bytes of an unsigned number
 * @p: its big-endian bytes
 * @n: in: their number (at least 1); out: without the zeroes, at least 1
 *
 * Return: the first byte left.
 */
static const u8 *der_uint_trim(const u8 *p, size_t *n)
{
	while (*n > 1 && !*p) {
		p++;
		(*n)--;
	}
	return p;
}

/**
 * der_uint_len() - content length of the minimal INTEGER of a number
 * @p: its big-endian bytes, unsigned
 * @n: their number, at least 1
 *
 * Return: the bytes without leading zeroes, plus one if the first is 0x80
 * or more (a positive INTEGER).
 */
static size_t der_uint_len(const u8 *p, size_t n)
{
	p = der_uint_trim(p, &n);
	return n + (*p >= 0x80);
}

/**
 * der_uint() - write an unsigned number as a minimal DER INTEGER
 * @w: the writer
 * @p: its big-endian bytes
 * @n: their number, at least 1
 */
static void der_uint(struct tpm_wr *w, const u8 *p, size_t n)
{
	p = der_uint_trim(p, &n);
	der_hdr(w, DER_INTEGER, n + (*p >= 0x80));
	if (*p >= 0x80)
		tpm_wr_u8(w, 0);
	tpm_wr_bytes(w, p, n);
}

/* AlgorithmIdentifier {id-ecPublicKey, namedCurve}, RFC 5480 */
static const u8 der_alg_ecc_p256[] = {
	0x30, 0x13,
	0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
};

static const u8 der_alg_ecc_p384[] = {
	0x30, 0x10,
	0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22,
};

/* AlgorithmIdentifier {rsaEncryption, NULL}, RFC 8017 A.1 */
static const u8 der_alg_rsa[] = {
	0x30, 0x0d,
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
	0x05, 0x00,
};

/**
 * tpmkey_spki_ecc() - write the SubjectPublicKeyInfo of an ECC key
 * @k: the key
 * @w: the writer; its error is set if @k is not a supported key
 */
static void tpmkey_spki_ecc(const struct vtpm_tpmkey *k, struct tpm_wr *w)
{
	const u8 *alg;
	size_t alg_len, bits;

	if (k->ecc.curve == VTPM_ECC_NIST_P256 && k->ecc.size == 32) {
		alg = der_alg_ecc_p256;
		alg_len = sizeof(der_alg_ecc_p256);
	} else if (k->ecc.curve == VTPM_ECC_NIST_P384 && k->ecc.size == 48) {
		alg = der_alg_ecc_p384;
		alg_len = sizeof(der_alg_ecc_p384);
	} else {
		w->err = true;
		return;
	}
	/* no unused bits, then the uncompressed point 04 || x || y */
	bits = 2 + 2 * k->ecc.size;
	der_hdr(w, DER_SEQUENCE, alg_len + der_size(bits));
	tpm_wr_bytes(w, alg, alg_len);
	der_hdr(w, DER_BIT_STRING, bits);
	tpm_wr_u8(w, 0);
	tpm_wr_u8(w, 0x04);
	tpm_wr_bytes(w, k->ecc.x, k->ecc.size);
	tpm_wr_bytes(w, k->ecc.y, k->ecc.size);
}

/**
 * tpmkey_spki_rsa() - write the SubjectPublicKeyInfo of an RSA key
 * @k: the key
 * @w: the writer; its error is set if @k is not a supported key
 */
static void tpmkey_spki_rsa(const struct vtpm_tpmkey *k, struct tpm_wr *w)
{
	size_t n_len, e_len, pub, bits;
	u8 e[4];

	if (!k->rsa.size || k->rsa.size > sizeof(k->rsa.n)) {
		w->err = true;
		return;
	}
	put_unaligned_be32(k->rsa.exponent, e);
	n_len = der_uint_len(k->rsa.n, k->rsa.size);
	e_len = der_uint_len(e, sizeof(e));
	/* RSAPublicKey ::= SEQUENCE { modulus, publicExponent } */
	pub = der_size(n_len) + der_size(e_len);
	bits = 1 + der_size(pub);
	der_hdr(w, DER_SEQUENCE, sizeof(der_alg_rsa) + der_size(bits));
	tpm_wr_bytes(w, der_alg_rsa, sizeof(der_alg_rsa));
	der_hdr(w, DER_BIT_STRING, bits);
	tpm_wr_u8(w, 0);
	der_hdr(w, DER_SEQUENCE, pub);
	der_uint(w, k->rsa.n, k->rsa.size);
	der_uint(w, e, sizeof(e));
}

/**
 * vtpm_tpmkey_spki_der() - the key as a DER SubjectPublicKeyInfo
 * @k:	 a key vtpm_tpmkey_parse() accepted
 * @buf: where to write it; NULL to learn the size
 * @cap: capacity of @buf (%VTPM_TPMKEY_DER_MAX is always enough)
 *
 * ECC: id-ecPublicKey with the curve's OID and the uncompressed point
 * (RFC 5480).  RSA: rsaEncryption with NULL parameters and an RSAPublicKey
 * whose INTEGERs have their minimal encoding (RFC 8017).  This is what
 * OpenSSL's i2d_PUBKEY() writes for the same key.
 *
 * Return: the DER's size, or 0 if @cap is too small or @k is not an RSA or
 * ECC key this file supports.
 */
size_t vtpm_tpmkey_spki_der(const struct vtpm_tpmkey *k, u8 *buf,
			    size_t cap)
{
	struct tpm_wr w;

	tpm_wr_init(&w, buf, buf ? cap : SIZE_MAX);
	switch (k->type) {
	case VTPM_ALG_ECC:
		tpmkey_spki_ecc(k, &w);
		break;
	case VTPM_ALG_RSA:
		tpmkey_spki_rsa(k, &w);
		break;
	default:
		return 0;
	}
	return w.err ? 0 : w.pos;
}

static const char tpmkey_pem_head[] = "-----BEGIN PUBLIC KEY-----\n";
static const char tpmkey_pem_tail[] = "-----END PUBLIC KEY-----\n";
static const char tpmkey_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

#define TPMKEY_PEM_LINE	64	/* base64 characters per line */

/**
 * vtpm_tpmkey_pem() - the key as a PEM "PUBLIC KEY"
 * @k:	 a key vtpm_tpmkey_parse() accepted
 * @buf: where to write it
 * @cap: capacity of @buf, including the NUL (%VTPM_TPMKEY_PEM_MAX is always
 *	 enough)
 *
 * "-----BEGIN PUBLIC KEY-----\n", the base64 of vtpm_tpmkey_spki_der() in
 * lines of 64 characters, each ending in "\n", and
 * "-----END PUBLIC KEY-----\n" (RFC 7468; OpenSSL's PEM_write_PUBKEY()
 * writes the same text), then a NUL.
 *
 * Return: the length of the text without the NUL, or 0 if @cap is too
 * small (then @buf may have been written to) or @k is not supported.
 */
size_t vtpm_tpmkey_pem(const struct vtpm_tpmkey *k, char *buf, size_t cap)
{
	const size_t head = sizeof(tpmkey_pem_head) - 1;
	const size_t tail = sizeof(tpmkey_pem_tail) - 1;
	size_t der, chars, len, i, o;
	u8 *in;

	der = vtpm_tpmkey_spki_der(k, NULL, 0);
	if (!der)
		return 0;
	chars = (der + 2) / 3 * 4;
	len = head + chars + (chars + TPMKEY_PEM_LINE - 1) / TPMKEY_PEM_LINE +
	      tail;
	if (cap <= len)
		return 0;
	/*
	 * No scratch space: the DER goes to the end of the text's place in
	 * @buf (NUL included) and is encoded from there into the front.  Once
	 * group g of three bytes is encoded, the output ends before
	 * head + 4 * (g + 1) + lines, and the next group starts at
	 * len + 1 - der + 3 * (g + 1); as chars = 4 * ((der + 2) / 3) and
	 * g + 1 <= (der + 2) / 3, that is more than tail bytes further: no
	 * byte is overwritten before it is read.
	 */
	in = (u8 *)buf + len + 1 - der;
	if (vtpm_tpmkey_spki_der(k, in, der) != der)
		return 0;
	memcpy(buf, tpmkey_pem_head, head);
	o = head;
	for (i = 0; i < der; i += 3) {
		size_t left = der - i;
		u32 v = (u32)in[i] << 16;

		if (left > 1)
			v |= (u32)in[i + 1] << 8;
		if (left > 2)
			v |= in[i + 2];
		buf[o++] = tpmkey_b64[v >> 18 & 63];
		buf[o++] = tpmkey_b64[v >> 12 & 63];
		buf[o++] = left > 1 ? tpmkey_b64[v >> 6 & 63] : '=';
		buf[o++] = left > 2 ? tpmkey_b64[v & 63] : '=';
		if ((i / 3 + 1) % (TPMKEY_PEM_LINE / 4) == 0 || left <= 3)
			buf[o++] = '\n';
	}
	memcpy(buf + o, tpmkey_pem_tail, tail);
	o += tail;
	buf[o] = '\0';
	return o;
}
