// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers of vtpm-verify: hex and uuid text, whole files.
 */
#include <stdlib.h>

#include "util.h"

int vv_hex_decode(const char *s, u8 *out, size_t cap, size_t *len)
{
	size_t n = strlen(s), i;

	if (n % 2 || n / 2 > cap)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		int hi = hex_to_bin(s[2 * i]), lo = hex_to_bin(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = hi << 4 | lo;
	}
	*len = n / 2;
	return 0;
}

void vv_hex_encode(const u8 *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	while (n--) {
		*out++ = digits[*p >> 4];
		*out++ = digits[*p++ & 0xf];
	}
	*out = '\0';
}

void vv_hex_print(FILE *f, const u8 *p, size_t n)
{
	while (n--)
		fprintf(f, "%02x", *p++);
}

int vv_uuid_parse(const char *s, u8 *uuid)
{
	static const int groups[] = { 4, 2, 2, 2, 6 };
	size_t i, g, k = 0;

	if (strlen(s) != VV_UUID_STR_SIZE - 1)
		return -EINVAL;
	for (g = 0; g < ARRAY_SIZE(groups); g++) {
		if (g) {
			if (*s != '-')
				return -EINVAL;
			s++;
		}
		for (i = 0; i < (size_t)groups[g]; i++, s += 2) {
			int hi = hex_to_bin(s[0]), lo = hex_to_bin(s[1]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			uuid[k++] = hi << 4 | lo;
		}
	}
	return 0;
}

void vv_uuid_format(const u8 *uuid, char *out)
{
	snprintf(out, VV_UUID_STR_SIZE,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5],
		 uuid[6], uuid[7], uuid[8], uuid[9], uuid[10], uuid[11],
		 uuid[12], uuid[13], uuid[14], uuid[15]);
}

int vv_read_file(const char *path, u8 **buf, size_t *len)
{
	size_t cap = 4096, n = 0;
	FILE *f = fopen(path, "rb");
	u8 *p = NULL, *q;
	int err;

	if (!f)
		return -errno;
	for (;;) {
		size_t got;

		if (!p || n == cap) {
			if (p)
				cap *= 2;
			q = realloc(p, cap + 1);
			if (!q) {
				err = -ENOMEM;
				goto fail;
			}
			p = q;
		}
		got = fread(p + n, 1, cap - n, f);
		n += got;
		if (got)
			continue;
		if (ferror(f)) {
			err = -EIO;
			goto fail;
		}
		break;
	}
	fclose(f);
	p[n] = '\0';
	*buf = p;
	*len = n;
	return 0;

fail:
	fclose(f);
	free(p);
	return err;
}

u16 vv_alg_by_name(const char *name)
{
	static const u16 algs[] = {
		VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(algs); i++)
		if (!strcmp(vtpm_alg_name(algs[i]), name))
			return algs[i];
	return 0;
}

/* "ALG:HEX", e.g. sha256:9f86... */
int vv_parse_pcr(const char *s, u16 *alg, u8 *val, size_t *len)
{
	const char *colon = strchr(s, ':');
	char name[16];

	if (!colon || colon - s >= (long)sizeof(name))
		return -EINVAL;
	memcpy(name, s, colon - s);
	name[colon - s] = 0;
	*alg = vv_alg_by_name(name);
	if (!*alg)
		return -EINVAL;
	return vv_hex_decode(colon + 1, val, VTPM_MAX_DIGEST_SIZE, len);
}
