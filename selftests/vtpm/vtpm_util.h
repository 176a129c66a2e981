/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the vtpm-mux selftests: the control-device ioctls, the
 * "target" a command-level test talks to (a fresh vtpm-mux instance, or a
 * device / TCTI named in the environment), and a raw command transport.
 *
 * Environment (all optional):
 *   VTPM_DEV=/dev/vtpmN          use this existing device instead of
 *                                creating an instance (not reset between
 *                                tests: tests that need a fresh TPM skip)
 *   VTPM_TCTI=swtpm:port=P       talk to swtpm instead; raw commands go to
 *                                TCP port P, the control channel (CMD_INIT,
 *                                used as "fresh instance" and "power cycle")
 *                                to port P+1 or VTPM_SWTPM_CTRL_PORT
 *   VTPM_TCTI=device:/dev/X      same as VTPM_DEV=/dev/X
 *   VTPM_DEV2 / VTPM_TCTI2 / VTPM_SWTPM_CTRL_PORT2
 *                                the second target of the isolation tests
 */
#ifndef VTPM_UTIL_H
#define VTPM_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/vtpm_mux.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* TPM 2.0 constants used by the raw tests (TCG TPM 2.0 Part 2) */
#define ST_NO_SESSIONS		0x8001
#define ST_SESSIONS		0x8002
#define ST_RSP_COMMAND		0x00C4
#define CC_PCR_Event		0x13C
#define CC_PCR_Reset		0x13D
#define CC_Startup		0x144
#define CC_Shutdown		0x145
#define CC_GetRandom		0x17B
#define CC_PCR_Read		0x17E
#define CC_ReadClock		0x181
#define CC_PCR_Extend		0x182
#define SU_CLEAR		0x0000
#define SU_STATE		0x0001
#define RS_PW			0x40000009
#define ALG_SHA1		0x0004
#define ALG_SHA256		0x000B
#define ALG_SHA384		0x000C
#define ALG_SHA512		0x000D
#define RC_SUCCESS		0x000
#define RC_INITIALIZE		0x100
#define RC_COMMAND_SIZE		0x142
#define RC_COMMAND_CODE		0x143
#define RC_BAD_TAG		0x01E
#define RC_NV_SPACE		0x14B
#define RC_LOCALITY		0x907
#define RC_CANCELED		0x909

#define TPM_BUFSIZE		4096

struct alg_desc {
	uint16_t alg;
	const char *name;
	unsigned int size;
};
const struct alg_desc *alg_by_id(uint16_t alg);
extern const struct alg_desc known_hash_algs[4];

/* ---- control device ---------------------------------------------------- */

int mux_ctl_open(void);	/* O_RDWR /dev/vtpm-mux, -1 + errno on error */
/* each returns 0 or -errno */
int mux_create(int ctl, struct vtpm_mux_create *c);
int mux_create_simple(int ctl, const char *label, uint32_t *index,
		      uint8_t uuid[VTPM_MUX_UUID_SIZE]);
int mux_destroy(int ctl, uint32_t index);
int mux_info(int ctl, uint32_t index, struct vtpm_mux_info *info);
/* fills up to max indices; returns the number of instances or -errno */
int mux_list(int ctl, uint32_t *indices, uint32_t max);
void mux_dev_path(uint32_t index, char *buf, size_t len);
/* waits (up to 2 s) until the node exists (want=true) or is gone */
bool wait_for_path(const char *path, bool want);
void uuid_str(const uint8_t uuid[16], char out[37]);
int read_sysfs(uint32_t index, const char *attr, char *buf, size_t len);

/* ---- targets ----------------------------------------------------------- */

enum target_kind {
	TARGET_MUX,	/* an instance this test created through the ioctl */
	TARGET_DEV,	/* a character device given in VTPM_DEV */
	TARGET_SWTPM,	/* swtpm over TCP (VTPM_TCTI=swtpm:...) */
	TARGET_TCTI,	/* some other TCTI: no raw access, no reset */
};

struct vtpm_target {
	enum target_kind kind;
	int ctl;		/* TARGET_MUX: control device fd */
	uint32_t index;		/* TARGET_MUX */
	uint8_t uuid[VTPM_MUX_UUID_SIZE];
	char dev[128];		/* TARGET_MUX, TARGET_DEV */
	char tcti[256];		/* every kind */
	char host[64];		/* TARGET_SWTPM */
	int port, ctrl_port;	/* TARGET_SWTPM */
};

/*
 * suffix "" for the first target, "2" for the second.  Returns 0 or -errno
 * with a message in err.  A TARGET_MUX or TARGET_SWTPM target is fresh
 * afterwards: not started, PCRs at their power-on values.
 */
int target_setup(struct vtpm_target *t, const char *suffix, char *err,
		 size_t errlen);
void target_teardown(struct vtpm_target *t);
/* true if the target was made fresh by target_setup */
bool target_is_fresh(const struct vtpm_target *t);
bool target_is_mux(const struct vtpm_target *t);
bool target_has_raw(const struct vtpm_target *t);
/*
 * What a TPM sees between Shutdown and the next Startup.  A vtpm-mux
 * instance needs nothing (abi.md: "a vTPM's power cycle is its tenant's
 * orderly shutdown"); swtpm gets CMD_INIT on its control channel.
 * Returns 0, or -EOPNOTSUPP if the target cannot do it.
 */
int target_power_cycle(struct vtpm_target *t);
const char *target_name(const struct vtpm_target *t);

/* swtpm control channel: CMD_INIT; returns 0 or -errno / -EPROTO */
int swtpm_ctrl_init(const char *host, int ctrl_port);

/* ---- raw commands ------------------------------------------------------ */

/*
 * Writes cmd to an open TPM character device (/dev/vtpmN, /dev/tpmrm0) in
 * one write() and reads one response.  Returns the response length, or
 * -errno (-ETIMEDOUT when no answer came within timeout_ms).
 */
ssize_t fd_xfer(int fd, const uint8_t *cmd, size_t len, uint8_t *resp,
		size_t cap, int timeout_ms);
/* the response code of a response of n bytes (n from *_xfer), or -1 */
long resp_rc(const uint8_t *resp, ssize_t n);

/*
 * Sends cmd (len bytes, written/sent in one call) and reads one response.
 * Returns the response length, or -errno (-ETIMEDOUT when the target did
 * not answer within timeout_ms).
 */
ssize_t raw_xfer(const struct vtpm_target *t, const uint8_t *cmd, size_t len,
		 uint8_t *resp, size_t cap, int timeout_ms);

/* big-endian access */
static inline uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/*
 * Parses hex digits, ignoring blanks; "XX*N" stands for N bytes XX.
 * Returns the byte count or -1.
 */
ssize_t hex_decode(const char *hex, uint8_t *out, size_t cap);
void hex_encode(const uint8_t *in, size_t len, char *out);

/* builders of well-formed commands; each returns the command length */
size_t build_startup(uint8_t *buf, uint16_t type);
size_t build_getrandom(uint8_t *buf, uint16_t bytes);
size_t build_pcr_read(uint8_t *buf, uint16_t alg, unsigned int pcr);
size_t build_pcr_extend(uint8_t *buf, unsigned int pcr, uint16_t alg,
			const uint8_t *digest, unsigned int dlen);
/* PCR_Extend with count digests: algs[i] and digests[i] (alg's size) */
size_t build_pcr_extend_multi(uint8_t *buf, unsigned int pcr,
			      unsigned int count, const uint16_t *algs,
			      const uint8_t *const *digests);
/* PCR_Event of len (<= 1024) bytes of event data */
size_t build_pcr_event(uint8_t *buf, unsigned int pcr, const uint8_t *data,
		       unsigned int len);
size_t build_pcr_reset(uint8_t *buf, unsigned int pcr);
size_t build_shutdown(uint8_t *buf, uint16_t type);
size_t build_read_clock(uint8_t *buf);
/* PCR_Read of the PCRs in the bitmap pcrs (bit n: PCR n) of nalgs banks */
size_t build_pcr_read_sel(uint8_t *buf, unsigned int nalgs,
			  const uint16_t *algs, uint32_t pcrs);

/*
 * Reads the PCRs in the bitmap pcrs of every bank in algs through fd,
 * repeating PCR_Read until every one was returned (a TPM returns at most 8
 * digests per command); out[a][pcr] gets the value in bank algs[a].
 * Returns the TPM response code (>= 0), or -errno / -EPROTO.
 */
long fd_pcr_read_many(int fd, unsigned int nalgs, const uint16_t *algs,
		      uint32_t pcrs, uint8_t out[][24][64]);

/*
 * Reads one PCR with raw commands; returns the TPM response code (>= 0),
 * or -errno on a transport error / -EPROTO on a malformed response.
 */
long raw_pcr_read(const struct vtpm_target *t, uint16_t alg, unsigned int pcr,
		  uint8_t *digest, unsigned int *dlen);

/* the power-on value of a PC Client PCR: 17-22 all 0xFF, the rest 0 */
void pcr_initial_value(unsigned int pcr, unsigned int size, uint8_t *out);

/* a small deterministic PRNG per thread (xorshift64*); seed it non-zero */
struct rng {
	uint64_t s;
};

uint64_t rnd(struct rng *r);
void rnd_bytes(struct rng *r, uint8_t *p, size_t n);

#endif /* VTPM_UTIL_H */
