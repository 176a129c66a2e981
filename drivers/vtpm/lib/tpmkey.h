/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TPM 2.0 public keys (TPM2B_PUBLIC): the attestation key's creation
 * template, a strict parser, the attestation key checks, the TPM name and
 * the key as a DER SubjectPublicKeyInfo or a PEM "PUBLIC KEY"
 * (Documentation/attestation.md, "The attestation key").  Pure code, built
 * in the kernel and in user space.
 */
#ifndef _VTPM_LIB_TPMKEY_H
#define _VTPM_LIB_TPMKEY_H

#include "engine.h"
#include "marshal.h"

/* TPM_ALG_ID: signing and key exchange schemes */
#define VTPM_ALG_RSASSA		0x0014
#define VTPM_ALG_RSAES		0x0015
#define VTPM_ALG_RSAPSS		0x0016
#define VTPM_ALG_OAEP		0x0017
#define VTPM_ALG_ECDSA		0x0018
#define VTPM_ALG_ECDH		0x0019
#define VTPM_ALG_ECDAA		0x001A
#define VTPM_ALG_SM2		0x001B
#define VTPM_ALG_ECSCHNORR	0x001C
#define VTPM_ALG_ECMQV		0x001D

/* TPM_ECC_CURVE */
#define VTPM_ECC_NIST_P256	0x0003
#define VTPM_ECC_NIST_P384	0x0004

/* TPMA_OBJECT */
#define VTPM_OA_FIXED_TPM		BIT(1)
#define VTPM_OA_ST_CLEAR		BIT(2)
#define VTPM_OA_FIXED_PARENT		BIT(4)
#define VTPM_OA_SENSITIVE_DATA_ORIGIN	BIT(5)
#define VTPM_OA_USER_WITH_AUTH		BIT(6)
#define VTPM_OA_ADMIN_WITH_POLICY	BIT(7)
#define VTPM_OA_NO_DA			BIT(10)
#define VTPM_OA_ENCRYPTED_DUPLICATION	BIT(11)
#define VTPM_OA_RESTRICTED		BIT(16)
#define VTPM_OA_DECRYPT			BIT(17)
#define VTPM_OA_SIGN			BIT(18)

/* the attestation key's attributes: 0x00050072 */
#define VTPM_AK_ATTRS	(VTPM_OA_FIXED_TPM | VTPM_OA_FIXED_PARENT |	\
			 VTPM_OA_SENSITIVE_DATA_ORIGIN |		\
			 VTPM_OA_USER_WITH_AUTH | VTPM_OA_RESTRICTED |	\
			 VTPM_OA_SIGN)

/* bytes of the TPM2B_PUBLIC vtpm_ak_template() writes */
#define VTPM_AK_TEMPLATE_SIZE	26

#define VTPM_TPMKEY_ECC_MAX_BYTES	48	/* a coordinate of P-384 */
#define VTPM_TPMKEY_RSA_MAX_BYTES	512	/* a modulus of 4096 bits */
/* nameAlg and a digest of at most SHA-512's size */
#define VTPM_TPMKEY_NAME_MAX		(2 + VTPM_MAX_DIGEST_SIZE)
/* the largest SubjectPublicKeyInfo: RSA 4096 with a 32-bit exponent */
#define VTPM_TPMKEY_DER_MAX		552
/* the largest PEM of vtpm_tpmkey_pem(), with its NUL */
#define VTPM_TPMKEY_PEM_MAX		801

/**
 * struct vtpm_tpmkey - an RSA or ECC public key of a TPM, as parsed
 * @type:	 TPM_ALG_RSA or TPM_ALG_ECC
 * @name_alg:	 nameAlg
 * @attrs:	 objectAttributes (TPMA_OBJECT, VTPM_OA_*)
 * @scheme:	 the signing or key exchange scheme, TPM_ALG_NULL for none
 * @scheme_hash: its hash, TPM_ALG_NULL for none (with @scheme NULL or
 *		 RSAES)
 * @ecc:	 @type ECC
 * @ecc.curve:	 VTPM_ECC_NIST_P256 or VTPM_ECC_NIST_P384
 * @ecc.size:	 bytes of one coordinate: 32 or 48
 * @ecc.x:	 the x coordinate, big endian, @ecc.size bytes
 * @ecc.y:	 the y coordinate, big endian, @ecc.size bytes
 * @rsa:	 @type RSA
 * @rsa.bits:	 keyBits: 2048, 3072 or 4096
 * @rsa.exponent: the public exponent (65537 when the TPM gave 0)
 * @rsa.size:	 bytes of the modulus: @rsa.bits / 8
 * @rsa.n:	 the modulus, big endian, @rsa.size bytes
 */
struct vtpm_tpmkey {
	u16 type;
	u16 name_alg;
	u32 attrs;
	u16 scheme;
	u16 scheme_hash;
	union {
		struct {
			u16 curve;
			u16 size;
			u8 x[VTPM_TPMKEY_ECC_MAX_BYTES];
			u8 y[VTPM_TPMKEY_ECC_MAX_BYTES];
		} ecc;
		struct {
			u16 bits;
			u16 size;
			u32 exponent;
			u8 n[VTPM_TPMKEY_RSA_MAX_BYTES];
		} rsa;
	};
};

size_t vtpm_ak_template(u8 *buf, size_t cap);
int vtpm_tpmkey_parse(const u8 *tpm2b_public, size_t len,
		      struct vtpm_tpmkey *k);
int vtpm_tpmkey_check_ak(const struct vtpm_tpmkey *k);
int vtpm_tpmkey_name(const u8 *tpm2b_public, size_t len, u8 *name,
		     size_t *name_len);
size_t vtpm_tpmkey_spki_der(const struct vtpm_tpmkey *k, u8 *buf,
			    size_t cap);
size_t vtpm_tpmkey_pem(const struct vtpm_tpmkey *k, char *buf, size_t cap);

#endif /* _VTPM_LIB_TPMKEY_H */
