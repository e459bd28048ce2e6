/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What /proc/PID/maps does not say about a process found running: which
 * thread a stack belongs to, and whether anonymous memory after a library's
 * data is its .bss. Both go into the seed records (see FORMAT.md, MS_VMA).
 */
#ifndef MEMSNOOP_SEED_HINTS_H
#define MEMSNOOP_SEED_HINTS_H

#include <stddef.h>
#include <linux/types.h>

struct thread_sp {
	__u32 tid;
	__u64 sp;
};

/*
 * The stack pointers of pid's threads but the main one, blocked in the
 * kernel (/proc/PID/task/TID/syscall; stat's kstkesp reads 0 on modern
 * kernels). A running thread has none. Fills up to max; returns the count.
 */
size_t seed_thread_sps(__u32 pid, struct thread_sp *sp, size_t max);

/*
 * Whether anonymous memory at anon_start, right after pid's writable file
 * mapping [data_start, data_end) at file offset data_pgoff, is that ELF's
 * .bss as its program headers size it: 1 yes, 0 no, -1 unknown.
 */
int seed_elf_bss(__u32 pid, __u64 data_start, __u64 data_end, __u64 data_pgoff, __u64 anon_start);

#endif
