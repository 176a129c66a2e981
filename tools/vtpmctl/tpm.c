// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl: TPM2_PCR_Read of one hardware PCR in several banks, written by
 * hand onto /dev/tpmrm0 (or /dev/tpm0), so that vtpmctl needs no TSS.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine.h"
#include "marshal.h"
#include "vtpmctl.h"

#define TPM_BUF_SIZE		4096
#define TPM_RC_YIELDED		0x908
#define TPM_RC_TESTING		0x90A
#define TPM_BUSY_TRIES		20

_Static_assert(TPM_DIGEST_MAX == VTPM_MAX_DIGEST_SIZE, "digest size");

int tpm_open(const char *path)
{
	int fd, err;

	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		errmsg("cannot open %s: %s%s", path, strerror(err),
		       err == EACCES ? " (need root or the tss group)" :
		       err == ENOENT ? " (no TPM? --tpm PATH names another device)" :
		       "");
	}
	return fd;
}

/* Send @len bytes of @cmd, read the response into @rsp: its length or -1. */
ssize_t tpm_transmit(int fd, const char *path, const u8 *cmd,
			    size_t len, u8 *rsp)
{
	ssize_t n, got = 0;
	size_t want = 10;

	n = write(fd, cmd, len);
	if (n != (ssize_t)len) {
		errmsg("write to %s: %s", path,
		       n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	while ((size_t)got < want) {
		n = read(fd, rsp + got, TPM_BUF_SIZE - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			errmsg("read from %s: %s", path,
			       n < 0 ? strerror(errno) : "short response");
			return -1;
		}
		got += n;
		if ((size_t)got >= 6) {
			want = get_unaligned_be32(rsp + 2);
			if (want < 10 || want > TPM_BUF_SIZE) {
				errmsg("%s: bad response size %zu", path, want);
				return -1;
			}
		}
	}
	return got;
}

/*
 * One TPM2_PCR_Read of PCR @pcr in the banks @algs[i] with !@done[i];
 * fills @out[i] and sets @done[i] for the banks the TPM answered.
 * Returns the number of banks read, or -1 (message printed).
 */
static int tpm_pcr_read_once(int fd, const char *path, u32 pcr,
			     const u16 *algs, u32 n, bool *done,
			     u8 (*out)[TPM_DIGEST_MAX])
{
	u8 cmd[TPM_BUF_SIZE], rsp[TPM_BUF_SIZE], sel[3] = { 0 };
	u32 i, j, k, nsel, ndig, rc, tries = 0, read = 0;
	struct tpm_wr w;
	struct tpm_rd r;
	ssize_t len;

	sel[pcr / 8] = 1 << (pcr % 8);
	tpm_wr_init(&w, cmd, sizeof(cmd));
	tpm_wr_u16(&w, VTPM_ST_NO_SESSIONS);
	tpm_wr_u32(&w, 0);		/* size, below */
	tpm_wr_u32(&w, VTPM_CC_PCR_READ);
	for (i = 0, nsel = 0; i < n; i++)
		nsel += !done[i];
	tpm_wr_u32(&w, nsel);		/* TPML_PCR_SELECTION */
	for (i = 0; i < n; i++) {
		if (done[i])
			continue;
		tpm_wr_u16(&w, algs[i]);
		tpm_wr_u8(&w, sizeof(sel));
		tpm_wr_bytes(&w, sel, sizeof(sel));
	}
	put_unaligned_be32(w.pos, cmd + 2);

	for (;;) {
		len = tpm_transmit(fd, path, cmd, w.pos, rsp);
		if (len < 0)
			return -1;
		rc = get_unaligned_be32(rsp + 6);
		if ((rc == VTPM_RC_RETRY || rc == TPM_RC_YIELDED ||
		     rc == TPM_RC_TESTING) && ++tries < TPM_BUSY_TRIES) {
			nanosleep(&(struct timespec){ .tv_nsec = 10000000 },
				  NULL);
			continue;
		}
		break;
	}
	if (rc) {
		errmsg("TPM2_PCR_Read of PCR %u on %s: TPM_RC 0x%03x", pcr,
		       path, rc);
		return -1;
	}

	tpm_rd_init(&r, rsp, len);
	tpm_rd_bytes(&r, 10);
	tpm_rd_u32(&r);			/* pcrUpdateCounter */
	nsel = tpm_rd_u32(&r);		/* pcrSelectionOut */
	{
		u16 salg[VTPM_MAX_BANKS * 2];
		u32 nbits[VTPM_MAX_BANKS * 2];
		u32 ns = 0;

		for (i = 0; i < nsel && !r.err; i++) {
			u16 alg = tpm_rd_u16(&r);
			u8 size = tpm_rd_u8(&r);
			const u8 *bits = tpm_rd_bytes(&r, size);
			u32 count = 0;

			for (j = 0; bits && j < size; j++)
				for (k = 0; k < 8; k++)
					count += (bits[j] >> k) & 1;
			if (ns == ARRAY_SIZE(salg))
				goto bad;
			salg[ns] = alg;
			nbits[ns++] = count;
		}
		ndig = tpm_rd_u32(&r);		/* pcrValues */
		for (i = 0; i < ns && !r.err; i++) {
			for (k = 0; k < nbits[i]; k++) {
				u16 size = tpm_rd_u16(&r);
				const u8 *d = tpm_rd_bytes(&r, size);

				if (!ndig-- || !d)
					goto bad;
				for (j = 0; j < n; j++) {
					if (algs[j] != salg[i] || done[j])
						continue;
					if (nbits[i] != 1 ||
					    size != vtpm_alg_digest_size(salg[i]))
						goto bad;
					memcpy(out[j], d, size);
					done[j] = true;
					read++;
				}
			}
		}
	}
	if (r.err)
		goto bad;
	return read;
bad:
	errmsg("TPM2_PCR_Read of PCR %u on %s: malformed response", pcr, path);
	return -1;
}

/*
 * Read PCR @pcr in the @n banks @algs into @out: one TPM2_PCR_Read when the
 * TPM answers every bank at once (it may stop at 8 digests), else more.
 * Returns 0 or -1 (message printed).
 */
int tpm_pcr_read(int fd, const char *path, u32 pcr, const u16 *algs, u32 n,
		 u8 (*out)[TPM_DIGEST_MAX])
{
	bool done[VTPM_MAX_BANKS] = { false };
	u32 left = n, i;
	int got;

	if (pcr >= VTPM_NUM_PCRS || n > VTPM_MAX_BANKS) {
		errmsg("cannot read PCR %u in %u banks", pcr, n);
		return -1;
	}
	while (left) {
		got = tpm_pcr_read_once(fd, path, pcr, algs, n, done, out);
		if (got < 0)
			return -1;
		if (!got) {
			for (i = 0; i < n && done[i]; i++)
				;
			errmsg("%s has no %s bank of PCR %u", path,
			       vtpm_alg_name(algs[i]) ?: "unknown", pcr);
			return -1;
		}
		left -= got;
	}
	return 0;
}
