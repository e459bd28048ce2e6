/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Layouts the kernel builds without syscalls (processes that exist when
 * tracing starts, and what exec maps where BPF cannot walk the VMA tree)
 * are read from /proc/PID/maps and put into the stream as seed records, so
 * a replay needs nothing from /proc.
 */
#ifndef MEMSNOOP_SEED_H
#define MEMSNOOP_SEED_H

#include <stdbool.h>
#include "stream.h"

/* Emits MS_SEED_BEGIN, one MS_VMA per line, MS_SEED_END. 0, or -errno. */
/* ids: the process's cgroups, carried by MS_SEED_BEGIN. */
int seed_process(struct stream *s, __u32 pid, __u32 flags, const struct ms_cgroup_ids *ids);

/*
 * Parses one /proc/PID/maps line into v: the path unescaped (\012 is a
 * newline), cut past MS_PATH_KEEP as the BPF side cuts it.
 */
int seed_parse_line(const char *line, struct ms_vma *v, size_t path_room);

/*
 * The gate area ([vsyscall] on x86-64): /proc/PID/maps lists it after the
 * VMA tree, the same for every 64-bit process. Read from our own maps.
 * 0, or -ENOENT where the machine has none.
 */
int seed_gate_area(struct ms_vma *v);

/* Calls fn for every process in /proc (tgids, not threads). */
int for_each_proc(int (*fn)(__u32 pid, void *ctx), void *ctx);

/* The state letter and PF_* flags of /proc/PID/stat. 0, or -ESRCH. */
int proc_state(__u32 pid, char *state, unsigned long *flags);

/* The process's command name, from /proc/PID/comm. */
int read_comm(__u32 pid, char comm[MS_COMM_LEN]);

#endif
