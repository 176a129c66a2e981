// SPDX-License-Identifier: GPL-2.0
/*
 * vtpm-verify --ima-log: Linux IMA runtime measurement lists.
 *
 * What IMA extends for an entry is the hash of its template data: for
 * every template but "ima", of each field as a little-endian u32 length
 * and its bytes (ima_calc_field_array_hash(), in the bank's algorithm);
 * for the "ima" template, of its 20-byte digest and its name padded with
 * zeros to 256 bytes.  A violation shows a zero template hash and extends
 * all ones.  The binary list carries the template data as it was hashed;
 * the ASCII list shows the fields as text, which this file turns back into
 * the bytes (security/integrity/ima/ima_template_lib.c: a digest with its
 * algorithm is "ALG:" NUL DIGEST, a string has its NUL and IMA wrote '_'
 * for its spaces, signatures and buffers are hex).  Either way the bytes
 * must hash to the template hash the list shows, so a list whose text was
 * changed is refused before any PCR is looked at.
 */
#include <stdlib.h>

#include "engine.h"
#include "ima.h"
#include "util.h"
#include "verify.h"

/* Linux's templates (ima_template.c) */
static const struct {
	const char *name;
	const char *fmt;
} vv_templates[] = {
	{ "ima", "d|n" },
	{ "ima-ng", "d-ng|n-ng" },
	{ "ima-ngv2", "d-ngv2|n-ng" },
	{ "ima-sig", "d-ng|n-ng|sig" },
	{ "ima-sigv2", "d-ngv2|n-ng|sig" },
	{ "ima-buf", "d-ng|n-ng|buf" },
	{ "ima-modsig", "d-ng|n-ng|sig|d-modsig|modsig" },
	{ "evm-sig", "d-ng|n-ng|evmsig|xattrnames|xattrlengths|xattrvalues|iuid|igid|imode" },
};

/* Linux's template fields; @ascii: this file rebuilds them from text */
static const struct {
	const char *id;
	bool ascii;
} vv_fields[] = {
	{ "d", true }, { "n", true }, { "d-ng", true }, { "d-ngv2", true },
	{ "n-ng", true }, { "sig", true }, { "buf", true },
	{ "d-modsig", true }, { "modsig", true }, { "evmsig", false },
	{ "xattrnames", false }, { "xattrlengths", false },
	{ "xattrvalues", false }, { "iuid", false }, { "igid", false },
	{ "imode", false },
};

#define VV_IMA_FIELDS_MAX	15	/* IMA_TEMPLATE_NUM_FIELDS_MAX */

/*
 * The fields of template @name: a template of Linux, or a format
 * ("d-ng|n-ng|sig", the name of a template given by ima_template_fmt).
 * Their number, or 0 if @name is neither; in @ascii whether all of them
 * can be rebuilt from text.  IMA does not hash a template's name, so that
 * a name is all the list says about how to read an entry's fields.
 */
static unsigned int vv_template_fields(const char *name,
				       const char *ids[VV_IMA_FIELDS_MAX],
				       bool *ascii)
{
	const char *fmt = name, *p, *q;
	unsigned int n = 0;
	size_t k;

	for (k = 0; k < ARRAY_SIZE(vv_templates); k++)
		if (!strcmp(vv_templates[k].name, name))
			fmt = vv_templates[k].fmt;
	*ascii = true;
	for (p = fmt; ; p = q + 1) {
		q = strchr(p, '|');
		if (!q)
			q = p + strlen(p);
		for (k = 0; k < ARRAY_SIZE(vv_fields); k++)
			if (strlen(vv_fields[k].id) == (size_t)(q - p) &&
			    !strncmp(vv_fields[k].id, p, q - p))
				break;
		if (k == ARRAY_SIZE(vv_fields) || n == VV_IMA_FIELDS_MAX)
			return 0;
		/* the legacy fields only in the legacy template */
		if ((!strcmp(vv_fields[k].id, "d") ||
		     !strcmp(vv_fields[k].id, "n")) && strcmp(name, "ima"))
			return 0;
		*ascii &= vv_fields[k].ascii;
		ids[n++] = vv_fields[k].id;
		if (!*q)
			return n;
	}
}

static const u16 vv_ima_algs[] = {
	VTPM_ALG_SHA1, VTPM_ALG_SHA256, VTPM_ALG_SHA384, VTPM_ALG_SHA512,
};

/* the algorithm whose digests are @size bytes, of those IMA lists use */
static u16 vv_ima_alg_of_size(size_t size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vv_ima_algs); i++)
		if (vtpm_alg_digest_size(vv_ima_algs[i]) == size)
			return vv_ima_algs[i];
	return 0;
}

/* one entry's template, as hashed */
struct vv_tdata {
	bool legacy;		/* the "ima" template */
	const u8 *data;		/* the fields (not legacy), or */
	size_t len;
	const u8 *digest;	/* legacy: the 20-byte digest */
	u8 dbuf[20];		/* legacy, ASCII: @digest's bytes */
	u8 name[VV_IMA_NAME_MAX + 1];	/* legacy: zero-padded */
};

/*
 * Does field @id's data look as Linux writes it?  A digest with its
 * algorithm is "ALG:" NUL DIGEST (d-ng; d-modsig also empty) or
 * "TYPE:ALG:" NUL DIGEST (d-ngv2), a name has one NUL, at its end.  Without
 * this a list could show an entry of one template as one of another whose
 * fields hash the same.
 */
static bool vv_field_ok(const char *id, const u8 *p, u32 len)
{
	const u8 *nul = memchr(p, 0, len);
	unsigned int colons = 0;
	const u8 *c;

	if (!strcmp(id, "n-ng"))
		return len && nul == p + len - 1;
	if (!strcmp(id, "d-modsig") && !len)
		return true;
	if (strcmp(id, "d-ng") && strcmp(id, "d-ngv2") && strcmp(id, "d-modsig"))
		return true;
	if (!nul || nul == p || nul[-1] != ':' || nul == p + len - 1)
		return false;
	for (c = p; c < nul; c++)
		colons += *c == ':';
	return colons == (strcmp(id, "d-ngv2") ? 1U : 2U);
}

static int vv_tdata_hash(const struct vv_tdata *t, u16 alg, u8 *out)
{
	struct vtpm_iov iov[2];

	if (!t->legacy) {
		iov[0].p = t->data;
		iov[0].len = t->len;
		return vtpm_plat_hashv(alg, iov, 1, out);
	}
	iov[0].p = t->digest;
	iov[0].len = 20;
	iov[1].p = t->name;
	iov[1].len = sizeof(t->name);
	return vtpm_plat_hashv(alg, iov, 2, out);
}

static bool vv_all_zero(const u8 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/*
 * Fill @e's digests for @algs from @t; check the list's own template hash
 * @shown (@shown_len bytes of l->list_alg).
 */
static int vv_ima_digests(struct vv_ima_entry *e, const struct vv_tdata *t,
			  const u8 *shown, size_t shown_len, u16 list_alg,
			  const u16 *algs, unsigned int nr_algs,
			  char *why, size_t why_len)
{
	u8 d[VTPM_MAX_DIGEST_SIZE];
	unsigned int i;

	e->violation = vv_all_zero(shown, shown_len);
	if (!e->violation) {
		if (vv_tdata_hash(t, list_alg, d))
			return -ENOMEM;
		if (memcmp(d, shown, shown_len)) {
			snprintf(why, why_len,
				 "its template hash is not the %s of its template data",
				 vtpm_alg_name(list_alg));
			return -EINVAL;
		}
	}
	e->count = nr_algs;
	for (i = 0; i < nr_algs; i++) {
		e->d[i].alg = algs[i];
		if (e->violation)
			memset(e->d[i].digest, 0xff,
			       vtpm_alg_digest_size(algs[i]));
		else if (vv_tdata_hash(t, algs[i], e->d[i].digest))
			return -ENOMEM;
	}
	return 0;
}

static struct vv_ima_entry *vv_ima_add(struct vv_ima_list *l, size_t *room)
{
	struct vv_ima_entry *e;

	if (l->n == *room) {
		size_t r = *room ? 2 * *room : 256;

		e = realloc(l->e, r * sizeof(*e));
		if (!e)
			return NULL;
		l->e = e;
		*room = r;
	}
	e = &l->e[l->n++];
	memset(e, 0, sizeof(*e));
	return e;
}

static bool vv_template_name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > VV_IMA_TEMPLATE_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

/* ---- binary -------------------------------------------------------- */

/* a field's text for desc: "ALG:HEX" for a digest with its algorithm */
static size_t vv_render_digest(const u8 *p, u32 len, char *out, size_t cap)
{
	const u8 *nul = memchr(p, 0, len);
	size_t off = 0, k;

	if (nul && nul > p && nul[-1] == ':' && (size_t)(nul - p) < cap) {
		off = nul - p;
		memcpy(out, p, off);
		len -= off + 1;
		p = nul + 1;
	}
	for (k = 0; k < len && off + 3 <= cap; k++)
		off += snprintf(out + off, cap - off, "%02x", p[k]);
	return off;
}

static char *vv_desc(const u8 *f0, u32 l0, bool hex0, const u8 *f1, u32 l1)
{
	size_t cap = 2 * (size_t)l0 + l1 + 3, off, k;
	char *s = malloc(cap);

	if (!s)
		return NULL;
	if (hex0) {
		for (off = 0, k = 0; k < l0; k++)
			off += snprintf(s + off, cap - off, "%02x", f0[k]);
	} else {
		off = vv_render_digest(f0, l0, s, cap);
	}
	s[off++] = ' ';
	for (k = 0; k < l1 && f1[k]; k++)
		s[off++] = f1[k] > ' ' && f1[k] <= '~' ? f1[k] : '?';
	s[off] = '\0';
	return s;
}

static u32 vv_le32(const u8 *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (u32)p[3] << 24;
}

static int vv_ima_binary(const u8 *buf, size_t len, size_t dsize,
			 const u16 *algs, unsigned int nr_algs,
			 struct vv_ima_list *l, char *why, size_t why_len,
			 size_t *at)
{
	u16 list_alg = vv_ima_alg_of_size(dsize);
	size_t off = 0, room = 0;

	l->binary = true;
	l->list_alg = list_alg;
	while (off < len) {
		const u8 *shown, *f[2] = { NULL, NULL };
		u32 flen[2] = { 0, 0 }, namelen, tlen;
		const char *ids[VV_IMA_FIELDS_MAX];
		unsigned int nids;
		bool ascii;
		struct vv_tdata t = { 0 };
		struct vv_ima_entry *e;
		size_t nf = 0, p;
		int ret;

		e = vv_ima_add(l, &room);
		if (!e)
			return -ENOMEM;
		*at = l->n;
#define NEED(n, what) do {						\
		if (len - off < (size_t)(n)) {				\
			snprintf(why, why_len, "truncated (%s)", what);	\
			return -EINVAL;					\
		}							\
	} while (0)
		NEED(4 + dsize + 4, "header");
		e->pcr = vv_le32(buf + off);
		shown = buf + off + 4;
		namelen = vv_le32(buf + off + 4 + dsize);
		off += 4 + dsize + 4;
		if (e->pcr >= VTPM_NUM_PCRS) {
			snprintf(why, why_len, "PCR %u out of range", e->pcr);
			return -EINVAL;
		}
		NEED(namelen, "template name");
		if (!vv_template_name_ok((const char *)buf + off, namelen)) {
			snprintf(why, why_len, "bad template name");
			return -EINVAL;
		}
		memcpy(e->template, buf + off, namelen);
		off += namelen;
		nids = vv_template_fields(e->template, ids, &ascii);
		if (!nids) {
			snprintf(why, why_len,
				 "template %s: neither one of Linux's nor a format of its fields",
				 e->template);
			return -EINVAL;
		}
		if (!strcmp(e->template, "ima")) {
			/* digest (no length), name (length, no NUL) */
			NEED(20 + 4, "ima template");
			t.legacy = true;
			t.digest = buf + off;
			tlen = vv_le32(buf + off + 20);
			off += 24;
			if (tlen > VV_IMA_NAME_MAX) {
				snprintf(why, why_len, "ima template: name of %u bytes",
					 tlen);
				return -EINVAL;
			}
			NEED(tlen, "ima template name");
			memcpy(t.name, buf + off, tlen);
			f[0] = t.digest;
			flen[0] = 20;
			f[1] = buf + off;
			flen[1] = tlen;
			off += tlen;
		} else {
			NEED(4, "template data length");
			tlen = vv_le32(buf + off);
			off += 4;
			if (tlen > VV_IMA_DATA_MAX) {
				snprintf(why, why_len, "template data of %u bytes",
					 tlen);
				return -EINVAL;
			}
			NEED(tlen, "template data");
			t.data = buf + off;
			t.len = tlen;
			/* the fields must fill it exactly */
			for (p = 0; p < tlen; nf++) {
				u32 n;

				if (tlen - p < 4) {
					snprintf(why, why_len, "template data: truncated field");
					return -EINVAL;
				}
				n = vv_le32(t.data + p);
				p += 4;
				if (n > tlen - p) {
					snprintf(why, why_len, "template data: field %zu overruns it",
						 nf + 1);
					return -EINVAL;
				}
				if (nf < nids &&
				    !vv_field_ok(ids[nf], t.data + p, n)) {
					snprintf(why, why_len, "field %s is not valid",
						 ids[nf]);
					return -EINVAL;
				}
				if (nf < 2) {
					f[nf] = t.data + p;
					flen[nf] = n;
				}
				p += n;
			}
			off += tlen;
			if (nf != nids) {
				snprintf(why, why_len, "template %s: %zu fields, not %u",
					 e->template, nf, nids);
				return -EINVAL;
			}
		}
#undef NEED
		ret = vv_ima_digests(e, &t, shown, dsize, list_alg, algs,
				     nr_algs, why, why_len);
		if (ret)
			return ret;
		e->desc = vv_desc(f[0] ? f[0] : (const u8 *)"", flen[0],
				  t.legacy, f[1] ? f[1] : (const u8 *)"",
				  flen[1]);
		if (!e->desc)
			return -ENOMEM;
	}
	return 0;
}

/* ---- ASCII --------------------------------------------------------- */

/* append @n bytes to the template data being rebuilt */
struct vv_buf {
	u8 *p;
	size_t len, cap;
};

static int vv_put(struct vv_buf *b, const void *p, size_t n)
{
	if (b->len + n > VV_IMA_DATA_MAX + 64)
		return -E2BIG;
	if (b->len + n > b->cap) {
		size_t cap = (b->len + n) * 2;
		u8 *q = realloc(b->p, cap);

		if (!q)
			return -ENOMEM;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int vv_put_hex(struct vv_buf *b, const char *s, size_t n)
{
	size_t i;

	if (n % 2)
		return -EINVAL;
	for (i = 0; i < n; i += 2) {
		int hi = hex_to_bin(s[i]), lo = hex_to_bin(s[i + 1]);
		u8 v;

		if (hi < 0 || lo < 0)
			return -EINVAL;
		v = hi << 4 | lo;
		if (vv_put(b, &v, 1))
			return -ENOMEM;
	}
	return 0;
}

/*
 * One ASCII field @s (@n chars) of type @id into @b as its length and its
 * bytes (the legacy template's digest into @t, its name into @t->name).
 */
static int vv_ascii_field(const char *id, const char *s, size_t n,
			  struct vv_buf *b, struct vv_tdata *t)
{
	size_t start, k;
	u32 flen;
	int ret;

	if (!strcmp(id, "d")) {
		/* legacy: 20 bytes, hashed without a length */
		size_t dl;
		char hex[41];

		if (n != 40)
			return -EINVAL;
		memcpy(hex, s, 40);
		hex[40] = '\0';
		if (vv_hex_decode(hex, t->dbuf, sizeof(t->dbuf), &dl))
			return -EINVAL;
		t->digest = t->dbuf;
		return 0;
	}
	if (!strcmp(id, "n")) {
		if (n > VV_IMA_NAME_MAX)
			return -EINVAL;
		memcpy(t->name, s, n);
		return 0;
	}
	start = b->len;
	flen = 0;
	if (vv_put(b, &flen, 4))
		return -ENOMEM;
	if (!strcmp(id, "n-ng")) {
		ret = vv_put(b, s, n);
		if (!ret)
			ret = vv_put(b, "", 1);
	} else if (!strncmp(id, "d-", 2)) {
		/* "ALG:HEX" (d-ngv2: "TYPE:ALG:HEX") -> "ALG:" NUL DIGEST */
		for (k = n; k && s[k - 1] != ':'; k--)
			;
		if (!n) {
			ret = !strcmp(id, "d-modsig") ? 0 : -EINVAL;
		} else if (!k) {
			ret = -EINVAL;
		} else {
			ret = vv_put(b, s, k);
			if (!ret)
				ret = vv_put(b, "", 1);
			if (!ret)
				ret = vv_put_hex(b, s + k, n - k);
		}
	} else {
		/* sig, buf, modsig */
		ret = vv_put_hex(b, s, n);
	}
	if (ret)
		return ret;
	flen = b->len - start - 4;
	if (!vv_field_ok(id, b->p + start + 4, flen))
		return -EINVAL;
	b->p[start] = flen;
	b->p[start + 1] = flen >> 8;
	b->p[start + 2] = flen >> 16;
	b->p[start + 3] = flen >> 24;
	return 0;
}

static int vv_ima_ascii(const u8 *buf, size_t len, const u16 *algs,
			unsigned int nr_algs, struct vv_ima_list *l,
			char *why, size_t why_len, size_t *at)
{
	const char *s = (const char *)buf, *end = s + len;
	struct vv_buf b = { 0 };
	size_t room = 0;
	int ret = 0;

	l->binary = false;
	while (s < end) {
		const char *eol = memchr(s, '\n', end - s), *p, *q;
		u8 shown[VTPM_MAX_DIGEST_SIZE];
		const char *ids[VV_IMA_FIELDS_MAX];
		struct vv_tdata t = { 0 };
		struct vv_ima_entry *e;
		size_t k, nf, dl, hl;
		unsigned int nids;
		bool ascii;
		char hex[2 * VTPM_MAX_DIGEST_SIZE + 1];
		unsigned long pcr;
		u16 alg;

		e = vv_ima_add(l, &room);
		if (!e) {
			ret = -ENOMEM;
			goto out;
		}
		*at = l->n;
		if (!eol) {
			snprintf(why, why_len, "the last line has no newline");
			goto bad;
		}
		/* "%2d " PCR */
		p = s;
		while (p < eol && *p == ' ')
			p++;
		for (pcr = 0, q = p; q < eol && *q >= '0' && *q <= '9' &&
		     q - p < 3; q++)
			pcr = pcr * 10 + (*q - '0');
		if (q == p || q == eol || *q != ' ' || pcr >= VTPM_NUM_PCRS) {
			snprintf(why, why_len, "no PCR (0-23) at the start of the line");
			goto bad;
		}
		e->pcr = pcr;
		/* template hash */
		p = q + 1;
		q = memchr(p, ' ', eol - p);
		hl = q ? (size_t)(q - p) : 0;
		alg = vv_ima_alg_of_size(hl / 2);
		if (!q || hl % 2 || !alg) {
			snprintf(why, why_len, "no template hash");
			goto bad;
		}
		memcpy(hex, p, hl);
		hex[hl] = '\0';
		if (vv_hex_decode(hex, shown, sizeof(shown), &dl)) {
			snprintf(why, why_len, "template hash is not hex");
			goto bad;
		}
		if (l->n == 1)
			l->list_alg = alg;
		if (alg != l->list_alg) {
			snprintf(why, why_len, "a %s template hash in a list of %s",
				 vtpm_alg_name(alg), vtpm_alg_name(l->list_alg));
			goto bad;
		}
		/* template name */
		p = q + 1;
		q = memchr(p, ' ', eol - p);
		if (!q || !vv_template_name_ok(p, q - p)) {
			snprintf(why, why_len, "no template name");
			goto bad;
		}
		memcpy(e->template, p, q - p);
		nids = vv_template_fields(e->template, ids, &ascii);
		if (!nids || !ascii) {
			snprintf(why, why_len,
				 "template %s: its fields cannot be rebuilt from the ASCII list (give the binary list)",
				 e->template);
			goto bad;
		}
		t.legacy = !strcmp(e->template, "ima");
		b.len = 0;
		/* the fields: each after one space (an empty one is empty) */
		for (nf = 0; nf < nids; nf++) {
			const char *f = q + 1, *fe;

			if (q >= eol) {
				snprintf(why, why_len, "template %s: %zu fields, not %zu",
					 e->template, nf, nf + 1);
				goto bad;
			}
			fe = memchr(f, ' ', eol - f);
			if (!fe)
				fe = eol;
			ret = vv_ascii_field(ids[nf], f, fe - f, &b, &t);
			if (ret == -ENOMEM)
				goto out;
			if (ret) {
				snprintf(why, why_len, "field %s is not valid",
					 ids[nf]);
				goto bad;
			}
			q = fe;
		}
		if (q != eol) {
			snprintf(why, why_len, "template %s: more than %zu fields",
				 e->template, nf);
			goto bad;
		}
		if (t.legacy && !t.digest) {
			snprintf(why, why_len, "template ima: no digest");
			goto bad;
		}
		t.data = b.p;
		t.len = b.len;
		ret = vv_ima_digests(e, &t, shown, dl, alg, algs, nr_algs,
				     why, why_len);
		if (ret)
			goto out;
		/* desc: the line's first two fields */
		p = memchr(p, ' ', eol - p) + 1;
		q = memchr(p, ' ', eol - p);
		q = q ? memchr(q + 1, ' ', eol - q - 1) : NULL;
		k = (q ? q : eol) - p;
		e->desc = malloc(k + 1);
		if (!e->desc) {
			ret = -ENOMEM;
			goto out;
		}
		memcpy(e->desc, p, k);
		e->desc[k] = '\0';
		s = eol + 1;
	}
	goto out;
bad:
	ret = -EINVAL;
out:
	free(b.p);
	return ret;
}

int vv_ima_parse(const u8 *buf, size_t len, const u16 *algs,
		 unsigned int nr_algs, struct vv_ima_list *l, char *why,
		 size_t why_len, size_t *at)
{
	static const size_t sizes[] = { 20, 32, 48, 64 };
	unsigned int i;
	size_t k;
	int ret;

	memset(l, 0, sizeof(*l));
	*at = 0;
	for (i = 0; i < nr_algs; i++)
		if (!vv_ima_alg_of_size(vtpm_alg_digest_size(algs[i])) ||
		    vtpm_alg_digest_size(algs[i]) == 0) {
			snprintf(why, why_len, "bank 0x%04x: not a hash IMA lists use",
				 algs[i]);
			return -EINVAL;
		}
	if (nr_algs > VTPM_MAX_BANKS) {
		snprintf(why, why_len, "too many banks");
		return -EINVAL;
	}
	if (!len)
		return 0;
	if (buf[0] == ' ' || (buf[0] >= '0' && buf[0] <= '9')) {
		ret = vv_ima_ascii(buf, len, algs, nr_algs, l, why, why_len,
				   at);
		if (ret)
			vv_ima_free(l);
		return ret;
	}
	/*
	 * Linux 6.1 lists SHA-1 template hashes; kernels with a list per bank
	 * (binary_runtime_measurements_sha256, ...) that bank's.  The size
	 * is not in the list: the first size whose every entry's template
	 * data hashes to its template hash is the list's.
	 */
	for (k = 0; k < ARRAY_SIZE(sizes); k++) {
		char w[VTPM_VERIFY_REASON_MAX];
		size_t a = 0;

		vv_ima_free(l);
		ret = vv_ima_binary(buf, len, sizes[k], algs, nr_algs, l, w,
				    sizeof(w), &a);
		if (!ret)
			return 0;
		if (ret != -EINVAL) {
			vv_ima_free(l);
			return ret;
		}
		if (!k) {
			snprintf(why, why_len, "%s", w);
			*at = a;
		}
	}
	vv_ima_free(l);
	return -EINVAL;
}

void vv_ima_free(struct vv_ima_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->e[i].desc);
	free(l->e);
	memset(l, 0, sizeof(*l));
}

static const u8 *vv_entry_digest(const struct vv_ima_entry *e, u16 alg)
{
	u32 i;

	for (i = 0; i < e->count; i++)
		if (e->d[i].alg == alg)
			return e->d[i].digest;
	return NULL;
}

/* PCR value @v (of bank @alg) extended with what @e extended into it */
static void vv_extend(u16 alg, u8 *v, const struct vv_ima_entry *e)
{
	u16 size = vtpm_alg_digest_size(alg);
	const u8 *d = vv_entry_digest(e, alg);
	struct vtpm_iov iov[2] = { { v, size }, { d, size } };

	if (d)
		vtpm_plat_hashv(alg, iov, 2, v);
}

void vv_ima_replay(const struct vv_ima_list *l, u32 pcr, u16 alg, size_t n,
		   u8 *out, size_t *total)
{
	size_t i, seen = 0;

	memset(out, 0, vtpm_alg_digest_size(alg));
	for (i = 0; i < l->n; i++)
		if (l->e[i].pcr == pcr && seen++ < n)
			vv_extend(alg, out, &l->e[i]);
	*total = seen;
}

bool vv_ima_prefix(const struct vv_ima_list *l, u32 pcr, u16 alg,
		   const u8 *want, size_t *n, size_t *total)
{
	u16 size = vtpm_alg_digest_size(alg);
	u8 v[VTPM_MAX_DIGEST_SIZE] = { 0 };
	bool found = !memcmp(v, want, size);
	size_t i;

	*n = 0;
	*total = 0;
	for (i = 0; i < l->n; i++) {
		if (l->e[i].pcr != pcr)
			continue;
		++*total;
		vv_extend(alg, v, &l->e[i]);
		if (!memcmp(v, want, size)) {
			found = true;
			*n = *total;
		}
	}
	return found;
}

/* does the change @ev of a vPCR start it again from its initial value? */
static bool vv_resets(const struct vtpm_verify_event *ev, u32 pcr)
{
	switch (ev->type) {
	case VTPM_REC_CREATE:
	case VTPM_REC_STARTUP_CLEAR:
		return true;
	case VTPM_REC_STARTUP_STATE:
		return pcr >= 16;
	case VTPM_REC_RESET:
		return ev->pcr == pcr;
	default:
		return false;
	}
}

static bool vv_extends(const struct vtpm_verify_event *ev, u32 pcr)
{
	return (ev->type == VTPM_REC_EXTEND || ev->type == VTPM_REC_EVENT) &&
	       ev->pcr == pcr;
}

static int vv_ima_match_pcr(const struct vv_ima_list *l,
			    const struct vtpm_verify_result *res, u32 pcr,
			    struct vv_ima_match *m, char *why, size_t why_len)
{
	size_t first = 0, i, j, nth = 0, after = 0, k;

	/* the changes since the vPCR's last reset */
	for (i = 0; i < res->nr_events; i++)
		if (res->events[i].applied && vv_resets(&res->events[i], pcr))
			first = i + 1;
	i = first;
	for (j = 0; j < l->n; j++) {
		const struct vv_ima_entry *e = &l->e[j];
		const struct vtpm_verify_event *ev = NULL;
		bool any = false;

		if (e->pcr != pcr)
			continue;
		nth++;
		for (; i < res->nr_events; i++)
			if (res->events[i].applied &&
			    vv_extends(&res->events[i], pcr)) {
				ev = &res->events[i++];
				break;
			}
		if (!ev) {
			after++;
			continue;
		}
		for (k = 0; k < ev->count; k++) {
			u16 size = vtpm_alg_digest_size(ev->d[k].alg);
			const u8 *d = vv_entry_digest(e, ev->d[k].alg);

			if (!d || memcmp(d, ev->d[k].digest, size)) {
				snprintf(why, why_len,
					 "entry %zu (PCR %u, %s %s) is not extend %zu of vPCR %u since its reset (record %llu): its %s digest differs",
					 j + 1, pcr, e->template, e->desc, nth,
					 pcr, (unsigned long long)ev->seq,
					 vtpm_alg_name(ev->d[k].alg));
				return -EINVAL;
			}
			any = true;
		}
		if (!any) {
			snprintf(why, why_len,
				 "entry %zu (PCR %u): the extend it matches (record %llu) has no digest",
				 j + 1, pcr, (unsigned long long)ev->seq);
			return -EINVAL;
		}
		m->matched++;
	}
	m->after += after;
	if (after)
		return 0;
	for (; i < res->nr_events; i++)
		if (res->events[i].applied && vv_extends(&res->events[i], pcr)) {
			snprintf(why, why_len,
				 "vPCR %u was extended after the list's last entry of it (record %llu): the list leaves a measurement out",
				 pcr, (unsigned long long)res->events[i].seq);
			return -EINVAL;
		}
	return 0;
}

int vv_ima_match(const struct vv_ima_list *l,
		 const struct vtpm_verify_result *res, struct vv_ima_match *m,
		 char *why, size_t why_len)
{
	bool named[VTPM_NUM_PCRS] = { [10] = true };	/* IMA's PCR */
	u32 pcr;
	size_t j;
	int ret;

	memset(m, 0, sizeof(*m));
	for (j = 0; j < l->n; j++)
		named[l->e[j].pcr] = true;
	for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++) {
		if (!named[pcr])
			continue;
		ret = vv_ima_match_pcr(l, res, pcr, m, why, why_len);
		if (ret)
			return ret;
	}
	return 0;
}
