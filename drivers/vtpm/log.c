// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping log in kernel memory.
 *
 * Records are packed into an arena of 64 KiB chunks, append-only, in the
 * order of their sequence numbers; a record never straddles two chunks.
 * A packed record is
 *
 *	u8 type | u8 pcr | u8 count | u8 reserved | u32 tenant |
 *	u8 leaf[32] | u8 bank[count] | digests | (ABORT: u64 batch)
 *
 * that is 40 bytes plus one per digest beyond the digests themselves; the
 * salt of a record is not stored but derived from its sequence number
 * (vtpm_rec_salt()), and the genesis record's own data lives in
 * &struct vtpm_log.genesis.  Batches are a second array: the number of
 * records of each, as a u16.
 *
 * There is one writer at a time, the mux's leader (mux.c), which fills
 * chunks and batch counts beyond the published cut and then publishes the
 * new cut under @lock.  Readers take the cut under @lock and read up to it
 * without locks: what lies below a published cut never changes.
 */
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "vtpm.h"
#include "log.h"

#define VTPM_CHUNK_SIZE		(64 * 1024)
#define VTPM_BATCH_CHUNK	(VTPM_CHUNK_SIZE / sizeof(u16))
#define VTPM_PACKED_HDR		(8 + VTPM_LEAF_SIZE)
#define VTPM_PACKED_MAX		(VTPM_PACKED_HDR + VTPM_MAX_BANKS * \
				 (1 + VTPM_MAX_DIGEST_SIZE) + 8)
/* records beyond max_log_entries for DESTROY and ABORT (never refused) */
#define VTPM_LOG_RESERVE	(65536 + 1024)

/**
 * struct vtpm_log - the log
 * @banks:	  the hardware banks (read-only)
 * @hw_pcr:	  the hardware PCR (read-only)
 * @max_entries:  records accepted before extends fail (read-only)
 * @capacity:	  records the arena can hold (read-only)
 * @salt_key:	  secret key of the record salts (read-only after init)
 * @genesis:	  the genesis record's data (set once, before the first cut)
 * @chunks:	  the arena's chunks, allocated by the writer on demand
 * @chunk_used:	  bytes used in each full chunk (set before moving on)
 * @nr_chunks:	  slots in @chunks
 * @batch_chunks: the batch counts
 * @nr_batch_chunks: slots in @batch_chunks
 * @w_chunk:	  writer: current chunk
 * @w_off:	  writer: offset in it
 * @lock:	  protects @cut and every tenant's @commit (a spinlock: held
 *		  for a few stores)
 * @cut:	  what readers may see
 * @tenant_lock:  serialises additions to @tenants
 * @tenants:	  id -> &struct vtpm_tenant; entries are never removed
 * @nr_tenants:	  ids handed out (under @tenant_lock)
 */
struct vtpm_log {
	const struct vtpm_banks *banks;
	u32 hw_pcr;
	u32 max_entries;
	u64 capacity;
	u8 salt_key[32];
	struct vtpm_genesis genesis;

	u8 **chunks;
	u32 *chunk_used;
	u32 nr_chunks;
	u16 **batch_chunks;
	u32 nr_batch_chunks;
	u32 w_chunk;
	u32 w_off;

	spinlock_t lock;	/* see above */
	struct vtpm_log_cut cut;

	struct mutex tenant_lock;	/* see above */
	struct xarray tenants;
	u32 nr_tenants;
};

static struct vtpm_log vlog;

/**
 * vtpm_log_init() - set up an empty log
 * @banks:	 the hardware's banks (every record's digests are in them)
 * @hw_pcr:	 the hardware PCR the log is anchored in
 * @max_entries: the bound on records (module parameter max_log_entries)
 *
 * Return: 0 or -ENOMEM.
 */
int vtpm_log_init(const struct vtpm_banks *banks, u32 hw_pcr,
		  u32 max_entries)
{
	u32 per_chunk = VTPM_CHUNK_SIZE / VTPM_PACKED_MAX;

	memset(&vlog, 0, sizeof(vlog));
	vlog.banks = banks;
	vlog.hw_pcr = hw_pcr;
	vlog.max_entries = max_entries;
	vlog.capacity = (u64)max_entries + VTPM_LOG_RESERVE;
	vlog.nr_chunks = DIV_ROUND_UP(vlog.capacity, per_chunk);
	vlog.nr_batch_chunks = DIV_ROUND_UP(vlog.capacity, VTPM_BATCH_CHUNK);
	spin_lock_init(&vlog.lock);
	mutex_init(&vlog.tenant_lock);
	xa_init(&vlog.tenants);
	get_random_bytes(vlog.salt_key, sizeof(vlog.salt_key));

	vlog.chunks = kvcalloc(vlog.nr_chunks, sizeof(*vlog.chunks),
			       GFP_KERNEL);
	vlog.chunk_used = kvcalloc(vlog.nr_chunks, sizeof(*vlog.chunk_used),
				   GFP_KERNEL);
	vlog.batch_chunks = kvcalloc(vlog.nr_batch_chunks,
				     sizeof(*vlog.batch_chunks), GFP_KERNEL);
	if (!vlog.chunks || !vlog.chunk_used || !vlog.batch_chunks) {
		vtpm_log_exit();
		return -ENOMEM;
	}
	return 0;
}

void vtpm_log_exit(void)
{
	struct vtpm_tenant *t;
	unsigned long id;
	u32 i;

	xa_for_each(&vlog.tenants, id, t)
		kfree_sensitive(t);
	xa_destroy(&vlog.tenants);
	for (i = 0; vlog.chunks && i < vlog.nr_chunks; i++)
		kvfree(vlog.chunks[i]);
	for (i = 0; vlog.batch_chunks && i < vlog.nr_batch_chunks; i++)
		kvfree(vlog.batch_chunks[i]);
	kvfree(vlog.chunks);
	kvfree(vlog.chunk_used);
	kvfree(vlog.batch_chunks);
	memzero_explicit(vlog.salt_key, sizeof(vlog.salt_key));
	vlog.chunks = NULL;
	vlog.chunk_used = NULL;
	vlog.batch_chunks = NULL;
}

/**
 * vtpm_log_add_tenant() - a new instance gets its place in the log
 * @index: its N
 * @uuid:  its UUID
 * @label: its label
 *
 * Draws the instance's secret tag.  Return: the tenant, or an ERR_PTR.
 */
struct vtpm_tenant *vtpm_log_add_tenant(u32 index, const u8 *uuid,
					const char *label)
{
	struct vtpm_tenant *t;
	int ret;

	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return ERR_PTR(-ENOMEM);
	t->index = index;
	memcpy(t->uuid, uuid, VTPM_UUID_SIZE);
	strscpy(t->label, label, sizeof(t->label));
	get_random_bytes(t->tag, sizeof(t->tag));

	mutex_lock(&vlog.tenant_lock);
	t->id = vlog.nr_tenants;
	ret = xa_insert(&vlog.tenants, t->id, t, GFP_KERNEL);
	if (!ret)
		vlog.nr_tenants++;
	mutex_unlock(&vlog.tenant_lock);
	if (ret) {
		kfree_sensitive(t);
		return ERR_PTR(ret);
	}
	return t;
}

/**
 * vtpm_log_drop_tenant() - forget a tenant that has no record in the log
 * @t: the tenant (its CREATE was refused before it was queued)
 */
void vtpm_log_drop_tenant(struct vtpm_tenant *t)
{
	xa_erase(&vlog.tenants, t->id);
	kfree_sensitive(t);
}

/* The tenant with @id (tenants live as long as the log). */
struct vtpm_tenant *vtpm_log_tenant(u32 id)
{
	return xa_load(&vlog.tenants, id);
}

u32 vtpm_log_max_entries(void)
{
	return vlog.max_entries;
}

void vtpm_log_cut(struct vtpm_log_cut *cut)
{
	spin_lock(&vlog.lock);
	*cut = vlog.cut;
	spin_unlock(&vlog.lock);
}

/**
 * vtpm_log_cut_of() - a cut, and a tenant's commitment at that cut
 * @cut:    out: the published cut
 * @t:	    the tenant
 * @commit: out: its records up to @cut (for the header of its view)
 *
 * Return: 0, or -EIO if the tenant's commitment could not be computed.
 */
int vtpm_log_cut_of(struct vtpm_log_cut *cut, const struct vtpm_tenant *t,
		    struct vtpm_log_commit *commit)
{
	spin_lock(&vlog.lock);
	*cut = vlog.cut;
	*commit = t->commit;
	spin_unlock(&vlog.lock);
	return READ_ONCE(t->commit_err) ? -EIO : 0;
}

/**
 * vtpm_log_commit_now() - a tenant's commitment at the writer's position
 * @t:	    the tenant
 * @commit: out: its records in every batch appended so far
 *
 * Only the mux's leader calls this, with no batch being appended: the
 * quote it makes covers exactly those batches.
 *
 * Return: 0, or -EIO if the tenant's commitment could not be computed.
 */
int vtpm_log_commit_now(const struct vtpm_tenant *t,
			struct vtpm_log_commit *commit)
{
	*commit = t->w_commit;
	return t->commit_err ? -EIO : 0;
}

/* The writer's view; only the mux's leader calls these. */
u64 vtpm_log_next_seq(void)
{
	return vlog.cut.records;
}

u64 vtpm_log_next_batch(void)
{
	return vlog.cut.batches;
}

/* Whether @records more tenant records fit under max_log_entries. */
bool vtpm_log_has_room(u64 records)
{
	return READ_ONCE(vlog.cut.records) + records <= vlog.max_entries;
}

void vtpm_log_set_genesis(const struct vtpm_genesis *g)
{
	vlog.genesis = *g;
}

/* The log's id, from its genesis record (set before the first reader). */
const u8 *vtpm_log_id(void)
{
	return vlog.genesis.log_id;
}

static void vtpm_log_rec_of(const struct vtpm_krec *k, u64 seq,
			    struct vtpm_log_rec *r)
{
	const struct vtpm_tenant *t = NULL;
	u32 i;

	memset(r, 0, sizeof(*r));
	r->seq = seq;
	r->type = k->type;
	r->pcr = VTPM_LOG_NO_PCR;
	if (k->tenant != VTPM_NO_TENANT) {
		t = vtpm_log_tenant(k->tenant);
		memcpy(r->uuid, t->uuid, VTPM_UUID_SIZE);
	}
	switch (k->type) {
	case VTPM_REC_EXTEND:
	case VTPM_REC_EVENT:
		r->count = k->count;
		for (i = 0; i < k->count; i++) {
			const struct vtpm_bank *b = &vlog.banks->bank[k->bank[i]];

			r->d[i].alg = b->alg;
			memcpy(r->d[i].digest, k->digest[i], b->size);
		}
		fallthrough;
	case VTPM_REC_RESET:
		r->pcr = k->pcr;
		break;
	case VTPM_REC_GENESIS:
		r->genesis = vlog.genesis;
		break;
	case VTPM_REC_CREATE:
		r->create.index = t->index;
		strscpy(r->create.label, t->label, sizeof(r->create.label));
		break;
	case VTPM_REC_ABORT:
		r->abort_batch = k->abort_batch;
		break;
	}
}

/**
 * vtpm_log_encode() - the body of a record
 * @r:	  the record
 * @seq:  its sequence number
 * @body: out: its body
 * @cap:  room at @body
 *
 * Return: the body's length, or -EINVAL.
 */
int vtpm_log_encode(const struct vtpm_krec *r, u64 seq, u8 *body, size_t cap)
{
	struct vtpm_log_rec *rec;
	size_t len;

	rec = kmalloc(sizeof(*rec), GFP_KERNEL);
	if (!rec)
		return -ENOMEM;
	vtpm_log_rec_of(r, seq, rec);
	len = vtpm_rec_encode(rec, body, cap);
	kfree(rec);
	return len ? len : -EINVAL;
}

/* A record's salt; an ABORT's is zero, so that its leaf is public. */
static int vtpm_log_salt(const struct vtpm_krec *r, u64 seq, u8 *salt)
{
	if (r->type == VTPM_REC_ABORT) {
		memset(salt, 0, VTPM_SALT_SIZE);
		return 0;
	}
	return vtpm_rec_salt(vlog.salt_key, sizeof(vlog.salt_key), seq, salt);
}

/**
 * vtpm_log_leaf() - the leaf of a record
 * @r:	  the record
 * @seq:  the sequence number it gets
 * @leaf: out: VTPM_LEAF_SIZE bytes
 *
 * Return: 0 or -errno.
 */
int vtpm_log_leaf(const struct vtpm_krec *r, u64 seq, u8 *leaf)
{
	static const u8 no_tag[VTPM_TAG_SIZE];
	u8 salt[VTPM_SALT_SIZE];
	const u8 *tag = no_tag;
	u8 *body;
	int len, ret;

	body = kmalloc(VTPM_REC_MAX_BODY, GFP_KERNEL);
	if (!body)
		return -ENOMEM;
	len = vtpm_log_encode(r, seq, body, VTPM_REC_MAX_BODY);
	if (len < 0) {
		ret = len;
		goto out;
	}
	if (r->tenant != VTPM_NO_TENANT)
		tag = vtpm_log_tenant(r->tenant)->tag;
	ret = vtpm_log_salt(r, seq, salt);
	if (!ret)
		ret = vtpm_rec_leaf(salt, tag, body, len, leaf);
	memzero_explicit(salt, sizeof(salt));
out:
	kfree(body);
	return ret;
}

static size_t vtpm_packed_size(const struct vtpm_krec *r)
{
	size_t n = VTPM_PACKED_HDR + r->count;
	u32 i;

	for (i = 0; i < r->count; i++)
		n += vlog.banks->bank[r->bank[i]].size;
	if (r->type == VTPM_REC_ABORT)
		n += 8;
	return n;
}

/* Where the next record of @size bytes goes (reserved beforehand). */
static u8 *vtpm_log_room(size_t size)
{
	if (vlog.chunks[vlog.w_chunk] &&
	    vlog.w_off + size > VTPM_CHUNK_SIZE) {
		WRITE_ONCE(vlog.chunk_used[vlog.w_chunk], vlog.w_off);
		vlog.w_chunk++;
		vlog.w_off = 0;
	}
	if (vlog.w_chunk >= vlog.nr_chunks || !vlog.chunks[vlog.w_chunk])
		return NULL;
	return vlog.chunks[vlog.w_chunk] + vlog.w_off;
}

/**
 * vtpm_log_reserve() - make sure a batch can be appended
 * @recs: its records
 * @n:	  their number
 *
 * The mux calls this before the hardware extend, so that appending the
 * batch once the hardware said yes cannot fail.
 *
 * Return: 0, -ENOSPC beyond the log's capacity, or -ENOMEM.
 */
int vtpm_log_reserve(const struct vtpm_krec *recs, u32 n)
{
	u64 batch = vlog.cut.batches;
	u32 bc = batch / VTPM_BATCH_CHUNK;
	u32 c = vlog.w_chunk, off = vlog.w_off, i;

	if (!n || n > VTPM_MAX_BATCH || vlog.cut.records + n > vlog.capacity ||
	    bc >= vlog.nr_batch_chunks)
		return -ENOSPC;
	if (!vlog.batch_chunks[bc]) {
		vlog.batch_chunks[bc] = kvmalloc(VTPM_CHUNK_SIZE, GFP_KERNEL);
		if (!vlog.batch_chunks[bc])
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		size_t size = vtpm_packed_size(&recs[i]);

		if (vlog.chunks[c] && off + size > VTPM_CHUNK_SIZE) {
			c++;
			off = 0;
		}
		if (c >= vlog.nr_chunks)
			return -ENOSPC;
		if (!vlog.chunks[c]) {
			vlog.chunks[c] = kvmalloc(VTPM_CHUNK_SIZE, GFP_KERNEL);
			if (!vlog.chunks[c])
				return -ENOMEM;
		}
		off += size;
	}
	return 0;
}

/**
 * vtpm_log_append() - append one batch, anchored in the hardware PCR
 * @recs:   its records, in order
 * @leaves: their leaves, @n * VTPM_LEAF_SIZE bytes
 * @n:	    1..VTPM_MAX_BATCH
 *
 * Only the mux's leader calls this, after the hardware said yes, and after
 * vtpm_log_reserve() succeeded for the same batch.
 *
 * Return: 0, or -ENOSPC if the batch was not reserved.
 */
int vtpm_log_append(const struct vtpm_krec *recs, const u8 *leaves, u32 n)
{
	u64 batch = vlog.cut.batches;
	u32 bc = batch / VTPM_BATCH_CHUNK;
	struct vtpm_tenant *t;
	u32 i, j;

	if (!n || n > VTPM_MAX_BATCH || bc >= vlog.nr_batch_chunks ||
	    !vlog.batch_chunks[bc])
		return -ENOSPC;
	for (i = 0; i < n; i++) {
		const struct vtpm_krec *r = &recs[i];
		size_t size = vtpm_packed_size(r);
		u8 *p = vtpm_log_room(size);

		if (!p)
			return -ENOSPC;
		p[0] = r->type;
		p[1] = r->pcr;
		p[2] = r->count;
		p[3] = 0;
		memcpy(p + 4, &r->tenant, 4);
		memcpy(p + 8, leaves + i * VTPM_LEAF_SIZE, VTPM_LEAF_SIZE);
		p += VTPM_PACKED_HDR;
		memcpy(p, r->bank, r->count);
		p += r->count;
		for (j = 0; j < r->count; j++) {
			u16 size = vlog.banks->bank[r->bank[j]].size;

			memcpy(p, r->digest[j], size);
			p += size;
		}
		if (r->type == VTPM_REC_ABORT)
			memcpy(p, &r->abort_batch, 8);
		vlog.w_off += size;
	}
	vlog.batch_chunks[bc][batch % VTPM_BATCH_CHUNK] = n;
	for (i = 0; i < n; i++) {
		if (recs[i].tenant == VTPM_NO_TENANT)
			continue;
		t = vtpm_log_tenant(recs[i].tenant);
		if (vtpm_commit_add(&t->w_commit, leaves + i * VTPM_LEAF_SIZE))
			WRITE_ONCE(t->commit_err, true);
	}

	spin_lock(&vlog.lock);
	vlog.cut.batches++;
	vlog.cut.records += n;
	vlog.cut.bytes = (u64)vlog.w_chunk * VTPM_CHUNK_SIZE + vlog.w_off;
	for (i = 0; i < n; i++) {
		if (recs[i].tenant == VTPM_NO_TENANT)
			continue;
		t = vtpm_log_tenant(recs[i].tenant);
		t->commit = t->w_commit;
	}
	spin_unlock(&vlog.lock);
	return 0;
}

/* ---- readers ---- */

/**
 * struct vtpm_log_iter - walks the records of a cut
 * @chunk: current chunk
 * @off:   offset in it
 * @rec:   the current record, unpacked
 * @leaf:  its leaf (points into the arena)
 */
struct vtpm_log_iter {
	u32 chunk;
	u32 off;
	struct vtpm_krec rec;
	const u8 *leaf;
};

static void vtpm_log_iter_next(struct vtpm_log_iter *it)
{
	struct vtpm_krec *r = &it->rec;
	const u8 *p;
	u32 j;
	u32 used = READ_ONCE(vlog.chunk_used[it->chunk]);

	if (used && it->off >= used) {
		it->chunk++;
		it->off = 0;
	}
	p = vlog.chunks[it->chunk] + it->off;
	r->type = p[0];
	r->pcr = p[1];
	r->count = p[2];
	memcpy(&r->tenant, p + 4, 4);
	it->leaf = p + 8;
	p += VTPM_PACKED_HDR;
	memcpy(r->bank, p, r->count);
	p += r->count;
	for (j = 0; j < r->count; j++) {
		u16 size = vlog.banks->bank[r->bank[j]].size;

		memcpy(r->digest[j], p, size);
		p += size;
	}
	if (r->type == VTPM_REC_ABORT)
		memcpy(&r->abort_batch, p, 8);
	else
		r->abort_batch = 0;
	it->off += vtpm_packed_size(r);
}

static u16 vtpm_log_batch_count(u64 batch)
{
	return vlog.batch_chunks[batch / VTPM_BATCH_CHUNK]
				[batch % VTPM_BATCH_CHUNK];
}

/* records of one tenant in one batch: one change per command at a time */
#define VTPM_WALK_PENDING	4

/**
 * struct vtpm_walk - state of one vtpm_log_walk()
 * @it:	     the iterator
 * @n:	     records of the tenant in the batch before the current one
 * @seq:     their sequence numbers
 * @pending: the records
 */
struct vtpm_walk {
	struct vtpm_log_iter it;
	u32 n;
	u64 seq[VTPM_WALK_PENDING];
	struct vtpm_krec pending[VTPM_WALK_PENDING];
};

static int vtpm_walk_flush(struct vtpm_walk *w,
			   int (*fn)(void *ctx, const struct vtpm_krec *r,
				     u64 seq),
			   void *ctx)
{
	u32 i;
	int ret;

	for (i = 0; i < w->n; i++) {
		ret = fn(ctx, &w->pending[i], w->seq[i]);
		if (ret)
			return ret;
	}
	w->n = 0;
	return 0;
}

/**
 * vtpm_log_walk() - the records of one tenant that changed its vPCRs
 * @cut:    how far to walk
 * @tenant: whose records
 * @fn:	    called for each of them, in log order, with its sequence number
 * @ctx:    for @fn
 *
 * Records of a batch that an ABORT voided are skipped.  The last batch of
 * @cut may yet be voided by the next one: a caller that needs certainty
 * checks what it computed against the vPCRs.  Sleeps.
 *
 * Return: 0, what @fn returned if not 0, -E2BIG if a batch holds more
 * records of @tenant than a walk can keep, or -ENOMEM.
 */
int vtpm_log_walk(const struct vtpm_log_cut *cut,
		  const struct vtpm_tenant *tenant,
		  int (*fn)(void *ctx, const struct vtpm_krec *r, u64 seq),
		  void *ctx)
{
	struct vtpm_walk *w;
	u64 batch, seq = 0;
	int ret = 0;

	w = kzalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	for (batch = 0; batch < cut->batches; batch++) {
		u16 n = vtpm_log_batch_count(batch), i;

		for (i = 0; i < n; i++, seq++) {
			const struct vtpm_krec *r = &w->it.rec;

			vtpm_log_iter_next(&w->it);
			if (!i) {
				if (r->type == VTPM_REC_ABORT &&
				    r->abort_batch + 1 == batch)
					w->n = 0;
				ret = vtpm_walk_flush(w, fn, ctx);
				if (ret)
					goto out;
			}
			if (r->tenant != tenant->id)
				continue;
			if (w->n == VTPM_WALK_PENDING) {
				ret = -E2BIG;
				goto out;
			}
			w->pending[w->n] = *r;
			w->seq[w->n++] = seq;
		}
		cond_resched();
	}
	ret = vtpm_walk_flush(w, fn, ctx);
out:
	kfree_sensitive(w);
	return ret;
}

/* the largest item a reader renders at once: a clear entry or a header */
#define VTPM_READER_ITEM	(1 + VTPM_SALT_SIZE + VTPM_TAG_SIZE + 2 + \
				 VTPM_REC_MAX_BODY)

/**
 * struct vtpm_log_reader - one serialisation of the log at one cut
 * @lock:    serialises the reader's users (one open file's readers); a
 *	     mutex: held while copying to user space, which only the file's
 *	     own readers wait for
 * @cut:     the cut it renders
 * @commit:  a view's commitment at @cut (its header)
 * @viewer:  the tenant of a view or ASCII list, NULL for the full log
 * @ascii:   the ASCII list
 * @it:	     the position in the arena
 * @batch:   the batch being rendered
 * @n:	     its records
 * @i:	     those rendered of it
 * @seq:     the sequence number of the next record
 * @started: the header is rendered
 * @in_batch: @batch's header is rendered and its records follow
 * @skip:    ASCII: @batch is voided, its records are not shown
 * @pos:     offset in the output of @item[0]
 * @item_len: bytes in @item
 * @item_off: of which already read
 * @w:	     scratch: the writer into @item
 * @rec:     scratch: the decoded record
 * @body:    scratch: its body
 * @line:    scratch: its ASCII line
 * @item:    the item being read: the header, a batch's header or an entry
 *
 * Its memory is constant, whatever the size of the log, and charged to the
 * task that made it (Documentation/abi.md, "Memory").
 */
struct vtpm_log_reader {
	struct mutex lock;	/* see above */
	struct vtpm_log_cut cut;
	struct vtpm_log_commit commit;
	const struct vtpm_tenant *viewer;
	bool ascii;
	struct vtpm_log_iter it;
	u64 batch;
	u16 n;
	u16 i;
	u64 seq;
	bool started;
	bool in_batch;
	bool skip;
	loff_t pos;
	u32 item_len;
	u32 item_off;
	struct tpm_wr w;
	struct vtpm_log_rec rec;
	u8 body[VTPM_REC_MAX_BODY];
	char line[256];
	u8 item[VTPM_READER_ITEM];
};

/* Render the current record into @rd->w (nothing if not shown). */
static int vtpm_render_rec(struct vtpm_log_reader *rd)
{
	static const u8 no_tag[VTPM_TAG_SIZE];
	const struct vtpm_log_iter *it = &rd->it;
	const struct vtpm_krec *k = &it->rec;
	bool global = k->tenant == VTPM_NO_TENANT;
	u8 salt[VTPM_SALT_SIZE];
	size_t len;
	int ret;

	if (rd->ascii) {
		if (global || k->tenant != rd->viewer->id)
			return 0;
		vtpm_log_rec_of(k, rd->seq, &rd->rec);
		len = vtpm_rec_ascii(&rd->rec, it->leaf, rd->line,
				     sizeof(rd->line));
		tpm_wr_bytes(&rd->w, rd->line, len);
		return 0;
	}
	if (rd->viewer && !global && k->tenant != rd->viewer->id) {
		vtpm_log_wr_leaf(&rd->w, it->leaf);
		return 0;
	}
	vtpm_log_rec_of(k, rd->seq, &rd->rec);
	len = vtpm_rec_encode(&rd->rec, rd->body, sizeof(rd->body));
	if (!len)
		return -EINVAL;
	ret = vtpm_log_salt(k, rd->seq, salt);
	if (ret)
		return ret;
	vtpm_log_wr_clear(&rd->w, salt, global ? no_tag :
			  vtpm_log_tenant(k->tenant)->tag, rd->body, len);
	memzero_explicit(salt, sizeof(salt));
	return 0;
}

/*
 * Whether batch @batch (its @n records start at @it) is voided by an ABORT
 * first in the next batch: the ASCII list shows what changed vPCRs only.
 */
static bool vtpm_log_voided(const struct vtpm_log_iter *it,
			    const struct vtpm_log_cut *cut, u64 batch, u16 n)
{
	struct vtpm_log_iter ahead = *it;
	u16 i;

	if (batch + 1 >= cut->batches)
		return false;
	for (i = 0; i <= n; i++)
		vtpm_log_iter_next(&ahead);
	return ahead.rec.type == VTPM_REC_ABORT &&
	       ahead.rec.abort_batch == batch;
}

static void vtpm_render_header(struct vtpm_log_reader *rd)
{
	struct vtpm_log_header h = {
		.kind = rd->viewer ? VTPM_LOG_VIEW : VTPM_LOG_FULL,
		.hw_pcr = vlog.hw_pcr,
		.nr_banks = vlog.banks->nr,
		.nr_batches = rd->cut.batches,
	};
	u32 i;

	for (i = 0; i < vlog.banks->nr; i++)
		h.algs[i] = vlog.banks->bank[i].alg;
	if (rd->viewer) {
		memcpy(h.uuid, rd->viewer->uuid, VTPM_UUID_SIZE);
		h.commit = rd->commit;
	}
	vtpm_log_wr_header(&rd->w, &h);
}

/* records walked between two cond_resched() when none of them is shown */
#define VTPM_READER_RESCHED	1024

/*
 * Render the next item into @rd->item: 1 when there is one, 0 at the end,
 * or -errno.
 */
static int vtpm_reader_next(struct vtpm_log_reader *rd)
{
	u32 walked = 0;
	int ret;

	tpm_wr_init(&rd->w, rd->item, sizeof(rd->item));
	rd->pos += rd->item_len;
	rd->item_len = 0;
	rd->item_off = 0;
	if (!rd->started) {
		rd->started = true;
		if (!rd->ascii)
			vtpm_render_header(rd);
	}
	while (!rd->w.pos) {
		if (rd->in_batch && rd->i < rd->n) {
			vtpm_log_iter_next(&rd->it);
			rd->i++;
			if (!rd->skip) {
				ret = vtpm_render_rec(rd);
				if (ret)
					return ret;
			}
			rd->seq++;
			if (++walked % VTPM_READER_RESCHED == 0)
				cond_resched();
			continue;
		}
		if (rd->in_batch) {
			rd->batch++;
			rd->in_batch = false;
		}
		if (rd->batch >= rd->cut.batches)
			break;
		rd->n = vtpm_log_batch_count(rd->batch);
		rd->i = 0;
		rd->in_batch = true;
		rd->skip = rd->ascii &&
			   vtpm_log_voided(&rd->it, &rd->cut, rd->batch, rd->n);
		if (!rd->ascii)
			vtpm_log_wr_batch(&rd->w, rd->batch, rd->n);
	}
	if (rd->w.err)
		return -EOVERFLOW;
	rd->item_len = rd->w.pos;
	return rd->item_len ? 1 : 0;
}

/* Back to the start of the output. */
static void vtpm_reader_rewind(struct vtpm_log_reader *rd)
{
	memset(&rd->it, 0, sizeof(rd->it));
	rd->batch = 0;
	rd->n = 0;
	rd->i = 0;
	rd->seq = 0;
	rd->started = false;
	rd->in_batch = false;
	rd->skip = false;
	rd->pos = 0;
	rd->item_len = 0;
	rd->item_off = 0;
}

/**
 * vtpm_log_reader_new() - a reader of the log as it was at @cut
 * @cut:    the cut
 * @viewer: the tenant of a view or ASCII list, NULL for the full log
 * @commit: a view's commitment: @viewer's at @cut (NULL otherwise)
 * @ascii:  @viewer's ASCII list instead of its view
 *
 * Return: the reader (vtpm_log_reader_free() it), or an ERR_PTR.
 */
struct vtpm_log_reader *vtpm_log_reader_new(const struct vtpm_log_cut *cut,
					    const struct vtpm_tenant *viewer,
					    const struct vtpm_log_commit *commit,
					    bool ascii)
{
	struct vtpm_log_reader *rd;

	if ((ascii && !viewer) || (viewer && !ascii && !commit))
		return ERR_PTR(-EINVAL);
	rd = kzalloc(sizeof(*rd), GFP_KERNEL_ACCOUNT);
	if (!rd)
		return ERR_PTR(-ENOMEM);
	mutex_init(&rd->lock);
	rd->cut = *cut;
	if (commit)
		rd->commit = *commit;
	rd->viewer = viewer;
	rd->ascii = ascii;
	return rd;
}

/**
 * vtpm_log_reader_now() - a reader of the log at the cut published now
 * @viewer: as for vtpm_log_reader_new()
 * @ascii:  as for vtpm_log_reader_new()
 *
 * Return: as vtpm_log_reader_new(), or ERR_PTR(-EIO) if @viewer's
 * commitment could not be computed.
 */
struct vtpm_log_reader *vtpm_log_reader_now(const struct vtpm_tenant *viewer,
					    bool ascii)
{
	struct vtpm_log_commit commit;
	struct vtpm_log_cut cut;
	int ret;

	if (!viewer) {
		vtpm_log_cut(&cut);
		return vtpm_log_reader_new(&cut, NULL, NULL, ascii);
	}
	ret = vtpm_log_cut_of(&cut, viewer, &commit);
	if (ret)
		return ERR_PTR(ret);
	return vtpm_log_reader_new(&cut, viewer, &commit, ascii);
}

void vtpm_log_reader_free(struct vtpm_log_reader *rd)
{
	if (!IS_ERR_OR_NULL(rd))
		kfree_sensitive(rd);
}

const struct vtpm_log_cut *vtpm_log_reader_cut(const struct vtpm_log_reader *rd)
{
	return &rd->cut;
}

/**
 * vtpm_log_reader_size() - the length of the whole output
 * @rd:  the reader
 * @len: out: its length
 *
 * Renders the output once without keeping it, then rewinds.
 *
 * Return: 0 or -errno.
 */
int vtpm_log_reader_size(struct vtpm_log_reader *rd, size_t *len)
{
	int ret;

	mutex_lock(&rd->lock);
	vtpm_reader_rewind(rd);
	while ((ret = vtpm_reader_next(rd)) > 0)
		;
	*len = rd->pos + rd->item_len;
	vtpm_reader_rewind(rd);
	mutex_unlock(&rd->lock);
	return ret;
}

/**
 * vtpm_log_reader_read() - read the output from *@ppos
 * @rd:	   the reader
 * @buf:   where to, in user space
 * @count: at most this many bytes
 * @ppos:  the offset, advanced by what was read
 *
 * Renders on the fly: reading on from where the last read ended costs
 * only the bytes read; an offset before that renders from the start.
 *
 * Return: the bytes read (0 at the end), -EFAULT, -EINVAL for a negative
 * offset, or another -errno.
 */
ssize_t vtpm_log_reader_read(struct vtpm_log_reader *rd, char __user *buf,
			     size_t count, loff_t *ppos)
{
	size_t done = 0;
	ssize_t ret = 0;

	if (*ppos < 0)
		return -EINVAL;
	mutex_lock(&rd->lock);
	if (*ppos < rd->pos)
		vtpm_reader_rewind(rd);
	else if (*ppos < rd->pos + rd->item_off)
		rd->item_off = *ppos - rd->pos;	/* back, in the same item */
	while (done < count) {
		size_t n;

		if (rd->item_off == rd->item_len) {
			ret = vtpm_reader_next(rd);
			if (ret <= 0)
				break;
		}
		/* skip what lies before *ppos */
		if (rd->pos + rd->item_off < *ppos) {
			n = min_t(u64, rd->item_len - rd->item_off,
				  *ppos - (rd->pos + rd->item_off));
			rd->item_off += n;
			continue;
		}
		n = min_t(size_t, rd->item_len - rd->item_off, count - done);
		if (copy_to_user(buf + done, rd->item + rd->item_off, n)) {
			ret = -EFAULT;
			break;
		}
		rd->item_off += n;
		done += n;
		if (fatal_signal_pending(current))
			break;
	}
	mutex_unlock(&rd->lock);
	*ppos += done;
	if (done)
		return done;
	return ret < 0 ? ret : 0;
}
