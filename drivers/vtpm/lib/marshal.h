/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Bounds-checked big-endian readers and writers for TPM 2.0 structures.
 *
 * A reader never reads past its end: a short read sets @err and yields
 * zeroes, so a parser can read a whole structure and check once.  A writer
 * never writes past its capacity: an overflow sets @err and drops the
 * bytes.  Neither allocates nor sleeps.
 */
#ifndef _VTPM_LIB_MARSHAL_H
#define _VTPM_LIB_MARSHAL_H

#include "compat.h"

/**
 * struct tpm_rd - a window of bytes being unmarshalled
 * @p:		first byte of the window
 * @len:	size of the window
 * @pos:	bytes consumed
 * @err:	set once a read ran past @len
 */
struct tpm_rd {
	const u8 *p;
	size_t len;
	size_t pos;
	bool err;
};

/**
 * struct tpm_wr - a buffer being marshalled into
 * @p:		the buffer; NULL for a writer that only counts bytes
 * @cap:	its capacity
 * @pos:	bytes written
 * @err:	set once a write did not fit
 */
struct tpm_wr {
	u8 *p;
	size_t cap;
	size_t pos;
	bool err;
};

static inline void tpm_rd_init(struct tpm_rd *r, const void *p, size_t len)
{
	r->p = p;
	r->len = len;
	r->pos = 0;
	r->err = false;
}

static inline size_t tpm_rd_left(const struct tpm_rd *r)
{
	return r->len - r->pos;
}

static inline void tpm_wr_init(struct tpm_wr *w, void *p, size_t cap)
{
	w->p = p;
	w->cap = cap;
	w->pos = 0;
	w->err = false;
}

const u8 *tpm_rd_bytes(struct tpm_rd *r, size_t n);
u8 tpm_rd_u8(struct tpm_rd *r);
u16 tpm_rd_u16(struct tpm_rd *r);
u32 tpm_rd_u32(struct tpm_rd *r);
u64 tpm_rd_u64(struct tpm_rd *r);

void tpm_wr_bytes(struct tpm_wr *w, const void *p, size_t n);
void tpm_wr_u8(struct tpm_wr *w, u8 v);
void tpm_wr_u16(struct tpm_wr *w, u16 v);
void tpm_wr_u32(struct tpm_wr *w, u32 v);
void tpm_wr_u64(struct tpm_wr *w, u64 v);
void tpm_wr_tpm2b(struct tpm_wr *w, const void *p, u16 n);
u8 *tpm_wr_reserve(struct tpm_wr *w, size_t n);

#endif /* _VTPM_LIB_MARSHAL_H */
