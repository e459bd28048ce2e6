/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The record ABI: what BPF writes into the ring buffer, what user space adds
 * (seeds, losses, fault summaries) and what a trace file stores. Fixed-width
 * types only, largest fields first, every record starts with struct ms_hdr and
 * its size is a multiple of 8. Consumers switch on hdr.type and skip types they
 * do not know, using hdr.size.
 */
#ifndef MEMSNOOP_EVENTS_H
#define MEMSNOOP_EVENTS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define MS_COMM_LEN 16
#define MS_PATH_MAX 4096
#define MS_REC_MAX 8192 /* largest record BPF or user space makes */
/*
 * A file path longer than MS_PATH_KEEP bytes (" (deleted)" included) is cut:
 * MS_PATH_CUT_MARK ("…", UTF-8), then its last whole components that fit,
 * then " (deleted)" if the file was; the record says so (MS_*_PATH_CUT).
 * /proc seeds and the kernel cut alike, so both give the same bytes.
 */
#define MS_PATH_KEEP 4092
#define MS_PATH_CUT_MARK "\xe2\x80\xa6"

enum ms_type {
	/* from the kernel */
	MS_BRK = 1,
	MS_MMAP = 2,
	MS_MUNMAP = 3,
	MS_MREMAP = 4,
	MS_MPROTECT = 5,
	MS_MADVISE = 6,
	MS_FAULT = 7, /* one user page fault (--faults) */
	MS_STACK = 8, /* main stack reached a new low address */
	MS_FORK = 9,
	MS_EXEC = 10,
	MS_EXIT = 11, /* a thread exited; MS_EXIT_GROUP flag: the last one */
	MS_EXIT_MMAP = 12, /* an address space was torn down */
	MS_SIGNAL = 13, /* a fault signal (SIGSEGV, SIGBUS, SIGILL, SIGFPE) was sent */
	MS_LIMITS = 14, /* rlimits and the args/env range: at exec, seed, and before an ENOMEM */
	/* more layout syscalls (struct ms_syscall): MS_SYS_FIRST2 .. MS_SYS_LAST2 */
	MS_SHMAT = 15, /* ms_file follows; args[3]: bytes mapped (from the VMA) */
	MS_SHMDT = 16,
	MS_PKEY_MPROTECT = 17,
	MS_MSEAL = 18, /* 6.10+ */
	MS_REMAP_FILE_PAGES = 19, /* the file of the VMA at args[0], mapped again at args[3] */
	MS_PRCTL = 20, /* PR_SET_MM and PR_SET_VMA only */
	MS_PROCESS_MADVISE = 21,
	MS_MLOCK = 22, /* VM_LOCKED splits VMAs */
	MS_MLOCK2 = 23,
	MS_MUNLOCK = 24,
	MS_MLOCKALL = 25, /* VM_LOCKED on every VMA (MCL_CURRENT) and later ones (MCL_FUTURE) */
	MS_MUNLOCKALL = 26,
	MS_MBIND = 27, /* a memory policy on a range: splits VMAs */
	MS_SET_MEMPOLICY_HOME_NODE = 28, /* the home node of a range's policy: splits too */
	MS_UFFDIO =
		29, /* ioctl UFFDIO_(UN)REGISTER: args[0..1] the range, [2] the command, [3] fd */
	MS_USTACK = 30, /* user registers and stack top of the call that follows (--stacks) */
	MS_VMA_NOW = 31, /* a VMA as the kernel held it just after a call changed it */
	/* from user space */
	MS_FAULTS = 32, /* per-process fault counts for one interval */
	MS_LOST = 33, /* the kernel dropped records */
	MS_SEED_BEGIN = 34, /* a layout read from /proc follows */
	MS_VMA = 35, /* one region of a seed */
	MS_SEED_END = 36,
	MS_TRACE_END = 37, /* a trace file's last record: the recording closed cleanly */
	MS_NAME = 38, /* a mapped file was renamed or unlinked: its new name everywhere */
	/* ordering (user/util/reorder.h): the run had delivered every record up to ts_ns it held */
	MS_ROUND = 40,
	MS_RESIDENT = 41, /* resident pages of a process, sampled from its page tables */
	MS_MODULE = 42, /* a file a recorded stack went through: path, load address, build-id */
	MS_CGROUP = 43, /* a cgroup's path, its memory controller's limit and usage */
	MS_CGROUP_MOVE = 44, /* a process moved to another cgroup (from the kernel) */
	MS_OOM = 45, /* the OOM killer chose a victim (oom:mark_victim) */
	MS_SYMBOL = 48, /* a function a recorded stack went through (--symbols) */
	MS_FRAMES = 49, /* the return addresses a recording unwound of the MS_USTACK after it */
	MS_TYPE_MAX = 64,
};

#define MS_SYS_FIRST2 MS_SHMAT
#define MS_SYS_LAST2 MS_UFFDIO

/* A call that changes the flags of [args[0], args[0] + args[1]) (all but munmap merge). */
static inline int ms_flags_on_range(unsigned type)
{
	switch (type) {
	case MS_MPROTECT:
	case MS_PKEY_MPROTECT:
	case MS_MSEAL:
	case MS_MLOCK:
	case MS_MLOCK2:
	case MS_MUNLOCK:
	case MS_MADVISE:
	case MS_MBIND:
	case MS_SET_MEMPOLICY_HOME_NODE:
	case MS_UFFDIO:
		return 1;
	}
	return 0;
}

/* hdr.flags bits, by type */
#define MS_FORK_THREAD (1u << 0) /* CLONE_THREAD: same process */
#define MS_FORK_VM (1u << 1) /* CLONE_VM: shares the parent's layout */
#define MS_EXIT_GROUP (1u << 0) /* last thread: the process is gone */
#define MS_FILE_VALID (1u << 0) /* syscall: struct ms_file follows */
#define MS_FILE_FROM_VMA (1u << 1) /* syscall: vm_* fields came from the VMA */
#define MS_FILE_PATH_CUT (1u << 2) /* syscall: the path was cut (MS_PATH_KEEP) */
#define MS_SYS_LOCK_TS (1u << 3) /* syscall: ts_ns is when it took the mmap lock to write */
#define MS_VMA_PATH_CUT (1u << 0) /* seed region: the path was cut (MS_PATH_KEEP) */
#define MS_SEED_AT_START (1u << 0) /* seed: existed when tracing began */
#define MS_SEED_AT_EXEC (1u << 1) /* seed: layout the kernel built at exec */
#define MS_SEED_PARTIAL (1u << 2) /* seed: the process went away mid-read */
#define MS_SEED_FROM_KERNEL (1u << 3) /* seed: BPF walked the VMA tree at exec */
#define MS_SEED_GATE (1u << 4) /* seed end: add the gate area ([vsyscall]), not in the tree */
#define MS_EXEC_SEEDED (1u << 0) /* exec: the kernel's seed follows, no /proc read */
#define MS_EXEC_NAME_CUT (1u << 1) /* exec: the filename went on past its 4095 bytes */
#define MS_RES_FIRST (1u << 0) /* resident: a sample's first record (replaces the last sample) */
#define MS_RES_LAST (1u << 1) /* resident: its last record: the sample is whole */
#define MS_RES_SMAPS (1u << 2) /* resident: per region counts from smaps, not page runs */
#define MS_VMA_MALLOC (1u << 2) /* seed region: a plain anonymous mmap >= 128 KiB made it */
#define MS_VMA_NOT_BSS \
	(1u << 1) /* seed region: after an ELF's data, but its headers end .bss before */
/* fault error code bits (x86 page fault error code, hdr.flags of MS_FAULT) */
#define MS_PF_PROT (1u << 0)
#define MS_PF_WRITE (1u << 1)
#define MS_PF_USER (1u << 2)
#define MS_PF_INSTR (1u << 4)

struct ms_hdr {
	__u64 ts_ns; /* CLOCK_MONOTONIC, bpf_ktime_get_ns() */
	__u32 pid; /* tgid */
	__u32 tid;
	__u16 type; /* enum ms_type */
	__u16 size; /* whole record in bytes, header included */
	__u32 flags; /* type-specific bits, see above */
};

/* The process's memory counters, read from its mm_struct (pages). */
struct ms_mm {
	__u64 total_vm;
	__u64 rss_file;
	__u64 rss_anon;
	__u64 rss_shmem;
	__u64 stack_vm;
	__u64 start_brk; /* bytes: heap start and current break */
	__u64 brk;
};

/*
 * What the kernel mapped, read from the VMA (or the fd) at syscall exit.
 * vm_flags uses the kernel's VM_READ/WRITE/EXEC/SHARED bits (0x1/2/4/8) and,
 * from the VMA, the kernel's bits of MS_VM_KEPT (a fork does not copy it, it
 * never merges: perf and BPF map fds, drivers).
 */
struct ms_file {
	__u64 ino;
	__u64 pgoff; /* in pages */
	__u32 dev; /* kernel dev_t: major << 20 | minor */
	__u32 vm_flags;
	__u16 path_len; /* bytes of path[], without the NUL */
	__u16 pad[3];
	char path[]; /* NUL-terminated, padded to 8 */
};

/* brk, mmap, munmap, mremap, mprotect, madvise: arguments and result. */
struct ms_syscall {
	struct ms_hdr h;
	__u64 args[6]; /* raw syscall arguments, in the syscall's order */
	__s64 ret; /* return value; -errno on failure */
	__u64 dur_ns; /* time spent in the call, enter to return */
	struct ms_mm mm; /* after the call */
	char comm[MS_COMM_LEN];
	/* struct ms_file follows when h.flags & MS_FILE_VALID */
};

/*
 * The VMA at an address a call just made or changed, read from the VMA tree
 * at the call's exit (ts_ns: the moment it was read, under the mmap lock):
 * which neighbours the kernel merged it with, and its anon_vma, which the
 * first write fault makes and no record shows.
 */
struct ms_vma_now {
	struct ms_hdr h;
	__u64 start;
	__u64 end;
	__u64 anon; /* 0: none; else the same value for the same anon_vma (a keyed hash) */
};

struct ms_fault {
	struct ms_hdr h; /* flags: MS_PF_* error code */
	__u64 addr;
	__u64 ip;
};

struct ms_signal {
	struct ms_hdr h; /* pid/tid: the thread the signal is for */
	__u64 addr; /* si_addr: the faulting address */
	__s32 sig;
	__s32 code; /* si_code: SEGV_MAPERR 1, SEGV_ACCERR 2, BUS_ADRERR 2, ... */
	__u32 sender_pid; /* who sent it (the target itself for a fault) */
	__u32 pad;
};

/* What bounds a process's memory; the kernel checks these where calls fail ENOMEM. */
struct ms_limits {
	struct ms_hdr h;
	__u64 as; /* RLIMIT_AS soft limit, bytes; ~0: unlimited */
	__u64 data; /* RLIMIT_DATA */
	__u64 stack; /* RLIMIT_STACK */
	__u64 arg_start, arg_end, env_start, env_end; /* on the main stack's top */
	__u64 data_vm; /* pages counted against RLIMIT_DATA */
	__u64 map_count; /* mappings, against vm.max_map_count */
};

struct ms_stack {
	struct ms_hdr h;
	__u64 addr; /* lowest stack address touched so far */
};

/*
 * A process's cgroups, as kernfs ids (the inode number of the cgroup's
 * directory): the v2 (default) hierarchy's and the memory controller's (the
 * v1 memory hierarchy on hybrid machines; on v2 the nearest cgroup with the
 * controller). 0: unknown.
 */
struct ms_cgroup_ids {
	__u64 dfl;
	__u64 mem;
};

struct ms_fork {
	struct ms_hdr h; /* pid/tid: the parent; flags: MS_FORK_* */
	__u64 child_sp; /* the child's user stack pointer: finds thread stacks */
	__u32 child_pid;
	__u32 child_tid;
	char comm[MS_COMM_LEN];
	struct ms_cgroup_ids cg; /* the child's; absent (smaller h.size) in older recordings */
};

struct ms_exec {
	struct ms_hdr h;
	__u32 old_tid; /* the thread that called execve */
	__u32 filename_len;
	char comm[MS_COMM_LEN];
	char filename[]; /* NUL-terminated, padded to 8 */
};

struct ms_fault_counts {
	__u64 faults; /* every user fault */
	__u64 write; /* error code had the write bit */
	__u64 exec; /* instruction fetch */
	__u64 prot; /* page was present: protection fault */
};

/* The value of the BPF `procs` map, read by user space every interval. */
struct ms_proc_state {
	struct ms_fault_counts counts;
	__u64 stack_lo; /* lowest main-stack address reported */
	__u64 stack_floor; /* below this a fault cannot be stack growth */
	__u64 mm; /* the address space the two above belong to */
};

/*
 * One CPU's fault state of the process that owns the slot (tgid & mask):
 * plain increments, no atomics, no hash lookup. A process whose slot another
 * one holds uses its shared entry in the procs map. Its counts are the
 * entry's plus those of every CPU's copy it owns.
 */
struct ms_fault_slot {
	__u32 tgid; /* owner; 0: free */
	__u32 pad;
	struct ms_proc_state st;
};

struct ms_exit {
	struct ms_hdr h; /* flags: MS_EXIT_GROUP */
	__s32 exit_code; /* wait status: code << 8 | signal */
	__u32 pad;
	struct ms_fault_counts total; /* group exit: the process's totals */
	struct ms_mm mm;
	char comm[MS_COMM_LEN];
};

struct ms_faults {
	struct ms_hdr h;
	struct ms_fault_counts delta; /* since the previous summary */
	struct ms_fault_counts total; /* since tracing began */
};

struct ms_lost {
	struct ms_hdr h; /* pid 0: machine-wide */
	__u64 count; /* records dropped since the previous MS_LOST */
	__u64 total;
};

struct ms_seed_begin {
	struct ms_hdr h; /* flags: MS_SEED_* */
	__u64 nr_vmas;
	char comm[MS_COMM_LEN];
	struct ms_cgroup_ids cg; /* absent (smaller h.size) in older recordings */
};

/* The process h.pid is now in these cgroups (cgroup:cgroup_attach_task). */
struct ms_cgroup_move {
	struct ms_hdr h;
	struct ms_cgroup_ids cg;
};

/* ms_cgroup.hierarchy */
#define MS_CG_V2 1 /* the cgroup v2 (unified) hierarchy */
#define MS_CG_V1_MEMORY 2 /* the v1 memory controller's hierarchy */
/* ms_cgroup h.flags */
#define MS_CG_HAS_LIMIT (1u << 0) /* the controller sets a limit */
#define MS_CG_HAS_USAGE (1u << 1) /* usage was read */

/*
 * A cgroup's path inside its hierarchy (e.g. "/system.slice/nginx.service")
 * and its memory controller's limit and usage (bytes) when read (ts_ns).
 * Written by user space the first time an id is seen and every interval
 * while processes live in it. pid 0.
 */
struct ms_cgroup {
	struct ms_hdr h; /* flags: MS_CG_HAS_* */
	__u64 id; /* kernfs id, as in struct ms_cgroup_ids */
	__u64 limit;
	__u64 usage;
	__u32 hierarchy; /* MS_CG_V2, MS_CG_V1_MEMORY */
	__u16 path_len;
	__u16 pad;
	char path[]; /* NUL-terminated, padded to 8 */
};

struct ms_vma {
	struct ms_hdr h; /* tid: the thread whose stack pointer is in it, else pid; flags: MS_VMA_* */
	__u64 start;
	__u64 end;
	__u64 pgoff; /* bytes, as /proc/PID/maps prints it */
	__u64 ino;
	__u32 dev; /* kernel dev_t */
	__u32 prot; /* MS_VMA_* */
	__u16 path_len;
	__u16 pad[3];
	char path[]; /* NUL-terminated, padded to 8 */
};

#define MS_VMA_READ 0x1
#define MS_VMA_WRITE 0x2
#define MS_VMA_EXEC 0x4
#define MS_VMA_SHARED 0x8

/* ms_file.vm_flags: the kernel's VM_DONTCOPY and VM_SPECIAL (IO, PFNMAP, DONTEXPAND, MIXEDMAP) */
#define MS_VM_DONTCOPY 0x20000
#define MS_VM_SPECIAL (0x4000 | 0x400 | 0x40000 | 0x10000000)
#define MS_VM_KEPT (MS_VM_DONTCOPY | MS_VM_SPECIAL)

struct ms_seed_end {
	struct ms_hdr h;
};

/* Written by the trace writer at a clean close; its absence means the tail is missing. */
struct ms_trace_end {
	struct ms_hdr h; /* pid 0; ts_ns: when the recording was closed */
	__u64 records; /* records in the file before this one */
	__u64 lost; /* sum of the MS_LOST counts among them */
};

/*
 * Every region of the file (dev, ino), in every process, now has this name
 * (as /proc/PID/maps prints it: " (deleted)" once unlinked). pid 0.
 */
struct ms_name {
	struct ms_hdr h;
	__u64 ino;
	__u32 dev; /* kernel dev_t */
	__u16 path_len;
	__u16 pad;
	char path[]; /* NUL-terminated, padded to 8 */
};

/*
 * The user stack of a brk/mmap/munmap/mremap/mprotect/madvise call, for user
 * space to unwind with the binaries' CFI. It comes just before its call's
 * record: h.ts_ns is the call's lock time if it has one (MS_SYS_LOCK_TS),
 * else the call's ts_ns - dur_ns (when it entered); h.flags is the call's type.
 */
#define MS_UREG_IP 0
#define MS_UREG_SP 1
#define MS_UREG_FP 2 /* rbp; arm64 x29 */
#define MS_UREG_LR 3 /* arm64 x30; 0 on x86 */
#define MS_UREGS 4
#define MS_USTACK_MAX (MS_REC_MAX - 64) /* stack bytes a record holds */
#define MS_USTACK_FP_MAX 32 /* frame-pointer return addresses a record holds */

struct ms_ustack {
	struct ms_hdr h;
	__u64 regs[MS_UREGS]; /* MS_UREG_*, at the syscall */
	__u32 len; /* bytes of data[]: the stack from regs[MS_UREG_SP] up */
	__u32 nr_fp; /* after data[]: __u64 ips the frame-pointer chain gave; 0 in old traces */
	__u8 data[]; /* padded to 8 */
};

/*
 * Written by a recording (--stacks) the first time a process's stack reaches
 * a file, before that call: what replay checks the local file against
 * before it names the frames from it.
 */
#define MS_BUILD_ID_MAX 32
struct ms_module {
	struct ms_hdr h; /* pid: the process; ts_ns: the call's */
	__u64 base; /* the file's offset 0 in memory: mapping start - file offset */
	__u8 build_id[MS_BUILD_ID_MAX]; /* the GNU build-id note's bytes */
	__u16 build_id_len; /* 0: the file had none, or could not be read */
	__u16 path_len;
	__u32 pad;
	char path[]; /* NUL-terminated, padded to 8 */
};

#define MS_MODULE_SYMBOLS 0x1 /* ms_module flags: its functions come in MS_SYMBOL records */

/*
 * --symbols: a function a recorded frame fell in, written once per function
 * (per build-id, or per process for JIT code) before the call that needed it,
 * so that a replay without the file still names it.
 */
#define MS_SYMBOL_JIT 0x1 /* flags: from /tmp/perf-PID.map; start is an address in pid */
#define MS_SYMBOL_NAME_MAX 512 /* longer names are cut */
struct ms_symbol {
	struct ms_hdr h; /* pid, ts_ns: the call's stack's */
	__u64 start; /* from its file's offset 0 in memory (ms_module.base); JIT: the address */
	__u64 size; /* bytes; 0: unknown (the start only) */
	__u8 build_id[MS_BUILD_ID_MAX]; /* its file's; JIT: none */
	__u16 build_id_len;
	__u16 name_len;
	__u32 pad;
	char name[]; /* NUL-terminated, padded to 8 */
};

/* --symbols: the frames the recording found for the MS_USTACK that follows (same key). */
#define MS_FRAMES_MAX 64
struct ms_frames {
	struct ms_hdr h; /* as the MS_USTACK's: ts_ns, pid, tid, flags (the call's type) */
	__u32 nr; /* ips[] */
	__u32 pad;
	__u64 ips[]; /* innermost first */
};

/*
 * Resident pages in [start, end): a run of pages in one state (PAGEMAP_SCAN)
 * or one region's counts (smaps). Ranges of a sample are ascending and apart.
 */
struct ms_rss_range {
	__u64 start;
	__u64 end;
	__u64 rss; /* pages in memory */
	__u64 anon; /* of them anonymous (not file or shared memory) */
	__u64 swap; /* pages swapped out */
};

/*
 * A sample of a process's page tables, in one or more records of the same
 * ts_ns (MS_RES_FIRST on the first, MS_RES_LAST on the last). Only ranges
 * with resident or swapped pages are listed: the rest of the address space
 * has none.
 */
struct ms_resident {
	struct ms_hdr h; /* flags: MS_RES_* */
	__u32 nr; /* ranges that follow */
	__u32 pad;
	struct ms_rss_range r[];
};
#define MS_RES_PER_REC ((MS_REC_MAX - sizeof(struct ms_resident)) / sizeof(struct ms_rss_range))

/*
 * The OOM killer chose h.pid (h.tid: the thread it named). BPF fills the
 * kernel's figures and the memory cgroups; the live source adds the rest
 * (MS_OOM_RESOLVED): the cgroups' paths, limit and usage in bytes, and the
 * processes of the constraint's cgroup (members[], then the paths).
 */
#define MS_OOM_MEMCG (1u << 0) /* a memory cgroup's limit was hit, not the machine's memory */
#define MS_OOM_FIGURES (1u << 1) /* total_vm..oom_score_adj are the kernel's (6.8+) */
#define MS_OOM_COUNTER (1u << 2) /* limit/usage: the cgroup's page counter at the kill */
#define MS_OOM_RESOLVED (1u << 3) /* user space added the paths and members */
#define MS_OOM_HAS_LIMIT (1u << 4) /* limit is set (else none: "max", or the machine's) */
#define MS_OOM_MEMBERS 256 /* processes listed at most */

struct ms_oom {
	struct ms_hdr h; /* pid/tid: the victim; flags: MS_OOM_* */
	__u64 total_vm; /* pages */
	__u64 anon_rss; /* pages */
	__u64 file_rss;
	__u64 shmem_rss;
	__u64 pgtables; /* bytes */
	__u64 memcg_id; /* the victim's memory cgroup: its kernfs id; 0: unknown */
	__u64 oom_memcg_id; /* the cgroup whose limit was hit (MS_OOM_MEMCG); else 0 */
	__u64 limit; /* of the constraint, pages from BPF (MS_OOM_COUNTER), bytes once resolved */
	__u64 usage;
	__u64 window_ns; /* 0; in an --oom-dir recording, the window its report looked back on */
	__s32 oom_score_adj;
	__u32 uid;
	__u32 killer_pid; /* the process whose allocation called the OOM killer */
	__u16 nr_members; /* pids in members[] */
	__u16 cgroup_len; /* bytes of the victim's cgroup path, without the NUL */
	__u16 oom_cgroup_len; /* bytes of the constraint cgroup's path */
	__u16 pad[3];
	char comm[MS_COMM_LEN];
	/* __u32 members[nr_members], padded to 8; cgroup path NUL, oom cgroup path NUL, padded */
	__u32 members[];
};

#define MS_ALIGN8(x) (((x) + 7) & ~7u)

#endif /* MEMSNOOP_EVENTS_H */
