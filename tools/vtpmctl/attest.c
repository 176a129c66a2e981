// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl ak, vtpmctl attest: the attestation key's public key from
 * securityfs, and attestation bundles (Documentation/attestation.md) from
 * VTPM_MUX_IOC_ATTEST on the control device or VTPM_IOC_ATTEST on
 * /dev/vtpmN.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

#include "bind.h"
#include "engine.h"
#include "marshal.h"
#include "vtpmctl.h"

#define SECFS_DIR	"/sys/kernel/security/vtpm_mux"
/* -ENOSPC retries while the log grows (each costs a hardware quote) */
#define ATTEST_TRIES	8
#define ATTEST_CAP	(1024 * 1024)

enum {
	A_HELP = 1,
	A_OUT,
	A_TPM2B,
	A_NAME,
	A_NONCE,
	A_DEVICE,
};

static const struct opt ak_opts[] = {
	{ "help",	'h',	false,	A_HELP },
	{ "out",	0,	true,	A_OUT },
	{ "tpm2b",	0,	true,	A_TPM2B },
	{ "name",	0,	true,	A_NAME },
	{ NULL,		0,	false,	0 },
};

static const struct opt attest_opts[] = {
	{ "help",	'h',	false,	A_HELP },
	{ "out",	0,	true,	A_OUT },
	{ "nonce",	0,	true,	A_NONCE },
	{ "device",	0,	true,	A_DEVICE },
	{ NULL,		0,	false,	0 },
};

/* Write @len bytes to @path ('-': standard output).  0 or -errno. */
static int write_path(const char *path, const void *p, size_t len)
{
	const char *c = p;
	int fd, err = 0;

	if (!strcmp(path, "-"))
		fd = STDOUT_FILENO;
	else
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, c, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		c += n;
		len -= n;
	}
	if (fd != STDOUT_FILENO && close(fd) && !err)
		err = -errno;
	return err;
}

/* Copy securityfs @name to @path, or say why not.  0 or EXIT_FAILURE. */
static int copy_ak(const char *name, const char *path)
{
	struct blob b = { 0 };
	char src[128];
	int err;

	snprintf(src, sizeof(src), SECFS_DIR "/%s", name);
	err = read_path(src, &b);
	if (err) {
		errmsg("ak: cannot read " SECFS_DIR "/%s: %s%s", name,
		       strerror(-err), err == -ENOENT ?
		       " (module not loaded, or no attestation key: see dmesg)" :
		       "");
		return EXIT_FAILURE;
	}
	err = write_path(path, b.p, b.len);
	free(b.p);
	if (err) {
		errmsg("ak: cannot write %s: %s", path, strerror(-err));
		return EXIT_FAILURE;
	}
	return 0;
}

int cmd_ak(const struct ctx *ctx, const struct cmd *cmd, int argc,
	   char **argv)
{
	const char *out = NULL, *tpm2b = NULL, *name = NULL, *val;
	struct optparse p;
	int id, ret;

	(void)ctx;
	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, ak_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			return usage_error(cmd->name, "unexpected argument '%s'",
					   val);
		case A_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		case A_OUT:
			out = val;
			break;
		case A_TPM2B:
			tpm2b = val;
			break;
		case A_NAME:
			name = val;
			break;
		}
	}
	if (!out && !tpm2b && !name)
		out = "-";
	ret = out ? copy_ak("ak.pem", out) : 0;
	if (!ret && tpm2b)
		ret = copy_ak("ak.pub", tpm2b);
	if (!ret && name)
		ret = copy_ak("ak.name", name);
	return ret;
}

/* 2..128 hex digits, an even number. */
static int parse_nonce(const char *s, uint8_t *out, uint32_t *len)
{
	size_t n = strlen(s), i;

	if (n < 2 || n % 2 || n > 2 * VTPM_MUX_NONCE_MAX)
		return -1;
	for (i = 0; i < n; i += 2) {
		char byte[3] = { s[i], s[i + 1], 0 };
		char *end;

		if (!strchr("0123456789abcdefABCDEF", s[i]) ||
		    !strchr("0123456789abcdefABCDEF", s[i + 1]))
			return -1;
		out[i / 2] = strtoul(byte, &end, 16);
	}
	*len = n / 2;
	return 0;
}

static void attest_error(const char *what, int err)
{
	switch (err) {
	case EOPNOTSUPP:
		errmsg("%s: %s (the module has no attestation key: see dmesg)",
		       what, strerror(err));
		break;
	case EIO:
		errmsg("%s: %s (the hardware TPM failed, or the mux cannot explain its PCR: see dmesg)",
		       what, strerror(err));
		break;
	case EPERM:
		errmsg("%s: %s (the control device needs CAP_SYS_ADMIN; a tenant uses --device)",
		       what, strerror(err));
		break;
	case ENODEV:
		errmsg("%s: %s (no such instance)", what, strerror(err));
		break;
	case ENOTTY:
		errmsg("%s: %s (not a vtpm-mux device, or a module without attestation)",
		       what, strerror(err));
		break;
	default:
		errmsg("%s: %s", what, strerror(err));
		break;
	}
}

/*
 * One attestation request on @fd (@request: the control device's or the
 * instance's ioctl), growing the buffer until the bundle fits.  Returns 0
 * with the bundle in *@buf (free() it) and @req filled in, or an errno.
 */
static int fetch_bundle(int fd, unsigned long request, uint32_t index,
			const uint8_t *nonce, uint32_t nonce_len, uint8_t **buf,
			struct vtpm_attest_req *req)
{
	size_t cap = ATTEST_CAP;
	uint8_t *tmp;
	int i, err = EAGAIN;

	*buf = NULL;
	for (i = 0; i < ATTEST_TRIES; i++) {
		tmp = realloc(*buf, cap);
		if (!tmp) {
			err = ENOMEM;
			break;
		}
		*buf = tmp;
		memset(req, 0, sizeof(*req));
		req->size = sizeof(*req);
		req->index = index;
		req->nonce_len = nonce_len;
		memcpy(req->nonce, nonce, nonce_len);
		req->buf = (uintptr_t)*buf;
		req->len = cap;
		if (!ioctl(fd, request, req))
			return 0;
		err = errno;
		if (err != ENOSPC || req->len <= cap)
			break;
		cap = req->len + req->len / 8 + 65536;
	}
	free(*buf);
	*buf = NULL;
	return err;
}

int cmd_attest(const struct ctx *ctx, const struct cmd *cmd, int argc,
	       char **argv)
{
	const char *out = NULL, *nonce = NULL, *device = NULL, *arg = NULL;
	struct vtpm_attest_req req = { 0 };
	uint8_t n[VTPM_MUX_NONCE_MAX];
	uint32_t nonce_len = 0, index = 0;
	unsigned long request;
	struct optparse p;
	const char *val;
	uint8_t *buf = NULL;
	int id, fd, err = 0;
	char what[64];

	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, attest_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (arg)
				return usage_error(cmd->name,
						   "unexpected argument '%s'", val);
			arg = val;
			break;
		case A_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		case A_OUT:
			out = val;
			break;
		case A_NONCE:
			nonce = val;
			break;
		case A_DEVICE:
			device = val;
			break;
		}
	}
	if (!arg == !device)
		return usage_error(cmd->name,
				   "give either the instance N or --device /dev/vtpmN");
	if (arg && parse_index(arg, &index))
		return usage_error(cmd->name,
				   "bad instance '%s' (expected N or /dev/vtpmN)",
				   arg);
	if (!nonce)
		return usage_error(cmd->name, "missing --nonce HEX");
	if (parse_nonce(nonce, n, &nonce_len))
		return usage_error(cmd->name,
				   "bad nonce '%s' (1 to 64 bytes in hex)", nonce);
	if (!out)
		return usage_error(cmd->name, "missing --out FILE");

	if (device) {
		fd = open(device, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			errmsg("attest: cannot open %s: %s", device,
			       strerror(errno));
			return EXIT_FAILURE;
		}
		request = VTPM_IOC_ATTEST;
		snprintf(what, sizeof(what), "attest %s", device);
	} else {
		fd = open_control(ctx, O_RDWR);
		if (fd < 0)
			return EXIT_FAILURE;
		request = VTPM_MUX_IOC_ATTEST;
		snprintf(what, sizeof(what), "attest %u", index);
	}
	err = fetch_bundle(fd, request, index, n, nonce_len, &buf, &req);
	close(fd);
	if (err) {
		attest_error(what, err);
		return EXIT_FAILURE;
	}
	err = write_path(out, buf, req.len);
	free(buf);
	if (err) {
		errmsg("attest: cannot write %s: %s", out, strerror(-err));
		return EXIT_FAILURE;
	}
	fprintf(strcmp(out, "-") ? stdout : stderr,
		"bundle %s bytes %llu instance %u batches %llu quote %llu requests %u\n",
		out, (unsigned long long)req.len, req.index,
		(unsigned long long)req.batches,
		(unsigned long long)req.quote_id, req.requests);
	return EXIT_SUCCESS;
}

enum {
	B_HELP = 1,
	B_OUT,
	B_NONCE,
	B_HANDLE,
};

static const struct opt bind_opts[] = {
	{ "help",	'h',	false,	B_HELP },
	{ "out",	0,	true,	B_OUT },
	{ "nonce",	0,	true,	B_NONCE },
	{ "handle",	0,	true,	B_HANDLE },
	{ NULL,		0,	false,	0 },
};

/* TPM2_ReadPublic of @handle on the instance: its TPMT_PUBLIC and name. */
static int read_public(const char *dev, uint32_t handle, uint8_t *pub,
		       uint16_t *pub_len, uint8_t *name, uint16_t *name_len)
{
	uint8_t cmd[14], rsp[4096];
	struct tpm_rd r;
	const uint8_t *p;
	ssize_t n;
	uint32_t rc;
	int fd;

	fd = tpm_open(dev);
	if (fd < 0)
		return -1;
	put_unaligned_be16(VTPM_ST_NO_SESSIONS, cmd);
	put_unaligned_be32(sizeof(cmd), cmd + 2);
	put_unaligned_be32(VTPM_CC_READ_PUBLIC, cmd + 6);
	put_unaligned_be32(handle, cmd + 10);
	n = tpm_transmit(fd, dev, cmd, sizeof(cmd), rsp);
	close(fd);
	if (n < 0)
		return -1;
	rc = get_unaligned_be32(rsp + 6);
	if (rc) {
		errmsg("bind: TPM2_ReadPublic of 0x%08x on %s: TPM_RC 0x%03x%s",
		       handle, dev, rc, (rc & 0xfff) == 0x18b ?
		       " (no key there: persist it, e.g. tpm2_createek -c 0x81010001)" :
		       "");
		return -1;
	}
	tpm_rd_init(&r, rsp + 10, n - 10);
	*pub_len = tpm_rd_u16(&r);
	p = tpm_rd_bytes(&r, *pub_len);
	if (!p || *pub_len < 4 || *pub_len > VTPM_PUBLIC_MAX)
		goto bad;
	memcpy(pub, p, *pub_len);
	*name_len = tpm_rd_u16(&r);
	p = tpm_rd_bytes(&r, *name_len);
	if (!p || *name_len > VTPM_NAME_MAX)
		goto bad;
	memcpy(name, p, *name_len);
	return 0;
bad:
	errmsg("bind: malformed TPM2_ReadPublic response from %s", dev);
	return -1;
}

int cmd_bind(const struct ctx *ctx, const struct cmd *cmd, int argc,
	     char **argv)
{
	const char *out = NULL, *nonce = NULL, *arg = NULL, *handle_s = NULL;
	uint8_t pub[VTPM_PUBLIC_MAX], name[VTPM_NAME_MAX], tname[VTPM_NAME_MAX];
	uint8_t n[VTPM_MUX_NONCE_MAX], value[32], *bundle = NULL, *file;
	uint16_t pub_len, tname_len;
	uint32_t nonce_len = 0, index = 0, handle = 0x81010001;
	struct vtpm_attest_req req;
	struct vtpm_mux_info info;
	struct vtpm_binding b;
	struct optparse p;
	size_t name_len, len;
	char dev[32], what[32];
	const char *val;
	int id, fd, err;

	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, bind_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (arg)
				return usage_error(cmd->name,
						   "unexpected argument '%s'", val);
			arg = val;
			break;
		case B_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		case B_OUT:
			out = val;
			break;
		case B_NONCE:
			nonce = val;
			break;
		case B_HANDLE:
			handle_s = val;
			break;
		}
	}
	if (!arg || parse_index(arg, &index))
		return usage_error(cmd->name,
				   "give the instance N or /dev/vtpmN");
	if (!nonce || parse_nonce(nonce, n, &nonce_len))
		return usage_error(cmd->name,
				   "missing or bad --nonce (1 to 64 bytes in hex)");
	if (!out)
		return usage_error(cmd->name, "missing --out FILE");
	if (handle_s && (parse_u32(handle_s, 16, UINT32_MAX, &handle) ||
			 handle >> 24 != 0x81))
		return usage_error(cmd->name,
				   "bad --handle '%s' (a persistent handle, 0x81xxxxxx)",
				   handle_s);

	snprintf(dev, sizeof(dev), "%s%u", VTPM_DEV_PREFIX, index);
	if (read_public(dev, handle, pub, &pub_len, tname, &tname_len))
		return EXIT_FAILURE;
	if (vtpm_public_name(pub, pub_len, name, &name_len) ||
	    name_len != tname_len || memcmp(name, tname, name_len)) {
		errmsg("bind: the TPM's name of 0x%08x is not its public area's",
		       handle);
		return EXIT_FAILURE;
	}

	fd = open_control(ctx, O_RDWR);
	if (fd < 0)
		return EXIT_FAILURE;
	err = -get_info(fd, index, &info);
	if (!err && vtpm_bind_value(info.uuid, name, name_len, n, nonce_len,
				    value))
		err = EINVAL;
	if (!err)
		err = fetch_bundle(fd, VTPM_MUX_IOC_ATTEST, index, value,
				   sizeof(value), &bundle, &req);
	close(fd);
	if (err) {
		snprintf(what, sizeof(what), "bind %u", index);
		attest_error(what, err);
		return EXIT_FAILURE;
	}

	b.handle = handle;
	b.pub = pub;
	b.pub_len = pub_len;
	b.bundle = bundle;
	b.bundle_len = req.len;
	len = vtpm_binding_write(&b, NULL, 0);
	file = len ? malloc(len) : NULL;
	err = file && vtpm_binding_write(&b, file, len) == len ?
	      write_path(out, file, len) : -ENOMEM;
	free(file);
	free(bundle);
	if (err) {
		errmsg("bind: cannot write %s: %s", out, strerror(-err));
		return EXIT_FAILURE;
	}
	fprintf(strcmp(out, "-") ? stdout : stderr,
		"binding %s bytes %zu instance %u handle 0x%08x name ", out, len,
		index, handle);
	for (len = 0; len < name_len; len++)
		fprintf(strcmp(out, "-") ? stdout : stderr, "%02x", name[len]);
	fprintf(strcmp(out, "-") ? stdout : stderr, " quote %llu\n",
		(unsigned long long)req.quote_id);
	return EXIT_SUCCESS;
}
