/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The memory syscalls as the raw sys_enter/sys_exit tracepoints see them:
 * numbers, argument registers and the compat check, per architecture. One
 * program pair on the raw tracepoints costs far less per call than the
 * per-syscall trace events, which go through perf's buffer first.
 */
#ifndef MEMSNOOP_SYSCALLS_H
#define MEMSNOOP_SYSCALLS_H

#if defined(__TARGET_ARCH_x86)

#define TS_COMPAT 0x0002 /* thread_info.status: a 32-bit syscall is running */

#define NR_SYSCALLS 512

/*
 * x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl). A table, not a
 * switch: one load, and the verifier sees one unknown type instead of a
 * constant per case, so it checks the rest of the program once, not six times.
 */
const volatile __u8 syscall_types[NR_SYSCALLS] = {
	[12] = MS_BRK,	  [9] = MS_MMAP,      [11] = MS_MUNMAP,
	[25] = MS_MREMAP, [10] = MS_MPROTECT, [28] = MS_MADVISE,
};

/* The syscall's number, still in the registers when it returns. */
static __always_inline long syscall_nr(struct pt_regs *regs)
{
	return regs->orig_ax;
}

/* The arguments, unused ones zero: the record carries all six. */
static __always_inline void syscall_args(struct pt_regs *regs, __u32 nargs, __u64 *a)
{
	a[0] = regs->di;
	a[1] = nargs > 1 ? regs->si : 0;
	a[2] = nargs > 2 ? regs->dx : 0;
	a[3] = nargs > 3 ? regs->r10 : 0;
	a[4] = nargs > 4 ? regs->r8 : 0;
	a[5] = nargs > 5 ? regs->r9 : 0;
}

/* A 32-bit call (int 0x80, ia32 process) numbers its syscalls differently. */
static __always_inline bool compat_syscall(struct task_struct *task)
{
	return task->thread_info.status & TS_COMPAT;
}

#else
#error "memsnoop: syscall numbers and registers for this architecture go in bpf/syscalls.h"
#endif

/* How many arguments each call has: the record carries all six, the rest zero. */
const volatile __u8 syscall_nargs[MS_MADVISE + 1] = {
	[MS_BRK] = 1,	 [MS_MMAP] = 6,	    [MS_MUNMAP] = 2,
	[MS_MREMAP] = 5, [MS_MPROTECT] = 3, [MS_MADVISE] = 3,
};

/* The MS_* type of a memory syscall, 0 for any other. */
static __always_inline __u32 syscall_type(long nr)
{
	if ((unsigned long)nr >= NR_SYSCALLS)
		return 0;
	return syscall_types[nr];
}

#endif
