/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vtpmctl: manage vtpm-mux virtual TPM 2.0 instances.
 */
#ifndef VTPMCTL_H
#define VTPMCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VTPMCTL_VERSION		"0.1"
#define VTPM_DEV_PREFIX		"/dev/vtpm"

#define EXIT_USAGE		2

#define __printf(a, b)		__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

struct ctx {
	const char *control;	/* path of the control device */
};

struct cmd {
	const char *name;
	int (*run)(const struct ctx *ctx, const struct cmd *cmd,
		   int argc, char **argv);
	const char *synopsis;	/* arguments after the command name */
	const char *summary;	/* one line for the command list */
	const char *help;	/* description and options */
};

/* vtpmctl.c */
void cmd_usage(const struct cmd *cmd, FILE *f);

/* Command line options: "--name", "--name=VALUE", "--name VALUE", "-c". */
struct opt {
	const char *name;	/* long name without the leading "--" */
	char short_name;	/* 0 if none */
	bool has_arg;
	int id;			/* > 0 */
};

enum {
	OPT_END	= 0,		/* no more arguments (or the command, see below) */
	OPT_ARG	= -1,		/* a positional argument, in *val */
	OPT_ERR	= -2,		/* usage error, message printed */
};

struct optparse {
	int argc;
	char **argv;
	int idx;		/* next element of argv to look at */
	bool stop_at_arg;	/* return OPT_END at the first non-option */
	bool only_args;		/* seen "--" */
	const char *cmd;	/* command name for messages, NULL: global */
};

void optparse_init(struct optparse *p, int argc, char **argv, int start,
		   const char *cmd, bool stop_at_arg);
int optparse_next(struct optparse *p, const struct opt *opts,
		  const char **val);

/* util.c */
void errmsg(const char *fmt, ...) __printf(1, 2);
int usage_error(const char *cmd, const char *fmt, ...) __printf(2, 3);

int parse_u32(const char *s, int base, uint32_t max, uint32_t *out);
int parse_index(const char *s, uint32_t *index);
int parse_mode(const char *s, uint32_t *mode);
bool label_printable(const char *label);

#define UUID_STR_LEN		37	/* 36 characters and the NUL */
void format_uuid(char *buf, const uint8_t *uuid);
const char *alg_name(uint16_t alg);
void print_label(FILE *f, const char *label, size_t size);

/* A whole file in memory (malloc()ed) */
struct blob {
	uint8_t *p;
	size_t len;
};

int read_path(const char *path, struct blob *b);

/* cmds.c */
int open_control(const struct ctx *ctx, int flags);
void ioctl_error(const struct ctx *ctx, const char *what, int err);
struct vtpm_mux_info;
int get_info(int fd, uint32_t index, struct vtpm_mux_info *info);
int cmd_create(const struct ctx *ctx, const struct cmd *cmd,
	       int argc, char **argv);
int cmd_destroy(const struct ctx *ctx, const struct cmd *cmd,
		int argc, char **argv);
int cmd_list(const struct ctx *ctx, const struct cmd *cmd,
	     int argc, char **argv);
int cmd_info(const struct ctx *ctx, const struct cmd *cmd,
	     int argc, char **argv);

/* log.c */
int cmd_log(const struct ctx *ctx, const struct cmd *cmd,
	    int argc, char **argv);

/* attest.c */
int cmd_ak(const struct ctx *ctx, const struct cmd *cmd,
	   int argc, char **argv);
int cmd_bind(const struct ctx *ctx, const struct cmd *cmd, int argc,
	     char **argv);
int cmd_attest(const struct ctx *ctx, const struct cmd *cmd,
	       int argc, char **argv);

/* tpm.c: TPM2_PCR_Read through /dev/tpmrm0, without a TSS */
#define TPM_DIGEST_MAX		64	/* VTPM_MAX_DIGEST_SIZE */
int tpm_open(const char *path);
ssize_t tpm_transmit(int fd, const char *path, const uint8_t *cmd, size_t len,
		     uint8_t *rsp);
int tpm_pcr_read(int fd, const char *path, uint32_t pcr,
		 const uint16_t *algs, uint32_t n,
		 uint8_t (*out)[TPM_DIGEST_MAX]);

#endif /* VTPMCTL_H */
