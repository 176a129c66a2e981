// SPDX-License-Identifier: GPL-2.0
/*
 * The engine's platform hooks in the kernel: hashing with the crypto API,
 * the kernel RNG, a monotonic clock, and the anchor every vPCR change goes
 * through.
 */
#include <crypto/hash.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>

#include "vtpm.h"
#include "backend.h"
#include "instance.h"
#include "mux.h"
#include "platform.h"

/* One transform per bank; allocated at init, read-only until exit. */
static struct crypto_shash *vtpm_tfm[VTPM_MAX_BANKS];
static const struct vtpm_banks *vtpm_plat_banks;

int vtpm_platform_init(const struct vtpm_banks *banks)
{
	u32 i;
	int ret;

	for (i = 0; i < banks->nr; i++) {
		const char *name = vtpm_alg_name(banks->bank[i].alg);

		vtpm_tfm[i] = crypto_alloc_shash(name, 0, 0);
		if (IS_ERR(vtpm_tfm[i])) {
			ret = PTR_ERR(vtpm_tfm[i]);
			vtpm_tfm[i] = NULL;
			pr_err("cannot allocate %s: %d\n", name, ret);
			goto err_free;
		}
	}
	vtpm_plat_banks = banks;
	return 0;

err_free:
	while (i--)
		crypto_free_shash(vtpm_tfm[i]);
	return ret;
}

void vtpm_platform_exit(void)
{
	u32 i;

	for (i = 0; i < VTPM_MAX_BANKS; i++) {
		crypto_free_shash(vtpm_tfm[i]);
		vtpm_tfm[i] = NULL;
	}
}

static int vtpm_tfm_hashv(struct crypto_shash *tfm,
			  const struct vtpm_iov *iov, unsigned int n, u8 *out)
{
	SHASH_DESC_ON_STACK(desc, tfm);
	unsigned int i;
	int ret;

	desc->tfm = tfm;
	ret = crypto_shash_init(desc);
	for (i = 0; !ret && i < n; i++)
		ret = crypto_shash_update(desc, iov[i].p, iov[i].len);
	if (!ret)
		ret = crypto_shash_final(desc, out);
	shash_desc_zero(desc);
	return ret;
}

int vtpm_plat_hashv(u16 alg, const struct vtpm_iov *iov, unsigned int n,
		    u8 *out)
{
	u32 i;

	for (i = 0; i < vtpm_plat_banks->nr; i++)
		if (vtpm_plat_banks->bank[i].alg == alg)
			return vtpm_tfm_hashv(vtpm_tfm[i], iov, n, out);
	return -EINVAL;
}

void vtpm_plat_random(void *buf, size_t len)
{
	get_random_bytes(buf, len);
}

void vtpm_plat_stir(const void *buf, size_t len)
{
	add_device_randomness(buf, len);
}

u64 vtpm_plat_now_ms(void)
{
	return ktime_to_ms(ktime_get_boottime());
}

/**
 * vtpm_plat_anchor() - the single path of every vPCR change
 * @t:   the instance's TPM state
 * @chg: the change
 *
 * Called with the instance's lock held, before the vPCRs change: the
 * change becomes a record of the mapping log, extended into the hardware
 * PCR with its batch (mux.c).  Sleeps until then.
 *
 * Return: a TPM_RC; anything but success leaves the vPCRs unchanged.
 */
u32 vtpm_plat_anchor(struct vtpm_tpm *t, const struct vtpm_pcr_change *chg)
{
	struct vtpm_instance *inst = t->plat;
	struct vtpm_krec *k;
	u32 i, rc;

	if (chg->type < VTPM_CHANGE_EXTEND || chg->type > VTPM_CHANGE_RESUME ||
	    chg->pcr >= VTPM_NUM_PCRS || chg->count > t->banks->nr)
		return VTPM_RC_FAILURE;
	k = kzalloc(sizeof(*k), GFP_KERNEL_ACCOUNT);
	if (!k)
		return VTPM_RC_MEMORY;
	k->tenant = inst->tenant->id;
	/* the change types are the record types (lib/mlog.h) */
	k->type = chg->type;
	k->pcr = chg->pcr;
	if (chg->type == VTPM_CHANGE_EXTEND || chg->type == VTPM_CHANGE_EVENT) {
		k->count = chg->count;
		for (i = 0; i < chg->count; i++) {
			k->bank[i] = chg->d[i].bank;
			memcpy(k->digest[i], chg->d[i].digest,
			       t->banks->bank[chg->d[i].bank].size);
		}
	}
	rc = vtpm_mux_submit(k);
	kfree(k);
	if (rc == VTPM_RC_SUCCESS)
		vtpm_backend_anchored(inst, chg);
	return rc;
}
