// SPDX-License-Identifier: GPL-2.0
/*
 * Attestation (Documentation/attestation.md).
 *
 * The attestation key (AK) is a restricted signing key of the hardware
 * TPM: by default a primary key under the endorsement hierarchy made from
 * a fixed template (the same key on every boot), saved with
 * TPM2_ContextSave and loaded for each quote; or a persistent key the
 * operator names with the ak_handle module parameter.
 *
 * Requests are answered by the mux leader (mux.c), which calls
 * vtpm_attest_quote() with every request queued, at a log position where
 * no extend is in flight: one hardware quote over the mux PCR whose
 * qualifyingData is the Merkle root of the requests' values.  The caller
 * then renders its instance's view at that position and writes the bundle.
 *
 * Locking: &struct vtpm_ak is written at init; afterwards @ctx, @ctx_len,
 * @page, @values and @scratch are used by the mux leader only (mux.c
 * serialises leaders); everything else is read-only.
 */
#include <linux/capability.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vtpm_mux.h>

#include "vtpm.h"
#include "attest.h"
#include "hwtpm.h"
#include "mux.h"
#include "lib/tpmkey.h"

#define VTPM_AK_PUB_MAX		1024
#define VTPM_AK_PEM_MAX		2048
#define VTPM_AK_NAME_MAX	(2 + VTPM_MAX_DIGEST_SIZE)

/**
 * struct vtpm_ak - the attestation key
 * @available:	attestation works
 * @handle:	the persistent AK (ak_handle), or 0: the primary AK
 * @banks:	the mux PCR's banks, quoted
 * @hw_pcr:	the mux PCR
 * @pub:	its TPM2B_PUBLIC
 * @pub_len:	its length
 * @pem:	its public key in PEM
 * @pem_len:	length of @pem
 * @name_hex:	its TPM name in hex and a newline
 * @name_len:	length of @name_hex
 * @ctx:	the primary AK's saved context (TPMS_CONTEXT; leader only)
 * @ctx_len:	its length
 * @page:	a command buffer (leader only)
 * @values:	the requests' values (leader only)
 * @scratch:	Merkle work space (leader only)
 * @quotes:	hardware quotes made
 * @answered:	requests answered by them
 */
struct vtpm_ak {
	bool available;
	u32 handle;
	const struct vtpm_banks *banks;
	u32 hw_pcr;
	u8 pub[VTPM_AK_PUB_MAX];
	size_t pub_len;
	char pem[VTPM_AK_PEM_MAX];
	size_t pem_len;
	char name_hex[2 * VTPM_AK_NAME_MAX + 1];
	size_t name_len;
	u8 *ctx;
	size_t ctx_len;
	u8 *page;
	u8 *values;
	u8 *scratch;
	atomic64_t quotes;
	atomic64_t answered;
};

static struct vtpm_ak ak;

/* Start a command in @w: header with a size to be patched by _end(). */
static void vtpm_ak_begin(struct tpm_wr *w, u16 tag, u32 cc)
{
	tpm_wr_init(w, ak.page, PAGE_SIZE);
	tpm_wr_u16(w, tag);
	tpm_wr_u32(w, 0);
	tpm_wr_u32(w, cc);
}

/* An authorisation area with one empty password session. */
static void vtpm_ak_pw(struct tpm_wr *w)
{
	tpm_wr_u32(w, 9);
	tpm_wr_u32(w, VTPM_RS_PW);
	tpm_wr_u16(w, 0);
	tpm_wr_u8(w, 0);
	tpm_wr_u16(w, 0);
}

/*
 * Send the command in @w (TPM held).  Return: 0 with the response's length
 * in @len, a negative errno, or a positive TPM response code.
 */
static int vtpm_ak_send(struct tpm_wr *w, const char *desc, u32 *len)
{
	int ret;

	if (w->err)
		return -E2BIG;
	put_unaligned_be32(w->pos, ak.page + 2);
	ret = vtpm_hwtpm_transmit_locked(ak.page, desc);
	if (ret < 0)
		return ret;
	ret = get_unaligned_be32(ak.page + 6);
	if (ret)
		return ret;
	*len = get_unaligned_be32(ak.page + 2);
	if (*len < 10 || *len > PAGE_SIZE)
		return -EIO;
	return 0;
}

static void vtpm_ak_flush(u32 handle)
{
	struct tpm_wr w;
	u32 len;

	vtpm_ak_begin(&w, VTPM_ST_NO_SESSIONS, VTPM_CC_FLUSH_CONTEXT);
	tpm_wr_u32(&w, handle);
	vtpm_ak_send(&w, "flushing the attestation key", &len);
}

/*
 * TPM2_CreatePrimary of the AK in the endorsement hierarchy (TPM held).
 * Its handle goes to @handle, its TPM2B_PUBLIC to @pub (VTPM_AK_PUB_MAX).
 */
static int vtpm_ak_create(u32 *handle, u8 *pub, size_t *pub_len)
{
	u8 tmpl[256];
	struct tpm_wr w;
	size_t n;
	u32 len;
	int ret;

	n = vtpm_ak_template(tmpl, sizeof(tmpl));
	if (!n)
		return -EINVAL;
	vtpm_ak_begin(&w, VTPM_ST_SESSIONS, VTPM_CC_CREATE_PRIMARY);
	tpm_wr_u32(&w, VTPM_RH_ENDORSEMENT);
	vtpm_ak_pw(&w);
	tpm_wr_u16(&w, 4);		/* inSensitive: empty auth, no data */
	tpm_wr_u16(&w, 0);
	tpm_wr_u16(&w, 0);
	tpm_wr_bytes(&w, tmpl, n);	/* inPublic */
	tpm_wr_u16(&w, 0);		/* outsideInfo */
	tpm_wr_u32(&w, 0);		/* creationPCR */
	ret = vtpm_ak_send(&w, "creating the attestation key", &len);
	if (ret)
		return ret;
	/* handle, parameterSize, outPublic */
	if (len < 20)
		return -EIO;
	*handle = get_unaligned_be32(ak.page + 10);
	n = 2 + get_unaligned_be16(ak.page + 18);
	if (18 + n > len || n > VTPM_AK_PUB_MAX) {
		vtpm_ak_flush(*handle);
		return -EIO;
	}
	memcpy(pub, ak.page + 18, n);
	*pub_len = n;
	return 0;
}

/* TPM2_ContextSave of @handle into ak.ctx (TPM held). */
static int vtpm_ak_save(u32 handle)
{
	struct tpm_wr w;
	u32 len;
	int ret;

	vtpm_ak_begin(&w, VTPM_ST_NO_SESSIONS, VTPM_CC_CONTEXT_SAVE);
	tpm_wr_u32(&w, handle);
	ret = vtpm_ak_send(&w, "saving the attestation key", &len);
	if (ret)
		return ret;
	memcpy(ak.ctx, ak.page + 10, len - 10);
	ak.ctx_len = len - 10;
	return 0;
}

/*
 * Load the AK for a quote (TPM held): the persistent one is there; the
 * primary one is loaded from its saved context, or, if that fails (the TPM
 * was reset or restarted), created again; it must be the same key.
 */
static int vtpm_ak_load(u32 *handle)
{
	u8 *pub;
	size_t pub_len;
	struct tpm_wr w;
	u32 len;
	int ret;

	if (ak.handle) {
		*handle = ak.handle;
		return 0;
	}
	vtpm_ak_begin(&w, VTPM_ST_NO_SESSIONS, VTPM_CC_CONTEXT_LOAD);
	tpm_wr_bytes(&w, ak.ctx, ak.ctx_len);
	ret = vtpm_ak_send(&w, "loading the attestation key", &len);
	if (!ret && len >= 14) {
		*handle = get_unaligned_be32(ak.page + 10);
		return 0;
	}
	if (ret < 0)
		return ret;
	pr_info("attestation key context not loadable (0x%x): creating it again\n",
		ret);
	pub = kmalloc(VTPM_AK_PUB_MAX, GFP_KERNEL);
	if (!pub)
		return -ENOMEM;
	ret = vtpm_ak_create(handle, pub, &pub_len);
	if (ret)
		goto out;
	if (pub_len != ak.pub_len || memcmp(pub, ak.pub, pub_len)) {
		pr_err("the endorsement hierarchy gives another attestation key now (TPM2_ChangeEPS?): attestation stops\n");
		vtpm_ak_flush(*handle);
		WRITE_ONCE(ak.available, false);
		ret = -EIO;
		goto out;
	}
	ret = vtpm_ak_save(*handle);
	if (ret)
		vtpm_ak_flush(*handle);
out:
	kfree(pub);
	return ret;
}

/*
 * TPM2_Quote of the mux PCR, all banks, with @qdata (TPM held).  The
 * TPMS_ATTEST and TPMT_SIGNATURE go to @a.
 */
static int vtpm_ak_quote(u32 handle, const u8 *qdata,
			 struct vtpm_attestation *a)
{
	struct tpm_wr w;
	u32 len, params, i;
	u16 alen;
	int ret;

	vtpm_ak_begin(&w, VTPM_ST_SESSIONS, VTPM_CC_QUOTE);
	tpm_wr_u32(&w, handle);
	vtpm_ak_pw(&w);
	tpm_wr_tpm2b(&w, qdata, VTPM_MERKLE_HASH_SIZE);
	tpm_wr_u16(&w, VTPM_ALG_NULL);	/* the key's own scheme */
	tpm_wr_u32(&w, ak.banks->nr);
	for (i = 0; i < ak.banks->nr; i++) {
		u8 select[3] = { 0 };

		select[ak.hw_pcr / 8] = 1 << (ak.hw_pcr % 8);
		tpm_wr_u16(&w, ak.banks->bank[i].alg);
		tpm_wr_u8(&w, sizeof(select));
		tpm_wr_bytes(&w, select, sizeof(select));
	}
	ret = vtpm_ak_send(&w, "quoting the mux PCR", &len);
	if (ret)
		return ret;
	/* parameterSize, TPM2B_ATTEST quoted, TPMT_SIGNATURE signature */
	if (len < 16)
		return -EIO;
	params = get_unaligned_be32(ak.page + 10);
	alen = get_unaligned_be16(ak.page + 14);
	if (params > len - 14 || params < 2u + alen ||
	    !alen || alen > VTPM_ATTEST_MAX ||
	    params - 2 - alen > VTPM_ATTEST_MAX || params - 2 == alen)
		return -EIO;
	a->attest_len = alen;
	memcpy(a->attest, ak.page + 16, alen);
	a->sig_len = params - 2 - alen;
	memcpy(a->sig, ak.page + 16 + alen, a->sig_len);
	return 0;
}

/**
 * vtpm_attest_quote() - answer attestation requests with one hardware quote
 * @reqs: the requests, in queue order
 * @n:	  their number, 1..VTPM_MAX_ATTEST_BATCH
 * @cut:  the log position; the mux PCR holds exactly its value and no
 *	  extend is in flight (the caller is the mux leader)
 *
 * Sets every request's @err, and on success its quote, position and proof.
 */
void vtpm_attest_quote(struct vtpm_attestation **reqs, u32 n,
		       const struct vtpm_log_cut *cut)
{
	struct vtpm_attestation *first = reqs[0];
	u8 root[VTPM_MERKLE_HASH_SIZE];
	u32 handle, i, plen;
	u64 id;
	int ret;

	ret = -EOPNOTSUPP;
	if (!ak.available)
		goto out;
	for (i = 0; i < n; i++) {
		struct vtpm_attestation *a = reqs[i];

		ret = vtpm_log_commit_now(a->tenant, &a->commit);
		if (!ret)
			ret = vtpm_attest_value(vtpm_log_id(), cut->batches,
						a->tenant->uuid, &a->commit,
						a->nonce, a->nonce_len,
						ak.values +
						i * VTPM_MERKLE_HASH_SIZE);
		if (ret)
			goto out;
	}
	ret = vtpm_merkle_root(ak.values, n, ak.scratch, root);
	if (ret)
		goto out;

	ret = vtpm_hwtpm_lock();
	if (ret)
		goto out;
	ret = vtpm_ak_load(&handle);
	if (!ret) {
		ret = vtpm_ak_quote(handle, root, first);
		if (!ak.handle)
			vtpm_ak_flush(handle);
	}
	vtpm_hwtpm_unlock();
	if (ret) {
		pr_warn_ratelimited("hardware quote failed (%d)\n", ret);
		ret = ret > 0 ? -EIO : ret;
		goto out;
	}
	id = atomic64_inc_return(&ak.quotes);
	atomic64_add(n, &ak.answered);

	for (i = 0; i < n; i++) {
		struct vtpm_attestation *a = reqs[i];

		ret = vtpm_merkle_proof(ak.values, n, i, ak.scratch,
					&a->path[0][0], &plen);
		if (ret)
			goto out;
		a->path_len = plen;
		a->leaf_index = i;
		a->nr_leaves = n;
		a->quote_id = id;
		a->cut = *cut;
		if (a != first) {
			a->attest_len = first->attest_len;
			memcpy(a->attest, first->attest, first->attest_len);
			a->sig_len = first->sig_len;
			memcpy(a->sig, first->sig, first->sig_len);
		}
		a->err = 0;
	}
	return;
out:
	for (i = 0; i < n; i++)
		reqs[i]->err = ret;
}

/* TPM2_ReadPublic of the persistent AK into ak.pub (TPM held). */
static int vtpm_ak_read_public(u32 handle)
{
	struct tpm_wr w;
	u32 len, n;
	int ret;

	vtpm_ak_begin(&w, VTPM_ST_NO_SESSIONS, VTPM_CC_READ_PUBLIC);
	tpm_wr_u32(&w, handle);
	ret = vtpm_ak_send(&w, "reading the attestation key", &len);
	if (ret)
		return ret;
	n = 2 + get_unaligned_be16(ak.page + 10);
	if (10 + n > len || n > VTPM_AK_PUB_MAX)
		return -EIO;
	memcpy(ak.pub, ak.page + 10, n);
	ak.pub_len = n;
	return 0;
}

/* Obtain the AK (TPM held): read the persistent one, or make the primary. */
static int vtpm_ak_obtain(u32 ak_handle)
{
	u32 handle;
	int ret;

	if (ak_handle)
		return vtpm_ak_read_public(ak_handle);
	ret = vtpm_ak_create(&handle, ak.pub, &ak.pub_len);
	if (ret)
		return ret;
	ret = vtpm_ak_save(handle);
	vtpm_ak_flush(handle);
	return ret;
}

/* The exported forms of the AK's public key. */
static int vtpm_ak_export(void)
{
	u8 name[VTPM_AK_NAME_MAX];
	struct vtpm_tpmkey *k;
	size_t name_len;
	int ret;

	k = kzalloc(sizeof(*k), GFP_KERNEL);
	if (!k)
		return -ENOMEM;
	ret = vtpm_tpmkey_parse(ak.pub, ak.pub_len, k);
	if (!ret)
		ret = vtpm_tpmkey_check_ak(k);
	if (ret) {
		pr_err("the attestation key is not a restricted signing key with an ECDSA or RSA scheme\n");
		goto out;
	}
	ret = -EINVAL;
	ak.pem_len = vtpm_tpmkey_pem(k, ak.pem, sizeof(ak.pem));
	if (!ak.pem_len)
		goto out;
	ret = vtpm_tpmkey_name(ak.pub, ak.pub_len, name, &name_len);
	if (ret)
		goto out;
	bin2hex(ak.name_hex, name, name_len);
	ak.name_hex[2 * name_len] = '\n';
	ak.name_len = 2 * name_len + 1;
out:
	kfree(k);
	return ret;
}

/**
 * vtpm_attest_init() - obtain the attestation key
 * @banks:     the mux PCR's banks
 * @hw_pcr:    the mux PCR
 * @ak_handle: a persistent AK (0x81000000..0x81FFFFFF), or 0 for the
 *	       primary AK of the endorsement hierarchy
 *
 * Without @ak_handle a failure only disables attestation (the endorsement
 * hierarchy may have an authorisation value, or the TPM may lack ECC
 * P-256); with it, it is an error.
 *
 * Return: 0, -EINVAL (a bad @ak_handle, not a restricted signing key),
 * -ENOMEM, or -EIO (the TPM refused @ak_handle).
 */
int vtpm_attest_init(const struct vtpm_banks *banks, u32 hw_pcr,
		     u32 ak_handle)
{
	int ret;

	if (ak_handle && (ak_handle >> 24) != 0x81) {
		pr_err("ak_handle 0x%08x is not a persistent handle (0x81xxxxxx)\n",
		       ak_handle);
		return -EINVAL;
	}
	memset(&ak, 0, sizeof(ak));
	ak.banks = banks;
	ak.hw_pcr = hw_pcr;
	ak.handle = ak_handle;
	ak.page = (u8 *)__get_free_page(GFP_KERNEL);
	ak.ctx = kmalloc(PAGE_SIZE, GFP_KERNEL);
	ak.values = kcalloc(VTPM_MAX_ATTEST_BATCH, VTPM_MERKLE_HASH_SIZE,
			    GFP_KERNEL);
	ak.scratch = kcalloc(VTPM_MAX_ATTEST_BATCH, VTPM_MERKLE_HASH_SIZE,
			     GFP_KERNEL);
	ret = -ENOMEM;
	if (!ak.page || !ak.ctx || !ak.values || !ak.scratch)
		goto err;

	ret = vtpm_hwtpm_lock();
	if (ret)
		goto err;
	ret = vtpm_ak_obtain(ak_handle);
	vtpm_hwtpm_unlock();
	if (ret) {
		if (ak_handle) {
			pr_err("cannot read the attestation key 0x%08x (%d)\n",
			       ak_handle, ret);
			ret = ret > 0 ? -EIO : ret;
			goto err;
		}
		pr_warn("cannot create the attestation key in the endorsement hierarchy (0x%x): attestation is unavailable\n",
			ret);
		return 0;
	}
	ret = vtpm_ak_export();
	if (ret) {
		if (ak_handle)
			goto err;
		pr_warn("attestation is unavailable\n");
		return 0;
	}
	ak.available = true;
	if (ak_handle)
		pr_info("attestation key: persistent 0x%08x\n", ak_handle);
	else
		pr_info("attestation key: endorsement primary, ECC NIST P-256\n");
	return 0;
err:
	vtpm_attest_exit();
	return ret;
}

void vtpm_attest_exit(void)
{
	free_page((unsigned long)ak.page);
	kfree(ak.ctx);
	kfree(ak.values);
	kfree(ak.scratch);
	ak.page = NULL;
	ak.ctx = NULL;
	ak.values = NULL;
	ak.scratch = NULL;
	ak.available = false;
}

bool vtpm_attest_available(void)
{
	return READ_ONCE(ak.available);
}

/**
 * vtpm_attest_ak() - the AK's public key, for securityfs
 * @what: VTPM_AK_PEM, VTPM_AK_PUB or VTPM_AK_NAME
 * @len:  out: its length
 *
 * Return: the bytes (valid until the module goes), or NULL without an AK.
 */
const void *vtpm_attest_ak(int what, size_t *len)
{
	if (!ak.pem_len)
		return NULL;
	switch (what) {
	case VTPM_AK_PEM:
		*len = ak.pem_len;
		return ak.pem;
	case VTPM_AK_PUB:
		*len = ak.pub_len;
		return ak.pub;
	case VTPM_AK_NAME:
		*len = ak.name_len;
		return ak.name_hex;
	}
	return NULL;
}

void vtpm_attest_stats(u64 *quotes, u64 *answered)
{
	*quotes = atomic64_read(&ak.quotes);
	*answered = atomic64_read(&ak.answered);
}

/**
 * vtpm_attest_get_req() - read and check a &struct vtpm_attest_req
 * @req:  out
 * @uarg: the ioctl argument
 *
 * Return: 0, -EFAULT or -EINVAL.
 */
int vtpm_attest_get_req(struct vtpm_attest_req *req, void __user *uarg)
{
	u32 size, i;

	if (get_user(size, (u32 __user *)uarg))
		return -EFAULT;
	if (size != sizeof(*req))
		return -EINVAL;
	if (copy_from_user(req, uarg, sizeof(*req)))
		return -EFAULT;
	if (req->flags || req->reserved0 || !req->nonce_len ||
	    req->nonce_len > VTPM_MUX_NONCE_MAX)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(req->reserved); i++)
		if (req->reserved[i])
			return -EINVAL;
	return 0;
}

/**
 * vtpm_attest_answer() - attest an instance and write the bundle
 * @tenant: the instance
 * @index:  its N
 * @req:    the request, checked by vtpm_attest_get_req()
 * @uarg:   where @req came from: gets the results
 *
 * Sleeps until the hardware quoted.
 *
 * Return: 0, or as &struct vtpm_attest_req says.
 */
long vtpm_attest_answer(const struct vtpm_tenant *tenant, u32 index,
			struct vtpm_attest_req *req, void __user *uarg)
{
	struct vtpm_log_reader *view = NULL;
	struct vtpm_attestation *a;
	struct vtpm_bundle *b = NULL;
	size_t view_len, size, head;
	u8 *out = NULL;
	loff_t pos = 0;
	long ret;

	if (!vtpm_attest_available())
		return -EOPNOTSUPP;
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	b = kzalloc(sizeof(*b), GFP_KERNEL_ACCOUNT);
	ret = -ENOMEM;
	if (!a || !b)
		goto out;
	a->tenant = tenant;
	a->nonce_len = req->nonce_len;
	memcpy(a->nonce, req->nonce, req->nonce_len);
	ret = vtpm_mux_attest(a);
	if (ret)
		goto out;

	/* the view is rendered into the caller's buffer, after the head */
	view = vtpm_log_reader_new(&a->cut, tenant, &a->commit, false);
	if (IS_ERR(view)) {
		ret = PTR_ERR(view);
		view = NULL;
		goto out;
	}
	ret = vtpm_log_reader_size(view, &view_len);
	if (ret)
		goto out;
	ret = -EIO;
	if (view_len > U32_MAX)
		goto out;
	memcpy(b->uuid, tenant->uuid, VTPM_UUID_SIZE);
	b->batches = a->cut.batches;
	b->nonce_len = a->nonce_len;
	memcpy(b->nonce, a->nonce, a->nonce_len);
	b->leaf_index = a->leaf_index;
	b->nr_leaves = a->nr_leaves;
	b->path_len = a->path_len;
	memcpy(b->path, a->path, sizeof(b->path));
	b->attest = a->attest;
	b->attest_len = a->attest_len;
	b->sig = a->sig;
	b->sig_len = a->sig_len;
	b->view_len = view_len;
	size = vtpm_bundle_size(b);
	if (!size)
		goto out;
	head = size - view_len;
	if (size > req->len) {
		ret = -ENOSPC;
	} else {
		out = kmalloc(head, GFP_KERNEL_ACCOUNT);
		ret = -ENOMEM;
		if (!out)
			goto out;
		ret = -EIO;
		if (vtpm_bundle_write_head(b, out, head) != head)
			goto out;
		ret = -EFAULT;
		if (copy_to_user(u64_to_user_ptr(req->buf), out, head))
			goto out;
		ret = vtpm_log_reader_read(view, u64_to_user_ptr(req->buf +
							       head),
					   view_len, &pos);
		if (ret >= 0 && (size_t)ret != view_len)
			ret = fatal_signal_pending(current) ? -EINTR : -EFAULT;
		if (ret < 0)
			goto out;
		ret = 0;
	}
	req->len = size;
	req->index = index;
	req->batches = a->cut.batches;
	req->quote_id = a->quote_id;
	req->requests = a->nr_leaves;
	if (copy_to_user(uarg, req, sizeof(*req)))
		ret = -EFAULT;
out:
	kfree(out);
	vtpm_log_reader_free(view);
	kfree(b);
	kfree(a);
	return ret;
}
