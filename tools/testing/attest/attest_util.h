/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the attestation test tools (mkbundle, vtpm-tamper): a view of
 * the mapping log as an editable structure, TPM signatures made with
 * OpenSSL keys, files.
 */
#ifndef _ATTEST_UTIL_H
#define _ATTEST_UTIL_H

#include <openssl/evp.h>

#include "bundle.h"
#include "mlog.h"

/**
 * struct tentry - one entry of a serialised log
 * @form: VTPM_ENTRY_LEAF or VTPM_ENTRY_CLEAR
 * @leaf: LEAF: the leaf
 * @salt: CLEAR: the salt
 * @tag:  CLEAR: the tag
 * @blen: CLEAR: length of @body
 * @body: CLEAR: the body (malloc'ed)
 */
struct tentry {
	u8 form;
	u8 leaf[VTPM_LEAF_SIZE];
	u8 salt[VTPM_SALT_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	u16 blen;
	u8 *body;
};

struct tbatch {
	u64 number;
	u32 n;
	struct tentry *e;
};

/**
 * struct tview - a serialised log (view or full) taken apart
 * @version: its log-format version, written back as it is; a view of
 *	     version 1 has the layout of version 1 (no commitment in its
 *	     header), of any other version that of VTPM_LOG_VERSION
 * @hdr:     its header (@hdr.nr_batches is rewritten from @nr on output;
 *	     @hdr.commit, a view's commitment, is written back as it is)
 * @nr:	     number of batches
 * @b:	     the batches
 */
struct tview {
	u16 version;
	struct vtpm_log_header hdr;
	u64 nr;
	struct tbatch *b;
};

/*
 * Take the serialised log at @p apart (its structure only: no hash is
 * checked, no rule of the log; any version).  0, or -EINVAL with *@why
 * set.
 */
int tview_parse(const u8 *p, size_t len, struct tview *v, const char **why);
/* serialise @v into a malloc'ed buffer; its length, 0 on failure */
size_t tview_write(const struct tview *v, u8 **out);
void tview_free(struct tview *v);
/* insert a copy of @e at position @at of batch @b; 0 or -errno */
int tview_insert(struct tview *v, u64 b, u32 at, const struct tentry *e);
/*
 * Remove entry @at of batch @b; a batch left empty is removed and the
 * batches after it are renumbered.
 */
void tview_remove(struct tview *v, u64 b, u32 at);
/*
 * Is entry @e a record of @v's instance in the clear (not GENESIS or
 * ABORT)?  Its record in *@r.
 */
bool tview_own(const struct tview *v, const struct tentry *e,
	       struct vtpm_log_rec *r);
/*
 * The commitment of what @v shows of its instance: its clear records, in
 * log order (Documentation/log-format.md, the view header).  0 or -errno.
 */
int tview_commit(const struct tview *v, struct vtpm_log_commit *c);
/* turn clear entry @at of batch @b into a LEAF entry of its leaf; 0 or -errno */
int tview_hide(struct tview *v, u64 b, u32 at);

/* read a PEM private key (EC or RSA); NULL on failure */
EVP_PKEY *load_private_key(const char *path);
/* write the public half of @key as PEM; 0 or -1 */
int write_public_key(EVP_PKEY *key, const char *path);

/*
 * Sign @msg with @key as a TPM would and marshal the TPMT_SIGNATURE into
 * @out (@cap bytes): ECDSA for an EC key, RSASSA (or RSAPSS with @pss) for
 * an RSA key, with hash @hash (TPM_ALG_ID).  Returns its length, 0 on
 * failure.
 */
size_t sign_tpm(EVP_PKEY *key, u16 hash, bool pss, const u8 *msg,
		size_t len, u8 *out, size_t cap);

/* write @len bytes to @path; 0 or -1 (with a message) */
int write_file(const char *path, const void *p, size_t len);

#endif /* _ATTEST_UTIL_H */
