/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The multiplexer: records into the mapping log and the hardware PCR, in
 * batches.
 */
#ifndef _VTPM_MUX_H
#define _VTPM_MUX_H

#include <linux/atomic.h>

#include "log.h"

/**
 * struct vtpm_mux_stats - what the mux did since it started
 * @hw_extends:	  hardware extends tried
 * @hw_errors:	  of which failed
 * @batches:	  batches anchored (logged)
 * @records:	  records in them
 * @coalesced:	  records that shared a hardware extend with an earlier one
 * @aborts:	  ABORT records logged
 * @refused_full: changes refused because the log was full
 * @hw_ns:	  time spent in hardware extends
 * @lead_ns:	  time spent leading batches (gathering, extending,
 *		  quoting, logging)
 * @gather_waits: batches whose leader waited for more callers
 * @gather_timeouts: of which it waited the longest allowed
 * @quote_ns:	  time spent in hardware quotes
 * @paced:	  batches whose leader left attestation requests queued: the
 *		  next quote was not due (attest_share_pct)
 */
struct vtpm_mux_stats {
	atomic64_t hw_extends;
	atomic64_t hw_errors;
	atomic64_t batches;
	atomic64_t records;
	atomic64_t coalesced;
	atomic64_t aborts;
	atomic64_t refused_full;
	atomic64_t hw_ns;
	atomic64_t lead_ns;
	atomic64_t gather_waits;
	atomic64_t gather_timeouts;
	atomic64_t quote_ns;
	atomic64_t paced;
};

int vtpm_mux_init(const struct vtpm_banks *banks, u32 hw_pcr);
void vtpm_mux_exit(void);
u32 vtpm_mux_submit(const struct vtpm_krec *rec);
struct vtpm_attestation;
int vtpm_mux_attest(struct vtpm_attestation *a);
void vtpm_mux_stats(struct vtpm_mux_stats *s);
const char *vtpm_mux_state_name(void);

#endif /* _VTPM_MUX_H */
