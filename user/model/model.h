/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The layout model: every process's virtual memory layout rebuilt from the
 * record stream, with the kernel's semantics. It knows records (events.h) and
 * nothing else: no BPF, no files, no /proc. Apply records in stream order;
 * the result depends only on the records, so replay equals live.
 */
#ifndef MEMSNOOP_MODEL_H
#define MEMSNOOP_MODEL_H

#include <stdbool.h>
#include <stdio.h>
#include "events.h"

enum region_class {
	RC_UNKNOWN = 0,
	RC_TEXT,
	RC_RODATA,
	RC_DATA,
	RC_BSS,
	RC_HEAP,
	RC_STACK,
	RC_THREAD_STACK,
	RC_GUARD,
	RC_ANON,
	RC_MALLOC,
	RC_ARENA,
	RC_FILE,
	RC_SHM,
	RC_VDSO,
	RC_VVAR,
	RC_VSYSCALL,
	RC_NR,
};

/* One mapping, [start, end). Read-only for consumers. */
struct region {
	__u64 start;
	__u64 end;
	__u64 pgoff; /* bytes, as /proc/PID/maps prints it (0 when anonymous) */
	__u64 ino;
	__u64 created_ns; /* 0 if seeded */
	__u64 touched_pages; /* distinct pages faulted in and not given back */
	__u64 faults; /* MS_FAULT records that landed here */
	__u64 write_faults;
	__u64 exec_faults;
	__u64 prot_faults;
	const char *path; /* NULL when anonymous; "[heap]", "[anon:x]", ... */
	__u32 dev; /* kernel dev_t: major << 20 | minor */
	__u32 prot; /* MS_VMA_READ/WRITE/EXEC/SHARED */
	__u32 mmap_flags; /* MAP_* flags of the creating mmap, 0 if seeded */
	__u32 created_tid;
	__u32 owner_tid; /* thread stacks: the thread, 0 when unknown or gone */
	enum region_class cls;
};

#define MPROC_UNCERTAIN (1u << 0) /* records were lost since the last seed */
#define MPROC_EXITED (1u << 1)
#define MPROC_SEEDED (1u << 2) /* a seed gave this process its layout */
#define MPROC_OVER_BUDGET (1u << 3) /* its layout was not copied: see model__set_budget */

struct msample {
	__u64 ts_ns;
	__u64 vsize;
	__u64 rss;
	__u64 heap;
	__u64 anon;
	__u64 file;
	__u64 stack;
};

/*
 * One process (tgid). Byte totals are summed over its regions: heap is the
 * [heap], stack the main and thread stacks, file every region backed by a file
 * (shared memory included), anon every other anonymous region (bss, malloc,
 * arenas, guards) except vdso/vvar/vsyscall. rss and mm come from the latest
 * struct ms_mm the process's records carried.
 */
struct mproc {
	__u32 pid;
	__u32 flags; /* MPROC_* */
	char comm[MS_COMM_LEN];
	__u64 start_ns;
	__u64 exit_ns;
	__s32 exit_code;
	__u32 nr_regions;
	__u64 vsize;
	__u64 rss;
	__u64 heap;
	__u64 anon;
	__u64 file;
	__u64 stack;
	__u64 peak_vsize;
	__u64 peak_rss;
	__u64 peak_heap;
	__u64 mmaps; /* successful calls */
	__u64 munmaps;
	__u64 mremaps;
	__u64 mprotects;
	__u64 madvises;
	__u64 brks;
	__u64 failed; /* layout syscalls that returned an error */
	__u64 faults; /* user page faults, from MS_FAULTS/MS_FAULT/MS_EXIT */
	__u64 write_faults;
	__u64 exec_faults;
	__u64 prot_faults;
	__u64 start_brk;
	__u64 brk;
	struct ms_mm mm; /* the latest counters, in pages (start_brk/brk in bytes) */
	/* from MS_LIMITS (at exec, seed, and before a call fails ENOMEM) */
	bool limits_known;
	__u64 rlim_as, rlim_data, rlim_stack; /* bytes; ~0: unlimited */
	__u64 arg_start, arg_end, env_start, env_end;
	__u64 data_vm; /* bytes counted against RLIMIT_DATA */
	__u64 map_count;
	/* from the latest whole resident sample (MS_RESIDENT); rss too is then its */
	__u64 sampled_ns; /* its time; 0: none since start or exec */
	__u64 resident_anon, resident_swap; /* bytes */
	__u64 peak_resident[RC_NR]; /* bytes by class, the most any sample saw */
	struct ms_cgroup_ids cg; /* its cgroups (fork, seed, move records); 0: unknown */
};

struct model;

struct model *model__new(unsigned page_size);
void model__free(struct model *m);
/* Any record; unknown or malformed ones are ignored. Returns 0. */
int model__apply(struct model *m, const struct ms_hdr *rec);

const struct mproc *model__process(const struct model *m, __u32 pid);
/* Ascending pid. */
void model__for_each_process(const struct model *m, void (*fn)(const struct mproc *, void *),
			     void *ctx);
/* Ascending address. */
void model__for_each_region(const struct model *m, __u32 pid,
			    void (*fn)(const struct region *, void *), void *ctx);
const struct region *model__region_at(const struct model *m, __u32 pid, __u64 addr);
/* A process's reserved bytes by class (RC_*), summed over its regions; false: no such process. */
bool model__class_bytes(const struct model *m, __u32 pid, __u64 out[RC_NR]);
/*
 * Whether an applied MS_STACK record moved the main stack's bottom down: it
 * fires on every fault below the bottom the kernel side knew; most land on
 * a page the stack already has.
 */
bool model__stack_grew(const struct model *m, const struct ms_stack *s);
/*
 * The region the last applied record landed in: mmap/brk/mprotect/mremap the
 * resulting region at its address, munmap a copy of what was removed (the
 * first piece), fault the region hit. NULL if none. Valid until the next apply.
 */
const struct region *model__event_region(const struct model *m);
/* Forget an exited (or any) process and free its memory. */
void model__reap(struct model *m, __u32 pid);
/*
 * The model's memory is its input's plus at most a budget: the regions and
 * touched-page chunks that copies of layouts at fork (copy on write) may bring
 * the program's layouts to (default 1M, about 200 MiB). A copy past it is not
 * made: the process gets an empty, uncertain layout (MPROC_OVER_BUDGET).
 */
void model__set_budget(struct model *m, size_t regions);
/* How many layouts were not copied for the budget. */
__u64 model__over_budget(const struct model *m);
/* The traced machine's page size, and a length rounded up to whole pages as the kernel maps it. */
unsigned model__page_size(const struct model *m);
__u64 model__page_up(const struct model *m, __u64 len);

/* The time series: at most one sample per 10 ms, the last always current. */
unsigned model__nr_samples(const struct mproc *p);
const struct msample *model__sample(const struct mproc *p, unsigned i); /* 0 = oldest */

/* Resident bytes from a page-table sample, and when it was taken. */
struct mresident {
	__u64 ts_ns;
	__u64 rss;
	__u64 anon;
	__u64 swap;
};
/*
 * r's share of its process's latest resident sample; false when unknown: no
 * sample yet, or r was made after it.
 */
bool model__region_resident(const struct model *m, __u32 pid, const struct region *r,
			    struct mresident *out);
/* A cgroup, from MS_CGROUP records. */
struct mcgroup {
	__u64 id;
	unsigned hierarchy; /* MS_CG_V2, MS_CG_V1_MEMORY */
	const char *path; /* inside its hierarchy: "/system.slice/nginx.service" */
	bool has_usage, has_limit;
	__u64 usage, limit; /* bytes, as the memory controller read at ts_ns */
	__u64 ts_ns;
};

/*
 * The cgroup p is shown in: its memory controller's where that is a v1
 * hierarchy (hybrid machines), else its v2 cgroup. NULL: not known.
 */
const struct mcgroup *model__cgroup_of(const struct model *m, const struct mproc *p);
/* At most MODEL_MAX_CGROUPS are kept (the first seen). */
#define MODEL_MAX_CGROUPS 4096

/* Exactly the /proc/PID/maps format, one line per region (no merging). */
int model__write_maps(const struct model *m, __u32 pid, FILE *f);
/*
 * Format one region as /proc/PID/maps does, newline included, the path
 * escaped (\012 for a newline, as the kernel; octal for any other control or
 * stray byte); returns the length. size: 4 bytes a byte of the path, plus 128.
 */
int region__format(const struct region *r, char *buf, size_t size);
/*
 * A glibc arena's shape: 64 MiB at a 64 MiB boundary, its used part (rw-)
 * first, the rest (---) after. The low part: r starts an arena and is all
 * of it, or above (the next region, NULL if it cannot be the rest) fills it.
 */
bool region__arena_low(const struct region *r, const struct region *above);
/* The high part: r ends an arena that below (the region before, or NULL) starts. */
bool region__arena_high(const struct region *r, const struct region *below);
const char *region_class_name(enum region_class c);

#endif
