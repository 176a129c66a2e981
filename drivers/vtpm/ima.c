// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel IMA: the genesis record and every instance's creation and
 * destruction are measured as critical data (label "vtpm-mux"), so that
 * the host's IMA log and PCR 10 account for every vTPM that ever existed,
 * whatever the mapping log's PCR.  Needs an IMA policy that measures
 * critical data (e.g. ima_policy=critical_data); without one, or without
 * IMA, these calls do nothing.
 */
#include <linux/ima.h>
#include <linux/uuid.h>

#include "vtpm.h"
#include "ima.h"

#define VTPM_IMA_LABEL	"vtpm-mux"

static void vtpm_ima_measure(const char *name, const void *buf, size_t len)
{
	int ret;

	if (!vtpm_ima)
		return;
	ret = ima_measure_critical_data(VTPM_IMA_LABEL, name, buf, len, false,
					NULL, 0);
	/* -ENOENT: IMA has no policy, -EOPNOTSUPP: no IMA; nothing to say */
	if (ret && ret != -EOPNOTSUPP && ret != -ENOENT)
		pr_warn_ratelimited("IMA measurement of %s failed: %d\n",
				    name, ret);
}

/**
 * vtpm_ima_genesis() - measure the genesis record
 * @g:	  its data
 * @leaf: its leaf
 *
 * The event's data is the leaf; its name carries the PCR, the TPM's reset
 * count and the log's id.
 */
void vtpm_ima_genesis(const struct vtpm_genesis *g, const u8 *leaf)
{
	char name[96];

	snprintf(name, sizeof(name), "genesis pcr=%u reset=%u log=%16phN",
		 g->hw_pcr, g->reset_count, g->log_id);
	vtpm_ima_measure(name, leaf, VTPM_LEAF_SIZE);
}

/**
 * vtpm_ima_tenant() - measure an instance's creation or destruction
 * @what: "create" or "destroy"
 * @t:	  the instance
 *
 * The event's data is "<what> vtpmN <uuid> <label>".
 */
void vtpm_ima_tenant(const char *what, const struct vtpm_tenant *t)
{
	char name[64], data[160];
	int len;

	snprintf(name, sizeof(name), "%s vtpm%u", what, t->index);
	len = snprintf(data, sizeof(data), "%s vtpm%u %pUb %s", what, t->index,
		       t->uuid, t->label);
	vtpm_ima_measure(name, data, min_t(int, len, sizeof(data) - 1));
}
