/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the live source asks before loading: our privileges, tracefs, and
 * which hooks and helpers this kernel has (each a cheap look, not a load).
 */
#ifndef MEMSNOOP_PROBE_H
#define MEMSNOOP_PROBE_H

#include <stdbool.h>

#define TRACEFS "/sys/kernel/tracing"
#define CAP_BIT(n) (1ULL << (n))
#define CAP_SYS_ADMIN_BIT CAP_BIT(21)

struct btf;

/* Our effective capabilities, from /proc/self/status. */
unsigned long long effective_caps(void);
/* Root, or CAP_BPF with CAP_PERFMON (or CAP_SYS_ADMIN). */
bool privileged(void);
/*
 * With our effective credentials, capabilities included (access() would ask
 * for the real uid's, which fails in capability mode). 0, or -errno.
 */
int check_access(const char *path, int mode);
/* tracefs with the syscall tracepoints, mounted if need be; -1 after an error message. */
int ensure_tracefs(void);
/* A BPF helper exists when enum bpf_func_id names it. */
bool has_helper(const struct btf *btf, const char *name);
/* A tracepoint, and so its raw tracepoint, exists when tracefs lists it. */
bool has_tracepoint(const char *category, const char *name);
/* The running kernel's release is at least major.minor. */
bool kernel_at_least(unsigned want_major, unsigned want_minor);

#endif
