/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping log in kernel memory: tenants, records, batches, and the
 * serialised full log, views and ASCII lists cut from it
 * (Documentation/log-format.md).
 */
#ifndef _VTPM_LOG_H
#define _VTPM_LOG_H

#include <linux/types.h>

#include "lib/mlog.h"

#define VTPM_NO_TENANT	0xFFFFFFFFu

/**
 * struct vtpm_tenant - an instance, as the log knows it (kept after its
 *			destruction: its records stay)
 * @id:	   number in the log's tenant table
 * @index: N of its /dev/vtpmN
 * @uuid:  its UUID
 * @tag:   its secret tag, in every leaf of its records
 * @label: its label
 * @commit: its records in the log's published cut (under the log's cut
 *	    lock: vtpm_log_cut_of())
 * @w_commit: the same, as the writer (the mux's leader) appends; becomes
 *	    @commit when the batch is published
 * @commit_err: a hash of @w_commit failed: its views and attestations
 *	    are refused (-EIO) rather than carry a wrong commitment
 */
struct vtpm_tenant {
	u32 id;
	u32 index;
	u8 uuid[VTPM_UUID_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	char label[VTPM_LABEL_MAX + 1];
	struct vtpm_log_commit commit;
	struct vtpm_log_commit w_commit;
	bool commit_err;
};

/**
 * struct vtpm_krec - a record on its way into the log
 * @tenant: &struct vtpm_tenant id, or VTPM_NO_TENANT (GENESIS, ABORT)
 * @type:   &enum vtpm_rec_type
 * @pcr:    the vPCR (EXTEND, EVENT, RESET)
 * @count:  digests (EXTEND, EVENT)
 * @bank:   bank index of each digest
 * @digest: the digests
 * @abort_batch: ABORT: the batch
 */
struct vtpm_krec {
	u32 tenant;
	u8 type;
	u8 pcr;
	u8 count;
	u8 bank[VTPM_MAX_BANKS];
	u8 digest[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	u64 abort_batch;
};

/**
 * struct vtpm_log_cut - a consistent snapshot of the log
 * @batches: committed batches
 * @records: records in them
 * @bytes:   bytes of the record arena in use
 */
struct vtpm_log_cut {
	u64 batches;
	u64 records;
	u64 bytes;
};

int vtpm_log_init(const struct vtpm_banks *banks, u32 hw_pcr,
		  u32 max_entries);
void vtpm_log_exit(void);

struct vtpm_tenant *vtpm_log_add_tenant(u32 index, const u8 *uuid,
					const char *label);
struct vtpm_tenant *vtpm_log_tenant(u32 id);
void vtpm_log_drop_tenant(struct vtpm_tenant *t);

/* The mux, the only writer (see mux.c): */
u64 vtpm_log_next_seq(void);
u64 vtpm_log_next_batch(void);
bool vtpm_log_has_room(u64 records);
int vtpm_log_leaf(const struct vtpm_krec *r, u64 seq, u8 *leaf);
int vtpm_log_reserve(const struct vtpm_krec *recs, u32 n);
int vtpm_log_append(const struct vtpm_krec *recs, const u8 *leaves, u32 n);
void vtpm_log_set_genesis(const struct vtpm_genesis *g);
int vtpm_log_encode(const struct vtpm_krec *r, u64 seq, u8 *body,
		    size_t cap);

/* Readers: */
void vtpm_log_cut(struct vtpm_log_cut *cut);
int vtpm_log_cut_of(struct vtpm_log_cut *cut, const struct vtpm_tenant *t,
		    struct vtpm_log_commit *commit);
int vtpm_log_commit_now(const struct vtpm_tenant *t,
			struct vtpm_log_commit *commit);
u32 vtpm_log_max_entries(void);
const u8 *vtpm_log_id(void);

int vtpm_log_walk(const struct vtpm_log_cut *cut,
		  const struct vtpm_tenant *tenant,
		  int (*fn)(void *ctx, const struct vtpm_krec *r, u64 seq),
		  void *ctx);

/*
 * Serialise the log as it was at one cut: the full log (@viewer NULL), the
 * view of @viewer, whose header carries @commit (@viewer's commitment at
 * the cut), or @viewer's ASCII list (@ascii).  A reader renders as it is
 * read (vtpm_log_reader_read()), in memory of constant size, charged to
 * the task that makes it: nothing is allocated for the log's size.
 */
struct vtpm_log_reader;

struct vtpm_log_reader *vtpm_log_reader_new(const struct vtpm_log_cut *cut,
					    const struct vtpm_tenant *viewer,
					    const struct vtpm_log_commit *commit,
					    bool ascii);
struct vtpm_log_reader *vtpm_log_reader_now(const struct vtpm_tenant *viewer,
					    bool ascii);
void vtpm_log_reader_free(struct vtpm_log_reader *rd);
const struct vtpm_log_cut *vtpm_log_reader_cut(const struct vtpm_log_reader *rd);
int vtpm_log_reader_size(struct vtpm_log_reader *rd, size_t *len);
ssize_t vtpm_log_reader_read(struct vtpm_log_reader *rd, char __user *buf,
			     size_t count, loff_t *ppos);

#endif /* _VTPM_LOG_H */
