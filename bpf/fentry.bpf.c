// SPDX-License-Identifier: GPL-2.0
/*
 * The memory calls on the syscall handlers themselves (__x64_sys_mmap...):
 * fentry takes the arguments from the pt_regs the handler gets, fexit the
 * result, and both hand them to what the trace events use (calls.bpf.h), so
 * the records are the same. Unlike a syscalls: trace event, which makes
 * every syscall of every task take the slow path (TIF_SYSCALL_TRACEPOINT),
 * these cost nothing to the calls they are not on. User space loads them
 * where the kernel allows it, else the trace events (source/hooks.c).
 */
#include "memsnoop.bpf.h"
#include "calls.bpf.h"

#if defined(__TARGET_ARCH_arm64)
#define HANDLER(name) "__arm64_sys_" #name
/* the first argument is kept apart: x0 becomes the result */
#define SYS_ARG0(r) ((r)->orig_x0)
#define SYS_ARG1(r) ((r)->regs[1])
#define SYS_ARG2(r) ((r)->regs[2])
#define SYS_ARG3(r) ((r)->regs[3])
#define SYS_ARG4(r) ((r)->regs[4])
#define SYS_ARG5(r) ((r)->regs[5])
#else
#define HANDLER(name) "__x64_sys_" #name
#define SYS_ARG0(r) ((r)->di)
#define SYS_ARG1(r) ((r)->si)
#define SYS_ARG2(r) ((r)->dx)
#define SYS_ARG3(r) ((r)->r10)
#define SYS_ARG4(r) ((r)->r8)
#define SYS_ARG5(r) ((r)->r9)
#endif

/* The call's first nargs arguments, by direct loads (CO-RE) from its registers. */
static __always_inline void handler_args(const struct pt_regs *regs, unsigned long *args,
					 __u32 nargs)
{
	args[0] = nargs > 0 ? SYS_ARG0(regs) : 0;
	args[1] = nargs > 1 ? SYS_ARG1(regs) : 0;
	args[2] = nargs > 2 ? SYS_ARG2(regs) : 0;
	args[3] = nargs > 3 ? SYS_ARG3(regs) : 0;
	args[4] = nargs > 4 ? SYS_ARG4(regs) : 0;
	args[5] = nargs > 5 ? SYS_ARG5(regs) : 0;
}

/* One pair per call, as its trace events' programs. fexit programs return 0. */
#define HANDLER_PAIR(name, type, nargs)                                     \
	SEC("fentry/" HANDLER(name))                                        \
	int BPF_PROG(ms_fentry_##name, const struct pt_regs *regs)          \
	{                                                                   \
		unsigned long args[6];                                      \
                                                                            \
		handler_args(regs, args, nargs);                            \
		return on_enter(args, type, nargs);                         \
	}                                                                   \
	SEC("fexit/" HANDLER(name))                                         \
	int BPF_PROG(ms_fexit_##name, const struct pt_regs *regs, long ret) \
	{                                                                   \
		ms_call_exit(ret, type);                                    \
		return 0;                                                   \
	}

HANDLER_PAIR(brk, MS_BRK, 1)
HANDLER_PAIR(mmap, MS_MMAP, 6)
HANDLER_PAIR(munmap, MS_MUNMAP, 2)
HANDLER_PAIR(mremap, MS_MREMAP, 5)
HANDLER_PAIR(mprotect, MS_MPROTECT, 3)
HANDLER_PAIR(madvise, MS_MADVISE, 3)
HANDLER_PAIR(shmat, MS_SHMAT, 3)
HANDLER_PAIR(shmdt, MS_SHMDT, 1)
HANDLER_PAIR(pkey_mprotect, MS_PKEY_MPROTECT, 4)
HANDLER_PAIR(remap_file_pages, MS_REMAP_FILE_PAGES, 5)
HANDLER_PAIR(process_madvise, MS_PROCESS_MADVISE, 5)
HANDLER_PAIR(mlock, MS_MLOCK, 2)
HANDLER_PAIR(mlock2, MS_MLOCK2, 3)
HANDLER_PAIR(munlock, MS_MUNLOCK, 2)
HANDLER_PAIR(mlockall, MS_MLOCKALL, 1)
HANDLER_PAIR(munlockall, MS_MUNLOCKALL, 0)
HANDLER_PAIR(mbind, MS_MBIND, 6)
HANDLER_PAIR(set_mempolicy_home_node, MS_SET_MEMPOLICY_HOME_NODE, 4)
HANDLER_PAIR(mseal, MS_MSEAL, 3)

SEC("fentry/" HANDLER(ioctl))
int BPF_PROG(ms_fentry_ioctl, const struct pt_regs *regs)
{
	unsigned long args[6];

	handler_args(regs, args, 3);
	return uffd_enter(args);
}

SEC("fexit/" HANDLER(ioctl))
int BPF_PROG(ms_fexit_ioctl, const struct pt_regs *regs, long ret)
{
	ms_call_exit(ret, MS_UFFDIO);
	return 0;
}

SEC("fentry/" HANDLER(prctl))
int BPF_PROG(ms_fentry_prctl, const struct pt_regs *regs)
{
	unsigned long args[6];

	handler_args(regs, args, 5);
	return prctl_enter(args);
}

SEC("fexit/" HANDLER(prctl))
int BPF_PROG(ms_fexit_prctl, const struct pt_regs *regs, long ret)
{
	ms_call_exit(ret, MS_PRCTL);
	return 0;
}

/* Renames and unlinks: see NAME_CHANGE in memsnoop.bpf.c. */
#define HANDLER_NAME_CHANGE(name)                                                \
	SEC("fexit/" HANDLER(name))                                              \
	int BPF_PROG(ms_fexit_name_##name, const struct pt_regs *regs, long ret) \
	{                                                                        \
		note_name_change(ret);                                           \
		return 0;                                                        \
	}

HANDLER_NAME_CHANGE(unlink)
HANDLER_NAME_CHANGE(unlinkat)
HANDLER_NAME_CHANGE(rename)
HANDLER_NAME_CHANGE(renameat)
HANDLER_NAME_CHANGE(renameat2)
