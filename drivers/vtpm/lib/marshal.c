// SPDX-License-Identifier: GPL-2.0
/*
 * Bounds-checked big-endian marshalling (see marshal.h).
 */
#include "marshal.h"

/**
 * tpm_rd_bytes() - consume @n bytes
 * @r: the reader
 * @n: number of bytes
 *
 * Return: a pointer to the bytes inside the window, or NULL (and @r->err
 * set) when fewer than @n bytes are left; then nothing is consumed.
 */
const u8 *tpm_rd_bytes(struct tpm_rd *r, size_t n)
{
	const u8 *p;

	if (r->err || n > tpm_rd_left(r)) {
		r->err = true;
		return NULL;
	}
	p = r->p + r->pos;
	r->pos += n;
	return p;
}

u8 tpm_rd_u8(struct tpm_rd *r)
{
	const u8 *p = tpm_rd_bytes(r, 1);

	return p ? p[0] : 0;
}

u16 tpm_rd_u16(struct tpm_rd *r)
{
	const u8 *p = tpm_rd_bytes(r, 2);

	return p ? get_unaligned_be16(p) : 0;
}

u32 tpm_rd_u32(struct tpm_rd *r)
{
	const u8 *p = tpm_rd_bytes(r, 4);

	return p ? get_unaligned_be32(p) : 0;
}

u64 tpm_rd_u64(struct tpm_rd *r)
{
	const u8 *p = tpm_rd_bytes(r, 8);

	if (!p)
		return 0;
	return (u64)get_unaligned_be32(p) << 32 | get_unaligned_be32(p + 4);
}

/**
 * tpm_wr_reserve() - claim @n bytes of the buffer
 * @w: the writer
 * @n: number of bytes
 *
 * Return: where to put them, or NULL (and @w->err set) if they do not fit.
 */
u8 *tpm_wr_reserve(struct tpm_wr *w, size_t n)
{
	u8 *p;

	if (w->err || n > w->cap - w->pos) {
		w->err = true;
		return NULL;
	}
	if (!w->p) {		/* a counting writer: sizes only */
		w->pos += n;
		return NULL;
	}
	p = w->p + w->pos;
	w->pos += n;
	return p;
}

void tpm_wr_bytes(struct tpm_wr *w, const void *p, size_t n)
{
	u8 *d = tpm_wr_reserve(w, n);

	if (d && n)
		memcpy(d, p, n);
}

void tpm_wr_u8(struct tpm_wr *w, u8 v)
{
	tpm_wr_bytes(w, &v, 1);
}

void tpm_wr_u16(struct tpm_wr *w, u16 v)
{
	u8 *d = tpm_wr_reserve(w, 2);

	if (d)
		put_unaligned_be16(v, d);
}

void tpm_wr_u32(struct tpm_wr *w, u32 v)
{
	u8 *d = tpm_wr_reserve(w, 4);

	if (d)
		put_unaligned_be32(v, d);
}

void tpm_wr_u64(struct tpm_wr *w, u64 v)
{
	tpm_wr_u32(w, v >> 32);
	tpm_wr_u32(w, (u32)v);
}

/**
 * tpm_wr_tpm2b() - write a TPM2B: a 16-bit size, then the bytes
 * @w: the writer
 * @p: the bytes
 * @n: their number
 */
void tpm_wr_tpm2b(struct tpm_wr *w, const void *p, u16 n)
{
	tpm_wr_u16(w, n);
	tpm_wr_bytes(w, p, n);
}
