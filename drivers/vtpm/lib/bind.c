// SPDX-License-Identifier: GPL-2.0
/*
 * Bindings of a tenant's key to its instance on this host (bind.h).
 *
 * The binding value, SHA-256("vtpm-mux bind v1" || uuid || u16 name_len ||
 * name || u8 nonce_len || nonce), is the nonce of an ordinary attestation
 * request of the instance: the hardware quote then covers the instance's
 * uuid (through the request value) and the key's TPM name, which commits to
 * its whole public area.  The file:
 *
 *	"VTPMBND\0" | u16 version | u16 0 | u32 handle |
 *	u16 pub_len | TPMT_PUBLIC | u32 bundle_len | bundle
 */
#include "bind.h"

/**
 * vtpm_public_name() - the TPM name of a public area
 * @pub:      a TPMT_PUBLIC
 * @len:      its length
 * @name:     out: nameAlg || H_nameAlg(@pub), up to VTPM_NAME_MAX bytes
 * @name_len: out: its length
 *
 * Return: 0, -EINVAL if @pub is too short or its nameAlg unknown, or the
 * hash's error.
 */
int vtpm_public_name(const u8 *pub, size_t len, u8 *name, size_t *name_len)
{
	u16 alg, size;
	int ret;

	if (len < 4 || len > VTPM_PUBLIC_MAX)
		return -EINVAL;
	alg = get_unaligned_be16(pub + 2);
	size = vtpm_alg_digest_size(alg);
	if (!size)
		return -EINVAL;
	put_unaligned_be16(alg, name);
	ret = vtpm_plat_hash(alg, pub, len, name + 2);
	if (ret)
		return ret;
	*name_len = 2 + size;
	return 0;
}

/**
 * vtpm_bind_value() - the nonce of a binding's attestation request
 * @uuid:      the instance
 * @name:      the key's TPM name
 * @name_len:  its length, 3..VTPM_NAME_MAX
 * @nonce:     the verifier's nonce
 * @nonce_len: its length, 1..VTPM_NONCE_MAX
 * @value:     out: 32 bytes
 *
 * Return: 0, -EINVAL, or the hash's error.
 */
int vtpm_bind_value(const u8 *uuid, const u8 *name, size_t name_len,
		    const u8 *nonce, size_t nonce_len, u8 *value)
{
	u8 nl[2], len = nonce_len;
	const struct vtpm_iov iov[] = {
		{ VTPM_BIND_DOMAIN, sizeof(VTPM_BIND_DOMAIN) - 1 },
		{ uuid, VTPM_UUID_SIZE },
		{ nl, 2 },
		{ name, name_len },
		{ &len, 1 },
		{ nonce, nonce_len },
	};

	if (name_len < 3 || name_len > VTPM_NAME_MAX || !nonce_len ||
	    nonce_len > VTPM_NONCE_MAX)
		return -EINVAL;
	put_unaligned_be16(name_len, nl);
	return vtpm_plat_hashv(VTPM_ALG_SHA256, iov, ARRAY_SIZE(iov), value);
}

/**
 * vtpm_binding_write() - serialise a binding
 * @b:	 the binding
 * @buf: where to (NULL to count)
 * @cap: room at @buf
 *
 * Return: its size, or 0 if it does not fit.
 */
size_t vtpm_binding_write(const struct vtpm_binding *b, u8 *buf, size_t cap)
{
	struct tpm_wr w;

	tpm_wr_init(&w, buf, buf ? cap : SIZE_MAX);
	tpm_wr_bytes(&w, VTPM_BIND_MAGIC, VTPM_BIND_MAGIC_SIZE);
	tpm_wr_u16(&w, VTPM_BIND_VERSION);
	tpm_wr_u16(&w, 0);
	tpm_wr_u32(&w, b->handle);
	tpm_wr_u16(&w, b->pub_len);
	tpm_wr_bytes(&w, b->pub, b->pub_len);
	tpm_wr_u32(&w, b->bundle_len);
	tpm_wr_bytes(&w, b->bundle, b->bundle_len);
	return w.err ? 0 : w.pos;
}

/**
 * vtpm_binding_parse() - read a binding
 * @buf: its bytes
 * @len: their number
 * @b:	 out: its fields, pointing into @buf
 * @why: out: the reason when it fails
 *
 * The bundle inside is parsed by vtpm_bundle_parse().
 *
 * Return: 0 or -EINVAL.
 */
int vtpm_binding_parse(const u8 *buf, size_t len, struct vtpm_binding *b,
		       const char **why)
{
	struct tpm_rd r;
	const u8 *magic;

	tpm_rd_init(&r, buf, len);
	magic = tpm_rd_bytes(&r, VTPM_BIND_MAGIC_SIZE);
	if (!magic || memcmp(magic, VTPM_BIND_MAGIC, VTPM_BIND_MAGIC_SIZE)) {
		*why = "not a binding (magic)";
		return -EINVAL;
	}
	if (tpm_rd_u16(&r) != VTPM_BIND_VERSION || tpm_rd_u16(&r)) {
		*why = "unknown version";
		return -EINVAL;
	}
	b->handle = tpm_rd_u32(&r);
	b->pub_len = tpm_rd_u16(&r);
	if (r.err || b->pub_len < 4 || b->pub_len > VTPM_PUBLIC_MAX) {
		*why = "bad public area length";
		return -EINVAL;
	}
	b->pub = tpm_rd_bytes(&r, b->pub_len);
	b->bundle_len = tpm_rd_u32(&r);
	b->bundle = r.err ? NULL : tpm_rd_bytes(&r, b->bundle_len);
	if (r.err || !b->pub || !b->bundle) {
		*why = "truncated";
		return -EINVAL;
	}
	if (tpm_rd_left(&r)) {
		*why = "trailing bytes";
		return -EINVAL;
	}
	return 0;
}
