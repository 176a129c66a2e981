// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-verify: verify a vtpm-mux attestation bundle
 * (Documentation/attestation.md).
 *
 *   vtpm-verify --bundle FILE --ak PEM --nonce HEX [--uuid UUID] [--ref REFFILE]
 *   vtpm-verify --log FILE [--pcr ALG:HEX]
 *   vtpm-verify --ima-log FILE [--pcr ALG:HEX] [--ima-pcr N]
 *
 * Exit status 0 and a report whose first line is "TRUSTED"; 1 and
 * "NOT TRUSTED: <reason>" on stdout; 2 and a message on stderr for usage
 * and input errors.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>
#include <openssl/pem.h>

#include "ima.h"
#include "ref.h"
#include "replay.h"
#include "bind.h"
#include "util.h"
#include "verify.h"

static const char *prog = "vtpm-verify";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s --bundle FILE --ak PEM --nonce HEX [--uuid UUID] [--ref REFFILE]\n"
		"                   [--ima-log FILE]\n"
		"       %s --binding FILE --ak PEM --nonce HEX [--uuid UUID] [--pub FILE] [--ref REFFILE]\n"
		"       %s --log FILE [--pcr ALG:HEX]\n"
		"       %s --ima-log FILE [--pcr ALG:HEX] [--ima-pcr N]\n"
		"\n"
		"  --bundle FILE   the attestation bundle (vtpmctl attest --out)\n"
		"  --ak PEM        the attestation key, a PEM public key (ak.pem)\n"
		"  --nonce HEX     the nonce sent with the request, 1..64 bytes\n"
		"  --uuid UUID     the instance the bundle must be of\n"
		"  --ref REFFILE   reference values the instance must satisfy\n"
		"  --binding FILE  a binding of a key to its instance (vtpmctl bind):\n"
		"                  its bundle is checked with the binding value of the\n"
		"                  key's name and the nonce; prints BOUND first\n"
		"  --pub FILE      the key the binding must bind, a TPM2B_PUBLIC\n"
		"                  (tpm2_createek -u, tpm2_createak -u)\n"
		"  --log FILE      replay a whole mapping log (securityfs vtpm_mux/log)\n"
		"  --pcr ALG:HEX   the hardware PCR's value the log must replay to\n"
		"  --ima-log FILE  an IMA measurement list (ASCII or binary) of the\n"
		"                  instance: each entry must be the next extend of\n"
		"                  its vPCR in the bundle, and every extend of those\n"
		"                  vPCRs (and 10) an entry; without --bundle, the\n"
		"                  value its entries of PCR N (--ima-pcr, 10) give\n"
		"\n"
		"Exit status: 0 trusted (replayed), 1 not trusted (not consistent),\n"
		"2 usage or input error.\n",
		prog, prog, prog, prog);
}

static int input_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static int input_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return VTPM_VERIFY_INPUT;
}

static EVP_PKEY *load_ak(const char *path)
{
	EVP_PKEY *key;
	BIO *bio;
	int type;

	bio = BIO_new_file(path, "r");
	if (!bio)
		return NULL;
	key = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	if (!key)
		return NULL;
	type = EVP_PKEY_get_base_id(key);
	if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

struct args {
	const char *bundle, *ak, *nonce, *uuid, *ref, *log, *pcr;
	const char *binding, *pub, *ima_log, *ima_pcr;
};

/* "--name VALUE" or "--name=VALUE"; exactly the names, each once */
static int parse_args(int argc, char **argv, struct args *a)
{
	static const struct {
		const char *name;
		size_t off;
	} opts[] = {
		{ "bundle", offsetof(struct args, bundle) },
		{ "ak", offsetof(struct args, ak) },
		{ "nonce", offsetof(struct args, nonce) },
		{ "uuid", offsetof(struct args, uuid) },
		{ "ref", offsetof(struct args, ref) },
		{ "log", offsetof(struct args, log) },
		{ "pcr", offsetof(struct args, pcr) },
		{ "binding", offsetof(struct args, binding) },
		{ "pub", offsetof(struct args, pub) },
		{ "ima-log", offsetof(struct args, ima_log) },
		{ "ima-pcr", offsetof(struct args, ima_pcr) },
	};
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *val = NULL, **slot = NULL;
		size_t k, n;

		if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
			usage(stdout);
			exit(0);
		}
		if (strncmp(arg, "--", 2))
			return input_error("unexpected argument \"%s\"", arg);
		arg += 2;
		n = strcspn(arg, "=");
		for (k = 0; k < ARRAY_SIZE(opts); k++)
			if (strlen(opts[k].name) == n &&
			    !strncmp(opts[k].name, arg, n))
				slot = (const char **)((char *)a + opts[k].off);
		if (!slot)
			return input_error("unknown option \"%s\"", argv[i]);
		if (*slot)
			return input_error("option \"--%.*s\" given twice",
					   (int)n, arg);
		if (arg[n] == '=')
			val = arg + n + 1;
		else if (i + 1 < argc)
			val = argv[++i];
		else
			return input_error("option \"%s\" needs a value",
					   argv[i]);
		*slot = val;
	}
	if (a->log) {
		if (a->bundle || a->ak || a->nonce || a->uuid || a->ref ||
		    a->binding || a->pub || a->ima_log || a->ima_pcr)
			return input_error("--log goes with --pcr only");
		return 0;
	}
	if (a->ima_log && !a->bundle) {
		if (a->ak || a->nonce || a->uuid || a->ref || a->binding ||
		    a->pub)
			return input_error("--ima-log goes with --bundle, or with --pcr and --ima-pcr");
		return 0;
	}
	if (a->pcr)
		return input_error("--pcr goes with --log or --ima-log");
	if (a->ima_pcr)
		return input_error("--ima-pcr goes with --ima-log without --bundle");
	if (a->pub && !a->binding)
		return input_error("--pub goes with --binding");
	if (!a->bundle == !a->binding || !a->ak || !a->nonce)
		return input_error("--bundle or --binding, --ak and --nonce are required");
	return 0;
}

/*
 * --binding: the key's name from its public area, the binding value from
 * the bundle's uuid, the name and the verifier's nonce, then the bundle's
 * checks with that value as its nonce.  With --pub, the bound key must be
 * that one.
 */
static int vv_binding(const struct args *a, struct vtpm_verify_opts *o,
		      const u8 *buf, size_t len, struct vtpm_verify_result *res)
{
	u8 name[VTPM_NAME_MAX], value[32], *pub = NULL;
	struct vtpm_binding b;
	struct vtpm_bundle *bd;
	size_t name_len, pub_len, i, off;
	const char *why = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	if (vtpm_binding_parse(buf, len, &b, &why)) {
		snprintf(res->reason, sizeof(res->reason), "binding: %s", why);
		return VTPM_VERIFY_UNTRUSTED;
	}
	if (vtpm_public_name(b.pub, b.pub_len, name, &name_len)) {
		snprintf(res->reason, sizeof(res->reason),
			 "binding: the public area has no known name algorithm");
		return VTPM_VERIFY_UNTRUSTED;
	}
	bd = calloc(1, sizeof(*bd));
	if (!bd)
		return VTPM_VERIFY_INPUT;
	ret = vtpm_bundle_parse(b.bundle, b.bundle_len, bd, &why, &off);
	if (!ret)
		ret = vtpm_bind_value(bd->uuid, name, name_len, o->nonce,
				      o->nonce_len, value);
	free(bd);
	if (ret) {
		snprintf(res->reason, sizeof(res->reason), "binding: bundle: %s",
			 why ? why : "bad nonce");
		return VTPM_VERIFY_UNTRUSTED;
	}
	if (a->pub) {
		ret = vv_read_file(a->pub, &pub, &pub_len);
		if (ret) {
			snprintf(res->reason, sizeof(res->reason), "%s: %s",
				 a->pub, strerror(-ret));
			return VTPM_VERIFY_INPUT;
		}
		/* tpm2-tools' -u: a TPM2B_PUBLIC */
		ret = pub_len != (size_t)b.pub_len + 2 ||
		      get_unaligned_be16(pub) != b.pub_len ||
		      memcmp(pub + 2, b.pub, b.pub_len);
		free(pub);
		if (ret) {
			snprintf(res->reason, sizeof(res->reason),
				 "the bound key is not the one in %s", a->pub);
			return VTPM_VERIFY_UNTRUSTED;
		}
	}
	o->nonce = value;
	o->nonce_len = sizeof(value);
	ret = vtpm_verify(o, b.bundle, b.bundle_len, res);
	if (ret == VTPM_VERIFY_TRUSTED) {
		off = snprintf(res->bound, sizeof(res->bound), "handle 0x%08x name ",
			       b.handle);
		for (i = 0; i < name_len && off + 2 < sizeof(res->bound); i++)
			off += snprintf(res->bound + off, sizeof(res->bound) - off,
					"%02x", name[i]);
	}
	return ret;
}

/* the banks IMA lists are parsed for without a bundle */
static const u16 vv_ima_banks[] = {
	VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
};

static int vv_ima_read(const char *path, const u16 *algs, unsigned int nr,
		       struct vv_ima_list *l, char *why, size_t why_len)
{
	char w[VTPM_VERIFY_REASON_MAX - 64];
	size_t len, at;
	u8 *buf;
	int ret;

	ret = vv_read_file(path, &buf, &len);
	if (ret)
		return input_error("%s: %s", path, strerror(-ret));
	ret = vv_ima_parse(buf, len, algs, nr, l, w, sizeof(w), &at);
	free(buf);
	if (ret == -ENOMEM)
		return input_error("out of memory");
	if (ret && at)
		snprintf(why, why_len, "ima-log: entry %zu: %s", at, w);
	else if (ret)
		snprintf(why, why_len, "ima-log: %s", w);
	return ret ? VTPM_VERIFY_UNTRUSTED : 0;
}

/*
 * --ima-log without a bundle: the value the list's entries of one PCR give
 * it in every bank, and whether the list (or its beginning) gives the
 * value of --pcr.
 */
static int vv_ima_alone(const struct args *a)
{
	u8 want[VTPM_MAX_DIGEST_SIZE], v[VTPM_MAX_DIGEST_SIZE];
	char why[VTPM_VERIFY_REASON_MAX], *end;
	size_t want_len = 0, n, total;
	struct vv_ima_list l;
	unsigned long pcr = 10;
	u16 want_alg = 0;
	unsigned int b;
	int ret;

	if (a->ima_pcr) {
		errno = 0;
		pcr = strtoul(a->ima_pcr, &end, 10);
		if (errno || end == a->ima_pcr || *end || pcr >= VTPM_NUM_PCRS)
			return input_error("bad --ima-pcr \"%s\": 0 to 23",
					   a->ima_pcr);
	}
	if (a->pcr && (vv_parse_pcr(a->pcr, &want_alg, want, &want_len) ||
		       want_len != vtpm_alg_digest_size(want_alg)))
		return input_error("bad --pcr \"%s\": ALG:HEX, e.g. sha256:<64 hex digits>",
				   a->pcr);
	ret = vv_ima_read(a->ima_log, vv_ima_banks, ARRAY_SIZE(vv_ima_banks),
			  &l, why, sizeof(why));
	if (ret == VTPM_VERIFY_UNTRUSTED)
		printf("NOT CONSISTENT: %s\n", why);
	if (ret)
		return ret;
	if (want_alg && !vv_ima_prefix(&l, pcr, want_alg, want, &n, &total)) {
		printf("NOT CONSISTENT: no beginning of the list's %zu entries of PCR %lu gives it %s\n",
		       total, pcr, a->pcr);
		ret = VTPM_VERIFY_UNTRUSTED;
		goto out;
	}
	if (want_alg) {
		printf("REPLAYED to the given PCR value: %zu of %zu entries of PCR %lu (%zu measured after it)\n",
		       n, total, pcr, total - n);
	} else {
		vv_ima_replay(&l, pcr, VTPM_ALG_SHA1, SIZE_MAX, v, &total);
		n = total;
		printf("REPLAYED: %zu entries of PCR %lu\n", total, pcr);
	}
	printf("list: %s, %s template hashes, %zu entries\n",
	       l.binary ? "binary" : "ascii", vtpm_alg_name(l.list_alg), l.n);
	for (b = 0; b < ARRAY_SIZE(vv_ima_banks); b++) {
		vv_ima_replay(&l, pcr, vv_ima_banks[b], n, v, &total);
		printf("PCR %lu %s: ", pcr, vtpm_alg_name(vv_ima_banks[b]));
		vv_hex_print(stdout, v, vtpm_alg_digest_size(vv_ima_banks[b]));
		printf("\n");
	}
out:
	vv_ima_free(&l);
	return ret;
}

/*
 * --ima-log with a trusted bundle: every entry is the next extend of its
 * vPCR, and every extend of those vPCRs an entry.  VTPM_VERIFY_TRUSTED
 * with the list parsed into @l and matched into @m, or @res->reason.
 */
static int vv_ima_bundle(const char *path, struct vtpm_verify_result *res,
			 struct vv_ima_list *l, struct vv_ima_match *m)
{
	char why[VTPM_VERIFY_REASON_MAX - 16];
	u16 algs[VTPM_MAX_BANKS];
	unsigned int b;
	int ret;

	for (b = 0; b < res->banks.nr; b++)
		algs[b] = res->banks.bank[b].alg;
	ret = vv_ima_read(path, algs, res->banks.nr, l, res->reason,
			  sizeof(res->reason));
	if (ret)
		return ret;
	if (vv_ima_match(l, res, m, why, sizeof(why))) {
		snprintf(res->reason, sizeof(res->reason), "ima-log: %s", why);
		return VTPM_VERIFY_UNTRUSTED;
	}
	return VTPM_VERIFY_TRUSTED;
}

static void vv_ima_report(FILE *f, const char *path,
			  const struct vv_ima_list *l,
			  const struct vv_ima_match *m)
{
	size_t i;

	fprintf(f, "ima-log: %s: %s, %zu entries: %zu attested, %zu after the quote (not attested)\n",
		path, l->binary ? "binary" : "ascii", l->n, m->matched,
		m->after);
	for (i = 0; i < l->n; i++)
		fprintf(f, "ima %zu: %2u %s %s%s\n", i + 1, l->e[i].pcr,
			l->e[i].template, l->e[i].desc,
			l->e[i].violation ? " (violation)" : "");
}

int main(int argc, char **argv)
{
	struct vtpm_verify_opts o = { 0 };
	struct vtpm_verify_result *res;
	u8 nonce[VTPM_NONCE_MAX], uuid[VTPM_UUID_SIZE], *buf = NULL;
	struct vtpm_ref ref = { 0 };
	struct vv_ima_list ima = { 0 };
	struct vv_ima_match match;
	struct args a = { 0 };
	char err[256];
	size_t len, nonce_len;
	int ret;

	/* the TSS2 MU library logs unmarshalling errors: they are ours */
	setenv("TSS2_LOG", "all+NONE", 0);
	if (parse_args(argc, argv, &a)) {
		usage(stderr);
		return VTPM_VERIFY_INPUT;
	}
	if (a.log)
		return vv_replay_log(a.log, a.pcr);
	if (a.ima_log && !a.bundle) {
		ret = vv_ima_alone(&a);
		fflush(stdout);
		return ret;
	}
	if (vv_hex_decode(a.nonce, nonce, sizeof(nonce), &nonce_len) ||
	    !nonce_len)
		return input_error("bad nonce \"%s\": 1 to 64 bytes in hex",
				   a.nonce);
	if (a.uuid && vv_uuid_parse(a.uuid, uuid))
		return input_error("bad uuid \"%s\": xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx",
				   a.uuid);
	if (access(a.ak, R_OK))
		return input_error("%s: %s", a.ak, strerror(errno));
	o.ak = load_ak(a.ak);
	if (!o.ak)
		return input_error("%s: not a PEM public key (EC or RSA)",
				   a.ak);
	o.nonce = nonce;
	o.nonce_len = nonce_len;
	o.uuid = a.uuid ? uuid : NULL;
	if (a.ref) {
		ret = vv_read_file(a.ref, &buf, &len);
		if (ret) {
			ret = input_error("%s: %s", a.ref, strerror(-ret));
			goto out;
		}
		ret = vtpm_ref_parse((char *)buf, len, &ref, err, sizeof(err));
		free(buf);
		buf = NULL;
		if (ret) {
			ret = input_error("%s: %s", a.ref,
					  ret == -ENOMEM ? "out of memory" : err);
			goto out;
		}
		o.ref = &ref;
	}
	ret = vv_read_file(a.binding ? a.binding : a.bundle, &buf, &len);
	if (ret) {
		ret = input_error("%s: %s", a.binding ? a.binding : a.bundle,
				  strerror(-ret));
		goto out;
	}
	res = malloc(sizeof(*res));
	if (!res) {
		ret = input_error("out of memory");
		goto out;
	}
	if (a.binding) {
		ret = vv_binding(&a, &o, buf, len, res);
		goto report;
	}
	ret = vtpm_verify(&o, buf, len, res);
	if (ret == VTPM_VERIFY_TRUSTED && a.ima_log)
		ret = vv_ima_bundle(a.ima_log, res, &ima, &match);
report:
	switch (ret) {
	case VTPM_VERIFY_TRUSTED:
		if (a.binding)
			printf("BOUND %s\n", res->bound);
		vtpm_verify_report(stdout, res);
		if (a.ima_log)
			vv_ima_report(stdout, a.ima_log, &ima, &match);
		break;
	case VTPM_VERIFY_UNTRUSTED:
		printf("NOT TRUSTED: %s\n", res->reason);
		break;
	default:
		input_error("%s: %s", a.binding ? a.binding : a.bundle,
			    res->reason);
		ret = VTPM_VERIFY_INPUT;
		break;
	}
	vtpm_verify_result_free(res);
	free(res);
	vv_ima_free(&ima);
out:
	free(buf);
	vtpm_ref_free(&ref);
	EVP_PKEY_free(o.ak);
	if (fflush(stdout) && ret != VTPM_VERIFY_INPUT) {
		fprintf(stderr, "%s: cannot write the report\n", prog);
		ret = VTPM_VERIFY_INPUT;
	}
	return ret;
}
