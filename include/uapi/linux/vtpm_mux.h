/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * vtpm-mux: virtual TPM 2.0 instances anchored in one hardware TPM.
 *
 * The control device /dev/vtpm-mux creates, destroys, describes and lists
 * instances; each instance is a character device /dev/vtpmN that speaks
 * TPM 2.0 (write one command, read its response).
 *
 * Every ioctl argument starts with a __u32 @size that user space sets to
 * sizeof() of the structure it was compiled with; the kernel rejects sizes
 * it does not know with -EINVAL.  Unknown @flags bits and non-zero reserved
 * fields are rejected with -EINVAL, so that they can be given a meaning
 * later without breaking old binaries.
 */
#ifndef _UAPI_LINUX_VTPM_MUX_H
#define _UAPI_LINUX_VTPM_MUX_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define VTPM_MUX_CONTROL_DEVICE	"/dev/vtpm-mux"
#define VTPM_MUX_CLASS		"vtpm"

#define VTPM_MUX_LABEL_MAX	64	/* including the terminating NUL */
#define VTPM_MUX_UUID_SIZE	16
#define VTPM_MUX_MAX_BANKS	16

/**
 * enum vtpm_mux_create_flags - flags of &struct vtpm_mux_create
 * @VTPM_MUX_CREATE_OWNER: use @uid and @gid for the device node instead of
 *			   the caller's credentials
 * @VTPM_MUX_CREATE_MODE:  use @mode (permission bits only) instead of 0600
 */
enum vtpm_mux_create_flags {
	VTPM_MUX_CREATE_OWNER	= 1 << 0,
	VTPM_MUX_CREATE_MODE	= 1 << 1,
};

#define VTPM_MUX_CREATE_FLAGS_ALL (VTPM_MUX_CREATE_OWNER | VTPM_MUX_CREATE_MODE)

/**
 * enum vtpm_mux_backend - where the commands the kernel does not answer go
 * @VTPM_MUX_BACKEND_NONE: "mux-only": the kernel answers the PCR and
 *			   housekeeping commands, the rest get
 *			   TPM_RC_COMMAND_CODE
 * @VTPM_MUX_BACKEND_SW:   the kernel answers the PCR commands and mirrors
 *			   every vPCR change into a user-space TPM 2.0 engine
 *			   (swtpm) attached with %VTPM_MUX_IOC_ATTACH, which
 *			   answers everything else
 */
enum vtpm_mux_backend {
	VTPM_MUX_BACKEND_NONE	= 0,
	VTPM_MUX_BACKEND_SW	= 1,
};

/**
 * enum vtpm_mux_engine - the engine of a sw-backed instance
 * @VTPM_MUX_ENGINE_NONE:     none attached (commands wait engine_wait_ms
 *			      for one, then get TPM_RC_RETRY)
 * @VTPM_MUX_ENGINE_ATTACHED: attached, not yet started to match the vPCRs
 *			      (done before the next command it answers)
 * @VTPM_MUX_ENGINE_SYNCED:   attached, and its PCRs equal the vPCRs
 */
enum vtpm_mux_engine {
	VTPM_MUX_ENGINE_NONE	 = 0,
	VTPM_MUX_ENGINE_ATTACHED = 1,
	VTPM_MUX_ENGINE_SYNCED	 = 2,
};

/**
 * struct vtpm_mux_create - argument of %VTPM_MUX_IOC_CREATE
 * @size:	sizeof(struct vtpm_mux_create)
 * @flags:	&enum vtpm_mux_create_flags
 * @uid:	owner of /dev/vtpmN (with %VTPM_MUX_CREATE_OWNER)
 * @gid:	group of /dev/vtpmN (with %VTPM_MUX_CREATE_OWNER)
 * @mode:	permission bits of /dev/vtpmN (with %VTPM_MUX_CREATE_MODE)
 * @backend:	&enum vtpm_mux_backend
 * @label:	NUL-terminated free text, printable ASCII, may be empty
 * @index:	out: N of the new /dev/vtpmN
 * @reserved0:	must be zero
 * @uuid:	out: the instance's random UUID (RFC 4122 version 4)
 * @reserved:	must be zero
 */
struct vtpm_mux_create {
	__u32 size;
	__u32 flags;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 backend;
	char label[VTPM_MUX_LABEL_MAX];
	__u32 index;
	__u32 reserved0;
	__u8 uuid[VTPM_MUX_UUID_SIZE];
	__u64 reserved[4];
};

/**
 * struct vtpm_mux_destroy - argument of %VTPM_MUX_IOC_DESTROY
 * @size:	sizeof(struct vtpm_mux_destroy)
 * @flags:	must be zero
 * @index:	N of /dev/vtpmN
 * @reserved0:	must be zero
 * @reserved:	must be zero
 *
 * Open file descriptors of a destroyed instance keep working only as far as
 * close(): every other call on them fails with -ENODEV.
 */
struct vtpm_mux_destroy {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct vtpm_mux_info - argument of %VTPM_MUX_IOC_INFO
 * @size:	sizeof(struct vtpm_mux_info)
 * @flags:	must be zero
 * @index:	in: N of /dev/vtpmN
 * @uid:	out: owner of the device node
 * @gid:	out: group of the device node
 * @mode:	out: permission bits of the device node
 * @backend:	out: &enum vtpm_mux_backend
 * @nr_banks:	out: number of valid entries in @banks
 * @banks:	out: TPM_ALG_ID of each vPCR bank, in the hardware's order
 * @label:	out: the label given at creation
 * @uuid:	out: the instance's UUID
 * @started:	out: 1 after TPM2_Startup, 0 before
 * @open_count:	out: number of open file descriptors
 * @commands:	out: commands executed since creation
 * @extends:	out: vPCR changes (extend, event, reset) since creation
 * @engine:	out: &enum vtpm_mux_engine (sw backend; 0 otherwise)
 * @attaches:	out: engines attached since creation (sw backend)
 * @reserved:	must be zero
 */
struct vtpm_mux_info {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 uid;
	__u32 gid;
	__u32 mode;
	__u32 backend;
	__u32 nr_banks;
	__u16 banks[VTPM_MUX_MAX_BANKS];
	char label[VTPM_MUX_LABEL_MAX];
	__u8 uuid[VTPM_MUX_UUID_SIZE];
	__u32 started;
	__u32 open_count;
	__u64 commands;
	__u64 extends;
	__u32 engine;
	__u32 attaches;
	__u64 reserved[3];
};

/**
 * struct vtpm_mux_list - argument of %VTPM_MUX_IOC_LIST
 * @size:	sizeof(struct vtpm_mux_list)
 * @flags:	must be zero
 * @count:	in: number of __u32 slots at @indices; out: number of
 *		instances that exist (may exceed the slots given: only the
 *		first slots are filled, in ascending order)
 * @reserved0:	must be zero
 * @indices:	user pointer to an array of __u32, may be 0 when @count is 0
 * @reserved:	must be zero
 */
struct vtpm_mux_list {
	__u32 size;
	__u32 flags;
	__u32 count;
	__u32 reserved0;
	__u64 indices;
	__u64 reserved[2];
};

/**
 * enum vtpm_log_req_flags - flags of &struct vtpm_log_req
 * @VTPM_LOG_REQ_ASCII: the instance's own measurements as ASCII lines
 *			(Documentation/log-format.md, "ASCII list") instead
 *			of its binary concealed view
 */
enum vtpm_log_req_flags {
	VTPM_LOG_REQ_ASCII	= 1 << 0,
};

#define VTPM_LOG_REQ_FLAGS_ALL	VTPM_LOG_REQ_ASCII

/**
 * struct vtpm_log_req - argument of %VTPM_IOC_GET_LOG on /dev/vtpmN
 * @size:	sizeof(struct vtpm_log_req)
 * @flags:	&enum vtpm_log_req_flags
 * @buf:	user pointer to @len bytes
 * @len:	in: capacity of @buf; out: bytes written, or with -ENOSPC the
 *		bytes needed for the log as it was (it may grow: retry with
 *		more)
 * @batches:	out: number of batches the answer covers (a consistent cut:
 *		the mux PCR's value after exactly these batches)
 * @reserved:	must be zero
 *
 * Every reader of /dev/vtpmN may ask: the view conceals the other tenants.
 */
struct vtpm_log_req {
	__u32 size;
	__u32 flags;
	__u64 buf;
	__u64 len;
	__u64 batches;
	__u64 reserved[4];
};

/**
 * enum vtpm_mux_attach_flags - flags of &struct vtpm_mux_attach
 * @VTPM_MUX_ATTACH_CLOEXEC: the new file descriptor is close-on-exec
 */
enum vtpm_mux_attach_flags {
	VTPM_MUX_ATTACH_CLOEXEC	= 1 << 0,
};

#define VTPM_MUX_ATTACH_FLAGS_ALL VTPM_MUX_ATTACH_CLOEXEC

/**
 * struct vtpm_mux_attach - argument of %VTPM_MUX_IOC_ATTACH
 * @size:	sizeof(struct vtpm_mux_attach)
 * @flags:	&enum vtpm_mux_attach_flags
 * @index:	N of a sw-backed /dev/vtpmN
 * @fd:		out: the engine's server file descriptor (also the ioctl's
 *		return value)
 * @reserved:	must be zero
 *
 * The server side of the instance, as vtpm_proxy's: read() returns the
 * next command for the engine (whole, into a buffer of at least 4096
 * bytes), write() takes its whole response; poll() says which is due, and
 * EPOLLHUP once the engine is detached: by the next ATTACH of the instance,
 * by its destruction, or after it failed to answer within
 * engine_timeout_ms.  `swtpm chardev --tpm2 --fd N --flags not-need-init`
 * serves it.  Attaching replaces the engine attached before; the new one
 * is started and given the instance's vPCRs (replayed from the mapping
 * log) before its first command.
 *
 * Errors: -EPERM without CAP_SYS_ADMIN, -ENODEV (no instance N),
 * -EINVAL (size, flags, reserved, not a sw instance), -EMFILE, -ENOMEM.
 */
struct vtpm_mux_attach {
	__u32 size;
	__u32 flags;
	__u32 index;
	__s32 fd;
	__u64 reserved[2];
};

#define VTPM_MUX_NONCE_MAX	64

/**
 * struct vtpm_attest_req - argument of %VTPM_IOC_ATTEST on /dev/vtpmN and
 *			    of %VTPM_MUX_IOC_ATTEST on the control device
 * @size:	sizeof(struct vtpm_attest_req)
 * @flags:	must be zero
 * @index:	control device: in: N of /dev/vtpmN; /dev/vtpmN: out: N
 * @nonce_len:	1..%VTPM_MUX_NONCE_MAX
 * @nonce:	the verifier's nonce (the first @nonce_len bytes)
 * @buf:	user pointer to @len bytes, for the bundle
 *		(Documentation/attestation.md, "The bundle")
 * @len:	in: capacity of @buf; out: bytes written, or with -ENOSPC the
 *		bytes the bundle needed (the log may grow: retry with more)
 * @batches:	out: the log position quoted (batches the view covers)
 * @quote_id:	out: number of the hardware quote that answered, counted
 *		from 1 since the module was loaded
 * @requests:	out: number of requests that quote answered
 * @reserved0:	must be zero
 * @reserved:	must be zero
 *
 * Errors: -EINVAL (size, flags, reserved, @nonce_len), -EFAULT, -ENOSPC,
 * -ENODEV (control: no instance N; /dev/vtpmN: destroyed), -EPERM
 * (control device without CAP_SYS_ADMIN), -EOPNOTSUPP (no attestation
 * key), -EIO (the hardware TPM failed, or the mux cannot explain its PCR),
 * -ENOMEM.
 */
struct vtpm_attest_req {
	__u32 size;
	__u32 flags;
	__u32 index;
	__u32 nonce_len;
	__u8 nonce[VTPM_MUX_NONCE_MAX];
	__u64 buf;
	__u64 len;
	__u64 batches;
	__u64 quote_id;
	__u32 requests;
	__u32 reserved0;
	__u64 reserved[4];
};

#define VTPM_MUX_IOC_MAGIC	0xA6

#define VTPM_MUX_IOC_CREATE	_IOWR(VTPM_MUX_IOC_MAGIC, 0x00, struct vtpm_mux_create)
#define VTPM_MUX_IOC_DESTROY	_IOW(VTPM_MUX_IOC_MAGIC, 0x01, struct vtpm_mux_destroy)
#define VTPM_MUX_IOC_INFO	_IOWR(VTPM_MUX_IOC_MAGIC, 0x02, struct vtpm_mux_info)
#define VTPM_MUX_IOC_LIST	_IOWR(VTPM_MUX_IOC_MAGIC, 0x03, struct vtpm_mux_list)
#define VTPM_MUX_IOC_ATTEST	_IOWR(VTPM_MUX_IOC_MAGIC, 0x04, struct vtpm_attest_req)
#define VTPM_MUX_IOC_ATTACH	_IOWR(VTPM_MUX_IOC_MAGIC, 0x05, struct vtpm_mux_attach)

/* on /dev/vtpmN */
#define VTPM_IOC_GET_LOG	_IOWR(VTPM_MUX_IOC_MAGIC, 0x10, struct vtpm_log_req)
#define VTPM_IOC_ATTEST		_IOWR(VTPM_MUX_IOC_MAGIC, 0x11, struct vtpm_attest_req)

#endif /* _UAPI_LINUX_VTPM_MUX_H */
