// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware TPM.  vtpm-mux holds a reference on the default tpm_chip for
 * as long as it is loaded; this file is the only one that touches it.
 *
 * Everything goes through the exported API of the TPM core (tpm_pcr_extend,
 * tpm_pcr_read, tpm_transmit_cmd): it serialises with the kernel's other
 * TPM users (IMA, /dev/tpm0, /dev/tpmrm0) and gives up after the chip's
 * timeouts, so a stopped TPM makes these calls fail, not hang.
 */
#include <linux/slab.h>
#include <linux/tpm.h>

#include "vtpm.h"
#include "hwtpm.h"

/* The chip; set at init, read-only until exit. */
static struct tpm_chip *vtpm_chip;
static const struct vtpm_banks *vtpm_hw_banks;

/**
 * vtpm_hwtpm_init() - find the hardware TPM 2.0 and its PCR banks
 * @banks: filled with the banks the chip has allocated, in its order
 *
 * Return: 0, -ENODEV without a TPM 2.0, -EOPNOTSUPP for a bank whose hash
 * the engine does not implement.
 */
int vtpm_hwtpm_init(struct vtpm_banks *banks)
{
	struct tpm_chip *chip;
	int ret;
	u32 i;

	chip = tpm_default_chip();
	if (!chip) {
		pr_err("no TPM found\n");
		return -ENODEV;
	}
	if (!tpm_is_tpm2(chip)) {
		pr_err("%s is not a TPM 2.0\n", dev_name(&chip->dev));
		ret = -ENODEV;
		goto err_put;
	}
	memset(banks, 0, sizeof(*banks));
	for (i = 0; i < chip->nr_allocated_banks; i++) {
		u16 alg = chip->allocated_banks[i].alg_id;

		if (vtpm_banks_add(banks, alg)) {
			pr_err("PCR bank 0x%04x of %s is not supported\n", alg,
			       dev_name(&chip->dev));
			ret = -EOPNOTSUPP;
			goto err_put;
		}
	}
	if (!banks->nr) {
		ret = -ENODEV;
		goto err_put;
	}
	vtpm_chip = chip;
	vtpm_hw_banks = banks;
	pr_info("anchored in %s, %u PCR banks\n", dev_name(&chip->dev),
		banks->nr);
	return 0;

err_put:
	put_device(&chip->dev);
	return ret;
}

void vtpm_hwtpm_exit(void)
{
	put_device(&vtpm_chip->dev);
	vtpm_chip = NULL;
}

/**
 * vtpm_hwtpm_extend() - extend a hardware PCR in every bank
 * @pcr:     the PCR
 * @digests: one digest per bank, in the order of the banks given at init
 *	     (bank i at @digests + i * VTPM_MAX_DIGEST_SIZE)
 *
 * Sleeps.  Return: 0; a negative errno (-ETIME: the TPM did not answer in
 * time) or a positive TPM response code.  On failure the extend may or may
 * not have happened.
 */
int vtpm_hwtpm_extend(u32 pcr, const u8 *digests)
{
	struct tpm_digest *d;
	u32 i;
	int ret;

	d = kcalloc(vtpm_chip->nr_allocated_banks, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	for (i = 0; i < vtpm_chip->nr_allocated_banks; i++) {
		d[i].alg_id = vtpm_hw_banks->bank[i].alg;
		memcpy(d[i].digest, digests + i * VTPM_MAX_DIGEST_SIZE,
		       vtpm_hw_banks->bank[i].size);
	}
	ret = tpm_pcr_extend(vtpm_chip, pcr, d);
	kfree(d);
	return ret;
}

/**
 * vtpm_hwtpm_read() - read a hardware PCR in one bank
 * @pcr:  the PCR
 * @bank: index of the bank (as given at init)
 * @out:  its value (the bank's digest size)
 *
 * Sleeps.  Return: 0, a negative errno or a positive TPM response code.
 */
int vtpm_hwtpm_read(u32 pcr, u32 bank, u8 *out)
{
	struct tpm_digest d = { .alg_id = vtpm_hw_banks->bank[bank].alg };
	int ret;

	ret = tpm_pcr_read(vtpm_chip, pcr, &d);
	if (!ret)
		memcpy(out, d.digest, vtpm_hw_banks->bank[bank].size);
	return ret;
}

/**
 * vtpm_hwtpm_lock() - hold the hardware TPM for a sequence of commands
 *
 * Nobody else (IMA, /dev/tpm0, /dev/tpmrm0, the mux's extends) gets a
 * command in until vtpm_hwtpm_unlock(); in between, send with
 * vtpm_hwtpm_transmit_locked() only.  Sleeps.
 *
 * Return: 0, or a negative errno (the chip is going away).
 */
int vtpm_hwtpm_lock(void)
{
	return tpm_try_get_ops(vtpm_chip);
}

void vtpm_hwtpm_unlock(void)
{
	tpm_put_ops(vtpm_chip);
}

/**
 * vtpm_hwtpm_transmit_locked() - send a raw TPM 2.0 command, TPM held
 * @buf:  a PAGE_SIZE buffer holding the command; gets the response
 * @desc: what the command is, for the TPM core's error messages
 *
 * Sleeps.  Return: the response length, a negative errno, or a positive TPM
 * response code (the response is in @buf either way).
 */
int vtpm_hwtpm_transmit_locked(u8 *buf, const char *desc)
{
	struct tpm_buf tb = { .data = buf };
	int ret;

	ret = tpm_transmit_cmd(vtpm_chip, &tb, 0, desc);
	if (ret)
		return ret;
	return get_unaligned_be32(buf + 2);
}

/**
 * vtpm_hwtpm_transmit() - send a raw TPM 2.0 command
 * @buf:  a PAGE_SIZE buffer holding the command; gets the response
 * @desc: what the command is, for the TPM core's error messages
 *
 * Sleeps.  Return: as vtpm_hwtpm_transmit_locked().
 */
int vtpm_hwtpm_transmit(u8 *buf, const char *desc)
{
	int ret;

	ret = vtpm_hwtpm_lock();
	if (ret)
		return ret;
	ret = vtpm_hwtpm_transmit_locked(buf, desc);
	vtpm_hwtpm_unlock();
	return ret;
}
