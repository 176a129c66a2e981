// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole of vtpm-verify's vtpm_verify() (bundle
 * parser, TSS2 unmarshalling of the quote and signature, signature check,
 * view replay, Merkle proof, PCR selection and digest, reference values,
 * report) on arbitrary input, with a fixed public key: the PEM file named
 * by $VTPM_FUZZ_AK (the key mkbundle signed the seed corpus with), else a
 * key made at start.
 *
 * For each input: the nonce and uuid expected are the bundle's own when it
 * parses, so that inputs get past checks 2 and 3; a quote whose signature
 * fails is verified once more without check 4 (opts.skip_signature), so
 * that arbitrary quotes reach checks 5 to 11; the last byte decides whether
 * a reference is checked.  An input that starts with "REF\n" is a
 * reference file instead.
 */
#include <stdio.h>
#include <stdlib.h>
#include <openssl/ec.h>
#include <openssl/pem.h>

#include "ref.h"
#include "util.h"
#include "verify.h"

static EVP_PKEY *ak;
static struct vtpm_ref ref;
static struct vtpm_verify_result res;
static FILE *devnull;

static const char ref_text[] =
	"# tenant A of mkbundle\n"
	"10 sha256 allow ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb\n"
	"10 sha256 allow f55ff16f66f43360266b95db6f8fec01d76031054306ae4a4b380598f6cfd114\n"
	"10 sha256 allow 2c3a4249d77070058649dbd822dcaf7957586fce428cfb2ca88b94741eda8b07\n"
	"16 sha1 final 0000000000000000000000000000000000000000\n"
	"0 sha256 final 0000000000000000000000000000000000000000000000000000000000000000\n";

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const u8 *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path = getenv("VTPM_FUZZ_AK");
	char err[256];
	FILE *f;

	(void)argc;
	(void)argv;
	setenv("TSS2_LOG", "all+NONE", 1);
	if (path) {
		f = fopen(path, "r");
		if (f) {
			ak = PEM_read_PUBKEY(f, NULL, NULL, NULL);
			fclose(f);
		}
		if (!ak) {
			fprintf(stderr, "fuzz_bundle: %s: not a PEM public key\n",
				path);
			exit(1);
		}
	} else {
		ak = EVP_EC_gen("P-256");
		if (!ak)
			exit(1);
	}
	if (vtpm_ref_parse(ref_text, sizeof(ref_text) - 1, &ref, err,
			   sizeof(err))) {
		fprintf(stderr, "fuzz_bundle: the reference: %s\n", err);
		exit(1);
	}
	devnull = fopen("/dev/null", "w");
	if (!devnull)
		exit(1);
	return 0;
}

static void verify(const struct vtpm_verify_opts *o, const u8 *data,
		   size_t size)
{
	int ret = vtpm_verify(o, data, size, &res);

	if (ret == VTPM_VERIFY_TRUSTED)
		vtpm_verify_report(devnull, &res);
	else if (!res.reason[0] || strlen(res.reason) >= sizeof(res.reason))
		abort();	/* every failure has a reason */
	vtpm_verify_result_free(&res);
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const u8 nonce[16];
	struct vtpm_verify_opts o = {
		.ak = ak,
		.nonce = nonce,
		.nonce_len = sizeof(nonce),
	};
	struct vtpm_ref r;
	struct vtpm_bundle b;
	const char *why;
	char err[256];
	size_t off;

	if (size >= 4 && !memcmp(data, "REF\n", 4)) {
		if (!vtpm_ref_parse((const char *)data + 4, size - 4, &r, err,
				    sizeof(err)))
			vtpm_ref_free(&r);
		return 0;
	}
	if (!vtpm_bundle_parse(data, size, &b, &why, &off)) {
		o.nonce = b.nonce;
		o.nonce_len = b.nonce_len;
		o.uuid = b.uuid;
	}
	if (size && (data[size - 1] & 1))
		o.ref = &ref;
	verify(&o, data, size);
	if (res.check == VTPM_CHECK_SIGNATURE) {
		o.skip_signature = true;
		verify(&o, data, size);
	}
	return 0;
}
