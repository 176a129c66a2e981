// SPDX-License-Identifier: GPL-2.0
/*
 * vtpmd: starts, restarts and stops the TPM engines (swtpm) of the
 * sw-backed vtpm-mux instances.
 *
 * For every instance /sys/class/vtpm/vtpmN whose backend is "sw" and that
 * has no engine, vtpmd unseals (or makes and seals) the key of the
 * instance's engine state with the hardware TPM, asks the control device
 * for a server file descriptor (VTPM_MUX_IOC_ATTACH) and starts
 *
 *	swtpm chardev --tpm2 --fd 3 --flags not-need-init
 *	      --tpmstate dir=STATE/UUID/tpm
 *	      --key fd=4,mode=aes-256-cbc,format=binary
 *
 * as an unprivileged user, the key on a pipe.  An engine that exits (it
 * crashed, was killed, or the kernel detached it: a hang, or the tenant's
 * power cycle) is started again while its instance exists, with a backoff
 * if it keeps dying at once; an instance's destruction hangs its engine up,
 * and swtpm exits.  vtpmd learns of new instances from uevents and by
 * looking again every second.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <linux/netlink.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/vtpm_mux.h>

#include "vtpmd.h"

#define MAX_INDEX	65536

struct engine {
	bool known;		/* the instance exists (last scan) */
	pid_t pid;		/* its swtpm, 0 when none runs */
	time_t started;		/* when it was started */
	time_t next_try;	/* no start before this */
	unsigned int quick;	/* deaths right after a start, in a row */
	unsigned long starts;
};

static struct {
	const char *state_dir;
	const char *swtpm;
	const char *tcti;
	const char *control;
	const char *sysfs;
	const char *pidfile;
	uid_t uid;		/* --user: every engine's; else unused */
	gid_t gid;
	bool shared;		/* --user given: one user for all engines */
	uid_t uid_base;		/* engine of /dev/vtpmN: uid and gid base + N */
	bool verbose;
} opt = {
	.uid_base = VTPMD_UID_BASE,
	.state_dir = "/var/lib/vtpmd",
	.swtpm = "swtpm",
	.tcti = "device:/dev/tpmrm0",
	.control = VTPM_MUX_CONTROL_DEVICE,
	.sysfs = "/sys/class/" VTPM_MUX_CLASS,
};

static struct engine *engines;

void logmsg(const char *fmt, ...)
{
	va_list ap;

	fputs("vtpmd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int read_attr(uint32_t index, const char *attr, char *buf, size_t cap)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/vtpm%u/%s", opt.sysfs, index, attr);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static int make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	if (mkdir(path, mode) && errno != EEXIST) {
		logmsg("mkdir %s: %s", path, strerror(errno));
		return -1;
	}
	if (chown(path, uid, gid) || chmod(path, mode)) {
		logmsg("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Give what is in @dir (not below) to @uid:@gid, without following links:
 * a state made by another vtpmd version, or under --user.
 */
static int chown_contents(const char *dir, uid_t uid, gid_t gid)
{
	struct dirent *d;
	int ret = 0;
	DIR *dp;

	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..") &&
		    fchownat(dirfd(dp), d->d_name, uid, gid,
			     AT_SYMLINK_NOFOLLOW))
			ret = -1;
	closedir(dp);
	return ret;
}

/*
 * The uid and gid the engine of /dev/vtpm@index runs as: its own (base +
 * index), unless --user gave one for all.  Refuses a uid or gid that
 * belongs to a user or group of this host.
 */
static int engine_ids(uint32_t index, uid_t *uid, gid_t *gid)
{
	struct passwd *pw;
	struct group *gr;

	if (opt.shared) {
		*uid = opt.uid;
		*gid = opt.gid;
		return 0;
	}
	*uid = opt.uid_base + index;
	*gid = opt.uid_base + index;
	pw = getpwuid(*uid);
	gr = getgrgid(*gid);
	if (pw || gr) {
		logmsg("vtpm%u: uid/gid %u belongs to %s '%s': engine not started (choose another --uid-base)",
		       index, *uid, pw ? "user" : "group",
		       pw ? pw->pw_name : gr->gr_name);
		return -1;
	}
	return 0;
}

/*
 * An index is reused after its instance is destroyed, and its uid with it:
 * the state of every other instance that uid's engine ran goes back to root.
 */
static void disown_others(const char *uuid, uid_t uid)
{
	char path[4200];
	struct dirent *d;
	struct stat st;
	DIR *dp;

	if (opt.shared)
		return;
	dp = opendir(opt.state_dir);
	if (!dp)
		return;
	while ((d = readdir(dp))) {
		if (d->d_name[0] == '.' || !strcmp(d->d_name, uuid))
			continue;
		snprintf(path, sizeof(path), "%s/%s/tpm", opt.state_dir,
			 d->d_name);
		if (lstat(path, &st) || !S_ISDIR(st.st_mode) ||
		    st.st_uid != uid)
			continue;
		if (chown_contents(path, 0, 0) || lchown(path, 0, 0))
			logmsg("%s: cannot give back to root: %s", path,
			       strerror(errno));
	}
	closedir(dp);
}

/*
 * In the child: fds 3 (server) and 4 (key), nothing else; then swtpm, as
 * @uid:@gid with no supplementary groups, no capabilities, no new
 * privileges, no core dumps, and swtpm's seccomp filter.
 */
static void exec_swtpm(int srv, int keyfd, const char *tpmdir, uid_t uid,
		       gid_t gid)
{
	struct rlimit nocore = { 0, 0 };
	char state[4300];
	const char *argv[] = {
		opt.swtpm, "chardev", "--tpm2", "--fd", "3",
		"--flags", "not-need-init", "--tpmstate", state,
		"--key", "fd=4,mode=aes-256-cbc,format=binary",
		"--seccomp", "action=kill", NULL,
	};
	int fd;

	/* move both above 4 first, so that the dup2()s cannot clobber */
	srv = fcntl(srv, F_DUPFD, 10);
	keyfd = fcntl(keyfd, F_DUPFD, 10);
	if (srv < 0 || keyfd < 0 || dup2(srv, 3) != 3 || dup2(keyfd, 4) != 4)
		_exit(127);
	for (fd = 5; fd < 1024; fd++)
		close(fd);
	snprintf(state, sizeof(state), "dir=%s", tpmdir);
	if (setrlimit(RLIMIT_CORE, &nocore) ||
	    (uid && (setgroups(0, NULL) || setresgid(gid, gid, gid) ||
		     setresuid(uid, uid, uid))) ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		logmsg("cannot drop privileges: %s", strerror(errno));
		_exit(127);
	}
	execvp(opt.swtpm, (char **)argv);
	logmsg("cannot run %s: %s", opt.swtpm, strerror(errno));
	_exit(127);
}

static void start_engine(uint32_t index, struct engine *e, time_t now)
{
	struct vtpm_mux_attach a = { .size = sizeof(a), .index = index,
				     .flags = VTPM_MUX_ATTACH_CLOEXEC };
	char uuid[64], dir[4096], tpmdir[4200];
	uint8_t key[VTPMD_KEY_SIZE];
	int ctl, srv, keyp[2];
	uid_t uid;
	gid_t gid;
	pid_t pid;

	e->next_try = now + 10;	/* unless it starts */
	if (read_attr(index, "uuid", uuid, sizeof(uuid)) ||
	    strlen(uuid) != 36 || strchr(uuid, '/'))
		return;
	if (engine_ids(index, &uid, &gid))
		return;
	snprintf(dir, sizeof(dir), "%s/%s", opt.state_dir, uuid);
	snprintf(tpmdir, sizeof(tpmdir), "%s/tpm", dir);
	disown_others(uuid, uid);
	if (make_dir(dir, 0711, 0, 0) ||
	    make_dir(tpmdir, 0700, uid, gid))
		return;
	if (chown_contents(tpmdir, uid, gid)) {
		logmsg("%s: %s", tpmdir, strerror(errno));
		return;
	}
	if (state_key(dir, opt.tcti, key)) {
		logmsg("vtpm%u: no state key: engine not started", index);
		return;
	}

	ctl = open(opt.control, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		logmsg("%s: %s", opt.control, strerror(errno));
		goto out_key;
	}
	srv = ioctl(ctl, VTPM_MUX_IOC_ATTACH, &a);
	close(ctl);
	if (srv < 0) {
		logmsg("vtpm%u: attach: %s", index, strerror(errno));
		goto out_key;
	}
	if (pipe2(keyp, O_CLOEXEC)) {
		logmsg("pipe: %s", strerror(errno));
		goto out_srv;
	}
	if (write(keyp[1], key, sizeof(key)) != sizeof(key)) {
		logmsg("key pipe: %s", strerror(errno));
		goto out_pipe;
	}
	close(keyp[1]);
	keyp[1] = -1;

	pid = fork();
	if (pid < 0) {
		logmsg("fork: %s", strerror(errno));
		goto out_pipe;
	}
	if (!pid)
		exec_swtpm(srv, keyp[0], tpmdir, uid, gid);
	e->pid = pid;
	e->started = now;
	e->starts++;
	if (opt.verbose)
		logmsg("vtpm%u: engine started (pid %d, uid %u, start %lu)",
		       index, pid, uid, e->starts);
out_pipe:
	close(keyp[0]);
	if (keyp[1] >= 0)
		close(keyp[1]);
out_srv:
	close(srv);
out_key:
	memset(key, 0, sizeof(key));
}

/* Start what is missing: sw instances without an engine of ours. */
static void scan(void)
{
	time_t now = time(NULL);
	struct dirent *d;
	uint32_t i;
	DIR *dir;

	for (i = 0; i < MAX_INDEX; i++)
		engines[i].known = false;
	dir = opendir(opt.sysfs);
	if (!dir)
		return;
	while ((d = readdir(dir))) {
		char buf[64], *end;
		unsigned long n;
		struct engine *e;

		if (strncmp(d->d_name, "vtpm", 4))
			continue;
		n = strtoul(d->d_name + 4, &end, 10);
		if (*end || end == d->d_name + 4 || n >= MAX_INDEX)
			continue;
		if (read_attr(n, "backend", buf, sizeof(buf)) ||
		    strcmp(buf, "sw"))
			continue;
		e = &engines[n];
		e->known = true;
		if (read_attr(n, "engine", buf, sizeof(buf)) ||
		    strncmp(buf, "none", 4))
			continue;
		if (e->pid) {
			/*
			 * The kernel detached it (it hung, or the tenant
			 * power-cycled its vTPM) and it has not exited:
			 * a stopped swtpm cannot see the hang-up.
			 */
			if (now - e->started >= 2)
				kill(e->pid, SIGKILL);
			continue;
		}
		if (now >= e->next_try)
			start_engine(n, e, now);
	}
	closedir(dir);
	for (i = 0; i < MAX_INDEX; i++)
		if (!engines[i].known && !engines[i].pid)
			memset(&engines[i], 0, sizeof(engines[i]));
}

static void reap(void)
{
	time_t now = time(NULL);
	uint32_t i;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (i = 0; i < MAX_INDEX; i++)
			if (engines[i].pid == pid)
				break;
		if (i == MAX_INDEX)
			continue;
		engines[i].pid = 0;
		if (now - engines[i].started < 2) {
			unsigned int q = ++engines[i].quick;

			engines[i].next_try = now + (q > 5 ? 30 : 1u << q);
		} else {
			engines[i].quick = 0;
			engines[i].next_try = now;
		}
		if (opt.verbose || (WIFEXITED(status) && WEXITSTATUS(status)))
			logmsg("vtpm%u: engine (pid %d) %s %d", i, pid,
			       WIFSIGNALED(status) ? "killed by signal" :
			       "exited with", WIFSIGNALED(status) ?
			       WTERMSIG(status) : WEXITSTATUS(status));
	}
}

static void stop_all(void)
{
	uint32_t i;
	int t;

	for (i = 0; i < MAX_INDEX; i++)
		if (engines[i].pid)
			kill(engines[i].pid, SIGTERM);
	for (t = 0; t < 50; t++) {
		bool any = false;

		reap();
		for (i = 0; i < MAX_INDEX; i++)
			any |= engines[i].pid != 0;
		if (!any)
			return;
		usleep(100 * 1000);
	}
	for (i = 0; i < MAX_INDEX; i++)
		if (engines[i].pid)
			kill(engines[i].pid, SIGKILL);
	reap();
}

static int uevent_socket(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: vtpmd [OPTIONS]\n"
"\n"
"Start, restart and stop the TPM 2.0 engines (swtpm) of the sw-backed\n"
"vtpm-mux instances (vtpmctl create --backend sw), their state encrypted\n"
"with a key sealed by the hardware TPM.  Runs in the foreground until\n"
"SIGTERM or SIGINT, which stop the engines; logs to standard error.\n"
"\n"
"Options:\n"
"  --state-dir DIR  where each instance's state goes, DIR/UUID (default\n"
"                   /var/lib/vtpmd): key.pub and key.priv, the sealed key\n"
"                   (root only), and tpm/, swtpm's encrypted state\n"
"  --uid-base UID   the engine of /dev/vtpmN runs as uid and gid UID+N,\n"
"                   its own, which no user or group of the host may have\n"
"                   (default %u)\n"
"  --user USER      run every engine as USER instead (weaker: engines can\n"
"                   then signal and read each other; root: do not drop\n"
"                   privileges)\n"
"  --swtpm PATH     the swtpm program (default: swtpm in PATH)\n"
"  --tpm TCTI       the hardware TPM that seals the keys (default\n"
"                   device:/dev/tpmrm0)\n"
"  --control PATH   the control device (default /dev/vtpm-mux)\n"
"  --pidfile FILE   write the process id to FILE once running\n"
"  --verbose        log every engine start and exit\n"
"  --unseal-key DIR unseal the state key of the instance directory DIR\n"
"                   (STATE/UUID) with the hardware TPM, print it in hex and\n"
"                   exit: for recovery and tests; fails on any other TPM\n"
"  -h, --help       show this help\n", VTPMD_UID_BASE);
}

/* vtpmd --unseal-key DIR: the key, in hex, if a sealed key is there. */
static int print_key(const char *dir)
{
	uint8_t key[VTPMD_KEY_SIZE];
	char path[4096];
	unsigned int i;

	snprintf(path, sizeof(path), "%s/key.priv", dir);
	if (access(path, R_OK)) {
		logmsg("%s: %s", path, strerror(errno));
		return 1;
	}
	if (state_key(dir, opt.tcti, key))
		return 1;
	for (i = 0; i < sizeof(key); i++)
		printf("%02x", key[i]);
	printf("\n");
	memset(key, 0, sizeof(key));
	return fflush(stdout) ? 1 : 0;
}

static int set_user(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (!pw) {
		logmsg("unknown user '%s'", name);
		return -1;
	}
	opt.uid = pw->pw_uid;
	opt.gid = pw->pw_gid;
	return 0;
}

int main(int argc, char **argv)
{
	const char *user = NULL, *unseal_dir = NULL, *uid_base = NULL;
	struct pollfd pfd[2];
	sigset_t mask;
	int i, sfd, nfd;
	bool stop = false;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **dst = NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--verbose")) {
			opt.verbose = true;
			continue;
		} else if (!strcmp(a, "--state-dir")) {
			dst = &opt.state_dir;
		} else if (!strcmp(a, "--user")) {
			dst = &user;
		} else if (!strcmp(a, "--uid-base")) {
			dst = &uid_base;
		} else if (!strcmp(a, "--swtpm")) {
			dst = &opt.swtpm;
		} else if (!strcmp(a, "--tpm")) {
			dst = &opt.tcti;
		} else if (!strcmp(a, "--control")) {
			dst = &opt.control;
		} else if (!strcmp(a, "--pidfile")) {
			dst = &opt.pidfile;
		} else if (!strcmp(a, "--unseal-key")) {
			dst = &unseal_dir;
		} else {
			logmsg("unknown option '%s'", a);
			usage(stderr);
			return 2;
		}
		if (++i == argc || !*argv[i]) {
			logmsg("option '%s' needs a value", a);
			return 2;
		}
		*dst = argv[i];
	}
	if (unseal_dir)
		return print_key(unseal_dir);
	if (user && set_user(user))
		return 1;
	opt.shared = user;
	if (uid_base) {
		char *end;
		unsigned long long v;

		errno = 0;
		v = strtoull(uid_base, &end, 0);
		if (errno || *end || !v ||
		    v + MAX_INDEX - 1 >= (unsigned long long)(uid_t)-1) {
			logmsg("--uid-base %s: not a uid from 1 to %u", uid_base,
			       (uid_t)-1 - MAX_INDEX);
			return 2;
		}
		opt.uid_base = v;
	}
	if (make_dir(opt.state_dir, 0711, 0, 0))
		return 1;

	engines = calloc(MAX_INDEX, sizeof(*engines));
	if (!engines) {
		logmsg("out of memory");
		return 1;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		logmsg("signalfd: %s", strerror(errno));
		return 1;
	}
	nfd = uevent_socket();
	if (opt.pidfile) {
		FILE *f = fopen(opt.pidfile, "we");

		if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f)) {
			logmsg("%s: %s", opt.pidfile, strerror(errno));
			return 1;
		}
	}
	if (opt.shared)
		logmsg("running: state %s, every swtpm as uid %u, hardware TPM %s",
		       opt.state_dir, opt.uid, opt.tcti);
	else
		logmsg("running: state %s, swtpm of vtpmN as uid %u+N, hardware TPM %s",
		       opt.state_dir, opt.uid_base, opt.tcti);

	while (!stop) {
		struct signalfd_siginfo si;
		char buf[4096];

		reap();
		scan();
		pfd[0] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = nfd, .events = POLLIN };
		if (poll(pfd, nfd >= 0 ? 2 : 1, 1000) < 0 && errno != EINTR)
			break;
		while (read(sfd, &si, sizeof(si)) == sizeof(si))
			if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
				stop = true;
		if (nfd >= 0)
			while (recv(nfd, buf, sizeof(buf), 0) > 0)
				;
	}
	stop_all();
	if (opt.pidfile)
		unlink(opt.pidfile);
	logmsg("stopped");
	return 0;
}
