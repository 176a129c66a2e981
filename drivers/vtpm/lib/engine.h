/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The TPM 2.0 engine of one vtpm-mux instance: its state and the entry
 * point that executes one command.  Pure code, built in the kernel and in
 * user space.
 */
#ifndef _VTPM_LIB_ENGINE_H
#define _VTPM_LIB_ENGINE_H

#include "compat.h"
#include "tpm2.h"

#define VTPM_MAX_BANKS		8	/* TPM2_MAX_PCR_BANKS of the kernel */

/**
 * struct vtpm_bank - one PCR bank
 * @alg:	TPM_ALG_ID of its hash
 * @size:	digest size in bytes
 * @offset:	offset of this bank's digest in one vPCR's storage
 */
struct vtpm_bank {
	u16 alg;
	u16 size;
	u16 offset;
};

/**
 * struct vtpm_banks - the PCR banks every instance has (the hardware's)
 * @nr:		number of banks
 * @stride:	bytes of one vPCR over all banks (sum of the sizes)
 * @bank:	the banks, in the hardware TPM's order
 *
 * Set up once at module load and read-only afterwards.
 */
struct vtpm_banks {
	u32 nr;
	u32 stride;
	struct vtpm_bank bank[VTPM_MAX_BANKS];
};

/**
 * enum vtpm_change_type - why vPCRs change
 * @VTPM_CHANGE_EXTEND:	 TPM2_PCR_Extend
 * @VTPM_CHANGE_EVENT:	 TPM2_PCR_Event
 * @VTPM_CHANGE_RESET:	 TPM2_PCR_Reset
 * @VTPM_CHANGE_STARTUP: TPM2_Startup(CLEAR) (every vPCR to its initial value)
 * @VTPM_CHANGE_RESUME:	 TPM2_Startup(STATE) (PCR 0-15 kept, the others to
 *			 their initial values)
 *
 * The values are those of the mapping log's record types (mlog.h).
 */
enum vtpm_change_type {
	VTPM_CHANGE_EXTEND = 1,
	VTPM_CHANGE_EVENT,
	VTPM_CHANGE_RESET,
	VTPM_CHANGE_STARTUP,
	VTPM_CHANGE_RESUME,
};

#define VTPM_CHANGE_MAX_DIGESTS	VTPM_MAX_BANKS

/**
 * struct vtpm_pcr_change - one change of an instance's vPCRs
 * @type:	&enum vtpm_change_type
 * @pcr:	the vPCR (not used by %VTPM_CHANGE_STARTUP and _RESUME)
 * @count:	number of entries in @d (extend and event only)
 * @d:		digests extended, in order: bank index and digest
 * @d.bank:	index into &struct vtpm_banks
 * @d.digest:	banks[bank].size bytes
 *
 * This is what the anchor (vtpm_plat_anchor()) records and extends into
 * hardware before the vPCRs may change.
 */
struct vtpm_pcr_change {
	u8 type;
	u8 pcr;
	u8 count;
	struct {
		u8 bank;
		u8 digest[VTPM_MAX_DIGEST_SIZE];
	} d[VTPM_CHANGE_MAX_DIGESTS];
};

#define VTPM_MAX_LOADED_SESSIONS	3

/**
 * struct vtpm_session - a loaded HMAC session
 * @handle:	 its handle, 0 when the slot is free
 * @alg:	 authHash
 * @size:	 digest size of @alg: the size of nonceTPM and sessionKey
 * @key_size:	 size of @key: 0 for an unbound, unsalted session
 * @nonce_tpm:	 the last nonce the TPM sent (nonceOlder of the next command)
 * @key:	 sessionKey
 */
struct vtpm_session {
	u32 handle;
	u16 alg;
	u8 size;
	u8 key_size;
	u8 nonce_tpm[VTPM_MAX_DIGEST_SIZE];
	u8 key[VTPM_MAX_DIGEST_SIZE];
};

enum vtpm_shutdown {
	VTPM_SHUTDOWN_NONE = 0,
	VTPM_SHUTDOWN_CLEAR,
	VTPM_SHUTDOWN_STATE,
};

/**
 * struct vtpm_tpm - the TPM state of one instance
 * @banks:		the PCR banks (shared, read-only)
 * @started:		TPM2_Startup succeeded
 * @shutdown:		&enum vtpm_shutdown of the last TPM2_Shutdown since
 *			Startup; a vPCR change turns STATE into CLEAR
 * @pcr_update_counter:	TPM_PT_PCR_UPDATE... as returned by PCR_Read
 * @reset_count:	Startup(CLEAR)s after the first
 * @restart_count:	Startup(STATE)s since the last Startup(CLEAR)
 * @created_ms:		platform clock at creation (ReadClock's clock)
 * @started_ms:		platform clock at the last Startup (ReadClock's time)
 * @commands:		commands executed
 * @extends:		vPCR changes made by PCR_Extend, PCR_Event, PCR_Reset
 * @sessions:		the loaded sessions
 * @plat:		the platform's (kernel: the instance)
 * @pcr:		VTPM_NUM_PCRS vPCRs of @banks->stride bytes each
 *
 * The caller serialises every access (one command at a time).
 */
struct vtpm_tpm {
	const struct vtpm_banks *banks;
	bool started;
	u8 shutdown;
	u32 pcr_update_counter;
	u32 reset_count;
	u32 restart_count;
	u64 created_ms;
	u64 started_ms;
	u64 commands;
	u64 extends;
	struct vtpm_session sessions[VTPM_MAX_LOADED_SESSIONS];
	void *plat;
	u8 pcr[];
};

static inline size_t vtpm_tpm_size(const struct vtpm_banks *banks)
{
	return sizeof(struct vtpm_tpm) + VTPM_NUM_PCRS * banks->stride;
}

void vtpm_tpm_init(struct vtpm_tpm *t, const struct vtpm_banks *banks);
int vtpm_pcr_change_row(const struct vtpm_tpm *t,
			const struct vtpm_pcr_change *chg, u8 *row);
int vtpm_pcr_change_apply(struct vtpm_tpm *t,
			  const struct vtpm_pcr_change *chg);
size_t vtpm_execute(struct vtpm_tpm *t, const u8 *cmd, size_t len,
		    u8 *rsp, size_t cap);
int vtpm_banks_add(struct vtpm_banks *banks, u16 alg);
const char *vtpm_alg_name(u16 alg);
u16 vtpm_alg_digest_size(u16 alg);

/*
 * Platform hooks: implemented once for the kernel (drivers/vtpm/platform.c)
 * and once for user space (the unit tests and fuzzers).
 */

/**
 * struct vtpm_iov - one piece of a message to hash
 * @p:	 the bytes
 * @len: their number
 */
struct vtpm_iov {
	const void *p;
	size_t len;
};

/* Hash the @n pieces at @iov with TPM_ALG_ID @alg into @out; 0 or -errno. */
int vtpm_plat_hashv(u16 alg, const struct vtpm_iov *iov, unsigned int n,
		    u8 *out);
/* Fill @buf with @len random bytes. */
void vtpm_plat_random(void *buf, size_t len);
/* Mix @len bytes of caller data into the platform's RNG (no entropy). */
void vtpm_plat_stir(const void *buf, size_t len);
/* Milliseconds of a monotonic clock. */
u64 vtpm_plat_now_ms(void);
/*
 * Record @chg of @t and anchor it in the hardware TPM.  Returns a TPM_RC:
 * VTPM_RC_SUCCESS once the change is anchored (the vPCRs are then updated),
 * anything else leaves the vPCRs as they are.
 */
u32 vtpm_plat_anchor(struct vtpm_tpm *t, const struct vtpm_pcr_change *chg);

/* Hash @len bytes at @data with @alg into @out; 0 or -errno. */
static inline int vtpm_plat_hash(u16 alg, const void *data, size_t len,
				 u8 *out)
{
	struct vtpm_iov iov = { data, len };

	return vtpm_plat_hashv(alg, &iov, 1, out);
}

#endif /* _VTPM_LIB_ENGINE_H */
