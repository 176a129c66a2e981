// SPDX-License-Identifier: GPL-2.0
/*
 * ESAPI and OpenSSL helpers of the command-level vtpm-mux selftests.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtpm_esys.h"

/* ESAPI logs every TPM error to stderr; the tests check the codes. */
static void __attribute__((constructor)) quiet_tss(void)
{
	setenv("TSS2_LOG", "all+NONE", 0);
}

TSS2_RC esys_open(struct esys *e, const char *tcti_conf)
{
	TSS2_RC rc;

	e->ctx = NULL;
	e->tcti = NULL;
	rc = Tss2_TctiLdr_Initialize(tcti_conf, &e->tcti);
	if (rc)
		return rc;
	rc = Esys_Initialize(&e->ctx, e->tcti, NULL);
	if (rc) {
		Tss2_TctiLdr_Finalize(&e->tcti);
		e->tcti = NULL;
	}
	return rc;
}

void esys_close(struct esys *e)
{
	if (e->ctx)
		Esys_Finalize(&e->ctx);
	if (e->tcti)
		Tss2_TctiLdr_Finalize(&e->tcti);
	e->ctx = NULL;
	e->tcti = NULL;
}

void pcr_select_one(TPML_PCR_SELECTION *sel, uint16_t alg, unsigned int pcr)
{
	memset(sel, 0, sizeof(*sel));
	sel->count = 1;
	sel->pcrSelections[0].hash = alg;
	sel->pcrSelections[0].sizeofSelect = 3;
	sel->pcrSelections[0].pcrSelect[pcr / 8] = 1 << (pcr % 8);
}

TSS2_RC pcr_read_one(ESYS_CONTEXT *ctx, uint16_t alg, unsigned int pcr,
		     uint8_t *out, unsigned int *len)
{
	TPML_PCR_SELECTION sel, *sel_out = NULL;
	TPML_DIGEST *vals = NULL;
	UINT32 counter;
	TSS2_RC rc;

	pcr_select_one(&sel, alg, pcr);
	rc = Esys_PCR_Read(ctx, ESYS_TR_NONE, ESYS_TR_NONE, ESYS_TR_NONE, &sel,
			   &counter, &sel_out, &vals);
	if (rc)
		return rc;
	if (vals->count != 1 || sel_out->count != 1 ||
	    sel_out->pcrSelections[0].hash != alg ||
	    vals->digests[0].size > 64) {
		rc = TSS2_ESYS_RC_MALFORMED_RESPONSE;
	} else {
		*len = vals->digests[0].size;
		memcpy(out, vals->digests[0].buffer, *len);
	}
	Esys_Free(sel_out);
	Esys_Free(vals);
	return rc;
}

TSS2_RC pcr_extend(ESYS_CONTEXT *ctx, unsigned int pcr,
		   const TPML_DIGEST_VALUES *digests)
{
	return Esys_PCR_Extend(ctx, ESYS_TR_PCR0 + pcr, ESYS_TR_PASSWORD,
			       ESYS_TR_NONE, ESYS_TR_NONE, digests);
}

void make_digests(const char *seed, const uint16_t *algs, unsigned int n,
		  TPML_DIGEST_VALUES *dv)
{
	memset(dv, 0, sizeof(*dv));
	dv->count = n;
	for (unsigned int i = 0; i < n; i++) {
		char s[128];

		snprintf(s, sizeof(s), "%s/%u", seed, algs[i]);
		dv->digests[i].hashAlg = algs[i];
		test_pattern(s, (uint8_t *)&dv->digests[i].digest,
			     alg_by_id(algs[i])->size);
	}
}

TSS2_RC tcti_cmd(struct esys *e, const uint8_t *cmd, size_t len,
		 uint8_t *resp, size_t *rlen)
{
	TSS2_RC rc;

	rc = Tss2_Tcti_Transmit(e->tcti, len, cmd);
	if (rc)
		return rc;
	return Tss2_Tcti_Receive(e->tcti, rlen, resp, TSS2_TCTI_TIMEOUT_BLOCK);
}

long tpm_startup(struct esys *e, uint16_t type)
{
	uint8_t cmd[16], resp[TPM_BUFSIZE];
	size_t rlen = sizeof(resp);

	if (tcti_cmd(e, cmd, build_startup(cmd, type), resp, &rlen))
		return -EIO;
	if (rlen != 10 || get_be32(resp + 2) != 10 ||
	    get_be16(resp) != ST_NO_SESSIONS)
		return -EPROTO;
	return get_be32(resp + 6);
}
