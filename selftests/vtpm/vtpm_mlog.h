/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping log in the selftests: reading it (securityfs, the view
 * ioctl, the status file), replaying it with the module's own pure code
 * (drivers/vtpm/lib/mlog.c, linked with tools/lib/vtpm_plat_user.c), and a
 * second, independent walk of the serialised format written here with
 * OpenSSL, so that the hash chain is computed twice by two programs.
 *
 * Include this before kselftest_harness.h (both define ARRAY_SIZE).
 */
#ifndef VTPM_MLOG_H
#define VTPM_MLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mlog.h"		/* drivers/vtpm/lib */
#include "vtpm_util.h"

#define SECFS_DIR	"/sys/kernel/security/vtpm_mux"
#define SECFS_LOG	SECFS_DIR "/log"
#define SECFS_STATUS	SECFS_DIR "/status"
#define HW_TPM		"/dev/tpmrm0"

/* /sys/kernel/security/vtpm_mux/status */
struct mux_status {
	char state[16];
	uint64_t pcr;
	uint64_t batches;
	uint64_t records;
	uint64_t max_log_entries;
	uint64_t hw_extends;
	uint64_t hw_errors;
	uint64_t coalesced;
	uint64_t aborts;
	uint64_t refused_full;
};

/* 0 or -errno; every field must be present (-EPROTO otherwise) */
int mux_status_read(struct mux_status *s);
/* a module parameter of vtpm_mux as a number; -1 if unreadable */
long long mux_param(const char *name);

/* the whole file (malloc'ed, *len bytes); 0 or -errno */
int read_whole(const char *path, uint8_t **buf, size_t *len);
/*
 * VTPM_IOC_GET_LOG on an open /dev/vtpmN: the view (or ASCII list),
 * growing the buffer on -ENOSPC.  0 or -errno; *batches: the cut.
 */
int view_ioctl(int fd, bool ascii, uint8_t **buf, size_t *len,
	       uint64_t *batches);

/*
 * A struct vtpm_replay with room for a tenant's state (any banks); free
 * with free().  replay_run() replays log with mlog.c, reconstructing the
 * instance uuid (NULL: none) in r->tenant.
 */
struct vtpm_replay *replay_new(void);
int replay_run(struct vtpm_replay *r, const uint8_t *log, size_t len,
	       const uint8_t *uuid);
/* a vPCR of the reconstructed tenant, bank index b of r->banks */
const uint8_t *replay_vpcr(const struct vtpm_replay *r, unsigned int pcr,
			   unsigned int b);

/* ---- the independent walk ---------------------------------------------- */

/* what one entry of a serialised log is */
struct walk_entry {
	uint64_t batch;
	uint32_t index;		/* in its batch */
	uint32_t n;		/* entries of its batch */
	int form;		/* VTPM_ENTRY_LEAF or VTPM_ENTRY_CLEAR */
	const uint8_t *leaf;	/* given or computed */
	const uint8_t *tag;	/* CLEAR only */
	const uint8_t *body;	/* CLEAR only */
	size_t blen;
	size_t offset;		/* of the entry in the log */
};

/*
 * An instance's commitment (log-format.md, version 2): the number of its
 * records in the first @upto batches and the hash chain over their leaves,
 * computed by the walk with OpenSSL.  In: @uuid, @upto (0: every batch);
 * out: @c.
 */
struct commit_target {
	const uint8_t *uuid;
	uint64_t upto;
	struct vtpm_log_commit c;
};

struct walk {
	/* out */
	uint16_t kind;
	uint32_t hw_pcr;
	unsigned int nr_banks;
	uint16_t algs[VTPM_MAX_BANKS];
	uint8_t uuid[16];
	uint64_t batches;
	uint64_t records;
	uint64_t clear;
	uint8_t pcr[VTPM_MAX_BANKS][64];	/* the chain's end */
	uint8_t start[VTPM_MAX_BANKS][64];	/* the genesis' start values */
	const char *why;			/* on failure */
	size_t err_offset;
	/*
	 * A view: the commitment its header carries (hdr_commit, its
	 * offset in the log) and the one computed here from its clear
	 * records of its instance (commit); the walk refuses a view
	 * whose two differ (replay rule 9).  A full log: both zero.
	 */
	struct vtpm_log_commit hdr_commit, commit;
	size_t commit_offset;
	/* in: NULL, or called for every entry after its leaf is known */
	int (*on_entry)(void *ctx, const struct walk_entry *e);
	void *ctx;
	/* in: the commitments to compute too (any log), ntargets of them */
	struct commit_target *targets;
	unsigned int ntargets;
};

/*
 * Parses log (header, batches, entries) as Documentation/log-format.md
 * and lib/mlog.h describe it and computes, with OpenSSL, every clear
 * entry's leaf, every batch digest and the PCR chain from the genesis
 * record's start values.  Checks only what it needs: 0, or -EPROTO with
 * w->why set.
 */
int walk_log(const uint8_t *log, size_t len, struct walk *w);

/* SHA-256("vtpm-mux chain v1" || c->chain || leaf), records + 1 (OpenSSL) */
bool commit_add(struct vtpm_log_commit *c, const uint8_t *leaf);
/* a record of an instance (not GENESIS or ABORT): part of its commitment */
bool rec_of_instance(const uint8_t *body);

/* fields of a record body (offsets of lib/mlog.c, "Record body") */
static inline uint8_t body_type(const uint8_t *b) { return b[1]; }
static inline const uint8_t *body_uuid(const uint8_t *b) { return b + 10; }
static inline uint32_t body_pcr(const uint8_t *b) { return get_be32(b + 26); }
static inline uint8_t body_count(const uint8_t *b) { return b[30]; }

/* ---- the hardware TPM -------------------------------------------------- */

/*
 * Reads hardware PCR pcr in each of the nalgs banks algs with raw
 * TPM2_PCR_Read on /dev/tpmrm0: 0, a TPM_RC (> 0) or -errno.
 */
long hw_pcr_read(unsigned int pcr, unsigned int nalgs, const uint16_t *algs,
		 uint8_t out[][64]);

/* ---- vPCR models and comparisons ---------------------------------------- */

#define NPCR	24

/* the banks of the instances (the hardware's), from VTPM_MUX_IOC_INFO */
struct banks {
	unsigned int n;
	uint16_t alg[VTPM_MAX_BANKS];
	unsigned int size[VTPM_MAX_BANKS];
};

int get_banks(int ctl, uint32_t idx, struct banks *bk);

/* the vPCRs a test expects, computed with OpenSSL: v[bank][pcr] */
struct model {
	uint8_t v[VTPM_MAX_BANKS][NPCR][64];
};

void model_init_pcr(struct model *m, const struct banks *bk, unsigned int pcr);
void model_init(struct model *m, const struct banks *bk);
/* v = H(v || d) in bank b */
void model_extend(struct model *m, const struct banks *bk, unsigned int pcr,
		  unsigned int b, const uint8_t *d);
/* Startup: CLEAR re-initialises all, STATE keeps 0-15 */
void model_startup(struct model *m, const struct banks *bk, bool clear);

/*
 * Replays log with mlog.c (into r) and with the independent walk; both
 * must agree with each other and with the hardware PCR (read now): why
 * is "" or says what differs.
 */
void check_against_hw(const uint8_t *log, size_t len, struct vtpm_replay *r,
		      char *why, size_t wlen);
/* reconstructed vPCRs (r->tenant) == values[bank][pcr]: why "" or the diff */
void cmp_vpcrs(const struct vtpm_replay *r, const struct banks *bk,
	       uint8_t values[][NPCR][64], const char *what, char *why,
	       size_t wlen);
/*
 * A view of instance uuid (/dev/vtpm<idx>) replays (mlog.c, into r, with
 * the instance reconstructed; and the walk), is a view of it, and both
 * agree, also on its header's commitment, which must be the one the walk
 * computes from the view's clear records of the instance: why "" or what
 * is wrong.  Afterwards r->hdr.commit is the view's commitment.
 */
void check_view(const uint8_t *v, size_t len, const uint8_t *uuid,
		unsigned int idx, struct vtpm_replay *r, char *why,
		size_t wlen);

/*
 * The commitment c of a view of instance uuid at batches (its header's,
 * as the kernel keeps it apart from the records it renders) against the
 * full log: exactly the instance's records in its first batches batches,
 * computed here with OpenSSL.  why "" or what differs.
 */
void check_commit_vs_full(const struct vtpm_log_commit *c, uint64_t batches,
			  const uint8_t *full, size_t flen, const uint8_t *uuid,
			  const char *what, char *why, size_t wlen);

/* TPM2_ReadClock on /dev/tpmrm0: 0, a TPM_RC (> 0) or -errno */
/*
 * One command to the hardware TPM (HW_TPM): 0 with the response's length
 * in *@rlen, its TPM response code, or -errno (-EPROTO: no response code).
 */
long hw_xfer(const uint8_t *cmd, size_t len, uint8_t *resp, size_t cap,
	     int timeout_ms, size_t *rlen);
long hw_read_clock(uint64_t *clock, uint32_t *reset_count,
		   uint32_t *restart_count);

/* true if needle (nlen bytes) occurs in hay */
bool mem_contains(const uint8_t *hay, size_t hlen, const void *needle,
		  size_t nlen);
/* true if any 8-byte window of secret occurs in hay */
bool leaks_any_8(const uint8_t *hay, size_t hlen, const uint8_t *secret,
		 size_t slen);

/* A bounds-checked big-endian reader: a short read sets @err, yields zero */
struct rd {
	const uint8_t *p;
	size_t len, pos;
	bool err;
};

const uint8_t *rd_bytes(struct rd *r, size_t n);
uint64_t rd_be(struct rd *r, int bytes);

#endif /* VTPM_MLOG_H */
