// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl log: print, dump and check the mapping log (drivers/vtpm/lib/
 * mlog.h): the full log from securityfs, an instance's concealed view or
 * ASCII list from VTPM_IOC_GET_LOG on /dev/vtpmN (or securityfs), and a
 * replay of either compared with the hardware PCR, read with a hand-made
 * TPM2_PCR_Read (tpm.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

#include "mlog.h"
#include "vtpmctl.h"

#define SECFS_DIR	"/sys/kernel/security/vtpm_mux"
#define SYSFS_DIR	"/sys/class/" VTPM_MUX_CLASS
#define TPM_DEFAULT	"/dev/tpmrm0"

/* --check: reads of PCR, log, PCR before giving up on a moving target */
#define CHECK_TRIES	8
/* VTPM_IOC_GET_LOG: -ENOSPC retries while the log grows */
#define GET_LOG_TRIES	16
/* hex digits of an instance's UUID in a record line */
#define UUID_PREFIX	8
#define INST_BUCKETS	1024

_Static_assert(VTPM_UUID_SIZE == VTPM_MUX_UUID_SIZE, "uuid size");

enum {
	L_HELP = 1,
	L_VIEW,
	L_ASCII,
	L_RAW,
	L_CHECK,
	L_TPM,
	L_FILE,
};

static const struct opt log_opts[] = {
	{ "help",	'h',	false,	L_HELP },
	{ "view",	0,	false,	L_VIEW },
	{ "ascii",	0,	false,	L_ASCII },
	{ "raw",	0,	false,	L_RAW },
	{ "check",	0,	false,	L_CHECK },
	{ "tpm",	0,	true,	L_TPM },
	{ "file",	0,	true,	L_FILE },
	{ NULL,		0,	false,	0 },
};

struct log_args {
	bool have_index;
	uint32_t index;
	bool view;
	bool ascii;
	bool raw;
	bool check;
	const char *tpm;
	const char *file;
	bool have_uuid;		/* @uuid: instance N's (full log) */
	u8 uuid[VTPM_UUID_SIZE];
};

/* ---- getting the log ---- */

/*
 * VTPM_IOC_GET_LOG on @dev, growing the buffer on -ENOSPC.  0 or -errno;
 * *@opened says whether @dev could be opened at all.
 */
static int get_log_ioctl(const char *dev, bool ascii, struct blob *b,
			 bool *opened)
{
	struct vtpm_log_req req;
	size_t cap = 65536;
	u8 *p = NULL, *tmp;
	int fd, i, err = -EAGAIN;

	*opened = false;
	fd = open(dev, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	*opened = true;
	for (i = 0; i < GET_LOG_TRIES; i++) {
		tmp = realloc(p, cap);
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		p = tmp;
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.flags = ascii ? VTPM_LOG_REQ_ASCII : 0;
		req.buf = (uintptr_t)p;
		req.len = cap;
		if (!ioctl(fd, VTPM_IOC_GET_LOG, &req)) {
			close(fd);
			b->p = p;
			b->len = req.len;
			return 0;
		}
		err = -errno;
		if (err != -ENOSPC || req.len <= cap)
			break;
		/* what the log needed then; it may have grown since */
		cap = req.len + req.len / 8 + 4096;
		err = -EAGAIN;
	}
	free(p);
	close(fd);
	return err;
}

static const char *hint(int err, const char *enoent, const char *eacces)
{
	if (err == ENOENT || err == ENODEV || err == ENXIO)
		return enoent;
	if (err == EACCES || err == EPERM)
		return eacces;
	return "";
}

/*
 * The log the arguments ask for, into @b.  Returns 0, or EXIT_FAILURE
 * after saying why.
 */
static int load_log(const struct log_args *a, struct blob *b)
{
	char dev[64], sec[96];
	bool opened;
	int err, err2;

	if (a->file) {
		err = read_path(a->file, b);
		if (err) {
			errmsg("log: cannot read %s: %s",
			       strcmp(a->file, "-") ? a->file : "standard input",
			       strerror(-err));
			return EXIT_FAILURE;
		}
		return 0;
	}
	if (!a->view && !a->ascii) {
		err = read_path(SECFS_DIR "/log", b);
		if (err) {
			errmsg("log: cannot read " SECFS_DIR "/log: %s%s",
			       strerror(-err),
			       hint(-err, " (is the vtpm_mux module loaded and securityfs mounted?)",
				    " (need root; 'vtpmctl log N --view' shows what instance N may see)"));
			return EXIT_FAILURE;
		}
		return 0;
	}

	snprintf(dev, sizeof(dev), "%s%u", VTPM_DEV_PREFIX, a->index);
	err = get_log_ioctl(dev, a->ascii, b, &opened);
	if (!err)
		return 0;
	if (opened && err != -ENOTTY) {
		if (err == -EAGAIN)
			errmsg("log: %s: the log keeps growing faster than it can be read",
			       dev);
		else
			errmsg("log: VTPM_IOC_GET_LOG on %s: %s%s", dev,
			       strerror(-err),
			       err == -EINVAL ? " (vtpmctl and the module disagree on the ABI?)" :
			       err == -ENODEV ? " (the instance was destroyed)" : "");
		return EXIT_FAILURE;
	}
	/* no such ioctl, or no device node (a container): securityfs */
	snprintf(sec, sizeof(sec), SECFS_DIR "/vtpm%u/%s", a->index,
		 a->ascii ? "ascii_measurements" : "view");
	err2 = read_path(sec, b);
	if (!err2)
		return 0;
	if (!opened)
		errmsg("log: cannot open %s: %s%s; nor read %s: %s", dev,
		       strerror(-err),
		       hint(-err, " (no instance, or is the vtpm_mux module loaded?)",
			    " (not the owner of the instance?)"),
		       sec, strerror(-err2));
	else
		errmsg("log: %s has no VTPM_IOC_GET_LOG (%s); cannot read %s: %s",
		       dev, strerror(-err), sec, strerror(-err2));
	return EXIT_FAILURE;
}

/* ---- instance N's UUID ---- */

/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", a newline allowed; 0 or -1 */
static int parse_uuid(const char *s, u8 *uuid)
{
	int i, hi, lo;

	for (i = 0; i < VTPM_UUID_SIZE; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10) {
			if (*s++ != '-')
				return -1;
		}
		hi = hex_to_bin(s[0]);
		lo = hi < 0 ? -1 : hex_to_bin(s[1]);
		if (lo < 0)
			return -1;
		uuid[i] = hi << 4 | lo;
		s += 2;
	}
	return *s == '\0' || !strcmp(s, "\n") ? 0 : -1;
}

/* Instance @index's UUID from sysfs: 0, or -errno. */
static int sysfs_uuid(uint32_t index, u8 *uuid)
{
	char path[96];
	struct blob b;
	int ret;

	snprintf(path, sizeof(path), SYSFS_DIR "/vtpm%u/uuid", index);
	ret = read_path(path, &b);
	if (ret)
		return ret;
	if (b.len < 36 || b.len > 37 || memchr(b.p, '\0', b.len)) {
		ret = -EINVAL;
	} else {
		char s[38];

		memcpy(s, b.p, b.len);
		s[b.len] = '\0';
		ret = parse_uuid(s, uuid) ? -EINVAL : 0;
	}
	free(b.p);
	return ret;
}

/*
 * Instance @index's UUID: the INFO ioctl on the control device, else
 * sysfs.  Returns 0, or EXIT_FAILURE after saying why.
 */
static int instance_uuid(const struct ctx *ctx, uint32_t index, u8 *uuid)
{
	struct vtpm_mux_info info;
	int fd, err = 0, serr;
	bool opened = false;
	struct stat st;

	fd = open(ctx->control, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		opened = true;
		err = get_info(fd, index, &info);
		close(fd);
		if (!err) {
			memcpy(uuid, info.uuid, VTPM_UUID_SIZE);
			return 0;
		}
		if (err == -ENODEV) {
			errmsg("log: no instance %u", index);
			return EXIT_FAILURE;
		}
	} else {
		err = -errno;
	}
	serr = sysfs_uuid(index, uuid);
	if (!serr)
		return 0;
	if (serr == -ENOENT && !stat(SYSFS_DIR, &st)) {
		errmsg("log: no instance %u", index);
		return EXIT_FAILURE;
	}
	if (opened) {
		char what[32];

		snprintf(what, sizeof(what), "log: info %u", index);
		ioctl_error(ctx, what, -err);
	} else {
		errmsg("cannot open %s: %s%s", ctx->control, strerror(-err),
		       hint(-err, " (is the vtpm_mux module loaded?)", ""));
	}
	return EXIT_FAILURE;
}

/* ---- walking a serialised log ---- */

struct walk;
/* one entry: @rec NULL for a leaf entry; @leaf NULL unless hashing */
typedef int (*walk_fn)(struct walk *w, const struct vtpm_log_rec *rec,
		       const u8 *leaf, bool voided);

/**
 * struct walk - a walk over a serialised log, entry by entry
 * @log, @len:	the log
 * @hash:	compute leaves, batch digests and the PCR chain in @pcr
 * @target:	NULL, or PCR values (per bank) to look for after each batch
 * @fn, @ctx:	NULL, or called for every entry in log order
 * @hdr_ok:	the header was read
 * @hdr, @banks: the header
 * @pcr:	the PCR chain (with @hash)
 * @batch, @seq: the current batch and entry
 * @batches, @records: walked so far
 * @matched:	@target was met after @match_batches batches and
 *		@match_records records
 * @why, @off:	what stopped the walk, and where
 *
 * vtpm_log_replay() checks every rule of the format; the walk only keeps
 * within bounds, so that a log that fails the replay still prints as far
 * as it goes.
 */
struct walk {
	const u8 *log;
	size_t len;
	bool hash;
	const u8 (*target)[VTPM_MAX_DIGEST_SIZE];
	walk_fn fn;
	void *ctx;

	bool hdr_ok;
	struct vtpm_log_header hdr;
	struct vtpm_banks banks;
	u8 pcr[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	u64 batch;
	u64 seq;
	u64 batches;
	u64 records;
	bool matched;
	u64 match_batches;
	u64 match_records;
	const char *why;
	size_t off;

	struct vtpm_log_rec rec;
	u8 leaves[VTPM_MAX_BATCH][VTPM_LEAF_SIZE];
};

static int walk_fail(struct walk *w, size_t off, const char *why)
{
	w->off = off;
	w->why = why;
	return -EINVAL;
}

/* The header, by the one reader of headers there is (lib/mlog.c). */
static int walk_header(struct walk *w, struct tpm_rd *rd)
{
	memset(&w->hdr, 0, sizeof(w->hdr));
	memset(&w->banks, 0, sizeof(w->banks));
	return vtpm_log_rd_header(rd, &w->hdr, &w->banks, &w->why, &w->off) ?
	       -EINVAL : 0;
}

/* Read one entry at @rd: form, and the leaf or salt, tag and body. */
static int walk_entry(struct walk *w, struct tpm_rd *rd, u8 *form,
		      const u8 **leaf, const u8 **salt, const u8 **tag,
		      const u8 **body, u16 *blen)
{
	size_t at = rd->pos;

	*form = tpm_rd_u8(rd);
	if (rd->err)
		return walk_fail(w, at, "batch truncated");
	if (*form == VTPM_ENTRY_LEAF) {
		*leaf = tpm_rd_bytes(rd, VTPM_LEAF_SIZE);
		return *leaf ? 0 : walk_fail(w, at, "entry truncated");
	}
	if (*form != VTPM_ENTRY_CLEAR)
		return walk_fail(w, at, "unknown entry form");
	*salt = tpm_rd_bytes(rd, VTPM_SALT_SIZE);
	*tag = tpm_rd_bytes(rd, VTPM_TAG_SIZE);
	*blen = tpm_rd_u16(rd);
	*body = rd->err ? NULL : tpm_rd_bytes(rd, *blen);
	return *body ? 0 : walk_fail(w, at, "entry truncated");
}

/* Does the batch at @pos void batch @b with an ABORT record? */
static bool walk_voided(struct walk *w, size_t pos, u64 b)
{
	const u8 *leaf, *salt, *tag, *body;
	struct tpm_rd rd;
	u16 blen;
	u8 form;

	if (!b || b + 1 >= w->hdr.nr_batches)
		return false;
	tpm_rd_init(&rd, w->log, w->len);
	rd.pos = pos;
	tpm_rd_bytes(&rd, 12);
	if (rd.err || walk_entry(w, &rd, &form, &leaf, &salt, &tag, &body,
				 &blen) || form != VTPM_ENTRY_CLEAR) {
		w->why = NULL;
		return false;
	}
	return !vtpm_rec_decode(body, blen, &w->rec) &&
	       w->rec.type == VTPM_REC_ABORT && w->rec.abort_batch == b;
}

/* The genesis record (@body): the chain's start values. */
static int walk_genesis(struct walk *w, const u8 *body, u16 blen, size_t at)
{
	u32 i;

	if (vtpm_rec_decode(body, blen, &w->rec) ||
	    w->rec.type != VTPM_REC_GENESIS)
		return walk_fail(w, at, "the first record is no genesis record");
	if (w->rec.genesis.nr_banks != w->banks.nr)
		return walk_fail(w, at, "genesis and header list different banks");
	for (i = 0; i < w->banks.nr; i++) {
		if (w->rec.genesis.start[i].alg != w->banks.bank[i].alg)
			return walk_fail(w, at,
					 "genesis and header list different banks");
		memcpy(w->pcr[i], w->rec.genesis.start[i].digest,
		       w->banks.bank[i].size);
	}
	return 0;
}

static bool pcr_equal(const struct vtpm_banks *banks,
		      const u8 (*a)[VTPM_MAX_DIGEST_SIZE],
		      const u8 (*b)[VTPM_MAX_DIGEST_SIZE])
{
	u32 i;

	for (i = 0; i < banks->nr; i++)
		if (memcmp(a[i], b[i], banks->bank[i].size))
			return false;
	return true;
}

static int walk_batch(struct walk *w, struct tpm_rd *rd)
{
	const u8 *leaf = NULL, *salt = NULL, *tag = NULL, *body = NULL;
	size_t start = rd->pos, at;
	u64 b = w->batch;
	u16 blen = 0;
	u32 n, i;
	u8 form;
	int ret;

	if (tpm_rd_u64(rd) != b && !rd->err)
		return walk_fail(w, start, "batch number out of order");
	n = tpm_rd_u32(rd);
	if (rd->err)
		return walk_fail(w, start, "batch header truncated");
	if (!n || n > VTPM_MAX_BATCH)
		return walk_fail(w, start + 8, "bad number of entries in a batch");

	/* first pass: the leaves, the end of the batch */
	for (i = 0; i < n; i++) {
		at = rd->pos;
		ret = walk_entry(w, rd, &form, &leaf, &salt, &tag, &body,
				 &blen);
		if (ret)
			return ret;
		if (!w->hash)
			continue;
		if (form == VTPM_ENTRY_LEAF) {
			memcpy(w->leaves[i], leaf, VTPM_LEAF_SIZE);
			continue;
		}
		if (!b && !i) {
			ret = walk_genesis(w, body, blen, at);
			if (ret)
				return ret;
		}
		if (vtpm_rec_leaf(salt, tag, body, blen, w->leaves[i]))
			return walk_fail(w, at, "hash failed");
	}
	if (w->hash) {
		for (i = 0; i < w->banks.nr; i++) {
			u8 digest[VTPM_MAX_DIGEST_SIZE];
			u16 alg = w->banks.bank[i].alg;

			if (vtpm_batch_digest(alg, b, w->leaves[0], n, digest) ||
			    vtpm_pcr_extend_value(alg, w->pcr[i], digest))
				return walk_fail(w, start, "hash failed");
		}
	}

	/* second pass: hand the entries over */
	if (w->fn) {
		bool voided = walk_voided(w, rd->pos, b);
		struct tpm_rd r2;

		tpm_rd_init(&r2, w->log, rd->pos);
		r2.pos = start + 12;
		for (i = 0; i < n; i++, w->seq++) {
			at = r2.pos;
			ret = walk_entry(w, &r2, &form, &leaf, &salt, &tag,
					 &body, &blen);
			if (ret)
				return ret;
			if (form == VTPM_ENTRY_LEAF) {
				ret = w->fn(w, NULL, leaf, voided);
			} else {
				if (vtpm_rec_decode(body, blen, &w->rec))
					return walk_fail(w, at + 1 + VTPM_SALT_SIZE +
							 VTPM_TAG_SIZE + 2,
							 "malformed record");
				ret = w->fn(w, &w->rec,
					    w->hash ? w->leaves[i] : NULL,
					    voided);
			}
			if (ret)
				return ret;
		}
	} else {
		w->seq += n;
	}
	w->records += n;
	w->batches++;
	if (w->hash && w->target &&
	    pcr_equal(&w->banks, (const u8 (*)[VTPM_MAX_DIGEST_SIZE])w->pcr,
		      w->target)) {
		w->matched = true;
		w->match_batches = w->batches;
		w->match_records = w->records;
	}
	return 0;
}

/* Walk the whole log: 0, -EINVAL (@w->why, @w->off) or @fn's error. */
static int walk_log(struct walk *w)
{
	struct tpm_rd rd;
	int ret;

	w->batch = w->seq = w->batches = w->records = 0;
	w->matched = false;
	w->why = NULL;
	w->off = 0;
	tpm_rd_init(&rd, w->log, w->len);
	w->hdr_ok = false;
	ret = walk_header(w, &rd);
	if (ret)
		return ret;
	w->hdr_ok = true;
	for (w->batch = 0; w->batch < w->hdr.nr_batches; w->batch++) {
		if (!tpm_rd_left(&rd))
			return walk_fail(w, rd.pos,
					 "fewer batches than the header says");
		ret = walk_batch(w, &rd);
		if (ret)
			return ret;
	}
	if (tpm_rd_left(&rd))
		return walk_fail(w, rd.pos, "bytes after the last batch");
	return 0;
}

/* ---- printing ---- */

static void print_hex(const u8 *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	while (n--) {
		putchar(digits[*p >> 4]);
		putchar(digits[*p++ & 0xf]);
	}
}

static void print_digest(u16 alg, const u8 *d)
{
	const char *name = vtpm_alg_name(alg);

	if (name)
		printf("%s:", name);
	else
		printf("0x%04x:", alg);
	print_hex(d, vtpm_alg_digest_size(alg));
}

/* Bank names separated by @sep. */
static void print_banks(const struct vtpm_banks *banks, const char *sep)
{
	u32 i;

	for (i = 0; i < banks->nr; i++)
		printf("%s%s", i ? sep : "", vtpm_alg_name(banks->bank[i].alg));
}

/* A label as one field: space, '%' and anything unprintable as %XX. */
static void print_label_field(const char *label)
{
	const unsigned char *c;

	for (c = (const unsigned char *)label; *c; c++) {
		if (*c <= 0x20 || *c >= 0x7f || *c == '%')
			printf("%%%02X", *c);
		else
			putchar(*c);
	}
}

struct inst_ent {
	u8 uuid[VTPM_UUID_SIZE];
	u32 index;
	struct inst_ent *next;
};

struct print_ctx {
	const u8 *filter;	/* NULL, or the only instance to print */
	struct inst_ent *tab[INST_BUCKETS];
};

static u32 inst_hash(const u8 *uuid)
{
	u32 h = 0;
	int i;

	for (i = 0; i < VTPM_UUID_SIZE; i++)
		h = h * 31 + uuid[i];
	return h % INST_BUCKETS;
}

static const struct inst_ent *inst_find(const struct print_ctx *pc,
					const u8 *uuid)
{
	const struct inst_ent *e;

	for (e = pc->tab[inst_hash(uuid)]; e; e = e->next)
		if (!memcmp(e->uuid, uuid, VTPM_UUID_SIZE))
			return e;
	return NULL;
}

static int inst_add(struct print_ctx *pc, const u8 *uuid, u32 index)
{
	struct inst_ent *e = calloc(1, sizeof(*e));
	u32 h = inst_hash(uuid);

	if (!e)
		return -ENOMEM;
	memcpy(e->uuid, uuid, VTPM_UUID_SIZE);
	e->index = index;
	e->next = pc->tab[h];
	pc->tab[h] = e;
	return 0;
}

static void inst_free(struct print_ctx *pc)
{
	struct inst_ent *e, *next;
	u32 i;

	for (i = 0; i < INST_BUCKETS; i++) {
		for (e = pc->tab[i]; e; e = next) {
			next = e->next;
			free(e);
		}
		pc->tab[i] = NULL;
	}
}

static bool rec_has_pcr(u8 type)
{
	return type == VTPM_REC_EXTEND || type == VTPM_REC_EVENT ||
	       type == VTPM_REC_RESET;
}

static int print_entry(struct walk *w, const struct vtpm_log_rec *r,
		       const u8 *leaf, bool voided)
{
	struct print_ctx *pc = w->ctx;
	const struct inst_ent *e;
	u32 i;

	if (!r) {
		if (pc->filter)
			return 0;
		printf("%llu %llu leaf ", (unsigned long long)w->batch,
		       (unsigned long long)w->seq);
		print_hex(leaf, VTPM_LEAF_SIZE);
		printf("%s\n", voided ? " void" : "");
		return 0;
	}
	if (r->type == VTPM_REC_CREATE && !inst_find(pc, r->uuid) &&
	    inst_add(pc, r->uuid, r->create.index))
		return -ENOMEM;
	if (pc->filter && memcmp(r->uuid, pc->filter, VTPM_UUID_SIZE))
		return 0;

	printf("%llu %llu %s ", (unsigned long long)w->batch,
	       (unsigned long long)r->seq, vtpm_rec_type_name(r->type));
	if (r->type == VTPM_REC_GENESIS || r->type == VTPM_REC_ABORT) {
		printf("-");
	} else {
		e = inst_find(pc, r->uuid);
		if (e)
			printf("vtpm%u/", e->index);
		else
			printf("vtpm?/");
		print_hex(r->uuid, UUID_PREFIX / 2);
	}
	if (rec_has_pcr(r->type))
		printf(" %u", r->pcr);
	else
		printf(" -");
	for (i = 0; i < r->count && i < VTPM_MAX_BANKS; i++) {
		putchar(' ');
		print_digest(r->d[i].alg, r->d[i].digest);
	}
	switch (r->type) {
	case VTPM_REC_GENESIS:
		for (i = 0; i < r->genesis.nr_banks && i < VTPM_MAX_BANKS; i++) {
			putchar(' ');
			print_digest(r->genesis.start[i].alg,
				     r->genesis.start[i].digest);
		}
		printf(" reset_count=%u restart_count=%u clock=%llu log_id=",
		       r->genesis.reset_count, r->genesis.restart_count,
		       (unsigned long long)r->genesis.clock);
		print_hex(r->genesis.log_id, sizeof(r->genesis.log_id));
		break;
	case VTPM_REC_CREATE:
		printf(" label=");
		print_label_field(r->create.label);
		break;
	case VTPM_REC_ABORT:
		printf(" batch=%llu", (unsigned long long)r->abort_batch);
		break;
	}
	printf("%s\n", voided ? " void" : "");
	return 0;
}

static void print_header(const struct walk *w)
{
	char uuid[UUID_STR_LEN];

	printf("log %s pcr %u banks ",
	       w->hdr.kind == VTPM_LOG_VIEW ? "view" : "full", w->hdr.hw_pcr);
	print_banks(&w->banks, ",");
	printf(" batches %llu records %llu", (unsigned long long)w->batches,
	       (unsigned long long)w->records);
	if (w->hdr.kind == VTPM_LOG_VIEW) {
		format_uuid(uuid, w->hdr.uuid);
		printf(" uuid %s", uuid);
	}
	putchar('\n');
}

/* The reason a replay failed, as one message. */
static void replay_error(const char *what, const struct vtpm_replay *r,
			 int ret)
{
	if (r->why)
		errmsg("log: %s does not replay: offset %zu: %s (%s)", what,
		       r->err_offset, r->why,
		       ret == -EBADMSG ? "inconsistent" : "malformed");
	else
		errmsg("log: %s does not replay: %s", what, strerror(-ret));
}

static const char *log_name(const struct log_args *a)
{
	if (a->file)
		return strcmp(a->file, "-") ? a->file : "standard input";
	return a->view ? "the view" : "the log";
}

static struct vtpm_replay *replay_alloc(void)
{
	struct vtpm_replay *r = calloc(1, sizeof(*r));

	if (!r)
		errmsg("log: %s", strerror(ENOMEM));
	return r;
}

static void replay_free(struct vtpm_replay *r)
{
	if (r)
		free(r->sets);
	free(r);
}

/*
 * vtpm_log_replay() with an instance cache as large as the log may need:
 * the built-in one would make the replay of a log of many instances
 * quadratic.
 */
static int replay(struct vtpm_replay *r, const struct blob *b)
{
	u32 n = vtpm_replay_sets_for(b->len);

	if (r->nr_sets < n) {
		free(r->sets);
		r->sets = calloc(n, sizeof(*r->sets));
		r->nr_sets = r->sets ? n : 0;
	}
	return vtpm_log_replay(b->p, b->len, r);
}

static int log_print(const struct log_args *a, const struct blob *b)
{
	struct walk *w = calloc(1, sizeof(*w));
	struct print_ctx *pc = calloc(1, sizeof(*pc));
	struct vtpm_replay *r = replay_alloc();
	int ret, status = EXIT_FAILURE;

	if (!w || !pc || !r) {
		if (r)
			errmsg("log: %s", strerror(ENOMEM));
		goto out;
	}
	/*
	 * The walk prints as far as the log goes; the replay alone judges
	 * it (one set of rules: lib/mlog.c), also where the walk stops.
	 */
	ret = replay(r, b);
	w->log = b->p;
	w->len = b->len;
	walk_log(w);	/* count, so that the header line can come first */
	if (!w->hdr_ok)
		goto judge;
	print_header(w);

	if (a->have_uuid && w->hdr.kind == VTPM_LOG_FULL)
		pc->filter = a->uuid;
	w->fn = print_entry;
	w->ctx = pc;
	if (walk_log(w) == -ENOMEM) {
		errmsg("log: %s", strerror(ENOMEM));
		goto out;
	}
judge:
	if (ret) {
		replay_error(log_name(a), r, ret);
		goto out;
	}
	if (w->why) {
		errmsg("log: internal error: %s replays, but its walk stops at offset %zu: %s",
		       log_name(a), w->off, w->why);
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	if (pc)
		inst_free(pc);
	free(pc);
	free(w);
	replay_free(r);
	return status;
}

/* ---- --check ---- */

struct check_ctx {
	const u8 *uuid;
	bool have_index;
	u32 index;
};

/* on_record of the replay: the instance's index from its CREATE record */
static int check_on_record(void *ctx, const struct vtpm_log_rec *r,
			   const u8 *leaf, u64 batch, bool applied)
{
	struct check_ctx *c = ctx;

	(void)leaf;
	(void)batch;
	if (applied && r->type == VTPM_REC_CREATE &&
	    !memcmp(r->uuid, c->uuid, VTPM_UUID_SIZE)) {
		c->have_index = true;
		c->index = r->create.index;
	}
	return 0;
}

/* The bank shown in the "ok" line: sha256 if the log has it. */
static u32 shown_bank(const struct vtpm_banks *banks)
{
	u32 i;

	for (i = 0; i < banks->nr; i++)
		if (banks->bank[i].alg == VTPM_ALG_SHA256)
			return i;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The vPCRs of the reconstructed instance, in tpm2_pcrread's format. */
static void print_vpcrs(const struct vtpm_tpm *t)
{
	const struct vtpm_banks *banks = t->banks;
	u32 i, pcr, k;

	for (i = 0; i < banks->nr; i++) {
		printf("  %s:\n", vtpm_alg_name(banks->bank[i].alg));
		for (pcr = 0; pcr < VTPM_NUM_PCRS; pcr++) {
			const u8 *v = t->pcr + pcr * banks->stride +
				      banks->bank[i].offset;

			printf("    %-2u: 0x", pcr);
			for (k = 0; k < banks->bank[i].size; k++)
				printf("%02X", v[k]);
			putchar('\n');
		}
	}
}

/*
 * Walk @b with the PCR chain, looking for @target; cross-checks the chain
 * with the replay's result @final.  Returns 0 or EXIT_FAILURE.
 */
static int check_walk(struct walk *w, const struct blob *b,
		      const u8 (*target)[VTPM_MAX_DIGEST_SIZE],
		      const struct vtpm_replay *r)
{
	int ret;

	memset(w, 0, sizeof(*w));
	w->log = b->p;
	w->len = b->len;
	w->hash = true;
	w->target = target;
	ret = walk_log(w);
	if (ret) {
		errmsg("log: internal error: the log replays, but its walk stops at offset %zu: %s",
		       w->off, w->why ?: strerror(-ret));
		return EXIT_FAILURE;
	}
	if (!pcr_equal(&r->banks, (const u8 (*)[VTPM_MAX_DIGEST_SIZE])w->pcr,
		       (const u8 (*)[VTPM_MAX_DIGEST_SIZE])r->pcr)) {
		errmsg("log: internal error: vtpm_log_replay() and vtpmctl's own walk disagree on the PCR the log replays to");
		return EXIT_FAILURE;
	}
	return 0;
}

static int log_check(const struct log_args *a, struct blob *b)
{
	u8 before[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	u8 after[VTPM_MAX_BANKS][VTPM_MAX_DIGEST_SIZE];
	u8 uuid[VTPM_UUID_SIZE] = { 0 };
	const char *tpm = a->tpm ? a->tpm : TPM_DEFAULT;
	struct check_ctx cc = { .uuid = uuid };
	struct vtpm_replay *r = replay_alloc();
	struct vtpm_tpm *tenant = NULL;
	struct walk *w = calloc(1, sizeof(*w));
	u64 prefix_batches = 0, prefix_records = 0;
	bool full = false, prefix = false, want_tenant;
	int fd = -1, ret, try, tries, status = EXIT_FAILURE;
	char ustr[UUID_STR_LEN];
	u32 i, shown;

	tenant = calloc(1, sizeof(*tenant) +
			VTPM_NUM_PCRS * VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE);
	if (!r || !w || !tenant) {
		if (r)
			errmsg("log: %s", strerror(ENOMEM));
		goto out;
	}

	/* the instance to reconstruct: a view's, or N's in the full log */
	w->log = b->p;
	w->len = b->len;
	{
		struct tpm_rd rd;

		tpm_rd_init(&rd, b->p, b->len);
		if (!walk_header(w, &rd) && w->hdr.kind == VTPM_LOG_VIEW) {
			if (a->have_uuid &&
			    memcmp(a->uuid, w->hdr.uuid, VTPM_UUID_SIZE)) {
				format_uuid(ustr, w->hdr.uuid);
				errmsg("log: %s is the view of instance %s, not of instance %u",
				       log_name(a), ustr, a->index);
				goto out;
			}
			memcpy(uuid, w->hdr.uuid, VTPM_UUID_SIZE);
		} else if (a->have_uuid) {
			memcpy(uuid, a->uuid, VTPM_UUID_SIZE);
		}
	}
	want_tenant = !!memcmp(uuid, (u8[VTPM_UUID_SIZE]){ 0 }, VTPM_UUID_SIZE);

	/* a file does not change: one try */
	tries = a->file ? 1 : CHECK_TRIES;
	for (try = 0; try < tries; try++) {
		if (try) {
			/* PCR, log, PCR: the log only grows by whole batches */
			if (tpm_pcr_read(fd, tpm, r->hdr.hw_pcr, r->hdr.algs,
					 r->banks.nr, before))
				goto out;
			free(b->p);
			b->p = NULL;
			if (load_log(a, b))
				goto out;
		}
		memcpy(r->uuid, uuid, VTPM_UUID_SIZE);
		r->tenant = want_tenant ? tenant : NULL;
		r->on_record = want_tenant ? check_on_record : NULL;
		r->ctx = &cc;
		cc.have_index = false;
		ret = replay(r, b);
		if (ret) {
			replay_error(log_name(a), r, ret);
			goto out;
		}
		if (fd < 0) {
			fd = tpm_open(tpm);
			if (fd < 0)
				goto out;
		}
		if (tpm_pcr_read(fd, tpm, r->hdr.hw_pcr, r->hdr.algs,
				 r->banks.nr, after))
			goto out;
		if (pcr_equal(&r->banks, (const u8 (*)[VTPM_MAX_DIGEST_SIZE])after,
			      (const u8 (*)[VTPM_MAX_DIGEST_SIZE])r->pcr)) {
			full = true;
			break;
		}
		prefix = false;
		if (try && !pcr_equal(&r->banks,
				      (const u8 (*)[VTPM_MAX_DIGEST_SIZE])before,
				      (const u8 (*)[VTPM_MAX_DIGEST_SIZE])after)) {
			/* the PCR moved: does it match a prefix of the log? */
			if (check_walk(w, b,
				       (const u8 (*)[VTPM_MAX_DIGEST_SIZE])before,
				       r))
				goto out;
			prefix = w->matched;
			prefix_batches = w->match_batches;
			prefix_records = w->match_records;
			if (prefix && prefix_batches == r->batches) {
				/* the PCR before the log read was all of it */
				full = true;
				break;
			}
		}
		if (try + 1 < tries)
			sleep_ms(10L * (try + 1));
	}

	shown = shown_bank(&r->banks);
	if (full || prefix) {
		u8 (*v)[VTPM_MAX_DIGEST_SIZE] = full ? r->pcr : before;

		printf("ok: %llu batches, %llu records replay to PCR %u (",
		       (unsigned long long)(full ? r->batches : prefix_batches),
		       (unsigned long long)(full ? r->records : prefix_records),
		       r->hdr.hw_pcr);
		print_digest(r->banks.bank[shown].alg, v[shown]);
		printf(")\n");
		if (!full)
			printf("note: the log grew to %llu batches while PCR %u was read; the last %llu were not compared\n",
			       (unsigned long long)r->batches, r->hdr.hw_pcr,
			       (unsigned long long)(r->batches - prefix_batches));
	} else {
		for (i = 0; i < r->banks.nr; i++) {
			const char *name = vtpm_alg_name(r->banks.bank[i].alg);
			u32 k, size = r->banks.bank[i].size;
			char want[2 * VTPM_MAX_DIGEST_SIZE + 1];
			char have[2 * VTPM_MAX_DIGEST_SIZE + 1];

			if (!memcmp(after[i], r->pcr[i], size))
				continue;
			for (k = 0; k < size; k++) {
				sprintf(want + 2 * k, "%02x", r->pcr[i][k]);
				sprintf(have + 2 * k, "%02x", after[i][k]);
			}
			errmsg("log: mismatch: %s (%llu batches, %llu records) replays PCR %u to %s:%s, the TPM has %s:%s",
			       log_name(a), (unsigned long long)r->batches,
			       (unsigned long long)r->records, r->hdr.hw_pcr,
			       name, want, name, have);
		}
		if (check_walk(w, b, (const u8 (*)[VTPM_MAX_DIGEST_SIZE])after,
			       r))
			goto out;
		if (w->matched)
			errmsg("log: the TPM's value is that of the first %llu batches of the log",
			       (unsigned long long)w->match_batches);
		goto out;
	}

	if (want_tenant) {
		format_uuid(ustr, uuid);
		if (!r->found) {
			errmsg("log: instance %s has no record of its creation in %s",
			       ustr, log_name(a));
			goto out;
		}
		if (cc.have_index)
			printf("instance vtpm%u uuid %s records %llu%s\n",
			       cc.index, ustr,
			       (unsigned long long)r->tenant_records,
			       r->destroyed ? " destroyed" : "");
		print_vpcrs(tenant);
	}
	status = EXIT_SUCCESS;
out:
	if (fd >= 0)
		close(fd);
	free(tenant);
	free(w);
	replay_free(r);
	return status;
}

/* ---- the command ---- */

static int write_all(const struct blob *b)
{
	if (b->len && fwrite(b->p, 1, b->len, stdout) != b->len)
		return EXIT_FAILURE;	/* reported by main()'s finish() */
	return EXIT_SUCCESS;
}

int cmd_log(const struct ctx *ctx, const struct cmd *cmd,
	    int argc, char **argv)
{
	const char *arg = NULL, *extra = NULL, *val;
	struct log_args a;
	struct blob b = { NULL, 0 };
	struct optparse p;
	int id, ret;

	memset(&a, 0, sizeof(a));
	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, log_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (!arg)
				arg = val;
			else if (!extra)
				extra = val;
			break;
		case L_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		case L_VIEW:
			a.view = true;
			break;
		case L_ASCII:
			a.ascii = true;
			break;
		case L_RAW:
			a.raw = true;
			break;
		case L_CHECK:
			a.check = true;
			break;
		case L_TPM:
			if (a.tpm)
				return usage_error(cmd->name, "option '--tpm' given more than once");
			if (!*val)
				return usage_error(cmd->name, "option '--tpm' needs a path");
			a.tpm = val;
			break;
		case L_FILE:
			if (a.file)
				return usage_error(cmd->name, "option '--file' given more than once");
			if (!*val)
				return usage_error(cmd->name, "option '--file' needs a path");
			a.file = val;
			break;
		}
	}
	if (extra)
		return usage_error(cmd->name, "unexpected argument '%s'", extra);
	if (arg) {
		if (parse_index(arg, &a.index))
			return usage_error(cmd->name,
					   "bad instance '%s' (expected N or /dev/vtpmN)",
					   arg);
		a.have_index = true;
	}
	if (a.ascii && (a.view || a.raw || a.check))
		return usage_error(cmd->name,
				   "--ascii goes with none of --view, --raw, --check");
	if (a.raw && a.check)
		return usage_error(cmd->name, "--raw and --check exclude each other");
	if ((a.view || a.ascii) && !a.have_index)
		return usage_error(cmd->name, "--%s needs an instance (N or /dev/vtpmN)",
				   a.view ? "view" : "ascii");
	if (a.file && (a.view || a.ascii))
		return usage_error(cmd->name, "--file goes with neither --view nor --ascii");
	if (a.tpm && !a.check)
		return usage_error(cmd->name, "--tpm goes with --check only");
	if (a.raw && a.have_index && !a.view)
		return usage_error(cmd->name,
				   "--raw writes the whole log: an instance only with --view");

	/* instance N of a full log: its UUID first (it may be destroyed later) */
	if (a.have_index && !a.view && !a.ascii) {
		ret = instance_uuid(ctx, a.index, a.uuid);
		if (ret)
			return ret;
		a.have_uuid = true;
	}
	ret = load_log(&a, &b);
	if (ret)
		return ret;
	if (a.ascii || a.raw)
		ret = write_all(&b);
	else if (a.check)
		ret = log_check(&a, &b);
	else
		ret = log_print(&a, &b);
	free(b.p);
	return ret;
}
