/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ESAPI and OpenSSL helpers of the command-level vtpm-mux selftests.
 * Expected digests are always computed here with OpenSSL, never taken from
 * the TPM under test.
 */
#ifndef VTPM_ESYS_H
#define VTPM_ESYS_H

#include <stdbool.h>
#include <stdint.h>
#include <tss2/tss2_esys.h>
#include <tss2/tss2_tctildr.h>

#include "vtpm_util.h"
#include "vtpm_crypto.h"

struct esys {
	ESYS_CONTEXT *ctx;
	TSS2_TCTI_CONTEXT *tcti;
};

/* Tss2_TctiLdr_Initialize(conf) + Esys_Initialize; returns the TSS2_RC */
TSS2_RC esys_open(struct esys *e, const char *tcti_conf);
void esys_close(struct esys *e);

/* a selection of one PCR of one bank */
void pcr_select_one(TPML_PCR_SELECTION *sel, uint16_t alg, unsigned int pcr);
/* one PCR of one bank; returns the TSS2_RC, or TSS2_ESYS_RC_MALFORMED_RESPONSE */
TSS2_RC pcr_read_one(ESYS_CONTEXT *ctx, uint16_t alg, unsigned int pcr,
		     uint8_t *out, unsigned int *len);
/* PCR_Extend with the password session */
TSS2_RC pcr_extend(ESYS_CONTEXT *ctx, unsigned int pcr,
		   const TPML_DIGEST_VALUES *digests);
/* one digest per known bank, made from seed; fills in and out */
void make_digests(const char *seed, const uint16_t *algs, unsigned int n,
		  TPML_DIGEST_VALUES *dv);

/* a raw command through the context's TCTI */
TSS2_RC tcti_cmd(struct esys *e, const uint8_t *cmd, size_t len,
		 uint8_t *resp, size_t *rlen);
/*
 * TPM2_Startup sent raw through the TCTI: Esys_Startup() reports
 * TPM_RC_INITIALIZE as success.  Returns the response code, or -errno.
 */
long tpm_startup(struct esys *e, uint16_t type);

/* TPM response codes as ESAPI returns them (TPM layer = 0) */
#define TPM_RC(x) ((TSS2_RC)(x))

#endif /* VTPM_ESYS_H */
