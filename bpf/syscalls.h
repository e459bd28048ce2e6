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

/* x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl) */
static __always_inline __u32 syscall_type(long nr, __u32 *nargs)
{
	switch (nr) {
	case 12:
		*nargs = 1;
		return MS_BRK;
	case 9:
		*nargs = 6;
		return MS_MMAP;
	case 11:
		*nargs = 2;
		return MS_MUNMAP;
	case 25:
		*nargs = 5;
		return MS_MREMAP;
	case 10:
		*nargs = 3;
		return MS_MPROTECT;
	case 28:
		*nargs = 3;
		return MS_MADVISE;
	}
	return 0;
}

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

#endif
