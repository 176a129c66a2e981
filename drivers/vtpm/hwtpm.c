// SPDX-License-Identifier: GPL-2.0
/*
 * The hardware TPM.  vtpm-mux holds a reference on the default tpm_chip for
 * as long as it is loaded; this file is the only one that touches it.
 */
#include <linux/tpm.h>

#include "vtpm.h"
#include "hwtpm.h"

/* The chip; set at init, read-only until exit. */
static struct tpm_chip *vtpm_chip;

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
