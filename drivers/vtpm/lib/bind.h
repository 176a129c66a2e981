/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bindings (Documentation/backends.md, "Binding a key to the host"): an
 * attestation bundle whose nonce binds a key of the instance (its EK, or
 * an AK it names) to the instance's uuid.  Pure code, built in user space
 * (vtpmctl writes bindings, vtpm-verify checks them).
 */
#ifndef _VTPM_LIB_BIND_H
#define _VTPM_LIB_BIND_H

#include "bundle.h"

#define VTPM_BIND_MAGIC		"VTPMBND"	/* 8 bytes with the NUL */
#define VTPM_BIND_MAGIC_SIZE	8
#define VTPM_BIND_VERSION	1
#define VTPM_BIND_DOMAIN	"vtpm-mux bind v1"
#define VTPM_PUBLIC_MAX		1024	/* a TPMT_PUBLIC */
#define VTPM_NAME_MAX		(2 + VTPM_MAX_DIGEST_SIZE)

/**
 * struct vtpm_binding - a binding's fields (parse: pointers into the input)
 * @handle:	 the key's handle in the instance (e.g. 0x81010001, the EK)
 * @pub:	 the key's TPMT_PUBLIC, as the instance's TPM returned it
 * @pub_len:	 its length
 * @bundle:	 the attestation bundle, its nonce the binding value
 * @bundle_len:	 its length
 */
struct vtpm_binding {
	u32 handle;
	const u8 *pub;
	u16 pub_len;
	const u8 *bundle;
	u32 bundle_len;
};

int vtpm_public_name(const u8 *pub, size_t len, u8 *name, size_t *name_len);
int vtpm_bind_value(const u8 *uuid, const u8 *name, size_t name_len,
		    const u8 *nonce, size_t nonce_len, u8 *value);
size_t vtpm_binding_write(const struct vtpm_binding *b, u8 *buf, size_t cap);
int vtpm_binding_parse(const u8 *buf, size_t len, struct vtpm_binding *b,
		       const char **why);

#endif /* _VTPM_LIB_BIND_H */
