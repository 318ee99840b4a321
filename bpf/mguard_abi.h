/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The ABI between mguard's BPF programs and its userspace: map keys and
 * values, event records, limits and enums. Both sides include this file and
 * nothing else defines these layouts. It includes nothing: the BPF side gets
 * __u32 and friends from vmlinux.h, userspace from <linux/types.h>.
 *
 * Every struct has explicit padding; userspace asserts each size
 * (userspace/abi_check.c) so a change here that breaks the layout fails the
 * build instead of corrupting a map.
 */
#ifndef MGUARD_ABI_H
#define MGUARD_ABI_H

/* Limits that userspace validates a policy against before anything loads. */
#define MG_MAX_SCOPES	       1024
#define MG_MAX_CGROUP_DEPTH    16    /* ancestors examined for a scope */
#define MG_SCOPE_CACHE_ENTRIES 16384 /* cgroups whose scope the programs remember */
#define MG_MAX_DIR_DEPTH       32    /* parent folders examined for a file */
#define MG_MAX_PORT_RANGES     8     /* per egress prefix, after inheritance */
#define MG_NAME_LEN	       64    /* file name carried in an event */
#define MG_COMM_LEN	       16
#define MG_RINGBUF_BYTES       (4u << 20)

/*
 * Policy generations. Every policy map key carries the generation it belongs
 * to; a reload fills generation N+1 completely, then flips
 * mg_config.active_gen with one write, then deletes generation N. A program
 * reads active_gen once per invocation, so one decision never mixes two
 * policies.
 */

enum mg_hook {
	MG_HOOK_FILE_OPEN = 0, /* weight loads */
	MG_HOOK_CONNECT4,      /* outbound IPv4 connect */
	MG_HOOK_CONNECT6,      /* outbound IPv6 connect */
	MG_HOOK_DEVICE,	       /* GPU device nodes */
	MG_HOOK_SENDMSG4,      /* unconnected IPv4 sends (UDP sendto/sendmsg) */
	MG_HOOK_SENDMSG6,      /* unconnected IPv6 sends */
	MG_HOOK_MMAP,	       /* mapping a file: also one opened before the scope */
	MG_HOOK_FILE_RECEIVE,  /* a descriptor passed over a UNIX socket */
	MG_HOOK_IO_URING,      /* io_uring set-up (fallback engine: closed) */
	MG_HOOK_UNIX,	       /* UNIX socket connects and sends (BPF LSM only) */
	/* The guard itself and other processes (issue 11, classes 1, 2 and 7). */
	MG_HOOK_BPF,	     /* any bpf() from a scope: the guard's maps, links, programs */
	MG_HOOK_PINS,	     /* unlink, rename, rmdir on bpffs and cgroupfs */
	MG_HOOK_SIGNAL,	     /* signals to a process outside the sender's scope */
	MG_HOOK_PTRACE,	     /* ptrace, process_vm_*, pidfd_getfd, /proc/PID: other processes */
	MG_HOOK_CGROUP_MOVE, /* a new task placed in another cgroup (CLONE_INTO_CGROUP) */
	MG_HOOK_FD_SHARE,    /* a descriptor table shared with another process (CLONE_FILES) */
	MG_HOOK_COREDUMP,    /* a core dump of a shielded process */
	/* Routes beyond open: files, outputs, the network, GPUs. */
	MG_HOOK_SOCKET,	    /* socket creation: every family and type but TCP and UDP */
	MG_HOOK_PATHS,	    /* rename, link, symlink, mknod, truncate, xattrs: outputs */
	MG_HOOK_SYSCALLS,   /* syscall classes closed in scopes (fallback engine) */
	MG_HOOK_SKB_EGRESS, /* every packet of a scope's sockets: its real destination */
	/* Egress budgets. */
	MG_HOOK_EGRESS_BUDGET, /* every packet a scope with a budget sends */
	/* fs-verity digests, checked after every open (BPF LSM, file_post_open). */
	MG_HOOK_VERITY,
	MG_HOOK__COUNT,
};
#define MG_HOOK_SLOTS 32 /* room for hooks in mg_config; >= MG_HOOK__COUNT, a power of 2 */

enum mg_verdict {
	MG_VERDICT_ALLOW = 0,
	MG_VERDICT_DENY,  /* refused with EPERM */
	MG_VERDICT_KILL,  /* process killed before user space ran */
	MG_VERDICT_AUDIT, /* would have been denied; audit mode let it pass */
	MG_VERDICT__COUNT,
};

/* How a hook is enforced. Reported per hook, never rounded up. */
enum mg_engine {
	MG_ENGINE_NONE = 0, /* not attached */
	MG_ENGINE_LSM,	    /* BPF LSM: denies with EPERM */
	MG_ENGINE_TP_KILL,  /* syscall-exit tracepoint: SIGKILL on return */
	MG_ENGINE_CGROUP,   /* cgroup program: denies with EPERM */
	MG_ENGINE_COVERED,  /* needs no program: another hook sees this route */
	MG_ENGINE_FMOD_RET, /* fmod_ret on the kernel's security_* function: EPERM */
	MG_ENGINE__COUNT,
};

enum mg_reason {
	MG_REASON_NONE = 0,
	MG_REASON_TIER,		   /* model's tier above the scope's highest */
	MG_REASON_EGRESS,	   /* destination not in the scope's allow-list */
	MG_REASON_KILLSWITCH,	   /* kill switch engaged */
	MG_REASON_UNLICENSED,	   /* tier requires a licence the scope does not hold */
	MG_REASON_LICENSE_EXPIRED, /* the licence's notAfter has passed */
	MG_REASON_WALK_LIMIT,	   /* folder deeper than MG_MAX_DIR_DEPTH: failed closed */
	MG_REASON_GPU,		   /* a GPU device node the scope was not given */
	MG_REASON_OUTPUT,	   /* a write outside the scope's output folders */
	MG_REASON_IO_URING,	   /* io_uring bypasses the fallback engine's tracepoints */
	MG_REASON_RATE_LIMITED,	   /* summary: the scope's events are being suppressed */
	MG_REASON_RATE_RESUMED,	   /* summary: the limit lifted; how many were suppressed */
	MG_REASON_UNIX,		   /* a UNIX socket not in the scope's list */
	MG_REASON_UNKNOWN,	   /* a file of no model outside every folder the scope may read */
	MG_REASON_NARROWED,	   /* outside the egress of the licence the process loaded under */
	/* The guard itself and other processes (issue 11, classes 1, 2 and 7). */
	MG_REASON_GUARD,	/* bpf(), the pin folder or the cgroup tree from a scope */
	MG_REASON_OTHER_TASK,	/* a process outside the caller's scope */
	MG_REASON_SHIELDED,	/* a process of a shielded scope, from outside that scope */
	MG_REASON_CGROUP_MOVE,	/* a task placed outside the scope */
	MG_REASON_FD_SHARE,	/* a descriptor table shared outside one process */
	MG_REASON_COREDUMP,	/* a shielded process would have dumped its memory */
	MG_REASON_RIGHTS_LIMIT, /* more passed descriptors than the fallback engine examines */
	/* Routes beyond open: files, outputs, the network, GPUs. */
	MG_REASON_SOCKET, /* a socket family, type or protocol the scope may not create */
	MG_REASON_DEVICE, /* a block device or kernel memory file the scope was not given */
	MG_REASON_CLOSED, /* a syscall class this engine closes in scopes */
	MG_REASON_RECEIVED_SOCKET, /* a socket from outside the scope (its cgroup hooks are not ours) */
	/* Egress budgets. */
	MG_REASON_BUDGET_EXHAUSTED, /* the scope sent its budget for this window: packets dropped */
	MG_REASON_BUDGET_REFILLED,  /* a new window began after an exhausted one */
	/* Taint on write. */
	MG_REASON_TAINTED, /* a model file written since its content was verified */
	/* Strict manifests. */
	MG_REASON_NOT_IN_MANIFEST, /* in a strict model's folder, not in its manifest */
	/* fs-verity. */
	MG_REASON_VERITY_MISMATCH, /* the file's fs-verity digest is not the policy's */
	MG_REASON_VERITY_ABSENT,   /* the policy gives an fs-verity digest; the file has none */
	MG_REASON__COUNT,
};

enum mg_mode {
	MG_MODE_ENFORCE = 0,
	MG_MODE_AUDIT,
};

/*
 * What a scope's read of a regular file that belongs to no model, outside
 * every folder the scope may read, gets: such a file may be weights under
 * another name, so by default it is denied as unknown.
 */
enum mg_unknown_reads {
	MG_UNKNOWN_READS_DENY = 0,
	MG_UNKNOWN_READS_AUDIT,
	MG_UNKNOWN_READS_ALLOW,
};

/*
 * Counters that are not per hook: every failure that could let a guarded
 * access through is counted here, and fails closed where it can.
 */
enum mg_error {
	MG_ERR_RINGBUF_FULL = 0, /* event dropped: ring buffer full */
	MG_ERR_NO_CONFIG,	 /* config map unreadable: denied */
	MG_ERR_FD_LOOKUP,	 /* new fd not resolvable: killed */
	MG_ERR_WALK_LIMIT,	 /* parent walk hit MG_MAX_DIR_DEPTH: denied */
	MG_ERR_RATE_LIMITED,	 /* event suppressed by a scope's rate limit (still decided) */
	MG_ERR__COUNT,
};

/* Index into the per-CPU counter array. */
#define MG_COUNTER_INDEX(hook, verdict) ((hook)*MG_VERDICT__COUNT + (verdict))
#define MG_ERR_COUNTER_BASE		(MG_HOOK__COUNT * MG_VERDICT__COUNT)
#define MG_COUNTERS			(MG_ERR_COUNTER_BASE + MG_ERR__COUNT)

/* The single entry of the config map, written by the loader only. */
struct mg_config {
	__u32 active_gen; /* 0: no policy yet, nothing is guarded */
	__u32 mode;	  /* enum mg_mode */
	__u32 daemon_pid; /* the daemon that owns the pins; 0: none */
	__u32 reload_seq; /* bumped after every reload attempt */
	__s32 reload_err; /* 0, or the negative errno of the last failed reload */
	__u32 pad;
	__u64 loaded_at;	    /* unix seconds of the generation in force */
	__u32 event_rate;	    /* events per second per scope; 0: unlimited */
	__u32 unknown_weights;	    /* enum mg_unknown_reads */
	__u8 engine[MG_HOOK_SLOTS]; /* enum mg_engine, written by the loader */
};

/*
 * The single entry of the control map, written by the operator's commands
 * only (never by a reload, so a reload cannot undo a kill switch).
 */
struct mg_control {
	__u32 killswitch; /* non-zero: every scope loads no weights, reaches nothing */
	__u32 changes;	  /* times it was set (mguard killswitch counts): the daemon's trace */
};

/* scopes: cgroup v2 id of a scope's cgroup -> the scope. */
struct mg_scope_key {
	__u64 cgroup_id;
	__u32 gen;
	__u32 pad;
};

struct mg_scope_val {
	__u32 scope_id; /* index of the scope in the policy, from 1 */
	__u16 max_tier; /* highest tier level the scope may load (1..1000) */
	__u16 flags;	/* MG_SCOPE_* */
	/* Egress budget: bytes the scope's sockets may send per window; 0: none. */
	__u64 budget_bytes;
	__u64 budget_window_ns;
};

/*
 * A scope without this flag is shielded: no process outside it may ptrace
 * it, read its memory (process_vm_readv, /proc/PID/mem) or take its
 * descriptors (pidfd_getfd, /proc/PID/fd), and it writes no core dumps. The
 * policy's 'allowDebug: true' sets it.
 */
#define MG_SCOPE_ALLOW_DEBUG (1u << 0)

/*
 * selectors: how the kernel binds a cgroup to a scope when the cgroup is
 * created (the cgroup_mkdir tracepoint), with no daemon involved. Entry
 * (gen, index) holds an exact cgroup path or a pattern (MG_SELECTOR_PATTERN)
 * below the cgroup2 mount; indexes of one generation are contiguous from 0
 * and the first that matches wins. A pattern's '*' matches any run of
 * characters within one path component (never a '/'); every other byte is
 * itself. bpf/mguard_glob.h is the matcher, shared by both sides.
 */
#define MG_MAX_SELECTORS    MG_MAX_SCOPES /* per generation: one per scope */
#define MG_SELECTOR_LEN	    256		  /* pattern or path, with its NUL; a power of two */
#define MG_CGROUP_PATH_LEN  512		  /* path of a new cgroup examined; a power of two */
#define MG_SELECTOR_PATTERN (1u << 0)
/*
 * bind: annotation. The kernel does not bind matching cgroups by itself: the
 * OCI runtime hook (mguard oci-hook) binds a container whose annotation names
 * the scope, and whose cgroup matches (so it inherits the scope's programs).
 */
#define MG_SELECTOR_ANNOTATION (1u << 1)

struct mg_selector_key {
	__u32 gen;
	__u32 index;
};

struct mg_selector_val {
	struct mg_scope_val scope; /* what a matching cgroup becomes */
	__u32 flags;		   /* MG_SELECTOR_* */
	__u32 len;		   /* of pattern, without its NUL */
	char pattern[MG_SELECTOR_LEN];
};

/*
 * inodes: (device, inode) of a weight file, or of a model folder, -> the
 * model it belongs to. A file not listed itself is looked up through its
 * parent folders (at most MG_MAX_DIR_DEPTH), so files created, renamed or
 * linked into a model folder after the policy loaded belong to the model.
 */
struct mg_inode_key {
	__u64 ino;
	__u32 dev; /* kernel encoding: major << 20 | minor */
	__u32 gen;
};

#define MG_INODE_DIR		  (1u << 0) /* a folder: covers what is under it */
#define MG_INODE_REQUIRES_LICENSE (1u << 1) /* the model's tier requires a licence */
/*
 * A scope (or the system) has an output, readable or socket folder here:
 * look in outputs. The loader adds an entry of model_id 0 with only this
 * flag for such a folder that is no model's, so a walk up the folders costs
 * one lookup per folder.
 */
#define MG_INODE_PATHS (1u << 2)
/*
 * A device's file outside /dev that no scope opens: the PCI config space,
 * resource and ROM files of a GPU in sysfs (its memory, mapped from user
 * space). An entry of model_id 0 for the file itself.
 */
#define MG_INODE_DEVICE_FILE (1u << 3)
/*
 * Strict manifests: a folder of a model with 'manifest: strict'. A file found
 * through it, with no entry of its own, is no file of the model: denied.
 */
#define MG_INODE_STRICT (1u << 4)

struct mg_inode_val {
	__u32 model_id; /* index of the model in the policy, from 1; 0: no model's */
	__u16 tier;	/* the model's tier level */
	__u16 flags;	/* MG_INODE_* */
};

/*
 * outputs: a folder a scope may write under (regular files only); with
 * MG_OUTPUT_UNIX in the value, a UNIX socket (or a folder of them) the
 * scope may connect to instead.
 */
struct mg_output_key {
	__u64 ino;
	__u32 dev;
	__u32 scope_id;
	__u32 gen;
	__u32 pad;
};

#define MG_OUTPUT_WRITE (1u << 0) /* may write under it (and read back) */
#define MG_OUTPUT_UNIX	(1u << 1) /* may connect to the sockets there */
#define MG_OUTPUT_READ	(1u << 2) /* may read under it */

/* scope_id of the entries every scope shares: the system's own folders. */
#define MG_SCOPE_ANY 0

struct mg_output_val {
	__u32 allowed; /* MG_OUTPUT_* */
};

/* licenses: a scope holds a valid licence for a model (of a licensed tier). */
struct mg_license_key {
	__u32 scope_id;
	__u32 model_id;
	__u32 gen;
	__u32 pad;
};

struct mg_license_val {
	__u64 not_after_boot_ns; /* CLOCK_BOOTTIME of notAfter: enforced with no daemon */
	__u32 narrow_id;	 /* 0, or the narrowing a loading process takes on */
	__u32 pad;
	/* The licence's egressBudget for the processes it narrows; 0: none. */
	__u64 budget_bytes;
	__u64 budget_window_ns;
};

/*
 * Cross-hook narrowing: a process that loaded a model under a licence with
 * an 'egress' list or an 'egressBudget' may from then on send only where
 * both its scope and that list allow (a licence with a budget and no list
 * is compiled with a list that allows everything), and what its sockets
 * send is counted against the licence's budget too; its children inherit
 * it. The list lives in mg_egress under scope id narrow_id (from
 * MG_NARROW_ID_BASE up).
 */
#define MG_NARROW_ID_BASE 0x10000u

struct mg_narrow_val {
	__u32 narrow_id;
	__u32 gen; /* the generation that narrowed it */
	/* The licence's egressBudget when it narrowed the process; 0: none. */
	__u64 budget_bytes;
	__u64 budget_window_ns;
};

/*
 * sock_owner (socket local storage): the process that made a scope's TCP or
 * UDP socket, or last connected it or sent on it through sendmsg's cgroup
 * hook. A packet is a narrowed process's when its socket's owner is; an
 * accepted socket starts with its listener's owner (BPF_F_CLONE).
 */
struct mg_sock_owner {
	__u32 tgid;
	__u32 pad;
};

/*
 * egress: longest-prefix-match trie over (scope, generation, address).
 * IPv4 addresses are stored IPv4-mapped (::ffff:a.b.c.d), so one trie serves
 * both families. The compiler copies the port ranges of every shorter prefix
 * into the longer ones it contains, so the longest match alone decides.
 */
#define MG_EGRESS_KEY_FIXED_BITS 64 /* scope_id + gen, always matched */

struct mg_egress_key {
	__u32 prefixlen; /* 64 + address prefix length (v4: 64 + 96 + n) */
	__u32 scope_id;
	__u32 gen;
	__u8 addr[16];
};

#define MG_PROTO_TCP (1u << 0)
#define MG_PROTO_UDP (1u << 1)

struct mg_port_range {
	__u16 lo; /* host byte order, inclusive */
	__u16 hi;
	__u8 protos; /* MG_PROTO_* */
	__u8 pad[3];
};

struct mg_egress_val {
	__u32 nranges;
	__u32 pad;
	struct mg_port_range ranges[MG_MAX_PORT_RANGES];
};

/*
 * gpu_majors: the device majors of GPU drivers on this host (NVIDIA 195,
 * DRM 226, accel 261, and the dynamic ones read from /proc/devices), so the
 * device program leaves every other device to the rest of the system.
 */
struct mg_gpu_major_key {
	__u32 major;
	__u32 gen;
};

enum mg_gpu_driver {
	MG_GPU_NVIDIA = 1, /* nvidiaN (minor N), nvidiactl, nvidia-modeset */
	MG_GPU_NVIDIA_UVM,
	MG_GPU_NVIDIA_CAPS,
	MG_GPU_DRM, /* cardN, renderD(128 + N) */
	MG_GPU_ACCEL,
	MG_GPU_KFD,
};

struct mg_gpu_major_val {
	__u32 driver; /* enum mg_gpu_driver */
};

/* devices: a scope may open (major, minor); MG_MINOR_ANY for every minor. */
#define MG_MINOR_ANY 0xffffffffu
/*
 * In a devices key's major: a block device. Block devices (the partitions
 * that hold model file systems) are denied in a scope unless listed.
 */
#define MG_DEVICE_BLOCK 0x80000000u

struct mg_device_key {
	__u32 scope_id;
	__u32 gen;
	__u32 major;
	__u32 minor;
};

struct mg_device_val {
	__u32 allowed; /* always 1: presence is what counts */
};

struct mg_event_dev {
	__u32 major;
	__u32 minor;
	__u32 access; /* BPF_DEVCG_ACC_* bits */
	__u32 driver; /* enum mg_gpu_driver */
};

/*
 * Rate limit of a scope's events, a fixed one-second window per scope
 * (indexed by scope id). Decisions are never limited, only their events.
 */
struct mg_rate {
	__u64 window_start_ns; /* bpf_ktime_get_boot_ns() */
	__u32 count;	       /* events in this window */
	__u32 suppressed;      /* since the limit kicked in */
	__u32 limited;	       /* the limit is in force */
	__u32 pad;
};

struct mg_event_rate {
	__u32 suppressed; /* RESUMED: events not sent while limited */
	__u32 limit;	  /* events per second per scope */
};

struct mg_event_file {
	__u64 ino;
	__u32 dev;
	__u32 model_id; /* 0: not a registered model */
	__u32 tier;
	__u32 flags;		/* open flags (f_flags) */
	char name[MG_NAME_LEN]; /* the dentry's name */
};

struct mg_event_net {
	__u8 addr[16];	/* IPv4 as IPv4-mapped IPv6 */
	__u16 port;	/* host byte order */
	__u16 family;	/* AF_INET or AF_INET6 */
	__u32 protocol; /* IPPROTO_* */
};

/* A socket refused at creation, or one received from outside the scope. */
struct mg_event_sock {
	__u32 family;
	__u32 type;
	__u32 protocol;
	__u32 pad;
};

/* A syscall of a class closed in scopes: its number, and whether it was 32-bit. */
struct mg_event_sys {
	__u32 nr;
	__u32 compat; /* 1: ia32 entry (int 0x80, sysenter), 2: x32 */
};

/*
 * Egress budgets. budget: (the cgroup id of a scope with an egressBudget,
 * 0) -> what its sockets sent in the current window (a fixed window that
 * starts with the first packet after the previous one ended); (that cgroup
 * id, a narrowing id) -> what the sockets of the processes a licence with
 * an egressBudget narrowed sent. Every packet is counted by its length at
 * the IP layer (headers included, a GSO packet whole); a packet that would
 * take a window over its budget is dropped. The program creates the entry;
 * the map is pinned, so a restart of the daemon refills nothing. Counted by
 * the cgroup id, not the scope id, so a reload that reorders scopes keeps
 * each scope's window.
 */
struct mg_budget_key {
	__u64 cgroup_id;
	__u32 narrow_id; /* 0: the scope's own budget */
	__u32 pad;
};

struct mg_budget {
	__u64 window_start_ns;	 /* bpf_ktime_get_boot_ns() */
	__u64 sent;		 /* bytes allowed in this window */
	__u64 dropped_packets;	 /* since the entry was made */
	__u64 dropped_bytes;	 /* since the entry was made */
	__u64 exhausted_windows; /* windows in which the budget ran out */
	__u32 exhausted;	 /* the budget of this window has run out */
	__u32 pad;
	__u64 budget_bytes; /* the budget this window counts against */
	__u64 window_ns;    /* and its window */
};

/* EXHAUSTED and REFILLED events: the budget and the window's count. */
struct mg_event_budget {
	__u64 budget_bytes;
	__u64 window_ns;
	__u64 sent;	       /* EXHAUSTED: bytes sent in the window; REFILLED: in the last one */
	__u64 dropped_packets; /* since the entry was made */
	__u32 narrow_id;       /* 0: the scope's budget; else the licence's narrowing */
	__u32 pad;
};

/*
 * Taint on write. tainted: (device, inode) of a model's file that some
 * process, in a scope or not, opened for writing -> when and by whom. The
 * kernel makes the mark, so it holds with the daemon down; a marked file is
 * denied to every scope until the daemon has hashed it again and found the
 * digest of the policy, or an operator re-sealed it. Not per generation: a
 * reload does not wash a write away.
 */
struct mg_taint_key {
	__u64 ino;
	__u32 dev; /* kernel encoding */
	__u32 pad;
};

struct mg_taint_val {
	__u64 ts_boot_ns; /* the write-open */
	__u32 model_id;	  /* of the generation that saw it */
	__u32 tgid;	  /* who opened it */
};

#define MG_TAINT_ENTRIES 65536

/*
 * verity: (device, inode, generation) of a model's file -> the fs-verity
 * file digest (SHA-256) the policy gives it. Keyed like the inodes map, with
 * entries only for the files that carry such a digest, and filled only where
 * the kernel checks them (BPF LSM with bpf_get_fsverity_digest and the
 * file_post_open hook). After every open by a scope, the kernel compares the
 * digest of the opened file (fs-verity then checks every page read against
 * it): unequal or no fs-verity is denied.
 */
#define MG_VERITY_DIGEST_LEN 32
#define MG_VERITY_ENTRIES    65536
#define MG_VERITY_ALG_SHA256 1 /* FS_VERITY_HASH_ALG_SHA256 */

struct mg_verity_val {
	__u8 digest[MG_VERITY_DIGEST_LEN];
};

/* One record in the ring buffer: a decision that was not a plain allow. */
struct mg_event {
	__u64 ts_boot_ns; /* bpf_ktime_get_boot_ns() */
	__u64 cgroup_id;
	__u32 pid;  /* thread id */
	__u32 tgid; /* process id */
	__u32 gen;  /* the policy generation that decided */
	__u32 scope_id;
	__u8 hook;    /* enum mg_hook */
	__u8 verdict; /* enum mg_verdict */
	__u8 engine;  /* enum mg_engine */
	__u8 reason;  /* enum mg_reason */
	char comm[MG_COMM_LEN];
	__u32 pad;
	union {
		struct mg_event_file file;
		struct mg_event_net net;
		struct mg_event_dev dev;
		struct mg_event_rate rate;
		struct mg_event_sock sock;
		struct mg_event_sys sys;
		struct mg_event_budget budget;
	};
	/* Added in event schema 1: new fields go after these. */
	__u32 uid; /* real uid and gid of the task (bpf_get_current_uid_gid) */
	__u32 gid;
};

#endif /* MGUARD_ABI_H */
