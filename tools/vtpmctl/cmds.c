// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmctl: the commands, each one ioctl (or a few) on the control device.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/vtpm_mux.h>

#include "vtpmctl.h"

/* Continue with the command (as opposed to an exit status). */
#define CONTINUE	(-1)

/* Give up listing when the number of instances keeps growing. */
#define LIST_TRIES	64

enum {
	O_HELP = 1,
	O_LABEL,
	O_OWNER,
	O_MODE,
	O_BACKEND,
	O_WAIT,
};

static const struct opt help_opts[] = {
	{ "help",	'h',	false,	O_HELP },
	{ NULL,		0,	false,	0 },
};

static const struct opt create_opts[] = {
	{ "help",	'h',	false,	O_HELP },
	{ "label",	0,	true,	O_LABEL },
	{ "owner",	0,	true,	O_OWNER },
	{ "mode",	0,	true,	O_MODE },
	{ "backend",	0,	true,	O_BACKEND },
	{ "wait",	0,	true,	O_WAIT },
	{ NULL,		0,	false,	0 },
};

int open_control(const struct ctx *ctx, int flags)
{
	int fd, err;

	fd = open(ctx->control, flags | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		errmsg("cannot open %s: %s%s", ctx->control, strerror(err),
		       err == ENOENT || err == ENODEV || err == ENXIO ?
		       " (is the vtpm_mux module loaded?)" : "");
	}
	return fd;
}

/* Report that the ioctl for @what ("create", "destroy 7", ...) failed. */
void ioctl_error(const struct ctx *ctx, const char *what, int err)
{
	switch (err) {
	case EPERM:
		errmsg("%s: %s (need CAP_SYS_ADMIN)", what, strerror(err));
		break;
	case ENOSPC:
		errmsg("%s: %s (the module's max_instances is reached)",
		       what, strerror(err));
		break;
	case EINVAL:
		errmsg("%s: %s (%svtpmctl and the module disagree on the ABI?)",
		       what, strerror(err), strcmp(what, "create") ? "" :
		       "an owner the module cannot map, or ");
		break;
	case ENOTTY:
		errmsg("%s: %s (is %s the vtpm-mux control device?)",
		       what, strerror(err), ctx->control);
		break;
	default:
		errmsg("%s: %s", what, strerror(err));
		break;
	}
}

static bool all_digits(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

/*
 * USER[:GROUP], names or numbers.  Without GROUP, the group is USER's
 * primary group if USER resolves, else the number of USER.
 */
static int parse_owner(const char *cmd, const char *arg,
		       uint32_t *uid, uint32_t *gid)
{
	struct passwd *pw = NULL;
	struct group *gr;
	char *user, *group;
	int ret = EXIT_USAGE;

	user = strdup(arg);
	if (!user) {
		errmsg("%s: %s", cmd, strerror(errno));
		return EXIT_FAILURE;
	}
	group = strchr(user, ':');
	if (group)
		*group++ = '\0';

	if (!*user) {
		usage_error(cmd, "--owner '%s': missing user", arg);
		goto out;
	}
	if (all_digits(user)) {
		/* (uid_t)-1 is no uid */
		if (parse_u32(user, 10, UINT32_MAX - 1, uid)) {
			usage_error(cmd, "--owner '%s': bad uid '%s'",
				    arg, user);
			goto out;
		}
		if (!group)
			pw = getpwuid(*uid);
	} else {
		pw = getpwnam(user);
		if (!pw) {
			usage_error(cmd, "--owner '%s': unknown user '%s'",
				    arg, user);
			goto out;
		}
		*uid = pw->pw_uid;
	}

	if (!group) {
		*gid = pw ? pw->pw_gid : *uid;
	} else if (!*group) {
		usage_error(cmd, "--owner '%s': missing group after ':'", arg);
		goto out;
	} else if (all_digits(group)) {
		if (parse_u32(group, 10, UINT32_MAX - 1, gid)) {
			usage_error(cmd, "--owner '%s': bad gid '%s'",
				    arg, group);
			goto out;
		}
	} else {
		gr = getgrnam(group);
		if (!gr) {
			usage_error(cmd, "--owner '%s': unknown group '%s'",
				    arg, group);
			goto out;
		}
		*gid = gr->gr_gid;
	}
	ret = 0;
out:
	free(user);
	return ret;
}

static int dup_option(const struct cmd *cmd, const char *name)
{
	return usage_error(cmd->name, "option '--%s' given more than once",
			   name);
}

/*
 * A sw instance is usable once vtpmd attached its engine: wait for that,
 * and destroy the instance if it does not happen within @secs.
 */
static int wait_engine(int fd, uint32_t index, uint32_t secs)
{
	struct vtpm_mux_destroy d = { .size = sizeof(d), .index = index };
	struct vtpm_mux_info info;
	uint32_t i;
	int err;

	for (i = 0; i < secs * 10; i++) {
		err = get_info(fd, index, &info);
		if (err) {
			errmsg("create: %s%u: %s", VTPM_DEV_PREFIX, index,
			       strerror(-err));
			return -1;
		}
		if (info.engine != VTPM_MUX_ENGINE_NONE)
			return 0;
		usleep(100 * 1000);
	}
	errmsg("create: no engine attached to %s%u within %u s (is vtpmd running?); destroyed it",
	       VTPM_DEV_PREFIX, index, secs);
	if (ioctl(fd, VTPM_MUX_IOC_DESTROY, &d))
		errmsg("create: destroy %u: %s", index, strerror(errno));
	return -1;
}

int cmd_create(const struct ctx *ctx, const struct cmd *cmd,
	       int argc, char **argv)
{
	const char *label = NULL, *owner = NULL, *mode = NULL;
	const char *backend = NULL, *extra = NULL, *wait = NULL, *val;
	uint32_t wait_s = 30;
	struct vtpm_mux_create c;
	struct optparse p;
	int id, fd, ret, err;

	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, create_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (!extra)
				extra = val;
			break;
		case O_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		case O_LABEL:
			if (label)
				return dup_option(cmd, "label");
			label = val;
			break;
		case O_OWNER:
			if (owner)
				return dup_option(cmd, "owner");
			owner = val;
			break;
		case O_MODE:
			if (mode)
				return dup_option(cmd, "mode");
			mode = val;
			break;
		case O_BACKEND:
			if (backend)
				return dup_option(cmd, "backend");
			backend = val;
			break;
		case O_WAIT:
			if (wait)
				return dup_option(cmd, "wait");
			wait = val;
			break;
		}
	}
	if (extra)
		return usage_error(cmd->name, "unexpected argument '%s'", extra);
	if (wait && parse_u32(wait, 10, 3600, &wait_s))
		return usage_error(cmd->name,
				   "bad --wait '%s' (seconds, 0 to 3600)", wait);

	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.backend = VTPM_MUX_BACKEND_NONE;

	if (label) {
		if (strlen(label) > sizeof(c.label) - 1)
			return usage_error(cmd->name,
					   "label too long (%zu bytes, at most %zu)",
					   strlen(label), sizeof(c.label) - 1);
		if (!label_printable(label))
			return usage_error(cmd->name,
					   "label must be printable ASCII");
		memcpy(c.label, label, strlen(label));
	}
	if (owner) {
		ret = parse_owner(cmd->name, owner, &c.uid, &c.gid);
		if (ret)
			return ret;
		c.flags |= VTPM_MUX_CREATE_OWNER;
	}
	if (mode) {
		if (parse_mode(mode, &c.mode))
			return usage_error(cmd->name,
					   "bad mode '%s' (octal permission bits, 0 to 0777)",
					   mode);
		c.flags |= VTPM_MUX_CREATE_MODE;
	}
	if (backend && !strcmp(backend, "sw"))
		c.backend = VTPM_MUX_BACKEND_SW;
	else if (backend && strcmp(backend, "none"))
		return usage_error(cmd->name,
				   "unknown backend '%s' (none or sw)", backend);

	fd = open_control(ctx, O_RDWR);
	if (fd < 0)
		return EXIT_FAILURE;
	ret = ioctl(fd, VTPM_MUX_IOC_CREATE, &c);
	err = errno;
	if (ret) {
		close(fd);
		ioctl_error(ctx, "create", err);
		return EXIT_FAILURE;
	}
	if (c.backend == VTPM_MUX_BACKEND_SW && wait_s) {
		ret = wait_engine(fd, c.index, wait_s);
		close(fd);
		if (ret)
			return EXIT_FAILURE;
	} else {
		close(fd);
	}

	printf("%s%u\n", VTPM_DEV_PREFIX, c.index);
	if (fflush(stdout)) {
		errmsg("create: created %s%u but cannot print it: %s",
		       VTPM_DEV_PREFIX, c.index, strerror(errno));
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* Options of destroy and info: --help and one instance.  */
static int parse_index_args(const struct cmd *cmd, int argc, char **argv,
			    uint32_t *index)
{
	const char *arg = NULL, *extra = NULL, *val;
	struct optparse p;
	int id;

	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, help_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (!arg)
				arg = val;
			else if (!extra)
				extra = val;
			break;
		case O_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		}
	}
	if (!arg)
		return usage_error(cmd->name,
				   "missing instance (N or /dev/vtpmN)");
	if (extra)
		return usage_error(cmd->name, "unexpected argument '%s'", extra);
	if (parse_index(arg, index))
		return usage_error(cmd->name,
				   "bad instance '%s' (expected N or /dev/vtpmN)",
				   arg);
	return CONTINUE;
}

int cmd_destroy(const struct ctx *ctx, const struct cmd *cmd,
		int argc, char **argv)
{
	struct vtpm_mux_destroy d;
	uint32_t index = 0;
	int fd, ret, err;

	ret = parse_index_args(cmd, argc, argv, &index);
	if (ret != CONTINUE)
		return ret;

	memset(&d, 0, sizeof(d));
	d.size = sizeof(d);
	d.index = index;

	fd = open_control(ctx, O_RDWR);
	if (fd < 0)
		return EXIT_FAILURE;
	ret = ioctl(fd, VTPM_MUX_IOC_DESTROY, &d);
	err = errno;
	close(fd);
	if (ret) {
		char what[32];

		snprintf(what, sizeof(what), "destroy %u", index);
		ioctl_error(ctx, what, err);
		return EXIT_FAILURE;
	}
	return EXIT_SUCCESS;
}

/* 0 or -errno. */
int get_info(int fd, uint32_t index, struct vtpm_mux_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->index = index;
	return ioctl(fd, VTPM_MUX_IOC_INFO, info) ? -errno : 0;
}

/*
 * The indices of all instances, ascending, in a malloc()ed array.
 * Returns 0 or -errno.
 */
static int list_indices(int fd, uint32_t **indices, uint32_t *count)
{
	struct vtpm_mux_list l;
	uint32_t *buf = NULL, *tmp, slots = 0;
	int tries;

	for (tries = 0; tries < LIST_TRIES; tries++) {
		memset(&l, 0, sizeof(l));
		l.size = sizeof(l);
		l.count = slots;
		l.indices = (uintptr_t)buf;
		if (ioctl(fd, VTPM_MUX_IOC_LIST, &l)) {
			int err = errno;

			free(buf);
			return -err;
		}
		if (l.count <= slots) {
			*indices = buf;
			*count = l.count;
			return 0;
		}
		/* first call, or instances were created in between */
		slots = l.count;
		tmp = reallocarray(buf, slots, sizeof(*buf));
		if (!tmp) {
			free(buf);
			return -ENOMEM;
		}
		buf = tmp;
	}
	free(buf);
	return -EAGAIN;
}

int cmd_list(const struct ctx *ctx, const struct cmd *cmd,
	     int argc, char **argv)
{
	const char *extra = NULL, *val;
	struct vtpm_mux_info info;
	char uuid[UUID_STR_LEN];
	uint32_t *indices = NULL, count = 0, i;
	struct optparse p;
	int id, fd, err, ret = EXIT_SUCCESS;

	optparse_init(&p, argc, argv, 1, cmd->name, false);
	while ((id = optparse_next(&p, help_opts, &val)) != OPT_END) {
		switch (id) {
		case OPT_ERR:
			return EXIT_USAGE;
		case OPT_ARG:
			if (!extra)
				extra = val;
			break;
		case O_HELP:
			cmd_usage(cmd, stdout);
			return EXIT_SUCCESS;
		}
	}
	if (extra)
		return usage_error(cmd->name, "unexpected argument '%s'", extra);

	fd = open_control(ctx, O_RDONLY);
	if (fd < 0)
		return EXIT_FAILURE;
	err = list_indices(fd, &indices, &count);
	if (err) {
		if (err == -EAGAIN)
			errmsg("list: the number of instances keeps growing, giving up");
		else
			ioctl_error(ctx, "list", -err);
		close(fd);
		return EXIT_FAILURE;
	}

	for (i = 0; i < count; i++) {
		err = get_info(fd, indices[i], &info);
		if (err == -ENODEV)
			continue;	/* destroyed since LIST */
		if (err) {
			char what[32];

			snprintf(what, sizeof(what), "list: info %u",
				 indices[i]);
			ioctl_error(ctx, what, -err);
			ret = EXIT_FAILURE;
			break;
		}
		format_uuid(uuid, info.uuid);
		printf("%u\t%s%u\t", indices[i], VTPM_DEV_PREFIX, indices[i]);
		print_label(stdout, info.label, sizeof(info.label));
		printf("\t%s\n", uuid);
	}
	free(indices);
	close(fd);
	return ret;
}

int cmd_info(const struct ctx *ctx, const struct cmd *cmd,
	     int argc, char **argv)
{
	struct vtpm_mux_info info;
	char uuid[UUID_STR_LEN];
	uint32_t index = 0, i, nr_banks;
	int fd, ret, err;

	ret = parse_index_args(cmd, argc, argv, &index);
	if (ret != CONTINUE)
		return ret;

	fd = open_control(ctx, O_RDONLY);
	if (fd < 0)
		return EXIT_FAILURE;
	err = get_info(fd, index, &info);
	close(fd);
	if (err) {
		char what[32];

		snprintf(what, sizeof(what), "info %u", index);
		ioctl_error(ctx, what, -err);
		return EXIT_FAILURE;
	}

	format_uuid(uuid, info.uuid);
	printf("index: %u\n", index);
	printf("device: %s%u\n", VTPM_DEV_PREFIX, index);
	printf("label: ");
	print_label(stdout, info.label, sizeof(info.label));
	printf("\nuuid: %s\n", uuid);
	if (info.backend == VTPM_MUX_BACKEND_NONE) {
		printf("backend: none\n");
	} else if (info.backend == VTPM_MUX_BACKEND_SW) {
		static const char * const engine[] = {
			"none", "attached", "synced",
		};

		printf("backend: sw\n");
		printf("engine: %s\n", info.engine < ARRAY_SIZE(engine) ?
		       engine[info.engine] : "unknown");
		printf("attaches: %u\n", info.attaches);
	} else {
		printf("backend: unknown(%u)\n", info.backend);
	}

	printf("banks:");
	nr_banks = info.nr_banks;
	if (nr_banks > VTPM_MUX_MAX_BANKS)
		nr_banks = VTPM_MUX_MAX_BANKS;
	if (!nr_banks)
		printf(" -");
	for (i = 0; i < nr_banks; i++) {
		const char *name = alg_name(info.banks[i]);

		if (name)
			printf(" %s", name);
		else
			printf(" 0x%04x", info.banks[i]);
	}
	printf("\n");

	printf("started: %s\n", info.started ? "yes" : "no");
	printf("open_count: %u\n", info.open_count);
	printf("commands: %llu\n", (unsigned long long)info.commands);
	printf("extends: %llu\n", (unsigned long long)info.extends);
	printf("owner: %u:%u\n", info.uid, info.gid);
	printf("mode: %04o\n", info.mode);
	return EXIT_SUCCESS;
}
