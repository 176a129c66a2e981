// SPDX-License-Identifier: GPL-2.0
/*
 * The mapping log in the selftests; see vtpm_mlog.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <openssl/evp.h>

#include "vtpm_crypto.h"
#include "vtpm_mlog.h"

/*
 * The harness ends each test's process with _exit(): what a test printed
 * to a pipe (run_tests.sh tees the output) with ksft_print_msg() would be
 * lost in stdio's buffer.  Every line goes out at once instead.
 */
static void __attribute__((constructor)) stdout_line_buffered(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
}

int mux_status_read(struct mux_status *s)
{
	char line[128], key[32], val[16];
	unsigned int seen = 0;
	FILE *f;

	memset(s, 0, sizeof(*s));
	f = fopen(SECFS_STATUS, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		static const struct {
			const char *key;
			size_t off;
		} keys[] = {
			{ "pcr", offsetof(struct mux_status, pcr) },
			{ "batches", offsetof(struct mux_status, batches) },
			{ "records", offsetof(struct mux_status, records) },
			{ "max_log_entries",
			  offsetof(struct mux_status, max_log_entries) },
			{ "hw_extends", offsetof(struct mux_status, hw_extends) },
			{ "hw_errors", offsetof(struct mux_status, hw_errors) },
			{ "coalesced", offsetof(struct mux_status, coalesced) },
			{ "aborts", offsetof(struct mux_status, aborts) },
			{ "refused_full",
			  offsetof(struct mux_status, refused_full) },
		};

		if (sscanf(line, "%31s %15s", key, val) != 2)
			continue;
		if (!strcmp(key, "state")) {
			snprintf(s->state, sizeof(s->state), "%s", val);
			seen |= 1u << 15;
			continue;
		}
		for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
			if (strcmp(key, keys[i].key))
				continue;
			*(uint64_t *)((char *)s + keys[i].off) =
				strtoull(val, NULL, 10);
			seen |= 1u << i;
		}
	}
	fclose(f);
	return seen == ((1u << 15) | 0x1ff) ? 0 : -EPROTO;
}

long long mux_param(const char *name)
{
	char path[128], buf[32];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/module/vtpm_mux/parameters/%s",
		 name);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f)) {
		if (buf[0] == 'Y')
			v = 1;
		else if (buf[0] == 'N')
			v = 0;
		else
			v = strtoll(buf, NULL, 10);
	}
	fclose(f);
	return v;
}

int read_whole(const char *path, uint8_t **buf, size_t *len)
{
	size_t cap = 1 << 16, have = 0;
	uint8_t *p = malloc(cap);
	int fd, e;

	if (!p)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		e = -errno;
		free(p);
		return e;
	}
	for (;;) {
		ssize_t n;

		if (have == cap) {
			uint8_t *q = realloc(p, cap * 2);

			if (!q) {
				e = -ENOMEM;
				goto err;
			}
			p = q;
			cap *= 2;
		}
		n = read(fd, p + have, cap - have);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			e = -errno;
			goto err;
		}
		if (n == 0)
			break;
		have += n;
	}
	close(fd);
	*buf = p;
	*len = have;
	return 0;
err:
	close(fd);
	free(p);
	return e;
}

int view_ioctl(int fd, bool ascii, uint8_t **buf, size_t *len,
	       uint64_t *batches)
{
	size_t cap = 4096;

	for (int tries = 0; tries < 32; tries++) {
		struct vtpm_log_req req;
		uint8_t *p = malloc(cap);

		if (!p)
			return -ENOMEM;
		memset(&req, 0, sizeof(req));
		req.size = sizeof(req);
		req.flags = ascii ? VTPM_LOG_REQ_ASCII : 0;
		req.buf = (uintptr_t)p;
		req.len = cap;
		if (ioctl(fd, VTPM_IOC_GET_LOG, &req) == 0) {
			if (req.len > cap) {
				free(p);
				return -EPROTO;
			}
			*buf = p;
			*len = req.len;
			if (batches)
				*batches = req.batches;
			return 0;
		}
		free(p);
		if (errno != ENOSPC)
			return -errno;
		/* it may grow meanwhile: some room to spare */
		cap = req.len + req.len / 4 + 4096;
	}
	return -EAGAIN;
}

/* room for the vPCRs of the widest banks the format allows */
#define TENANT_SIZE (sizeof(struct vtpm_tpm) + \
		     VTPM_NUM_PCRS * VTPM_MAX_BANKS * VTPM_MAX_DIGEST_SIZE)

/*
 * The instance cache of the replay: 16384 instances, more than a test's log
 * has; one allocation, so that free() frees it all.
 */
#define REPLAY_SETS	4096

struct vtpm_replay *replay_new(void)
{
	struct vtpm_replay *r = calloc(1, sizeof(*r) + TENANT_SIZE +
				       REPLAY_SETS * sizeof(*r->sets));

	if (r) {
		r->tenant = (struct vtpm_tpm *)(r + 1);
		r->sets = (struct vtpm_replay_set *)((char *)r->tenant +
						     TENANT_SIZE);
		r->nr_sets = REPLAY_SETS;
	}
	return r;
}

int replay_run(struct vtpm_replay *r, const uint8_t *log, size_t len,
	       const uint8_t *uuid)
{
	memset(r->uuid, 0, sizeof(r->uuid));
	if (uuid)
		memcpy(r->uuid, uuid, sizeof(r->uuid));
	memset(r->tenant, 0, TENANT_SIZE);
	return vtpm_log_replay(log, len, r);
}

const uint8_t *replay_vpcr(const struct vtpm_replay *r, unsigned int pcr,
			   unsigned int b)
{
	return r->tenant->pcr + pcr * r->banks.stride + r->banks.bank[b].offset;
}

/* ---- the independent walk ---------------------------------------------- */

static const EVP_MD *md_of(uint16_t alg)
{
	switch (alg) {
	case ALG_SHA1:
		return EVP_sha1();
	case ALG_SHA256:
		return EVP_sha256();
	case ALG_SHA384:
		return EVP_sha384();
	case ALG_SHA512:
		return EVP_sha512();
	}
	return NULL;
}

/* H_alg(the nparts parts) */
static bool hash_parts(uint16_t alg, const void *const *p, const size_t *l,
		       int nparts, uint8_t *out)
{
	const EVP_MD *md = md_of(alg);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && md && EVP_DigestInit_ex(ctx, md, NULL);

	for (int i = 0; ok && i < nparts; i++)
		ok = EVP_DigestUpdate(ctx, p[i], l[i]);
	ok = ok && EVP_DigestFinal_ex(ctx, out, NULL);
	EVP_MD_CTX_free(ctx);
	return ok;
}

const uint8_t *rd_bytes(struct rd *r, size_t n)
{
	const uint8_t *q;

	if (r->err || r->len - r->pos < n) {
		r->err = true;
		return NULL;
	}
	q = r->p + r->pos;
	r->pos += n;
	return q;
}

uint64_t rd_be(struct rd *r, int bytes)
{
	const uint8_t *q = rd_bytes(r, bytes);
	uint64_t v = 0;

	for (int i = 0; q && i < bytes; i++)
		v = v << 8 | q[i];
	return v;
}

static int walk_fail(struct walk *w, size_t off, const char *why)
{
	w->why = why;
	w->err_offset = off;
	return -EPROTO;
}

/* the start values of the genesis record's body */
static int walk_genesis(struct walk *w, const uint8_t *b, size_t blen,
			size_t off)
{
	struct rd r = { .p = b, .len = blen };
	unsigned int nb;

	/* version, type, seq, uuid, pcr, count (0), xlen */
	rd_bytes(&r, 1 + 1 + 8 + 16 + 4);
	if (rd_be(&r, 1) != 0)
		return walk_fail(w, off, "genesis with digests");
	rd_be(&r, 2);
	if (rd_be(&r, 4) != w->hw_pcr)
		return walk_fail(w, off, "genesis of another PCR");
	nb = rd_be(&r, 1);
	if (nb != w->nr_banks)
		return walk_fail(w, off, "genesis with other banks");
	for (unsigned int i = 0; i < nb; i++) {
		const struct alg_desc *a;
		const uint8_t *d;

		if (rd_be(&r, 2) != w->algs[i])
			return walk_fail(w, off, "genesis with other banks");
		a = alg_by_id(w->algs[i]);
		d = rd_bytes(&r, a->size);
		if (!d)
			break;
		memcpy(w->start[i], d, a->size);
		memcpy(w->pcr[i], d, a->size);
	}
	return r.err ? walk_fail(w, off, "genesis truncated") : 0;
}

bool commit_add(struct vtpm_log_commit *c, const uint8_t *leaf)
{
	static const char chain_dom[] = "vtpm-mux chain v1";
	const void *p[] = { chain_dom, c->chain, leaf };
	size_t l[] = { 17, 32, 32 };
	uint8_t out[32];

	if (!hash_parts(ALG_SHA256, p, l, 3, out))
		return false;
	memcpy(c->chain, out, 32);
	c->records++;
	return true;
}

bool rec_of_instance(const uint8_t *body)
{
	return body_type(body) != VTPM_REC_GENESIS &&
	       body_type(body) != VTPM_REC_ABORT;
}

/* a clear record's part in the commitments the walk computes */
static bool walk_commit_entry(struct walk *w, const struct walk_entry *e)
{
	if (!rec_of_instance(e->body))
		return true;
	if (w->kind == VTPM_LOG_VIEW &&
	    !memcmp(body_uuid(e->body), w->uuid, 16) &&
	    !commit_add(&w->commit, e->leaf))
		return false;
	for (unsigned int i = 0; i < w->ntargets; i++) {
		struct commit_target *t = &w->targets[i];

		if ((!t->upto || e->batch < t->upto) &&
		    !memcmp(body_uuid(e->body), t->uuid, 16) &&
		    !commit_add(&t->c, e->leaf))
			return false;
	}
	return true;
}

int walk_log(const uint8_t *log, size_t len, struct walk *w)
{
	static const char leaf_dom[] = "vtpm-mux leaf v1";
	static const char batch_dom[] = "vtpm-mux batch v1";
	struct rd r = { .p = log, .len = len };
	uint8_t (*leaves)[32] = NULL;
	const uint8_t *magic;
	int ret = 0;

	w->batches = w->records = w->clear = 0;
	w->why = NULL;
	memset(&w->hdr_commit, 0, sizeof(w->hdr_commit));
	memset(&w->commit, 0, sizeof(w->commit));
	w->commit_offset = 0;
	for (unsigned int i = 0; i < w->ntargets; i++)
		memset(&w->targets[i].c, 0, sizeof(w->targets[i].c));
	magic = rd_bytes(&r, 8);
	if (!magic || memcmp(magic, "VTPMLOG", 8))
		return walk_fail(w, 0, "bad magic");
	/* version 2: a view's header carries its instance's commitment */
	if (rd_be(&r, 2) != 2)
		return walk_fail(w, 8, "bad version");
	w->kind = rd_be(&r, 2);
	if (w->kind != VTPM_LOG_FULL && w->kind != VTPM_LOG_VIEW)
		return walk_fail(w, 10, "bad kind");
	w->hw_pcr = rd_be(&r, 4);
	w->nr_banks = rd_be(&r, 1);
	if (!w->nr_banks || w->nr_banks > VTPM_MAX_BANKS)
		return walk_fail(w, 16, "bad number of banks");
	for (unsigned int i = 0; i < w->nr_banks; i++) {
		w->algs[i] = rd_be(&r, 2);
		if (!r.err && !alg_by_id(w->algs[i]))
			return walk_fail(w, r.pos - 2, "unknown bank");
	}
	if (rd_bytes(&r, 16))
		memcpy(w->uuid, r.p + r.pos - 16, 16);
	if (rd_be(&r, 8) != 0)
		return walk_fail(w, r.pos, "first batch not 0");
	uint64_t nb = rd_be(&r, 8);

	if (w->kind == VTPM_LOG_VIEW) {
		const uint8_t *chain;

		w->commit_offset = r.pos;
		w->hdr_commit.records = rd_be(&r, 8);
		chain = rd_bytes(&r, 32);
		if (chain)
			memcpy(w->hdr_commit.chain, chain, 32);
	}
	if (r.err)
		return walk_fail(w, r.pos, "header truncated");
	leaves = malloc(VTPM_MAX_BATCH * sizeof(*leaves));
	if (!leaves)
		return -ENOMEM;
	for (uint64_t b = 0; b < nb; b++) {
		size_t at = r.pos;
		uint8_t hdr[12];
		uint32_t n;

		if (rd_be(&r, 8) != b) {
			ret = walk_fail(w, at, "batch number");
			goto out;
		}
		n = rd_be(&r, 4);
		if (r.err || !n || n > VTPM_MAX_BATCH) {
			ret = walk_fail(w, at, "batch size");
			goto out;
		}
		for (uint32_t i = 0; i < n; i++) {
			struct walk_entry e = {
				.batch = b, .index = i, .n = n,
				.offset = r.pos,
			};
			const uint8_t *salt;

			e.form = rd_be(&r, 1);
			if (e.form == VTPM_ENTRY_LEAF) {
				e.leaf = rd_bytes(&r, 32);
				if (e.leaf)
					memcpy(leaves[i], e.leaf, 32);
			} else if (e.form == VTPM_ENTRY_CLEAR) {
				salt = rd_bytes(&r, 32);
				e.tag = rd_bytes(&r, 32);
				e.blen = rd_be(&r, 2);
				e.body = rd_bytes(&r, e.blen);
				if (e.body) {
					const void *p[] = { leaf_dom, salt,
							    e.tag, e.body };
					size_t l[] = { 16, 32, 32, e.blen };

					if (!hash_parts(ALG_SHA256, p, l, 4,
							leaves[i])) {
						ret = -EIO;
						goto out;
					}
					e.leaf = leaves[i];
				}
				if (e.body && e.blen < 31) {
					ret = walk_fail(w, e.offset, "short body");
					goto out;
				}
				if (e.body && b == 0) {
					ret = walk_genesis(w, e.body, e.blen,
							   e.offset);
					if (ret)
						goto out;
				}
				if (e.body && !walk_commit_entry(w, &e)) {
					ret = -EIO;
					goto out;
				}
				w->clear++;
			} else {
				ret = walk_fail(w, e.offset, "entry form");
				goto out;
			}
			if (r.err) {
				ret = walk_fail(w, r.pos, "entry truncated");
				goto out;
			}
			if (b == 0 && (n != 1 || e.form != VTPM_ENTRY_CLEAR ||
				       body_type(e.body) != VTPM_REC_GENESIS)) {
				ret = walk_fail(w, e.offset, "no genesis");
				goto out;
			}
			w->records++;
			if (w->on_entry) {
				ret = w->on_entry(w->ctx, &e);
				if (ret)
					goto out;
			}
		}
		/* H(domain || u64 batch || u32 n || leaves), then extend */
		for (int k = 0; k < 8; k++)
			hdr[k] = b >> (56 - 8 * k);
		put_be32(hdr + 8, n);
		for (unsigned int k = 0; k < w->nr_banks; k++) {
			const struct alg_desc *a = alg_by_id(w->algs[k]);
			uint8_t digest[64];
			const void *p[] = { batch_dom, hdr, leaves };
			size_t l[] = { 17, 12, (size_t)n * 32 };
			const void *p2[] = { w->pcr[k], digest };
			size_t l2[] = { a->size, a->size };

			if (!hash_parts(a->alg, p, l, 3, digest) ||
			    !hash_parts(a->alg, p2, l2, 2, w->pcr[k])) {
				ret = -EIO;
				goto out;
			}
		}
		w->batches++;
	}
	if (r.pos != len) {
		ret = walk_fail(w, r.pos, "bytes after the last batch");
	} else if (w->kind == VTPM_LOG_VIEW) {
		/* rule 9, computed here: the header's commitment is the view's */
		if (w->commit.records != w->hdr_commit.records)
			ret = walk_fail(w, w->commit_offset,
					w->commit.records < w->hdr_commit.records ?
					"commitment: the view shows fewer records of its instance than its header commits to" :
					"commitment: the view shows more records of its instance than its header commits to");
		else if (memcmp(w->commit.chain, w->hdr_commit.chain, 32))
			ret = walk_fail(w, w->commit_offset + 8,
					"commitment: the view's records of its instance are not the chain its header commits to");
	}
out:
	free(leaves);
	return ret;
}

/* ---- the hardware TPM -------------------------------------------------- */

long hw_pcr_read(unsigned int pcr, unsigned int nalgs, const uint16_t *algs,
		 uint8_t out[][64])
{
	uint8_t (*all)[24][64];
	long rc;
	int fd;

	all = calloc(nalgs ? nalgs : 1, sizeof(*all));
	if (!all)
		return -ENOMEM;
	fd = open(HW_TPM, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		free(all);
		return rc;
	}
	rc = fd_pcr_read_many(fd, nalgs, algs, 1u << pcr, all);
	close(fd);
	for (unsigned int a = 0; !rc && a < nalgs; a++)
		memcpy(out[a], all[a][pcr], 64);
	free(all);
	return rc;
}

long hw_xfer(const uint8_t *cmd, size_t len, uint8_t *resp, size_t cap,
	     int timeout_ms, size_t *rlen)
{
	ssize_t n;
	long rc;
	int fd;

	fd = open(HW_TPM, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = fd_xfer(fd, cmd, len, resp, cap, timeout_ms);
	close(fd);
	if (n < 0)
		return n;
	rc = resp_rc(resp, n);
	if (rc)
		return rc < 0 ? -EPROTO : rc;
	*rlen = n;
	return 0;
}

long hw_read_clock(uint64_t *clock, uint32_t *reset_count,
		   uint32_t *restart_count)
{
	uint8_t cmd[16], resp[64];
	size_t n;
	long rc;

	rc = hw_xfer(cmd, build_read_clock(cmd), resp, sizeof(resp), 10000, &n);
	if (rc)
		return rc;
	/* TPMS_TIME_INFO: time, clockInfo (clock, resetCount, restartCount, safe) */
	if (n != 10 + 8 + 8 + 4 + 4 + 1)
		return -EPROTO;
	*clock = (uint64_t)get_be32(resp + 18) << 32 | get_be32(resp + 22);
	*reset_count = get_be32(resp + 26);
	*restart_count = get_be32(resp + 30);
	return 0;
}

bool mem_contains(const uint8_t *hay, size_t hlen, const void *needle,
		  size_t nlen)
{
	return nlen <= hlen && memmem(hay, hlen, needle, nlen) != NULL;
}

bool leaks_any_8(const uint8_t *hay, size_t hlen, const uint8_t *secret,
		 size_t slen)
{
	for (size_t i = 0; i + 8 <= slen; i++)
		if (mem_contains(hay, hlen, secret + i, 8))
			return true;
	return false;
}

/* ---- vPCR models and comparisons ---------------------------------------- */

void model_init_pcr(struct model *m, const struct banks *bk, unsigned int pcr)
{
	for (unsigned int b = 0; b < bk->n; b++)
		pcr_initial_value(pcr, 64, m->v[b][pcr]);
}

void model_init(struct model *m, const struct banks *bk)
{
	for (unsigned int p = 0; p < NPCR; p++)
		model_init_pcr(m, bk, p);
}

void model_extend(struct model *m, const struct banks *bk, unsigned int pcr,
		  unsigned int b, const uint8_t *d)
{
	uint8_t out[64];

	ossl_digest2(bk->alg[b], m->v[b][pcr], bk->size[b], d, bk->size[b],
		     out);
	memcpy(m->v[b][pcr], out, bk->size[b]);
}

/* Startup: CLEAR re-initialises all, STATE keeps 0-15 */
void model_startup(struct model *m, const struct banks *bk, bool clear)
{
	for (unsigned int p = clear ? 0 : 16; p < NPCR; p++)
		model_init_pcr(m, bk, p);
}

int get_banks(int ctl, uint32_t idx, struct banks *bk)
{
	struct vtpm_mux_info info;
	int r = mux_info(ctl, idx, &info);

	if (r)
		return r;
	memset(bk, 0, sizeof(*bk));
	if (!info.nr_banks || info.nr_banks > VTPM_MAX_BANKS)
		return -EPROTO;
	bk->n = info.nr_banks;
	for (unsigned int i = 0; i < bk->n; i++) {
		const struct alg_desc *a = alg_by_id(info.banks[i]);

		if (!a)
			return -EPROTO;
		bk->alg[i] = a->alg;
		bk->size[i] = a->size;
	}
	return 0;
}

static void hex(const uint8_t *p, size_t n, char *out)
{
	hex_encode(p, n > 64 ? 64 : n, out);
}

/*
 * The replays of log (mlog.c and the independent walk) agree with each
 * other and with the hardware PCR: "" or what differs.
 */
void check_against_hw(const uint8_t *log, size_t len, struct vtpm_replay *r,
		      char *why, size_t wlen)
{
	uint8_t hw[VTPM_MAX_BANKS][64];
	struct walk w = { 0 };
	char a[129], b[129];
	int ret;
	long rc;

	why[0] = '\0';
	ret = replay_run(r, log, len, NULL);
	if (ret) {
		snprintf(why, wlen, "mlog replay: %d (%s at %zu)", ret,
			 r->why, r->err_offset);
		return;
	}
	ret = walk_log(log, len, &w);
	if (ret) {
		snprintf(why, wlen, "walk: %d (%s at %zu)", ret, w.why,
			 w.err_offset);
		return;
	}
	if (w.batches != r->batches || w.records != r->records ||
	    w.nr_banks != r->banks.nr) {
		snprintf(why, wlen, "walk and mlog disagree on the shape");
		return;
	}
	rc = hw_pcr_read(w.hw_pcr, w.nr_banks, w.algs, hw);
	if (rc) {
		snprintf(why, wlen, "PCR_Read of hardware PCR %u: %ld",
			 w.hw_pcr, rc);
		return;
	}
	for (unsigned int k = 0; k < w.nr_banks; k++) {
		unsigned int size = alg_by_id(w.algs[k])->size;

		if (memcmp(w.pcr[k], r->pcr[k], size)) {
			hex(w.pcr[k], size, a);
			hex(r->pcr[k], size, b);
			snprintf(why, wlen, "bank %04x: walk %s, mlog %s",
				 w.algs[k], a, b);
			return;
		}
		if (memcmp(w.pcr[k], hw[k], size)) {
			hex(w.pcr[k], size, a);
			hex(hw[k], size, b);
			snprintf(why, wlen,
				 "bank %04x: log replays to %s, hardware PCR %u holds %s",
				 w.algs[k], a, w.hw_pcr, b);
			return;
		}
	}
}

/* reconstructed vPCRs (r->tenant) == values[bank][pcr]: "" or the first diff */
void cmp_vpcrs(const struct vtpm_replay *r, const struct banks *bk,
	       uint8_t values[][NPCR][64], const char *what, char *why,
	       size_t wlen)
{
	char a[129], b[129];

	why[0] = '\0';
	if (r->banks.nr != bk->n) {
		snprintf(why, wlen, "%s: %u banks in the log, %u in the instance",
			 what, r->banks.nr, bk->n);
		return;
	}
	for (unsigned int k = 0; k < bk->n; k++) {
		for (unsigned int p = 0; p < NPCR; p++) {
			const uint8_t *v = replay_vpcr(r, p, k);

			if (r->banks.bank[k].alg != bk->alg[k]) {
				snprintf(why, wlen, "bank order differs");
				return;
			}
			if (!memcmp(v, values[k][p], bk->size[k]))
				continue;
			hex(v, bk->size[k], a);
			hex(values[k][p], bk->size[k], b);
			snprintf(why, wlen, "%s: PCR %u bank %04x: replay %s, expected %s",
				 what, p, bk->alg[k], a, b);
			return;
		}
	}
}

void check_commit_vs_full(const struct vtpm_log_commit *c, uint64_t batches,
			  const uint8_t *full, size_t flen, const uint8_t *uuid,
			  const char *what, char *why, size_t wlen)
{
	struct commit_target t = { .uuid = uuid, .upto = batches };
	struct walk w = { .targets = &t, .ntargets = 1 };
	char a[65], b[65];
	int ret;

	why[0] = '\0';
	if (!batches) {
		snprintf(why, wlen, "%s: a view of no batch", what);
		return;
	}
	ret = walk_log(full, flen, &w);
	if (ret) {
		snprintf(why, wlen, "%s: the full log does not walk: %d (%s at %zu)",
			 what, ret, w.why ? w.why : "?", w.err_offset);
		return;
	}
	if (w.kind != VTPM_LOG_FULL || w.batches < batches) {
		snprintf(why, wlen, "%s: the full log (kind %u) has %llu batches, the view %llu",
			 what, w.kind, (unsigned long long)w.batches,
			 (unsigned long long)batches);
		return;
	}
	if (t.c.records != c->records) {
		snprintf(why, wlen, "%s: the header commits to %llu records of the instance, the full log has %llu in its first %llu batches",
			 what, (unsigned long long)c->records,
			 (unsigned long long)t.c.records,
			 (unsigned long long)batches);
		return;
	}
	if (memcmp(t.c.chain, c->chain, 32)) {
		hex(c->chain, 32, a);
		hex(t.c.chain, 32, b);
		snprintf(why, wlen, "%s: the header's chain %s, the full log's %s",
			 what, a, b);
	}
}

/* a view replays (both ways) and belongs to uuid (vtpm idx); "" or why not */
void check_view(const uint8_t *v, size_t len, const uint8_t *uuid,
		unsigned int idx, struct vtpm_replay *r, char *why, size_t wlen)
{
	struct walk w = { 0 };
	int ret;

	why[0] = '\0';
	ret = replay_run(r, v, len, uuid);
	if (ret) {
		snprintf(why, wlen, "view of vtpm%u: replay %d (%s at %zu)",
			 idx, ret, r->why, r->err_offset);
		return;
	}
	if (r->hdr.kind != VTPM_LOG_VIEW || memcmp(r->hdr.uuid, uuid, 16) ||
	    !r->found || r->destroyed) {
		snprintf(why, wlen, "view of vtpm%u: kind %u, found %d, destroyed %d",
			 idx, r->hdr.kind, r->found, r->destroyed);
		return;
	}
	ret = walk_log(v, len, &w);
	if (ret) {
		snprintf(why, wlen, "view of vtpm%u: walk: %s at %zu", idx,
			 w.why, w.err_offset);
		return;
	}
	for (unsigned int k = 0; k < w.nr_banks; k++)
		if (memcmp(w.pcr[k], r->pcr[k], alg_by_id(w.algs[k])->size)) {
			snprintf(why, wlen, "view of vtpm%u: walk and mlog disagree",
				 idx);
			return;
		}
	/* the header's commitment: as mlog.c read it, as computed here */
	if (w.commit.records != r->hdr.commit.records ||
	    memcmp(w.commit.chain, r->hdr.commit.chain, 32) ||
	    w.commit.records != r->commit.records ||
	    memcmp(w.commit.chain, r->commit.chain, 32))
		snprintf(why, wlen, "view of vtpm%u: the commitment of its header (%llu records), mlog's (%llu) and the walk's (%llu) differ",
			 idx, (unsigned long long)r->hdr.commit.records,
			 (unsigned long long)r->commit.records,
			 (unsigned long long)w.commit.records);
	else if (!w.commit.records)
		snprintf(why, wlen, "view of vtpm%u: commits to no record (not even CREATE)",
			 idx);
}
