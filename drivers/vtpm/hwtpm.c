// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware TPM.  vtpm-mux holds a reference on the default tpm_chip for
 * as long as it is loaded; this file is the only one that touches it.
 *
 * Everything goes through the exported API of the TPM core (tpm_pcr_read,
 * tpm_transmit_cmd, and for the mux's extends tpm_try_get_ops() and the
 * chip's own operations): it serialises with the kernel's other TPM users
 * (IMA, /dev/tpm0, /dev/tpmrm0) and gives up after the chip's timeouts, so
 * a stopped TPM makes these calls fail, not hang.
 */
#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/tpm.h>

#include "vtpm.h"
#include "hwtpm.h"
#include "lib/mirror.h"

/* The chip; set at init, read-only until exit. */
static struct tpm_chip *vtpm_chip;
static const struct vtpm_banks *vtpm_hw_banks;

/*
 * How long the last extend took the TPM, from the end of its send to its
 * completion, in microseconds (the mux's leader only: one at a time).
 */
static u32 vtpm_hw_extend_us;

#define VTPM_HW_POLL_MIN_US	50
#define VTPM_HW_POLL_MAX_US	1000
#define VTPM_HW_FIRST_MAX_US	20000
#define VTPM_HW_TRIES		5
#define VTPM_HW_CMD_SIZE	512

/* an extend's command (its response comes back in @buf) and its change */
struct vtpm_hw_extend {
	struct vtpm_pcr_change chg;
	u8 buf[VTPM_HW_CMD_SIZE];
};

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

/*
 * One command of the mux's hot path to the chip, whose ops the caller holds
 * (tpm_try_get_ops()).  The TPM core's tpm_transmit() polls a command's
 * completion with a 1 ms sleep (TPM_TIMEOUT_POLL), which rounds every
 * extend up to the next millisecond and more: swtpm answers in a fraction of
 * one, a discrete TPM in one to a few.  Every batch of every tenant waits for
 * that extend, so this loop waits finer: it first sleeps for 3/4 of what the
 * last extend took, then polls the status at 50 us, doubling up to the
 * core's 1 ms, and gives up, cancelling the command, after the duration the
 * core allows PCR_Extend (TPM_MEDIUM: 750 ms for a TPM 2.0).  A chip
 * driven by its interrupt waits in its recv().
 *
 * Return: the response length, or a negative errno (-ETIME: the TPM did
 * not answer in time).
 */
static ssize_t vtpm_hwtpm_xfer(u8 *buf, size_t len, size_t cap)
{
	struct tpm_chip *chip = vtpm_chip;
	u32 first = READ_ONCE(vtpm_hw_extend_us) * 3 / 4;
	u32 poll = VTPM_HW_POLL_MIN_US;
	unsigned long stop;
	ssize_t rc;
	u64 t0;
	u8 sts;

	rc = chip->ops->send(chip, buf, len);
	if (rc < 0)
		return rc;
	t0 = ktime_get_ns();
	if (chip->flags & TPM_CHIP_FLAG_IRQ)
		goto recv;
	/* PCR_Extend's duration class, as tpm2_calc_ordinal_duration() */
	stop = jiffies + chip->duration[TPM_MEDIUM];
	if (first)	/* at most 3/4 of VTPM_HW_FIRST_MAX_US */
		usleep_range(first, first + first / 8 + 10);
	for (;;) {
		sts = chip->ops->status(chip);
		if ((sts & chip->ops->req_complete_mask) ==
		    chip->ops->req_complete_val)
			break;
		if (chip->ops->req_canceled(chip, sts))
			return -ECANCELED;
		if (!time_before(jiffies, stop)) {
			chip->ops->cancel(chip);
			return -ETIME;
		}
		usleep_range(poll, poll + poll / 4);
		poll = min(2 * poll, (u32)VTPM_HW_POLL_MAX_US);
	}
	WRITE_ONCE(vtpm_hw_extend_us,
		   (u32)min_t(u64, div_u64(ktime_get_ns() - t0, NSEC_PER_USEC),
			      VTPM_HW_FIRST_MAX_US));
recv:
	rc = chip->ops->recv(chip, buf, cap);
	if (rc >= 0 && (rc < VTPM_HEADER_SIZE ||
			rc != get_unaligned_be32(buf + 2)))
		rc = -EFAULT;
	return rc;
}

/**
 * vtpm_hwtpm_extend() - extend a hardware PCR in every bank
 * @pcr:     the PCR
 * @digests: one digest per bank, in the order of the banks given at init
 *	     (bank i at @digests + i * VTPM_MAX_DIGEST_SIZE)
 *
 * TPM2_PCR_Extend with the empty password, of all the chip's banks (what
 * tpm_pcr_extend() sends), through vtpm_hwtpm_xfer(); TPM_RC_RETRY and
 * TPM_RC_TESTING are tried again, as the TPM core does.  Sleeps.
 *
 * Return: 0; a negative errno (-ETIME: the TPM did not answer in time) or a
 * positive TPM response code.  On failure the extend may or may not have
 * happened.
 */
int vtpm_hwtpm_extend(u32 pcr, const u8 *digests)
{
	struct vtpm_hw_extend *x;
	struct vtpm_pcr_change *chg;
	unsigned int tries;
	size_t len;
	ssize_t n;
	int ret;
	u32 i;

	x = kzalloc(sizeof(*x), GFP_KERNEL);
	if (!x)
		return -ENOMEM;
	chg = &x->chg;
	chg->type = VTPM_CHANGE_EXTEND;
	chg->pcr = pcr;
	chg->count = vtpm_hw_banks->nr;
	for (i = 0; i < vtpm_hw_banks->nr; i++) {
		chg->d[i].bank = i;
		memcpy(chg->d[i].digest, digests + i * VTPM_MAX_DIGEST_SIZE,
		       vtpm_hw_banks->bank[i].size);
	}
	for (tries = 1; ; tries++) {
		len = vtpm_mirror_command(vtpm_hw_banks, chg, x->buf,
					  sizeof(x->buf));
		if (!len) {
			ret = -EINVAL;
			break;
		}
		ret = tpm_try_get_ops(vtpm_chip);
		if (ret)
			break;
		n = vtpm_hwtpm_xfer(x->buf, len, sizeof(x->buf));
		tpm_put_ops(vtpm_chip);
		if (n < 0) {
			ret = n;
			break;
		}
		ret = get_unaligned_be32(x->buf + 6);
		if ((ret != VTPM_RC_RETRY && ret != VTPM_RC_TESTING) ||
		    tries == VTPM_HW_TRIES)
			break;
		msleep(20 << tries);
	}
	kfree(x);
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
