// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl: option parsing, strict number parsing, messages, formatting,
 * reading whole files.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

#include "vtpmctl.h"

void errmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("vtpmctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* Print a usage error and a hint; returns the exit status for it. */
int usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("vtpmctl: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'vtpmctl %s%s--help' for more information.\n",
		cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

void optparse_init(struct optparse *p, int argc, char **argv, int start,
		   const char *cmd, bool stop_at_arg)
{
	memset(p, 0, sizeof(*p));
	p->argc = argc;
	p->argv = argv;
	p->idx = start;
	p->cmd = cmd;
	p->stop_at_arg = stop_at_arg;
}

/*
 * Return the id of the next option (its argument in *val), OPT_ARG with a
 * positional argument in *val, OPT_END, or OPT_ERR after printing a usage
 * error.  Long options must be spelt out in full; short ones do not cluster.
 */
int optparse_next(struct optparse *p, const struct opt *opts,
		  const char **val)
{
	const struct opt *o;
	const char *arg, *name, *eq;
	size_t len;

	*val = NULL;
	if (p->idx >= p->argc)
		return OPT_END;
	arg = p->argv[p->idx];
	if (p->only_args || arg[0] != '-' || arg[1] == '\0') {
		if (p->stop_at_arg)
			return OPT_END;
		p->idx++;
		*val = arg;
		return OPT_ARG;
	}
	p->idx++;

	if (!strcmp(arg, "--")) {
		p->only_args = true;
		return optparse_next(p, opts, val);
	}

	if (arg[1] == '-') {
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		for (o = opts; o->id; o++)
			if (strlen(o->name) == len &&
			    !strncmp(o->name, name, len))
				break;
		if (!o->id) {
			usage_error(p->cmd, "unknown option '%.*s'",
				    (int)len + 2, arg);
			return OPT_ERR;
		}
		if (eq) {
			if (!o->has_arg) {
				usage_error(p->cmd,
					    "option '--%s' takes no argument",
					    o->name);
				return OPT_ERR;
			}
			*val = eq + 1;
			return o->id;
		}
	} else {
		for (o = opts; o->id; o++)
			if (o->short_name && o->short_name == arg[1])
				break;
		if (!o->id || arg[2] != '\0') {
			usage_error(p->cmd, "unknown option '%s'", arg);
			return OPT_ERR;
		}
	}

	if (o->has_arg) {
		if (p->idx >= p->argc) {
			usage_error(p->cmd, "option '%s' needs an argument",
				    arg);
			return OPT_ERR;
		}
		*val = p->argv[p->idx++];
	}
	return o->id;
}

/*
 * Strict unsigned number: digits only (no sign, no space, no "0x"), the
 * whole string, at most @max.  Returns 0 or -1.
 */
int parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtoull(s, &end, base);
	if (errno || *end != '\0' || v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* "N", "vtpmN" or "/dev/vtpmN". */
int parse_index(const char *s, uint32_t *index)
{
	const char *num = s;
	size_t plen = strlen(VTPM_DEV_PREFIX);

	if (!strncmp(s, VTPM_DEV_PREFIX, plen))
		num = s + plen;
	else if (!strncmp(s, "vtpm", 4))
		num = s + 4;
	/* /dev/vtpm01 is not the node of instance 1 */
	if (num != s && num[0] == '0' && num[1] != '\0')
		return -1;
	return parse_u32(num, 10, UINT32_MAX, index);
}

/* Octal permission bits, 0..0777. */
int parse_mode(const char *s, uint32_t *mode)
{
	return parse_u32(s, 8, 0777, mode);
}

/* Labels are printable ASCII (space included); the length is checked apart. */
bool label_printable(const char *label)
{
	const char *c;

	for (c = label; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			return false;
	return true;
}

/* Canonical lowercase 8-4-4-4-12 form; @buf holds UUID_STR_LEN bytes. */
void format_uuid(char *buf, const uint8_t *uuid)
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < VTPM_MUX_UUID_SIZE; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*buf++ = '-';
		*buf++ = hex[uuid[i] >> 4];
		*buf++ = hex[uuid[i] & 0xf];
	}
	*buf = '\0';
}

/* Name of a TPM_ALG_ID hash, NULL if unknown. */
const char *alg_name(uint16_t alg)
{
	switch (alg) {
	case 0x0004:
		return "sha1";
	case 0x000B:
		return "sha256";
	case 0x000C:
		return "sha384";
	case 0x000D:
		return "sha512";
	case 0x0012:
		return "sm3_256";
	default:
		return NULL;
	}
}

/*
 * Print a label of at most @size bytes: "-" if empty, anything but
 * printable ASCII as '?' so that the output format stays parseable.
 */
void print_label(FILE *f, const char *label, size_t size)
{
	size_t i, len = strnlen(label, size);

	if (!len) {
		fputc('-', f);
		return;
	}
	for (i = 0; i < len; i++) {
		char c = label[i];

		fputc(c >= 0x20 && c <= 0x7e ? c : '?', f);
	}
}

/* Read @fd to its end into @b (malloc()ed); 0 or -errno. */
static int read_fd(int fd, struct blob *b)
{
	size_t cap = 0, len = 0;
	uint8_t *p = NULL, *tmp;
	ssize_t n;

	for (;;) {
		if (len == cap) {
			cap = cap ? cap * 2 : 65536;
			tmp = realloc(p, cap);
			if (!tmp) {
				free(p);
				return -ENOMEM;
			}
			p = tmp;
		}
		n = read(fd, p + len, cap - len);
		if (n < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			free(p);
			return -err;
		}
		if (!n)
			break;
		len += n;
	}
	b->p = p;
	b->len = len;
	return 0;
}

/* The whole file @path ("-": standard input); 0 or -errno. */
int read_path(const char *path, struct blob *b)
{
	int fd, ret;

	if (!strcmp(path, "-"))
		return read_fd(STDIN_FILENO, b);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = read_fd(fd, b);
	close(fd);
	return ret;
}
