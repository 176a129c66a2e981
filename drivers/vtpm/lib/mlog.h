/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mapping log: records, leaves, batches, the serialised log and its
 * concealed views, replay.  Pure code, built in the kernel and in user
 * space (vtpmctl, vtpm-verify, unit tests, fuzzers), so that a verifier
 * replays exactly what the kernel computed.  Documentation/log-format.md
 * describes every byte.
 */
#ifndef _VTPM_LIB_MLOG_H
#define _VTPM_LIB_MLOG_H

#include "engine.h"
#include "marshal.h"

#define VTPM_LOG_VERSION	2	/* 2: views commit to their instance */
#define VTPM_LOG_MAGIC		"VTPMLOG"	/* 8 bytes with the NUL */
#define VTPM_LOG_MAGIC_SIZE	8
#define VTPM_LOG_HASH_ALG	VTPM_ALG_SHA256	/* leaves */
#define VTPM_LEAF_SIZE		32
#define VTPM_SALT_SIZE		32
#define VTPM_TAG_SIZE		32
#define VTPM_UUID_SIZE		16
#define VTPM_LABEL_MAX		63
#define VTPM_LOG_NO_PCR		0xFFFFFFFFu
/* the most leaves one batch (one hardware extend) covers */
#define VTPM_MAX_BATCH		256

/* domain separation strings (without NUL) */
#define VTPM_LEAF_DOMAIN	"vtpm-mux leaf v1"	/* 16 bytes */
#define VTPM_BATCH_DOMAIN	"vtpm-mux batch v1"	/* 17 bytes */
#define VTPM_SALT_DOMAIN	"vtpm-mux salt v1"	/* 16 bytes */
#define VTPM_CHAIN_DOMAIN	"vtpm-mux chain v1"	/* 17 bytes */

/**
 * enum vtpm_rec_type - what a record says
 * @VTPM_REC_EXTEND:	    TPM2_PCR_Extend of a tenant's vPCR
 * @VTPM_REC_EVENT:	    TPM2_PCR_Event (the digests the TPM computed)
 * @VTPM_REC_RESET:	    TPM2_PCR_Reset (the vPCR back to its initial value)
 * @VTPM_REC_STARTUP_CLEAR: TPM2_Startup(CLEAR): every vPCR to its initial value
 * @VTPM_REC_STARTUP_STATE: TPM2_Startup(STATE): PCR 0-15 kept, 16-23 initial
 * @VTPM_REC_GENESIS:	    first record of a log: the hardware PCR's value
 *			    at module load and the boot it belongs to
 * @VTPM_REC_CREATE:	    an instance was created (its vPCRs: initial values)
 * @VTPM_REC_DESTROY:	    an instance was destroyed
 * @VTPM_REC_ABORT:	    the records of an earlier batch were not applied:
 *			    its hardware extend was reported as failed, but
 *			    the PCR shows that it happened
 *
 * The first five equal &enum vtpm_change_type.
 */
enum vtpm_rec_type {
	VTPM_REC_EXTEND = 1,
	VTPM_REC_EVENT = 2,
	VTPM_REC_RESET = 3,
	VTPM_REC_STARTUP_CLEAR = 4,
	VTPM_REC_STARTUP_STATE = 5,
	VTPM_REC_GENESIS = 16,
	VTPM_REC_CREATE = 17,
	VTPM_REC_DESTROY = 18,
	VTPM_REC_ABORT = 19,
};

/**
 * struct vtpm_log_digest - one digest of a record
 * @alg:    TPM_ALG_ID
 * @digest: vtpm_alg_digest_size(@alg) bytes
 */
struct vtpm_log_digest {
	u16 alg;
	u8 digest[VTPM_MAX_DIGEST_SIZE];
};

/**
 * struct vtpm_genesis - what a genesis record says
 * @hw_pcr:	   the hardware PCR the log is anchored in
 * @nr_banks:	   number of entries in @start
 * @start:	   the hardware PCR's value in each allocated bank when the
 *		   log began (before the genesis batch was extended)
 * @reset_count:   the hardware TPM's resetCount (TPMS_CLOCK_INFO): the boot
 * @restart_count: its restartCount
 * @clock:	   its clock (ms)
 * @log_id:	   random, names this log (a module load)
 */
struct vtpm_genesis {
	u32 hw_pcr;
	u32 nr_banks;
	struct vtpm_log_digest start[VTPM_MAX_BANKS];
	u32 reset_count;
	u32 restart_count;
	u64 clock;
	u8 log_id[16];
};

/**
 * struct vtpm_log_rec - one decoded record (the body of a leaf)
 * @seq:	record number in the log, from 0 (the genesis record)
 * @type:	&enum vtpm_rec_type
 * @uuid:	the instance; all zero for GENESIS and ABORT
 * @pcr:	the vPCR of EXTEND, EVENT, RESET; VTPM_LOG_NO_PCR otherwise
 * @count:	number of @d (EXTEND: as in the command, in its order;
 *		EVENT: every bank; others 0)
 * @d:		the digests extended
 * @genesis:	GENESIS only
 * @create:	CREATE only: the instance's index and label (NUL-terminated)
 * @abort_batch: ABORT only: the batch whose records are void
 */
struct vtpm_log_rec {
	u64 seq;
	u8 type;
	u8 uuid[VTPM_UUID_SIZE];
	u32 pcr;
	u32 count;
	struct vtpm_log_digest d[VTPM_MAX_BANKS];
	union {
		struct vtpm_genesis genesis;
		struct {
			u32 index;
			char label[VTPM_LABEL_MAX + 1];
		} create;
		u64 abort_batch;
	};
};

/* the largest encoded body (a GENESIS or an EXTEND with every bank) */
#define VTPM_REC_MAX_BODY	1024

/*
 * Body of a record (Documentation/log-format.md, "Record body"); returns
 * its length, or 0 when @cap is too small or @r is invalid.
 */
size_t vtpm_rec_encode(const struct vtpm_log_rec *r, u8 *buf, size_t cap);
/* Decode and check a body; 0 or -EINVAL (-EBADMSG: unknown type/version) */
int vtpm_rec_decode(const u8 *body, size_t len, struct vtpm_log_rec *r);

/* leaf = SHA-256(VTPM_LEAF_DOMAIN || salt || tag || body); 0 or -errno */
int vtpm_rec_leaf(const u8 *salt, const u8 *tag, const u8 *body, size_t len,
		  u8 *leaf);
/* salt of record @seq = HMAC-SHA-256(key, VTPM_SALT_DOMAIN || seq) */
int vtpm_rec_salt(const u8 *key, size_t key_len, u64 seq, u8 *salt);

/*
 * batch digest in @alg = H_alg(VTPM_BATCH_DOMAIN || u64 batch || u32 n ||
 * leaves), @leaves being @n contiguous leaves.  0 or -errno.
 */
int vtpm_batch_digest(u16 alg, u64 batch, const u8 *leaves, u32 n, u8 *out);
/* H_alg(pcr || digest) into @pcr, the hardware extend; 0 or -errno */
int vtpm_pcr_extend_value(u16 alg, u8 *pcr, const u8 *digest);

/**
 * struct vtpm_log_commit - what an instance has in the log up to a cut
 * @records: number of its records (applied or not, CREATE and DESTROY too)
 * @chain:   the hash chain over their leaves in log order: all zero for
 *	     none, then SHA-256(VTPM_CHAIN_DOMAIN || chain || leaf) for each
 *
 * A view carries its instance's commitment in its header, and an
 * attestation request value commits to it: whoever relays a view cannot
 * show one of the instance's own records as a leaf without replay noticing.
 */
struct vtpm_log_commit {
	u64 records;
	u8 chain[VTPM_LEAF_SIZE];
};

/* @c followed by one more record of its instance, whose leaf is @leaf */
int vtpm_commit_add(struct vtpm_log_commit *c, const u8 *leaf);

/*
 * The serialised log (full, or a view of one instance).  Writers append to
 * a &struct tpm_wr (w->err set when it overflows).
 */
enum vtpm_log_kind {
	VTPM_LOG_FULL = 1,
	VTPM_LOG_VIEW = 2,
};

enum vtpm_entry_form {
	VTPM_ENTRY_LEAF = 0,	/* only its leaf */
	VTPM_ENTRY_CLEAR = 1,	/* salt, tag and body: the leaf is computed */
};

/**
 * struct vtpm_log_header - the header of a serialised log
 * @kind:	&enum vtpm_log_kind
 * @hw_pcr:	the hardware PCR
 * @nr_banks:	number of @algs
 * @algs:	the hardware banks extended, in the TPM's order
 * @uuid:	VIEW: the instance it is cut for; FULL: zero
 * @first_batch: number of the first batch in the log (0)
 * @nr_batches: number of batches that follow
 * @commit:	VIEW: its instance's records in those batches (not written
 *		for a FULL log)
 */
struct vtpm_log_header {
	u16 kind;
	u32 hw_pcr;
	u32 nr_banks;
	u16 algs[VTPM_MAX_BANKS];
	u8 uuid[VTPM_UUID_SIZE];
	u64 first_batch;
	u64 nr_batches;
	struct vtpm_log_commit commit;
};

void vtpm_log_wr_header(struct tpm_wr *w, const struct vtpm_log_header *h);
int vtpm_log_rd_header(struct tpm_rd *rd, struct vtpm_log_header *h,
		       struct vtpm_banks *banks, const char **why, size_t *off);
void vtpm_log_wr_batch(struct tpm_wr *w, u64 batch, u32 nr_entries);
void vtpm_log_wr_leaf(struct tpm_wr *w, const u8 *leaf);
void vtpm_log_wr_clear(struct tpm_wr *w, const u8 *salt, const u8 *tag,
		       const u8 *body, u16 len);

/*
 * Replay.  vtpm_log_replay() walks a serialised log: it checks its
 * structure, recomputes every leaf of a clear entry, every batch digest
 * and the hardware PCR chain from the genesis record's start values, and
 * reconstructs the vPCRs of the instance @r->uuid (a view's instance, or
 * any instance of a full log; all zero: none).
 */

/*
 * What vtpm_log_replay() remembers of the instances it met, to check the
 * rules of each (CREATE first, nothing after a DESTROY that an ABORT did
 * not void, one tag): a cache of
 * sets of VTPM_REPLAY_WAYS instances; beyond it, the log read so far is
 * scanned again.  No allocation: VTPM_REPLAY_SETS sets are built in, and a
 * caller that replays logs of many instances gives more (@sets).
 */
#define VTPM_REPLAY_SETS	32
#define VTPM_REPLAY_WAYS	4

/*
 * @destroyed: a DESTROY of it was read, in the batch whose header is at
 * offset @destroy_at.  That batch may turn out voided by an ABORT (the
 * kernel then logs the DESTROY again): a later record of the instance is
 * an error only if it was not.
 */
struct vtpm_replay_inst {
	u8 uuid[VTPM_UUID_SIZE];
	u8 tag[VTPM_TAG_SIZE];
	bool used;
	bool destroyed;
	size_t destroy_at;
};

/* a set is empty unless @gen is the replay's (no clearing per replay) */
struct vtpm_replay_set {
	struct vtpm_replay_inst way[VTPM_REPLAY_WAYS];
	u32 gen;
	u8 next_way;
	bool evicted;
};

/**
 * struct vtpm_replay - what a replay found
 * @hdr:	 the log's header
 * @banks:	 the hardware banks (&struct vtpm_banks of @hdr.algs)
 * @pcr:	 the hardware PCR the log replays to, per bank of @banks
 * @genesis:	 the genesis record
 * @batches:	 number of batches
 * @records:	 number of entries (records) in all
 * @clear:	 entries in the clear
 * @aborted:	 batches voided by ABORT records
 * @uuid:	 in: the instance to reconstruct (zero: none)
 * @tenant:	 in: NULL, or state of vtpm_tpm_size(&@banks) bytes, filled
 *		 with the instance's vPCRs (vtpm_tpm_init() + its records)
 * @found:	 out: the instance's CREATE record was in the log
 * @destroyed:	 out: and its DESTROY record
 * @tenant_records: out: the instance's records applied
 * @commit:	 out: the commitment of the view's instance (a view) or of
 *		 @uuid (a full log) computed from its clear records; a view
 *		 whose header commits to anything else is refused
 * @on_record:	 in: NULL, or called for every clear record in log order
 *		 (after the leaf was checked), with @ctx; applied is false for
 *		 records of aborted batches; a non-zero return stops replay
 * @ctx:	 for @on_record
 * @sets:	 in: NULL, or @nr_sets sets for the instance cache, for
 *		 logs of many instances (NULL: the VTPM_REPLAY_SETS built in)
 * @nr_sets:	 in: a power of two, with @sets
 * @err_offset:	 out: on failure, offset in the log of the offending byte
 * @why:	 out: on failure, a short English reason (static string)
 *
 * The rest is vtpm_log_replay()'s working memory (about 19 KiB in all:
 * allocate the structure rather than putting it on a kernel stack).
 */
struct vtpm_replay {
	struct vtpm_log_header hdr;
	struct vtpm_banks banks;
	u8 pcr[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	struct vtpm_genesis genesis;
	u64 batches;
	u64 records;
	u64 clear;
	u64 aborted;
	u8 uuid[VTPM_UUID_SIZE];
	struct vtpm_tpm *tenant;
	bool found;
	bool destroyed;
	u64 tenant_records;
	struct vtpm_log_commit commit;
	int (*on_record)(void *ctx, const struct vtpm_log_rec *r,
			 const u8 *leaf, u64 batch, bool applied);
	void *ctx;
	struct vtpm_replay_set *sets;
	u32 nr_sets;
	size_t err_offset;
	const char *why;
	/* private: */
	u8 commit_uuid[VTPM_UUID_SIZE];
	struct vtpm_log_rec rec;
	u8 leaves[VTPM_MAX_BATCH][VTPM_LEAF_SIZE];
	struct vtpm_replay_set set_buf[VTPM_REPLAY_SETS];
	struct vtpm_replay_set *set;
	u32 set_mask;
	u32 gen;
};

/* Sets for a log of @len bytes: one way per 100 bytes (a CREATE record). */
u32 vtpm_replay_sets_for(size_t len);

/*
 * 0, -EINVAL (malformed: truncated, bad magic/version/kind, bad entry) or
 * -EBADMSG (well-formed but inconsistent: no genesis first, batch or
 * record numbers out of order, records after DESTROY, an ABORT of an
 * unknown batch, ...), with @r->why set; a hash's error, or the non-zero
 * return of @r->on_record.
 */
int vtpm_log_replay(const u8 *log, size_t len, struct vtpm_replay *r);

/*
 * The vPCR effect of one record on an instance's state (@r of type
 * EXTEND, EVENT, RESET, STARTUP_*; others are ignored): the same function
 * the engine uses after the hardware anchored the change.  0 or -EINVAL.
 */
int vtpm_rec_apply(struct vtpm_tpm *t, const struct vtpm_log_rec *r);

/*
 * One line of the ASCII list of an instance's measurements, in the style of
 * IMA's ascii_runtime_measurements:
 *   "<vPCR> <leaf hex> vtpm-mux <alg>:<digest hex> <event name>\n"
 * (RESET and STARTUP records: digest all zero of sha256).  Returns the
 * length written, 0 if the record has no line (GENESIS, ABORT) or @cap is
 * too small.
 */
size_t vtpm_rec_ascii(const struct vtpm_log_rec *r, const u8 *leaf,
		      char *buf, size_t cap);
const char *vtpm_rec_type_name(u8 type);

#endif /* _VTPM_LIB_MLOG_H */
