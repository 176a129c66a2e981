// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmd: the key of an engine's state, sealed by the hardware TPM.
 *
 * Each sw instance's swtpm encrypts its state files (swtpm --key) with a
 * random 256-bit key.  The key is stored only sealed: a keyedhash object
 * under the hardware TPM's storage primary key (the SRK template of the
 * TCG provisioning guidance, ECC NIST P-256, re-created from the owner
 * seed each time), in key.pub and key.priv of the instance's state
 * directory.  Only this TPM can load and unseal it; a copy of the
 * directory anywhere else is ciphertext.  Sealing and unsealing run in a
 * salted session with parameter encryption, so the key never crosses the
 * TPM's bus in the clear.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <tss2/tss2_esys.h>
#include <tss2/tss2_mu.h>
#include <tss2/tss2_rc.h>
#include <tss2/tss2_tctildr.h>

#include "vtpmd.h"

static const TPM2B_PUBLIC srk_template = {
	.publicArea = {
		.type = TPM2_ALG_ECC,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM |
				    TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_SENSITIVEDATAORIGIN |
				    TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_NODA |
				    TPMA_OBJECT_RESTRICTED |
				    TPMA_OBJECT_DECRYPT,
		.parameters.eccDetail = {
			.symmetric = {
				.algorithm = TPM2_ALG_AES,
				.keyBits.aes = 128,
				.mode.aes = TPM2_ALG_CFB,
			},
			.scheme.scheme = TPM2_ALG_NULL,
			.curveID = TPM2_ECC_NIST_P256,
			.kdf.scheme = TPM2_ALG_NULL,
		},
	},
};

static const TPM2B_PUBLIC seal_template = {
	.publicArea = {
		.type = TPM2_ALG_KEYEDHASH,
		.nameAlg = TPM2_ALG_SHA256,
		.objectAttributes = TPMA_OBJECT_FIXEDTPM |
				    TPMA_OBJECT_FIXEDPARENT |
				    TPMA_OBJECT_USERWITHAUTH |
				    TPMA_OBJECT_NODA,
		.parameters.keyedHashDetail.scheme.scheme = TPM2_ALG_NULL,
	},
};

struct tpm {
	TSS2_TCTI_CONTEXT *tcti;
	ESYS_CONTEXT *esys;
	ESYS_TR srk;
	ESYS_TR session;
};

static int tss_fail(const char *what, TSS2_RC rc)
{
	logmsg("hardware TPM: %s: %s", what, Tss2_RC_Decode(rc));
	return -1;
}

static void tpm_close(struct tpm *t)
{
	if (t->session != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->session);
	if (t->srk != ESYS_TR_NONE)
		Esys_FlushContext(t->esys, t->srk);
	if (t->esys)
		Esys_Finalize(&t->esys);
	if (t->tcti)
		Tss2_TctiLdr_Finalize(&t->tcti);
}

/* The SRK, and a session salted with it that encrypts parameters. */
static int tpm_open(struct tpm *t, const char *tcti)
{
	TPMT_SYM_DEF sym = {
		.algorithm = TPM2_ALG_AES,
		.keyBits.aes = 128,
		.mode.aes = TPM2_ALG_CFB,
	};
	TPM2B_SENSITIVE_CREATE in = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TSS2_RC rc;

	memset(t, 0, sizeof(*t));
	t->srk = ESYS_TR_NONE;
	t->session = ESYS_TR_NONE;
	rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
	if (rc)
		return tss_fail(tcti, rc);
	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc)
		goto fail;
	rc = Esys_CreatePrimary(t->esys, ESYS_TR_RH_OWNER, ESYS_TR_PASSWORD,
				ESYS_TR_NONE, ESYS_TR_NONE, &in, &srk_template,
				&outside, &pcrs, &t->srk, NULL, NULL, NULL,
				NULL);
	if (rc)
		goto fail;
	rc = Esys_StartAuthSession(t->esys, t->srk, ESYS_TR_NONE,
				   ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE,
				   NULL, TPM2_SE_HMAC, &sym, TPM2_ALG_SHA256,
				   &t->session);
	if (rc)
		goto fail;
	rc = Esys_TRSess_SetAttributes(t->esys, t->session,
				       TPMA_SESSION_DECRYPT |
				       TPMA_SESSION_ENCRYPT |
				       TPMA_SESSION_CONTINUESESSION, 0xff);
	if (rc)
		goto fail;
	return 0;
fail:
	tss_fail("setting up the storage key", rc);
	tpm_close(t);
	return -1;
}

static int write_file(const char *dir, const char *name, const uint8_t *p,
		      size_t len)
{
	char path[4096], tmp[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", dir, name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, p, len) != (ssize_t)len || fsync(fd) ||
	    close(fd) || rename(tmp, path)) {
		logmsg("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int read_file(const char *dir, const char *name, uint8_t *p,
		     size_t cap, size_t *len)
{
	char path[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, p, cap);
	close(fd);
	if (n < 0 || (size_t)n == cap) {
		logmsg("%s: unreadable or too large", path);
		return -EINVAL;
	}
	*len = n;
	return 0;
}

/* A new key, sealed into key.pub and key.priv. */
static int seal_new(struct tpm *t, const char *dir, uint8_t *key)
{
	TPM2B_SENSITIVE_CREATE in = { 0 };
	TPM2B_DATA outside = { 0 };
	TPML_PCR_SELECTION pcrs = { 0 };
	TPM2B_PRIVATE *priv = NULL;
	TPM2B_PUBLIC *pub = NULL;
	uint8_t buf[2048];
	size_t off;
	TSS2_RC rc;
	int ret = -1;

	if (getrandom(key, VTPMD_KEY_SIZE, 0) != VTPMD_KEY_SIZE) {
		logmsg("getrandom: %s", strerror(errno));
		return -1;
	}
	in.sensitive.data.size = VTPMD_KEY_SIZE;
	memcpy(in.sensitive.data.buffer, key, VTPMD_KEY_SIZE);
	rc = Esys_Create(t->esys, t->srk, t->session, ESYS_TR_NONE,
			 ESYS_TR_NONE, &in, &seal_template, &outside, &pcrs,
			 &priv, &pub, NULL, NULL, NULL);
	memset(&in, 0, sizeof(in));
	if (rc)
		return tss_fail("sealing a new state key", rc);

	off = 0;
	rc = Tss2_MU_TPM2B_PUBLIC_Marshal(pub, buf, sizeof(buf), &off);
	if (rc || write_file(dir, "key.pub", buf, off))
		goto out;
	off = 0;
	rc = Tss2_MU_TPM2B_PRIVATE_Marshal(priv, buf, sizeof(buf), &off);
	if (rc || write_file(dir, "key.priv", buf, off))
		goto out;
	ret = 0;
out:
	Esys_Free(priv);
	Esys_Free(pub);
	return ret;
}

static int unseal(struct tpm *t, const char *dir, uint8_t *key)
{
	TPM2B_SENSITIVE_DATA *data = NULL;
	TPM2B_PRIVATE priv = { 0 };
	TPM2B_PUBLIC pub = { 0 };
	uint8_t buf[2048];
	size_t len, off;
	ESYS_TR obj;
	TSS2_RC rc;
	int ret;

	ret = read_file(dir, "key.pub", buf, sizeof(buf), &len);
	off = 0;
	if (ret || Tss2_MU_TPM2B_PUBLIC_Unmarshal(buf, len, &off, &pub) ||
	    off != len)
		goto bad;
	ret = read_file(dir, "key.priv", buf, sizeof(buf), &len);
	off = 0;
	if (ret || Tss2_MU_TPM2B_PRIVATE_Unmarshal(buf, len, &off, &priv) ||
	    off != len)
		goto bad;

	rc = Esys_Load(t->esys, t->srk, ESYS_TR_PASSWORD, ESYS_TR_NONE,
		       ESYS_TR_NONE, &priv, &pub, &obj);
	if (rc)
		return tss_fail("loading the sealed state key (sealed by another TPM?)",
				rc);
	rc = Esys_Unseal(t->esys, obj, ESYS_TR_PASSWORD, t->session,
			 ESYS_TR_NONE, &data);
	Esys_FlushContext(t->esys, obj);
	if (rc)
		return tss_fail("unsealing the state key", rc);
	ret = data->size == VTPMD_KEY_SIZE ? 0 : -1;
	if (!ret)
		memcpy(key, data->buffer, VTPMD_KEY_SIZE);
	else
		logmsg("%s: the sealed state key has %u bytes", dir,
		       data->size);
	memset(data, 0, sizeof(*data));
	Esys_Free(data);
	return ret;
bad:
	logmsg("%s: key.pub or key.priv is unreadable or malformed", dir);
	return -1;
}

/**
 * state_key() - the key of an instance's engine state
 * @dir:  the instance's state directory
 * @tcti: the hardware TPM (a TCTI configuration, e.g. device:/dev/tpmrm0)
 * @key:  VTPMD_KEY_SIZE bytes out
 *
 * Unseals the key in @dir, or, when @dir holds no sealed key and no engine
 * state yet, makes and seals a new one.
 *
 * Return: 0 or -1 (reported).
 */
int state_key(const char *dir, const char *tcti, uint8_t *key)
{
	char path[4096];
	struct tpm t;
	int ret;

	if (tpm_open(&t, tcti))
		return -1;
	snprintf(path, sizeof(path), "%s/key.priv", dir);
	if (!access(path, F_OK)) {
		ret = unseal(&t, dir, key);
	} else {
		snprintf(path, sizeof(path), "%s/tpm/tpm2-00.permall", dir);
		if (!access(path, F_OK)) {
			logmsg("%s: engine state without its sealed key: refusing it",
			       dir);
			ret = -1;
		} else {
			ret = seal_new(&t, dir, key);
		}
	}
	tpm_close(&t);
	return ret;
}
