// SPDX-License-Identifier: GPL-2.0
/*
 * attest_race: real log shapes that quiet tpm2-tools commands do not make,
 * for attest_verify_test.sh.
 *
 *	attest_race burst INDEX [ROUNDS]
 *
 * Commands of one instance run one at a time (its lock), so a batch holds
 * at most one record of each instance; a batch holds several records only
 * when instances' commands meet at the mux.  Four threads, on /dev/vtpmINDEX
 * and on three instances made for it, extend at once (vPCR 8, 8 extends
 * each, ROUNDS rounds at most, default 5) until instance INDEX's view has
 * one of its records last in a batch of two or more that has a batch after
 * it, or first in one after batch 1 (what vtpm-tamper move-own needs).  The
 * three are destroyed afterwards.  Prints "batch B of N entries"; exit 1
 * if no round made one.
 *
 *	attest_race destroyed INDEX NONCE_HEX OUT [TRIES]
 *
 * A real bundle of an instance destroyed before its quote (vtpm-verify must
 * trust it and say "(destroyed)", and refuse it with the DESTROY hidden).
 * The ABI answers -ENODEV to an attestation request on a destroyed
 * instance (its open /dev/vtpmN, or its index on the control device): the
 * instance must still be alive when VTPM_IOC_ATTEST is called.  But the
 * request waits in the mux's queue for the leader, and a leader appends
 * every record it takes from the queue before it quotes (drivers/vtpm/mux.c,
 * vtpm_mux_lead()): a DESTROY queued while the request waits is in the
 * quoted log, and in the view (attestation.md: "An instance destroyed
 * before the quote is still attested").  The request is made to wait: a
 * thread has the hardware TPM search primes (TPM2_CreatePrimary RSA 3072,
 * or 2048 if the TPM refuses 3072, on /dev/tpmrm0, whose write() holds the
 * chip until the TPM answers), 3 ms later a PCR_Extend of a busy instance
 * makes the leader wait for the chip, 3 ms later the request is made on the
 * kept /dev/vtpmINDEX, and 0.3 ms after that the instance is destroyed.  Whether the DESTROY made it into
 * the quote is read from the view (lib/mlog.c).  If it did not (the prime
 * search ended too soon, or the destroy came before the request: -ENODEV),
 * the instance is gone anyway; the next try creates a fresh instance, gives
 * it one record of every other type with raw commands (Startup(CLEAR),
 * PCR_Extend, PCR_Event, PCR_Reset(16), Shutdown(STATE), Startup(STATE))
 * and tries again, TRIES times in all (default 12).  Prints "INDEX UUID
 * TRY" of the instance in the bundle written to OUT, and on standard error
 * a line "# try N: ..." with the times of each try; exit 1 if no try
 * succeeded.
 *
 * Exit status 2 on usage or setup errors.  Needs root and vtpm_mux (with an
 * attestation key for "destroyed").
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "vtpm_mlog.h"
#include "bundle.h"		/* drivers/vtpm/lib */

#define BUNDLE_MARGIN	(64 * 1024)

static void req_init(struct vtpm_attest_req *q, const uint8_t *nonce,
		     unsigned int nlen, void *buf, size_t cap)
{
	memset(q, 0, sizeof(*q));
	q->size = sizeof(*q);
	q->nonce_len = nlen;
	memcpy(q->nonce, nonce, nlen);
	q->buf = (uintptr_t)buf;
	q->len = cap;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
	struct timespec ts = { (time_t)(ms / 1e3),
			       (long)((ms - (time_t)(ms / 1e3) * 1e3) * 1e6) };

	nanosleep(&ts, NULL);
}

/*
 * The hardware TPM kept busy: TPM2_CreatePrimary of an RSA signing key of
 * h->bits in the owner hierarchy (a prime search: 15-90 ms for 2048 bits in
 * swtpm here, several times that for 3072) through
 * /dev/tpmrm0, whose write() holds the chip (tpm_try_get_ops()) until the
 * TPM answers; the mux's leader waits for the chip meanwhile.
 */
struct hog {
	pthread_t th;
	unsigned int bits;
	atomic_int sending;
	double t0, t1;
	long rc;
};

static void *hog_main(void *arg)
{
	struct hog *h = arg;
	uint8_t cmd[128], resp[4096];
	size_t n = 0;
	ssize_t got;
	int fd;

	put_be16(cmd, ST_SESSIONS);
	n = 10;
	put_be32(cmd + 6, 0x131);		/* TPM_CC_CreatePrimary */
	put_be32(cmd + n, 0x40000001);		/* TPM_RH_OWNER */
	n += 4;
	put_be32(cmd + n, 9);			/* a password session */
	put_be32(cmd + n + 4, RS_PW);
	memset(cmd + n + 8, 0, 5);
	n += 13;
	put_be16(cmd + n, 4);			/* inSensitive: empty */
	memset(cmd + n + 2, 0, 4);
	n += 6;
	{
		size_t at = n;

		n += 2;
		put_be16(cmd + n, 0x0001);	/* TPM_ALG_RSA */
		put_be16(cmd + n + 2, ALG_SHA256);
		/* fixedTPM fixedParent sensitiveDataOrigin userWithAuth sign */
		put_be32(cmd + n + 4, 0x00040072);
		put_be16(cmd + n + 8, 0);	/* authPolicy */
		put_be16(cmd + n + 10, 0x0010);	/* symmetric: NULL */
		put_be16(cmd + n + 12, 0x0010);	/* scheme: NULL */
		put_be16(cmd + n + 14, h->bits);
		put_be32(cmd + n + 16, 0);	/* exponent: 2^16 + 1 */
		n += 20;
		/* unique: random, so that no cache of primary keys helps */
		put_be16(cmd + n, 16);
		{
			struct rng r = { (uint64_t)now_ms() * 2654435761u | 1 };

			rnd_bytes(&r, cmd + n + 2, 16);
		}
		n += 18;
		put_be16(cmd + at, n - at - 2);
	}
	put_be16(cmd + n, 0);			/* outsideInfo */
	put_be32(cmd + n + 2, 0);		/* creationPCR: none */
	n += 6;
	put_be32(cmd + 2, n);

	fd = open(HW_TPM, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		h->rc = -errno;
		atomic_store(&h->sending, 1);
		return NULL;
	}
	atomic_store(&h->sending, 1);
	h->t0 = now_ms();
	got = fd_xfer(fd, cmd, n, resp, sizeof(resp), 120000);
	h->t1 = now_ms();
	h->rc = got < 0 ? got : resp_rc(resp, got);
	close(fd);		/* the resource manager flushes the key */
	return NULL;
}

/* one record of the busy instance: the mux's leader waits for the chip */
struct extender {
	pthread_t th;
	int fd;
	long rc;
};

static void *extend_main(void *arg)
{
	struct extender *x = arg;
	uint8_t cmd[128], resp[256], d[32] = { 0xe1 };
	ssize_t n = fd_xfer(x->fd, cmd, build_pcr_extend(cmd, 8, ALG_SHA256, d, 32),
			    resp, sizeof(resp), 120000);

	x->rc = n < 0 ? n : resp_rc(resp, n);
	return NULL;
}

struct attester {
	int fd;
	const uint8_t *nonce;
	unsigned int nlen;
	uint8_t *buf;
	size_t cap;
	struct vtpm_attest_req q;
	int ret;
	atomic_int started;
	double t0, t1;		/* the ioctl: called, returned (ms) */
};

static void *attest_main(void *arg)
{
	struct attester *a = arg;

	req_init(&a->q, a->nonce, a->nlen, a->buf, a->cap);
	atomic_store(&a->started, 1);
	a->t0 = now_ms();
	a->ret = ioctl(a->fd, VTPM_IOC_ATTEST, &a->q) ? -errno : 0;
	a->t1 = now_ms();
	return NULL;
}

/* one record of every type but CREATE and DESTROY, with raw commands */
static int give_records(int fd)
{
	static const uint8_t data[] = "attest_destroyed event";
	uint8_t resp[4096], d[32];
	size_t len[6];
	uint8_t bufs[6][1200];

	memset(d, 0x5a, sizeof(d));
	len[0] = build_startup(bufs[0], SU_CLEAR);
	len[1] = build_pcr_extend(bufs[1], 3, ALG_SHA256, d, sizeof(d));
	len[2] = build_pcr_event(bufs[2], 5, data, sizeof(data) - 1);
	len[3] = build_pcr_reset(bufs[3], 16);
	len[4] = build_shutdown(bufs[4], SU_STATE);
	len[5] = build_startup(bufs[5], SU_STATE);
	for (int i = 0; i < 6; i++) {
		ssize_t n;

		n = fd_xfer(fd, bufs[i], len[i], resp, sizeof(resp), 60000);
		if (n < 0 || resp_rc(resp, n) != 0) {
			fprintf(stderr, "attest_race: command %d: %s rc 0x%lx\n",
				i, n < 0 ? strerror(-n) : "", n < 0 ? -1L :
				resp_rc(resp, n));
			return -EPROTO;
		}
	}
	return 0;
}

static int write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	if (fwrite(p, 1, n, f) != n) {
		fclose(f);
		return -EIO;
	}
	return fclose(f) ? -errno : 0;
}

/* ---- burst ------------------------------------------------------------ */

#define NBURST		4
#define BURST_EXTENDS	8

struct burster {
	pthread_t th;
	pthread_barrier_t *go;
	int fd;
	unsigned int id, round;
	long rc;
};

static void *burst_main(void *arg)
{
	struct burster *b = arg;
	uint8_t cmd[256], resp[256], d[32];

	pthread_barrier_wait(b->go);
	for (unsigned int k = 0; k < BURST_EXTENDS; k++) {
		ssize_t n;

		memset(d, 0, sizeof(d));
		d[0] = b->id;
		d[1] = b->round;
		d[2] = k;
		n = fd_xfer(b->fd, cmd, build_pcr_extend(cmd, 8, ALG_SHA256, d, 32),
			    resp, sizeof(resp), 60000);
		b->rc = n < 0 ? n : resp_rc(resp, n);
		if (b->rc)
			break;
	}
	return NULL;
}

/* what move-own needs: a record of the view's instance at an end of a batch of 2+ */
struct shape {
	const uint8_t *uuid;
	uint64_t nr_batches;
	uint64_t found_batch;
	uint32_t found_n;
};

static int shape_entry(void *ctx, const struct walk_entry *e)
{
	struct shape *s = ctx;

	if (s->found_n || e->form != VTPM_ENTRY_CLEAR || e->n < 2 ||
	    !rec_of_instance(e->body) || memcmp(body_uuid(e->body), s->uuid, 16))
		return 0;
	if ((e->index == e->n - 1 && e->batch + 1 < s->nr_batches) ||
	    (e->index == 0 && e->batch >= 2)) {
		s->found_batch = e->batch;
		s->found_n = e->n;
	}
	return 0;
}

static int burst(int ctl, uint32_t idx, int rounds)
{
	struct burster b[NBURST];
	uint32_t extra[NBURST - 1];
	struct vtpm_mux_info info;
	pthread_barrier_t go;
	char dev[64];
	int status = 1, made = 0;

	if (mux_info(ctl, idx, &info)) {
		fprintf(stderr, "attest_race: no vtpm%u\n", idx);
		return 2;
	}
	memset(b, 0, sizeof(b));
	for (int i = 0; i < NBURST; i++)
		b[i].fd = -1;
	for (int i = 0; i < NBURST; i++) {
		uint8_t cmd[16], resp[64], uu[16];
		ssize_t n;

		b[i].id = i;
		if (i) {
			char label[32];

			snprintf(label, sizeof(label), "attest-burst-%d", i);
			if (mux_create_simple(ctl, label, &extra[i - 1], uu)) {
				perror("attest_race: create");
				status = 2;
				goto out;
			}
			made = i;
		}
		mux_dev_path(i ? extra[i - 1] : idx, dev, sizeof(dev));
		if (!wait_for_path(dev, true) ||
		    (b[i].fd = open(dev, O_RDWR | O_CLOEXEC)) < 0) {
			fprintf(stderr, "attest_race: cannot open %s\n", dev);
			status = 2;
			goto out;
		}
		if (i) {
			n = fd_xfer(b[i].fd, cmd, build_startup(cmd, SU_CLEAR),
				    resp, sizeof(resp), 60000);
			if (n < 0 || resp_rc(resp, n)) {
				fprintf(stderr, "attest_race: Startup of %s failed\n", dev);
				status = 2;
				goto out;
			}
		}
	}
	for (int round = 0; round < rounds && status == 1; round++) {
		struct shape sh = { .uuid = info.uuid };
		struct walk w = { .on_entry = shape_entry, .ctx = &sh };
		uint8_t *view;
		size_t vlen;

		pthread_barrier_init(&go, NULL, NBURST);
		for (int i = 0; i < NBURST; i++) {
			b[i].go = &go;
			b[i].round = round;
			pthread_create(&b[i].th, NULL, burst_main, &b[i]);
		}
		for (int i = 0; i < NBURST; i++)
			pthread_join(b[i].th, NULL);
		pthread_barrier_destroy(&go);
		for (int i = 0; i < NBURST; i++) {
			if (b[i].rc) {
				fprintf(stderr, "attest_race: extend: rc %ld\n", b[i].rc);
				status = 2;
				goto out;
			}
		}
		if (view_ioctl(b[0].fd, false, &view, &vlen, NULL)) {
			fprintf(stderr, "attest_race: no view of vtpm%u\n", idx);
			status = 2;
			goto out;
		}
		/* the batch count first, then where its records are */
		{
			struct walk w0 = { 0 };

			if (walk_log(view, vlen, &w0)) {
				fprintf(stderr, "attest_race: the view of vtpm%u does not walk: %s\n",
					idx, w0.why);
				free(view);
				status = 2;
				goto out;
			}
			sh.nr_batches = w0.batches;
			if (walk_log(view, vlen, &w) == 0 && sh.found_n) {
				printf("batch %llu of %u entries\n",
				       (unsigned long long)sh.found_batch,
				       sh.found_n);
				status = 0;
			}
		}
		free(view);
	}
	if (status == 1)
		fprintf(stderr, "attest_race: %d rounds made no batch of 2+ with a record of vtpm%u at an end\n",
			rounds, idx);
out:
	for (int i = 0; i < NBURST; i++)
		if (b[i].fd >= 0)
			close(b[i].fd);
	for (int i = 0; i < made; i++)
		mux_destroy(ctl, extra[i]);
	return status;
}

/* ---- destroyed ----------------------------------------------------------- */

static int destroyed(int argc, char **argv)
{
	struct vtpm_replay *r = replay_new();
	struct vtpm_mux_info info;
	uint8_t nonce[VTPM_MUX_NONCE_MAX];
	uint32_t idx, busy_idx;
	uint8_t busy_uuid[16];
	char dev[64], busy_dev[64], uu[37];
	int ctl, tries = 12, status = 1;
	unsigned int hog_bits = 3072;
	ssize_t nlen;

	idx = strtoul(argv[1], NULL, 10);
	nlen = hex_decode(argv[2], nonce, sizeof(nonce));
	if (argc == 5)
		tries = atoi(argv[4]);
	if (nlen < 1 || tries < 1 || !r) {
		fprintf(stderr, "attest_race: bad nonce or tries\n");
		return 2;
	}
	ctl = mux_ctl_open();
	if (ctl < 0) {
		perror("attest_race: /dev/vtpm-mux");
		return 2;
	}
	if (mux_create_simple(ctl, "attest-busy", &busy_idx, busy_uuid)) {
		perror("attest_race: create the busy instance");
		return 2;
	}
	mux_dev_path(busy_idx, busy_dev, sizeof(busy_dev));
	{
		uint8_t cmd[16], resp[64];
		ssize_t n = -ENOENT;
		int fd = wait_for_path(busy_dev, true) ?
			 open(busy_dev, O_RDWR | O_CLOEXEC) : -1;

		if (fd >= 0) {
			n = fd_xfer(fd, cmd, build_startup(cmd, SU_CLEAR), resp,
				    sizeof(resp), 60000);
			close(fd);
		}
		if (n < 0 || resp_rc(resp, n)) {
			fprintf(stderr, "attest_race: no %s, or its Startup failed\n",
				busy_dev);
			mux_destroy(ctl, busy_idx);
			return 2;
		}
	}

	for (int t = 1; t <= tries; t++) {
		struct attester a = { .nonce = nonce, .nlen = nlen };
		struct hog hog = { .bits = hog_bits };
		struct extender x = { 0 };
		pthread_t th;
		uint8_t *view;
		size_t vlen;
		double td0, td1, tx;
		char times[256];
		int ret;

		if (t > 1) {
			char label[32];

			snprintf(label, sizeof(label), "attest-destroyed-%d", t);
			if (mux_create_simple(ctl, label, &idx, info.uuid)) {
				perror("attest_race: create");
				break;
			}
		}
		mux_dev_path(idx, dev, sizeof(dev));
		if (!wait_for_path(dev, true) ||
		    (a.fd = open(dev, O_RDWR | O_CLOEXEC)) < 0) {
			fprintf(stderr, "attest_race: cannot open %s\n", dev);
			break;
		}
		x.fd = open(busy_dev, O_RDWR | O_CLOEXEC);
		if (x.fd < 0) {
			fprintf(stderr, "attest_race: cannot open %s\n", busy_dev);
			close(a.fd);
			break;
		}
		if (t > 1 && give_records(a.fd)) {
			close(a.fd);
			close(x.fd);
			break;
		}
		if (mux_info(ctl, idx, &info) || view_ioctl(a.fd, false, &view, &vlen, NULL)) {
			fprintf(stderr, "attest_race: vtpm%u: no info or view\n", idx);
			close(a.fd);
			close(x.fd);
			break;
		}
		free(view);
		a.cap = vlen + BUNDLE_MARGIN + (1 << 20);
		a.buf = malloc(a.cap);
		if (!a.buf)
			break;

		/*
		 * The chip busy with a prime search; the leader waiting for it
		 * with a record of the busy instance; then the request, then
		 * the destroy: both wait in the queue, and the next leader
		 * appends the DESTROY before it quotes.
		 */
		pthread_create(&hog.th, NULL, hog_main, &hog);
		while (!atomic_load(&hog.sending))
			usleep(100);
		sleep_ms(3);
		tx = now_ms();
		pthread_create(&x.th, NULL, extend_main, &x);
		sleep_ms(3);
		pthread_create(&th, NULL, attest_main, &a);
		while (!atomic_load(&a.started))
			usleep(100);
		sleep_ms(0.3);
		td0 = now_ms();
		ret = mux_destroy(ctl, idx);
		td1 = now_ms();
		pthread_join(th, NULL);
		pthread_join(x.th, NULL);
		pthread_join(hog.th, NULL);
		close(a.fd);
		close(x.fd);
		snprintf(times, sizeof(times),
			 "TPM2_CreatePrimary RSA %u on %s %.1f ms (rc 0x%lx) from 0, the busy extend from %.1f ms, the request %.1f-%.1f ms, the destroy %.1f-%.1f ms",
			 hog.bits, HW_TPM, hog.t1 - hog.t0, hog.rc, tx - hog.t0,
			 a.t0 - hog.t0, a.t1 - hog.t0, td0 - hog.t0,
			 td1 - hog.t0);
		if (x.rc)
			fprintf(stderr, "attest_race: the busy extend: rc %ld\n", x.rc);
		/* a TPM without RSA 3072: 2048 from now on */
		if (hog.rc > 0 && hog_bits == 3072)
			hog_bits = 2048;
		if (ret) {
			fprintf(stderr, "attest_race: destroy vtpm%u: %s\n", idx,
				strerror(-ret));
			free(a.buf);
			break;
		}
		if (a.ret) {
			fprintf(stderr, "# try %d: the request on vtpm%u came after the destroy: %s; %s\n",
				t, idx, strerror(-a.ret), times);
			free(a.buf);
			continue;
		}
		{
			struct vtpm_bundle b;
			const char *why = NULL;
			size_t off = 0;

			ret = vtpm_bundle_parse(a.buf, a.q.len, &b, &why, &off);
			if (!ret)
				ret = replay_run(r, b.view, b.view_len, info.uuid);
			else
				r->why = why;
			if (ret) {
				fprintf(stderr, "attest_race: the bundle of vtpm%u does not parse or replay: %d (%s)\n",
					idx, ret, r->why ? r->why : "?");
				free(a.buf);
				break;
			}
		}
		if (!r->destroyed) {
			fprintf(stderr, "# try %d: vtpm%u was quoted before its DESTROY; %s\n",
				t, idx, times);
			free(a.buf);
			continue;
		}
		ret = write_file(argv[3], a.buf, a.q.len);
		free(a.buf);
		if (ret) {
			fprintf(stderr, "attest_race: %s: %s\n", argv[3],
				strerror(-ret));
			status = 2;
			break;
		}
		uuid_str(info.uuid, uu);
		fprintf(stderr, "# try %d: vtpm%u quoted after its DESTROY; %s\n",
			t, idx, times);
		printf("%u %s %d\n", idx, uu, t);
		status = 0;
		break;
	}
	mux_destroy(ctl, busy_idx);
	close(ctl);
	free(r);
	return status;
}

int main(int argc, char **argv)
{
	int ctl, ret;

	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "burst")) {
		ctl = mux_ctl_open();
		if (ctl < 0) {
			perror("attest_race: /dev/vtpm-mux");
			return 2;
		}
		ret = burst(ctl, strtoul(argv[2], NULL, 10),
			    argc == 4 ? atoi(argv[3]) : 5);
		close(ctl);
		return ret;
	}
	if (argc >= 5 && argc <= 6 && !strcmp(argv[1], "destroyed"))
		return destroyed(argc - 1, argv + 1);
	fprintf(stderr, "usage: attest_race burst INDEX [ROUNDS]\n"
		"       attest_race destroyed INDEX NONCE_HEX OUT [TRIES]\n");
	return 2;
}
