/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Mirroring an instance's vPCRs into its TPM engine (the "sw" backend):
 * which commands the kernel keeps, the commands that repeat a vPCR change
 * in the engine, and the plan that replays an instance's log into a fresh
 * engine.  Pure code, built in the kernel and in user space.
 */
#ifndef _VTPM_LIB_MIRROR_H
#define _VTPM_LIB_MIRROR_H

#include "engine.h"

/**
 * enum vtpm_route - where a command of a sw-backed instance goes
 * @VTPM_ROUTE_ENGINE: to the engine, as it is
 * @VTPM_ROUTE_KERNEL: the kernel answers it (the PCR commands: the vPCRs
 *		       are the truth, anchored in the hardware PCR)
 * @VTPM_ROUTE_BOTH:   the kernel executes it, then, if it succeeded, the
 *		       engine does too and its answer is the tenant's
 *		       (TPM2_Shutdown: the engine saves its state)
 */
enum vtpm_route {
	VTPM_ROUTE_ENGINE,
	VTPM_ROUTE_KERNEL,
	VTPM_ROUTE_BOTH,
};

/* the longest command vtpm_mirror_command() builds: PCR_Extend of all banks */
#define VTPM_MIRROR_MAX	(VTPM_HEADER_SIZE + 4 + 13 + 4 + \
			 VTPM_MAX_BANKS * (2 + VTPM_MAX_DIGEST_SIZE))

enum vtpm_route vtpm_mirror_route(const u8 *cmd, size_t len);

size_t vtpm_mirror_command(const struct vtpm_banks *banks,
			   const struct vtpm_pcr_change *chg, u8 *buf,
			   size_t cap);
u32 vtpm_response_rc(const u8 *rsp, size_t len);
size_t vtpm_response_error(u32 rc, u8 *rsp, size_t cap);

u32 vtpm_handle_created(const u8 *cmd, size_t len, const u8 *rsp,
			size_t rlen);
u32 vtpm_handle_released(const u8 *cmd, size_t len, const u8 *rsp,
			 size_t rlen);

/**
 * struct vtpm_mirror_plan - which of an instance's records a fresh engine
 *			     must repeat
 * @reset:	per vPCR, 1 + the sequence number of the last record that
 *		set it to its initial value (0: none)
 *
 * An engine started with TPM2_Startup(CLEAR) holds every PCR at its
 * initial value; repeating each extend made since the vPCR was last set to
 * that value gives the vPCR.  Feed every record of the instance, in log
 * order, to vtpm_mirror_plan_note(), then ask vtpm_mirror_plan_wanted()
 * for each record in a second pass.
 */
struct vtpm_mirror_plan {
	u64 reset[VTPM_NUM_PCRS];
};

void vtpm_mirror_plan_note(struct vtpm_mirror_plan *p, u8 type, u8 pcr,
			   u64 seq);
bool vtpm_mirror_plan_wanted(const struct vtpm_mirror_plan *p, u8 type,
			     u8 pcr, u64 seq);

#endif /* _VTPM_LIB_MIRROR_H */
