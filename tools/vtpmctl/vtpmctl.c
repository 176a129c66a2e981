// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl: create, destroy, list and describe vtpm-mux virtual TPM 2.0
 * instances through the control device /dev/vtpm-mux.
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vtpm_mux.h>

#include "vtpmctl.h"

static int cmd_help(const struct ctx *ctx, const struct cmd *cmd,
		    int argc, char **argv);

static const struct cmd commands[] = {
	{
		.name = "create",
		.run = cmd_create,
		.synopsis = "[--label TEXT] [--owner USER[:GROUP]] [--mode OCTAL] [--backend none|sw] [--wait SEC]",
		.summary = "create an instance, print its device path",
		.help =
"Create a virtual TPM instance and print its device path (e.g. /dev/vtpm0)\n"
"on a line of its own.  Needs CAP_SYS_ADMIN.\n"
"\n"
"Options:\n"
"  --label TEXT          free text, printable ASCII, at most 63 bytes\n"
"  --owner USER[:GROUP]  owner and group of the device node, names or\n"
"                        numbers; without GROUP the group is USER's primary\n"
"                        group, or the number USER if no such user exists\n"
"                        (default: root:root)\n"
"  --mode OCTAL          permission bits of the device node (default: 0600)\n"
"  --backend none|sw     where the commands the kernel does not answer go:\n"
"                        none (default): they fail with TPM_RC_COMMAND_CODE;\n"
"                        sw: to a TPM 2.0 engine (swtpm) that vtpmd starts\n"
"                        for the instance, its state encrypted with a key\n"
"                        sealed by the hardware TPM\n"
"  --wait SEC            sw: wait at most SEC seconds (default 30) for vtpmd\n"
"                        to attach the engine, else destroy the instance and\n"
"                        fail; 0: do not wait\n"
"  -h, --help            show this help\n",
	},
	{
		.name = "destroy",
		.run = cmd_destroy,
		.synopsis = "N|/dev/vtpmN",
		.summary = "destroy an instance",
		.help =
"Destroy the instance /dev/vtpmN.  Descriptors still open on it fail with\n"
"ENODEV from then on.  Needs CAP_SYS_ADMIN.\n",
	},
	{
		.name = "list",
		.run = cmd_list,
		.synopsis = "",
		.summary = "list the instances",
		.help =
"List the instances in ascending order, one line each, four fields\n"
"separated by tabs:\n"
"\n"
"  INDEX  DEVICE  LABEL  UUID\n"
"\n"
"An empty label shows as '-'.  Without instances nothing is printed.\n",
	},
	{
		.name = "info",
		.run = cmd_info,
		.synopsis = "N|/dev/vtpmN",
		.summary = "show the properties of an instance",
		.help =
"Show the properties of the instance /dev/vtpmN, one 'key: value' line\n"
"each: index, device, label ('-' if empty), uuid, backend, [engine\n"
"(none, attached or synced) and attaches, for a sw instance], banks (PCR\n"
"bank names separated by spaces), started (yes/no), open_count, commands,\n"
"extends, owner (UID:GID), mode (octal).\n",
	},
	{
		.name = "log",
		.run = cmd_log,
		.synopsis = "[N|/dev/vtpmN] [--view] [--ascii] [--raw] [--check] [--tpm PATH] [--file PATH]",
		.summary = "print, dump or check the mapping log",
		.help =
"Print the mapping log: every vPCR change of every instance, extended batch\n"
"by batch into one hardware PCR.  Without N: the full log, from\n"
"/sys/kernel/security/vtpm_mux/log (root only).  With N: only instance N's\n"
"records of the full log (N's UUID from the control device, else sysfs).\n"
"\n"
"Options:\n"
"  --view        instance N's concealed view instead: VTPM_IOC_GET_LOG on\n"
"                /dev/vtpmN (any reader of the device), else securityfs\n"
"                vtpm_mux/vtpmN/view; its own records in the clear, the\n"
"                other instances' as leaves\n"
"  --ascii       instance N's ASCII measurement list (VTPM_IOC_GET_LOG, else\n"
"                securityfs vtpm_mux/vtpmN/ascii_measurements), as it is\n"
"  --raw         write the binary log (full, or the view with --view) to\n"
"                standard output unchanged\n"
"  --check       replay the log (full, or the view with --view) and compare\n"
"                the PCR it replays to with the hardware PCR, in every bank\n"
"  --tpm PATH    the TPM device --check reads the PCR from (default\n"
"                /dev/tpmrm0)\n"
"  --file PATH   a saved binary log (full or view; '-': standard input)\n"
"                instead of the kernel's\n"
"  -h, --help    show this help\n"
"\n"
"Output: lines of fields separated by single spaces.  First\n"
"  log KIND pcr P banks ALG[,ALG...] batches B records R [uuid UUID]\n"
"KIND is 'full' or 'view' (a view names its instance's UUID); then one\n"
"line per record, in log order:\n"
"  BATCH SEQ TYPE INSTANCE VPCR [ALG:HEX...] [KEY=VALUE...] [void]\n"
"TYPE: extend, event, reset, startup_clear, startup_state, create, destroy,\n"
"genesis, abort.  INSTANCE: vtpmN/XXXXXXXX, its index at creation and the\n"
"first 8 hex digits of its UUID; '-' for genesis and abort.  VPCR: the vPCR\n"
"of extend, event and reset, else '-'.  ALG:HEX: the digests extended, in\n"
"the record's order (event: one per bank); genesis: the hardware PCR's\n"
"value in each bank before the log began.  KEY=VALUE: create: label=TEXT\n"
"(space, '%' and other bytes as %XX); genesis: reset_count=N\n"
"restart_count=N clock=MS log_id=HEX; abort: batch=N, the batch it voids.\n"
"'void': the record's batch was voided by an abort record (its leaves are\n"
"in the PCR, but it changed no vPCR).  In a view, the other instances'\n"
"records are lines\n"
"  BATCH SEQ leaf HEX [void]\n"
"\n"
"--check retries while other instances extend (PCR, log, PCR) and prints\n"
"  ok: N batches, M records replay to PCR P (sha256:HEX)\n"
"and exits 0 (with a 'note:' line if the PCR matched only the first N\n"
"batches of a log that grew meanwhile), or says why not and exits 1: the\n"
"log's offset and rule that failed the replay, or both PCR values.  With N\n"
"or --view it then prints 'instance vtpmN uuid UUID records R [destroyed]'\n"
"and the instance's vPCRs as the log reconstructs them, in the format of\n"
"tpm2_pcrread (the lines that start with two spaces):\n"
"  diff <(vtpmctl log 1 --check | grep '^  ') \\\n"
"       <(tpm2_pcrread -T device:/dev/vtpm1)\n",
	},
	{
		.name = "ak",
		.run = cmd_ak,
		.synopsis = "[--out FILE] [--tpm2b FILE] [--name FILE]",
		.summary = "export the attestation key's public key",
		.help =
"Write the public key of the hardware TPM's attestation key (AK), from\n"
"/sys/kernel/security/vtpm_mux/ak.{pem,pub,name}.  Without options the PEM\n"
"goes to standard output.  Verifiers check quotes with it\n"
"(Documentation/attestation.md says how to register it with credential\n"
"activation against the TPM's endorsement key).\n"
"\n"
"Options ('-' for standard output):\n"
"  --out FILE    the key as a PEM PUBLIC KEY (SubjectPublicKeyInfo)\n"
"  --tpm2b FILE  the TPM2B_PUBLIC the TPM returned (tpm2-tools' -u format)\n"
"  --name FILE   the key's TPM name in hex (for tpm2_makecredential -n)\n"
"  -h, --help    show this help\n",
	},
	{
		.name = "attest",
		.run = cmd_attest,
		.synopsis = "(N | --device /dev/vtpmN) --nonce HEX --out FILE",
		.summary = "get an attestation bundle of an instance",
		.help =
"Attest an instance: the hardware TPM quotes the mux PCR with the\n"
"attestation key, binding the nonce and the instance's identity, and the\n"
"bundle carries the quote and the instance's concealed view of the log at\n"
"exactly the quoted state.  Check it with vtpm-verify.\n"
"\n"
"  N                  ask through the control device, for the host\n"
"                     (VTPM_MUX_IOC_ATTEST, needs CAP_SYS_ADMIN)\n"
"  --device PATH      ask through the instance's own device, as the tenant\n"
"                     (VTPM_IOC_ATTEST; e.g. /dev/tpm0 in a container)\n"
"  --nonce HEX        the verifier's nonce, 1 to 64 bytes\n"
"  --out FILE         where the bundle goes ('-': standard output)\n"
"  -h, --help         show this help\n"
"\n"
"Prints\n"
"  bundle FILE bytes L instance N batches B quote Q requests R\n"
"B: the log position quoted; Q: the number of the hardware quote since the\n"
"module was loaded; R: how many requests that one quote answered.\n",
	},
	{
		.name = "bind",
		.run = cmd_bind,
		.synopsis = "N|/dev/vtpmN --nonce HEX --out FILE [--handle HANDLE]",
		.summary = "bind a key of an instance to it, with a hardware quote",
		.help =
"Bind a key of the instance (its endorsement key, or an attestation key it\n"
"names) to the instance on this host: read the key's public area from\n"
"/dev/vtpmN (TPM2_ReadPublic), then attest the instance with the nonce\n"
"  SHA-256(\"vtpm-mux bind v1\" || uuid || u16 len || name || u8 len || nonce)\n"
"so that the hardware quote covers the instance's uuid and the key's TPM\n"
"name.  vtpm-verify --binding checks it.  Needs CAP_SYS_ADMIN and a sw\n"
"instance (or any instance that has the key).\n"
"\n"
"  --nonce HEX      the verifier's nonce, 1 to 64 bytes\n"
"  --out FILE       where the binding goes ('-': standard output)\n"
"  --handle HANDLE  the key's persistent handle in the instance (default\n"
"                   0x81010001, the EK's: tpm2_createek -c 0x81010001)\n"
"\n"
"Prints\n"
"  binding FILE bytes L instance N handle H name NAME quote Q\n",
	},
	{
		.name = "help",
		.run = cmd_help,
		.synopsis = "[COMMAND]",
		.summary = "show this help, or the help of COMMAND",
		.help = "Show the help of vtpmctl, or of COMMAND.\n",
	},
};

static const struct cmd *find_cmd(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"Usage: vtpmctl [--control PATH] COMMAND [ARGS]\n"
"       vtpmctl --help | --version\n"
"\n"
"Manage vtpm-mux virtual TPM 2.0 instances (/dev/vtpmN).\n"
"\n"
"Commands:\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		const struct cmd *c = &commands[i];

		fprintf(f, "  %s%s%s\n      %s\n", c->name,
			*c->synopsis ? " " : "", c->synopsis, c->summary);
	}
	fprintf(f,
"\n"
"Options:\n"
"  --control PATH  the control device (default: $VTPM_MUX_CONTROL, else\n"
"                  " VTPM_MUX_CONTROL_DEVICE ")\n"
"  -h, --help      show this help\n"
"  -V, --version   show the version\n"
"\n"
"'vtpmctl COMMAND --help' shows the help of COMMAND.\n"
"Exit status: 0 success, 1 failure, 2 usage error.\n");
}

void cmd_usage(const struct cmd *cmd, FILE *f)
{
	fprintf(f, "Usage: vtpmctl [--control PATH] %s%s%s\n\n%s", cmd->name,
		*cmd->synopsis ? " " : "", cmd->synopsis, cmd->help);
}

static int cmd_help(const struct ctx *ctx, const struct cmd *cmd,
		    int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "help",	'h',	false,	1 },
		{ NULL,		0,	false,	0 },
	};
	const char *topic = NULL, *extra = NULL, *val;
	const struct cmd *c;
	struct optparse p;
	int id;

	(void)ctx;
	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (!topic)
				topic = val;
			else if (!extra)
				extra = val;
			break;
		default:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		}
	}
	if (extra)
		return usage_error(cmd->name, "unexpected argument '%s'", extra);
	if (!topic) {
		usage(stdout);
		return EXIT_SUCCESS;
	}
	c = find_cmd(topic);
	if (!c)
		return usage_error(NULL, "unknown command '%s'", topic);
	cmd_usage(c, stdout);
	return EXIT_SUCCESS;
}

/*
 * Flush stdout: output that did not make it is a failure, reported here
 * unless the command failed (and said so) already.
 */
static int finish(int ret)
{
	errno = 0;
	if ((fflush(stdout) || ferror(stdout)) && !ret) {
		errmsg("cannot write to standard output: %s",
		       errno ? strerror(errno) : "I/O error");
		return EXIT_FAILURE;
	}
	return ret;
}

enum {
	G_HELP = 1,
	G_VERSION,
	G_CONTROL,
};

int main(int argc, char **argv)
{
	static const struct opt opts[] = {
		{ "help",	'h',	false,	G_HELP },
		{ "version",	'V',	false,	G_VERSION },
		{ "control",	0,	true,	G_CONTROL },
		{ NULL,		0,	false,	0 },
	};
	struct ctx ctx = { .control = VTPM_MUX_CONTROL_DEVICE };
	const char *env, *val, *control = NULL;
	const struct cmd *cmd;
	struct optparse p;
	int id;

	optparse_init(&p, argc, argv, 1, NULL, true);
	while ((id = optparse_next(&p, opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case G_HELP:
			usage(stdout);
			return finish(EXIT_SUCCESS);
		case G_VERSION:
			printf("vtpmctl %s\n", VTPMCTL_VERSION);
			return finish(EXIT_SUCCESS);
		case G_CONTROL:
			if (control)
				return usage_error(NULL, "option '--control' given more than once");
			if (!*val)
				return usage_error(NULL, "option '--control' needs a path");
			control = val;
			break;
		}
	}

	env = getenv("VTPM_MUX_CONTROL");
	if (control)
		ctx.control = control;
	else if (env && *env)
		ctx.control = env;

	if (p.idx >= argc)
		return usage_error(NULL, "missing command");
	cmd = find_cmd(argv[p.idx]);
	if (!cmd)
		return usage_error(NULL, "unknown command '%s'", argv[p.idx]);
	return finish(cmd->run(&ctx, cmd, argc - p.idx, argv + p.idx));
}
