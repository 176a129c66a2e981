// SPDX-License-Identifier: GPL-2.0
/*
 * sw_engine: a misbehaving engine for sw_backend_test.sh.  Attaches itself
 * to instance N (VTPM_MUX_IOC_ATTACH, replacing the engine there), prints
 * "attached", reads one command, prints "read CC", then:
 *
 *   die   exits without answering (the engine died mid-command)
 *   hang  never answers; waits until the kernel detaches it (EPOLLHUP on
 *         its descriptor, after engine_timeout_ms) and prints "detached"
 *
 * Exit status 0 when that happened, 1 otherwise.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

int main(int argc, char **argv)
{
	struct vtpm_mux_attach a = { .size = sizeof(a) };
	uint8_t buf[4096];
	struct pollfd p;
	int ctl, fd;
	ssize_t n;

	if (argc != 3 || (strcmp(argv[2], "die") && strcmp(argv[2], "hang"))) {
		fprintf(stderr, "usage: sw_engine N die|hang\n");
		return 2;
	}
	a.index = strtoul(argv[1], NULL, 10);
	ctl = open(VTPM_MUX_CONTROL_DEVICE, O_RDWR);
	if (ctl < 0) {
		perror(VTPM_MUX_CONTROL_DEVICE);
		return 1;
	}
	fd = ioctl(ctl, VTPM_MUX_IOC_ATTACH, &a);
	if (fd < 0 || fd != a.fd) {
		perror("VTPM_MUX_IOC_ATTACH");
		return 1;
	}
	printf("attached\n");
	fflush(stdout);
	n = read(fd, buf, sizeof(buf));
	if (n < 10) {
		perror("read");
		return 1;
	}
	printf("read 0x%02x%02x%02x%02x\n", buf[6], buf[7], buf[8], buf[9]);
	fflush(stdout);
	if (!strcmp(argv[2], "die"))
		return 0;
	p.fd = fd;
	p.events = POLLIN;
	if (poll(&p, 1, 60000) != 1 || !(p.revents & POLLHUP)) {
		fprintf(stderr, "sw_engine: not detached within 60 s\n");
		return 1;
	}
	/* a detached engine can neither answer nor read */
	if (write(fd, buf, 10) >= 0 || read(fd, buf, sizeof(buf)) >= 0) {
		fprintf(stderr, "sw_engine: detached, yet I/O works\n");
		return 1;
	}
	printf("detached\n");
	return 0;
}
