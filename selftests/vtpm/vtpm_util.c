// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers shared by the vtpm-mux selftests; see vtpm_util.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "vtpm_util.h"

const struct alg_desc known_hash_algs[4] = {
	{ ALG_SHA1, "sha1", 20 },
	{ ALG_SHA256, "sha256", 32 },
	{ ALG_SHA384, "sha384", 48 },
	{ ALG_SHA512, "sha512", 64 },
};

const struct alg_desc *alg_by_id(uint16_t alg)
{
	for (size_t i = 0; i < ARRAY_LEN(known_hash_algs); i++)
		if (known_hash_algs[i].alg == alg)
			return &known_hash_algs[i];
	return NULL;
}

/* ---- control device ---------------------------------------------------- */

int mux_ctl_open(void)
{
	return open(VTPM_MUX_CONTROL_DEVICE, O_RDWR | O_CLOEXEC);
}

static int ioctl_ret(int r)
{
	return r < 0 ? -errno : r;
}

int mux_create(int ctl, struct vtpm_mux_create *c)
{
	return ioctl_ret(ioctl(ctl, VTPM_MUX_IOC_CREATE, c));
}

int mux_create_simple(int ctl, const char *label, uint32_t *index,
		      uint8_t uuid[VTPM_MUX_UUID_SIZE])
{
	struct vtpm_mux_create c;
	int r;

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	snprintf(c.label, sizeof(c.label), "%s", label ? label : "");
	r = mux_create(ctl, &c);
	if (r < 0)
		return r;
	if (index)
		*index = c.index;
	if (uuid)
		memcpy(uuid, c.uuid, VTPM_MUX_UUID_SIZE);
	return 0;
}

int mux_destroy(int ctl, uint32_t index)
{
	struct vtpm_mux_destroy d;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.index = index;
	return ioctl_ret(ioctl(ctl, VTPM_MUX_IOC_DESTROY, &d));
}

int mux_info(int ctl, uint32_t index, struct vtpm_mux_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->index = index;
	return ioctl_ret(ioctl(ctl, VTPM_MUX_IOC_INFO, info));
}

int mux_list(int ctl, uint32_t *indices, uint32_t max)
{
	struct vtpm_mux_list l;
	int r;

	memset(&l, 0, sizeof(l));
	l.size = sizeof(l);
	l.count = max;
	l.indices = (uintptr_t)indices;
	r = ioctl_ret(ioctl(ctl, VTPM_MUX_IOC_LIST, &l));
	return r < 0 ? r : (int)l.count;
}

void mux_dev_path(uint32_t index, char *buf, size_t len)
{
	snprintf(buf, len, "/dev/vtpm%u", index);
}

bool wait_for_path(const char *path, bool want)
{
	struct stat st;

	for (int i = 0; i < 200; i++) {
		bool have = stat(path, &st) == 0;

		if (have == want)
			return true;
		usleep(10000);
	}
	return false;
}

void uuid_str(const uint8_t u[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9],
		 u[10], u[11], u[12], u[13], u[14], u[15]);
}

int read_sysfs(uint32_t index, const char *attr, char *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/" VTPM_MUX_CLASS "/vtpm%u/%s",
		 index, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	buf[n] = '\0';
	close(fd);
	return (int)n;
}

/* ---- targets ----------------------------------------------------------- */

static const char *env2(const char *base, const char *suffix, char *buf,
			size_t len)
{
	snprintf(buf, len, "%s%s", base, suffix);
	return getenv(buf);
}

static int parse_swtpm_conf(struct vtpm_target *t, const char *conf)
{
	char tmp[256], *save = NULL, *tok;

	snprintf(t->host, sizeof(t->host), "127.0.0.1");
	t->port = 2321;
	snprintf(tmp, sizeof(tmp), "%s", conf);
	for (tok = strtok_r(tmp, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (!strncmp(tok, "host=", 5))
			snprintf(t->host, sizeof(t->host), "%s", tok + 5);
		else if (!strncmp(tok, "port=", 5))
			t->port = atoi(tok + 5);
		else
			return -EINVAL;
	}
	if (!strcmp(t->host, "localhost"))
		snprintf(t->host, sizeof(t->host), "127.0.0.1");
	return t->port > 0 && t->port < 65535 ? 0 : -EINVAL;
}

static ssize_t raw_xfer_startup_clear(const struct vtpm_target *t)
{
	uint8_t cmd[16], resp[64];

	return raw_xfer(t, cmd, build_startup(cmd, 0), resp, sizeof(resp),
			5000);
}

int target_setup(struct vtpm_target *t, const char *suffix, char *err,
		 size_t errlen)
{
	const char *tcti, *dev, *cp;
	char name[64];
	int r;

	memset(t, 0, sizeof(*t));
	t->ctl = -1;
	tcti = env2("VTPM_TCTI", suffix, name, sizeof(name));
	dev = env2("VTPM_DEV", suffix, name, sizeof(name));
	if (tcti && !strncmp(tcti, "device:", 7) && !dev)
		dev = tcti + 7;

	if (dev && *dev) {
		t->kind = TARGET_DEV;
		snprintf(t->dev, sizeof(t->dev), "%s", dev);
		snprintf(t->tcti, sizeof(t->tcti), "device:%s", dev);
		return 0;
	}
	if (tcti && *tcti) {
		snprintf(t->tcti, sizeof(t->tcti), "%s", tcti);
		if (strncmp(tcti, "swtpm", 5) != 0) {
			t->kind = TARGET_TCTI;
			return 0;
		}
		t->kind = TARGET_SWTPM;
		r = parse_swtpm_conf(t, tcti[5] == ':' ? tcti + 6 : "");
		if (r) {
			snprintf(err, errlen, "cannot parse %s", tcti);
			return r;
		}
		cp = env2("VTPM_SWTPM_CTRL_PORT", suffix, name, sizeof(name));
		t->ctrl_port = cp ? atoi(cp) : t->port + 1;
		/*
		 * Fresh state: _TPM_Init, a Startup that records a non-orderly
		 * state (so that no earlier Shutdown(STATE) can be resumed),
		 * and _TPM_Init again.
		 */
		r = swtpm_ctrl_init(t->host, t->ctrl_port);
		if (!r && raw_xfer_startup_clear(t) < 0)
			r = -EIO;
		if (!r)
			r = swtpm_ctrl_init(t->host, t->ctrl_port);
		if (r)
			snprintf(err, errlen, "swtpm at %s:%d/%d: %s", t->host,
				 t->port, t->ctrl_port, strerror(-r));
		return r;
	}

	t->kind = TARGET_MUX;
	t->ctl = mux_ctl_open();
	if (t->ctl < 0) {
		r = -errno;
		snprintf(err, errlen, "open %s: %s (module not loaded?)",
			 VTPM_MUX_CONTROL_DEVICE, strerror(errno));
		return r;
	}
	r = mux_create_simple(t->ctl, "selftest", &t->index, t->uuid);
	if (r) {
		snprintf(err, errlen, "VTPM_MUX_IOC_CREATE: %s", strerror(-r));
		close(t->ctl);
		t->ctl = -1;
		return r;
	}
	mux_dev_path(t->index, t->dev, sizeof(t->dev));
	snprintf(t->tcti, sizeof(t->tcti), "device:%s", t->dev);
	if (!wait_for_path(t->dev, true)) {
		snprintf(err, errlen, "%s did not appear", t->dev);
		target_teardown(t);
		return -ENOENT;
	}
	return 0;
}

void target_teardown(struct vtpm_target *t)
{
	if (t->kind == TARGET_MUX && t->ctl >= 0) {
		mux_destroy(t->ctl, t->index);
		close(t->ctl);
		t->ctl = -1;
	}
}

bool target_is_fresh(const struct vtpm_target *t)
{
	return t->kind == TARGET_MUX || t->kind == TARGET_SWTPM;
}

bool target_is_mux(const struct vtpm_target *t)
{
	return t->kind == TARGET_MUX;
}

bool target_has_raw(const struct vtpm_target *t)
{
	return t->kind != TARGET_TCTI;
}

int target_power_cycle(struct vtpm_target *t)
{
	switch (t->kind) {
	case TARGET_MUX:
		return 0;
	case TARGET_SWTPM:
		return swtpm_ctrl_init(t->host, t->ctrl_port);
	default:
		return -EOPNOTSUPP;
	}
}

const char *target_name(const struct vtpm_target *t)
{
	return t->tcti;
}

static int tcp_connect(const char *host, int port, int timeout_ms)
{
	struct sockaddr_in sa;
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(port);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static ssize_t read_timeout(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int r = poll(&p, 1, timeout_ms);

	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	r = read(fd, buf, len);
	return r < 0 ? -errno : r;
}

int swtpm_ctrl_init(const char *host, int ctrl_port)
{
	uint8_t req[8], resp[4];
	ssize_t n;
	int fd;

	fd = tcp_connect(host, ctrl_port, 5000);
	if (fd < 0)
		return fd;
	put_be32(req, 0x00000002);	/* CMD_INIT */
	put_be32(req + 4, 0);		/* init_flags */
	if (write(fd, req, sizeof(req)) != (ssize_t)sizeof(req)) {
		close(fd);
		return -EIO;
	}
	n = read_timeout(fd, resp, sizeof(resp), 10000);
	close(fd);
	if (n < 0)
		return (int)n;
	return n == 4 && get_be32(resp) == 0 ? 0 : -EPROTO;
}

/* ---- raw commands ------------------------------------------------------ */

static ssize_t read_response(int fd, uint8_t *resp, size_t cap, int timeout_ms)
{
	size_t have = 0;

	while (have < cap) {
		ssize_t n = read_timeout(fd, resp + have, cap - have,
					 timeout_ms);

		if (n < 0)
			return have && n == -ETIMEDOUT ? (ssize_t)have : n;
		if (n == 0)
			break;
		have += n;
		if (have >= 6 && have >= get_be32(resp + 2))
			break;
	}
	return have;
}

ssize_t fd_xfer(int fd, const uint8_t *cmd, size_t len, uint8_t *resp,
		size_t cap, int timeout_ms)
{
	ssize_t n = write(fd, cmd, len);

	if (n != (ssize_t)len)
		return n < 0 ? -errno : -EIO;
	return read_response(fd, resp, cap, timeout_ms);
}

long resp_rc(const uint8_t *resp, ssize_t n)
{
	if (n < 10 || get_be32(resp + 2) != (uint32_t)n)
		return -1;
	return get_be32(resp + 6);
}

ssize_t raw_xfer(const struct vtpm_target *t, const uint8_t *cmd, size_t len,
		 uint8_t *resp, size_t cap, int timeout_ms)
{
	ssize_t n;
	int fd;

	if (t->kind == TARGET_SWTPM) {
		fd = tcp_connect(t->host, t->port, timeout_ms);
		if (fd < 0)
			return fd;
		n = send(fd, cmd, len, MSG_NOSIGNAL);
	} else if (t->kind == TARGET_MUX || t->kind == TARGET_DEV) {
		fd = open(t->dev, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		n = fd_xfer(fd, cmd, len, resp, cap, timeout_ms);
		close(fd);
		return n;
	} else {
		return -EOPNOTSUPP;
	}
	if (n != (ssize_t)len) {
		n = n < 0 ? -errno : -EIO;
		close(fd);
		return n;
	}
	n = read_response(fd, resp, cap, timeout_ms);
	close(fd);
	return n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

ssize_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	while (*hex) {
		int hi, lo;

		if (*hex == ' ' || *hex == '\t' || *hex == '\n') {
			hex++;
			continue;
		}
		hi = hexval(hex[0]);
		lo = hi < 0 ? -1 : hexval(hex[1]);
		if (lo < 0)
			return -1;
		hex += 2;
		if (*hex == '*') {	/* "XX*N": byte XX repeated N times */
			char *end;
			unsigned long rep = strtoul(hex + 1, &end, 10);

			if (end == hex + 1 || rep > cap - n)
				return -1;
			memset(out + n, hi << 4 | lo, rep);
			n += rep;
			hex = end;
			continue;
		}
		if (n >= cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | lo);
	}
	return (ssize_t)n;
}

void hex_encode(const uint8_t *in, size_t len, char *out)
{
	for (size_t i = 0; i < len; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
	out[2 * len] = '\0';
}

static size_t finish(uint8_t *buf, uint16_t tag, uint32_t cc, size_t len)
{
	put_be16(buf, tag);
	put_be32(buf + 2, (uint32_t)len);
	put_be32(buf + 6, cc);
	return len;
}

size_t build_startup(uint8_t *buf, uint16_t type)
{
	put_be16(buf + 10, type);
	return finish(buf, ST_NO_SESSIONS, CC_Startup, 12);
}

size_t build_getrandom(uint8_t *buf, uint16_t bytes)
{
	put_be16(buf + 10, bytes);
	return finish(buf, ST_NO_SESSIONS, CC_GetRandom, 12);
}

size_t build_pcr_read(uint8_t *buf, uint16_t alg, unsigned int pcr)
{
	put_be32(buf + 10, 1);		/* TPML_PCR_SELECTION.count */
	put_be16(buf + 14, alg);
	buf[16] = 3;			/* sizeofSelect */
	buf[17] = buf[18] = buf[19] = 0;
	buf[17 + pcr / 8] = 1 << (pcr % 8);
	return finish(buf, ST_NO_SESSIONS, CC_PCR_Read, 20);
}

size_t build_pcr_extend(uint8_t *buf, unsigned int pcr, uint16_t alg,
			const uint8_t *digest, unsigned int dlen)
{
	size_t o = 10;

	put_be32(buf + o, pcr);
	o += 4;
	put_be32(buf + o, 9);		/* authorizationSize */
	o += 4;
	put_be32(buf + o, RS_PW);	/* password session, empty auth */
	o += 4;
	put_be16(buf + o, 0);		/* nonce */
	o += 2;
	buf[o++] = 0;			/* sessionAttributes */
	put_be16(buf + o, 0);		/* hmac */
	o += 2;
	put_be32(buf + o, 1);		/* TPML_DIGEST_VALUES.count */
	o += 4;
	put_be16(buf + o, alg);
	o += 2;
	memcpy(buf + o, digest, dlen);
	o += dlen;
	return finish(buf, ST_SESSIONS, CC_PCR_Extend, o);
}

/* password session with empty auth, after the handle at buf + 10 */
static size_t put_pw_session(uint8_t *buf, size_t o)
{
	put_be32(buf + o, 9);		/* authorizationSize */
	o += 4;
	put_be32(buf + o, RS_PW);
	o += 4;
	put_be16(buf + o, 0);		/* nonce */
	o += 2;
	buf[o++] = 0;			/* sessionAttributes */
	put_be16(buf + o, 0);		/* hmac */
	return o + 2;
}

size_t build_pcr_extend_multi(uint8_t *buf, unsigned int pcr,
			      unsigned int count, const uint16_t *algs,
			      const uint8_t *const *digests)
{
	size_t o;

	put_be32(buf + 10, pcr);
	o = put_pw_session(buf, 14);
	put_be32(buf + o, count);	/* TPML_DIGEST_VALUES.count */
	o += 4;
	for (unsigned int i = 0; i < count; i++) {
		const struct alg_desc *a = alg_by_id(algs[i]);

		put_be16(buf + o, algs[i]);
		o += 2;
		memcpy(buf + o, digests[i], a ? a->size : 0);
		o += a ? a->size : 0;
	}
	return finish(buf, ST_SESSIONS, CC_PCR_Extend, o);
}

size_t build_pcr_event(uint8_t *buf, unsigned int pcr, const uint8_t *data,
		       unsigned int len)
{
	size_t o;

	put_be32(buf + 10, pcr);
	o = put_pw_session(buf, 14);
	put_be16(buf + o, len);		/* TPM2B_EVENT */
	o += 2;
	memcpy(buf + o, data, len);
	return finish(buf, ST_SESSIONS, CC_PCR_Event, o + len);
}

size_t build_pcr_reset(uint8_t *buf, unsigned int pcr)
{
	put_be32(buf + 10, pcr);
	return finish(buf, ST_SESSIONS, CC_PCR_Reset, put_pw_session(buf, 14));
}

size_t build_shutdown(uint8_t *buf, uint16_t type)
{
	put_be16(buf + 10, type);
	return finish(buf, ST_NO_SESSIONS, CC_Shutdown, 12);
}

size_t build_read_clock(uint8_t *buf)
{
	return finish(buf, ST_NO_SESSIONS, CC_ReadClock, 10);
}

size_t build_pcr_read_sel(uint8_t *buf, unsigned int nalgs,
			  const uint16_t *algs, uint32_t pcrs)
{
	size_t o = 10;

	put_be32(buf + o, nalgs);
	o += 4;
	for (unsigned int i = 0; i < nalgs; i++) {
		put_be16(buf + o, algs[i]);
		buf[o + 2] = 3;
		buf[o + 3] = pcrs;
		buf[o + 4] = pcrs >> 8;
		buf[o + 5] = pcrs >> 16;
		o += 6;
	}
	return finish(buf, ST_NO_SESSIONS, CC_PCR_Read, o);
}

long fd_pcr_read_many(int fd, unsigned int nalgs, const uint16_t *algs,
		      uint32_t pcrs, uint8_t out[][24][64])
{
	uint32_t left[8];
	uint8_t cmd[128], resp[TPM_BUFSIZE];

	if (nalgs > ARRAY_LEN(left))
		return -EINVAL;
	for (unsigned int a = 0; a < nalgs; a++)
		left[a] = pcrs & 0xffffff;
	for (int round = 0; round < 24 * 8; round++) {
		const uint8_t *p, *end;
		size_t o = 10;
		uint32_t nsel, ndig, got = 0;
		bool more = false;
		ssize_t n;
		long rc;

		/* ask for what is left of each bank */
		put_be32(cmd + o, nalgs);
		o += 4;
		for (unsigned int a = 0; a < nalgs; a++) {
			put_be16(cmd + o, algs[a]);
			cmd[o + 2] = 3;
			cmd[o + 3] = left[a];
			cmd[o + 4] = left[a] >> 8;
			cmd[o + 5] = left[a] >> 16;
			o += 6;
			more |= left[a] != 0;
		}
		if (!more)
			return 0;
		finish(cmd, ST_NO_SESSIONS, CC_PCR_Read, o);
		n = fd_xfer(fd, cmd, o, resp, sizeof(resp), 10000);
		if (n < 0)
			return n;
		rc = resp_rc(resp, n);
		if (rc)
			return rc < 0 ? -EPROTO : rc;
		/* updateCounter, TPML_PCR_SELECTION, TPML_DIGEST */
		p = resp + 14;
		end = resp + n;
		if (p + 4 > end)
			return -EPROTO;
		nsel = get_be32(p);
		p += 4;
		if (nsel != nalgs || p + 6 * nsel + 4 > end)
			return -EPROTO;
		ndig = get_be32(p + 6 * nsel);
		{
			const uint8_t *d = p + 6 * nsel + 4;

			for (unsigned int a = 0; a < nsel; a++, p += 6) {
				const struct alg_desc *ad = alg_by_id(algs[a]);
				uint32_t bits;

				if (get_be16(p) != algs[a] || p[2] != 3 || !ad)
					return -EPROTO;
				bits = p[3] | p[4] << 8 | p[5] << 16;
				if (bits & ~left[a])
					return -EPROTO;
				for (unsigned int pcr = 0; pcr < 24; pcr++) {
					if (!(bits & 1u << pcr))
						continue;
					if (d + 2 > end || get_be16(d) != ad->size ||
					    d + 2 + ad->size > end)
						return -EPROTO;
					memcpy(out[a][pcr], d + 2, ad->size);
					d += 2 + ad->size;
					got++;
				}
				left[a] &= ~bits;
			}
			if (got != ndig || d != end || !got)
				return -EPROTO;
		}
	}
	return -EPROTO;
}

long raw_pcr_read(const struct vtpm_target *t, uint16_t alg, unsigned int pcr,
		  uint8_t *digest, unsigned int *dlen)
{
	uint8_t cmd[32], resp[TPM_BUFSIZE];
	const uint8_t *p;
	uint32_t rc, cnt;
	ssize_t n;

	n = raw_xfer(t, cmd, build_pcr_read(cmd, alg, pcr), resp, sizeof(resp),
		     5000);
	if (n < 0)
		return n;
	if (n < 10 || get_be32(resp + 2) != (uint32_t)n)
		return -EPROTO;
	rc = get_be32(resp + 6);
	if (rc)
		return rc;
	/* updateCounter, TPML_PCR_SELECTION (1 x 6 bytes), TPML_DIGEST */
	if (n < 10 + 4 + 4 + 6 + 4 + 2)
		return -EPROTO;
	p = resp + 10 + 4;
	if (get_be32(p) != 1 || get_be16(p + 4) != alg || p[6] != 3)
		return -EPROTO;
	p += 4 + 6;
	cnt = get_be32(p);
	p += 4;
	if (cnt != 1)
		return -EPROTO;
	*dlen = get_be16(p);
	if (*dlen > 64 || p + 2 + *dlen != resp + n)
		return -EPROTO;
	memcpy(digest, p + 2, *dlen);
	return 0;
}

void pcr_initial_value(unsigned int pcr, unsigned int size, uint8_t *out)
{
	memset(out, pcr >= 17 && pcr <= 22 ? 0xFF : 0x00, size);
}

uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545F4914F6CDD1DULL;
}

void rnd_bytes(struct rng *r, uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd(r) >> 56;
}
