/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the two hooks on the memory calls share: the syscall trace events
 * (memsnoop.bpf.c) and fentry/fexit on the syscall handlers (fentry.bpf.c).
 * Each hands the call's raw arguments here at entry and its result to
 * ms_call_exit() (or the inline on_exit() it wraps) at exit: one record
 * whichever hook saw the call.
 */
#ifndef MEMSNOOP_CALLS_BPF_H
#define MEMSNOOP_CALLS_BPF_H

#include "memsnoop.bpf.h"

/* Remember the call's arguments (its raw registers) until its exit. */
static __always_inline int on_enter(const unsigned long *args, __u32 type, __u32 nargs)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pending *p;

	if (!traced(bpf_get_current_pid_tgid() >> 32))
		return 0;
	p = bpf_task_storage_get(&pending, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!p)
		return 0;
	p->ts = bpf_ktime_get_ns();
	p->lock_ts = 0;
	p->type = type;
	p->nr_seen = 0;
	p->va_addr = 0;
	p->args[0] = nargs > 0 ? args[0] : 0;
	p->args[1] = nargs > 1 ? args[1] : 0;
	p->args[2] = nargs > 2 ? args[2] : 0;
	p->args[3] = nargs > 3 ? args[3] : 0;
	p->args[4] = nargs > 4 ? args[4] : 0;
	p->args[5] = nargs > 5 ? args[5] : 0;
	return 0;
}

/*
 * userfaultfd registration is an ioctl, and it splits VMAs (VM_UFFD_*): only
 * its two commands are followed. Every other ioctl of the machine leaves at
 * the first test on entry, and at the task storage lookup on exit.
 */
#define UFFDIO_REGISTER_CMD 0xc020aa00u
#define UFFDIO_UNREGISTER_CMD 0x8010aa01u

static __always_inline int uffd_enter(const unsigned long *args)
{
	__u32 cmd = args[1];
	struct pending *p;
	__u64 range[2];

	if (cmd != UFFDIO_REGISTER_CMD && cmd != UFFDIO_UNREGISTER_CMD)
		return 0;
	/* struct uffdio_register and struct uffdio_range both start with the range */
	if (bpf_probe_read_user(range, sizeof(range), (void *)args[2]))
		return 0;
	on_enter(args, MS_UFFDIO, 3);
	p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);
	if (!p || p->type != MS_UFFDIO)
		return 0;
	p->args[3] = p->args[0];
	p->args[2] = cmd;
	p->args[0] = range[0];
	p->args[1] = range[1];
	return 0;
}

#define PR_SET_MM 35
#define PR_SET_VMA 0x53564d41

/* Of prctl, only what moves brk and the stack or names regions: it is a busy call. */
static __always_inline int prctl_enter(const unsigned long *args)
{
	if (args[0] != PR_SET_MM && args[0] != PR_SET_VMA)
		return 0;
	return on_enter(args, MS_PRCTL, 5);
}

/* A successful unlink or rename, of any process: see NAME_CHANGE in memsnoop.bpf.c. */
static __always_inline int note_name_change(long ret)
{
	if (!ret)
		__sync_fetch_and_add(&names_changed, 1);
	return 0;
}

/*
 * The call's records, at its exit (memsnoop.bpf.c): on_exit() as a global
 * function, verified once per program that calls it.
 */
int ms_call_exit(long ret, __u32 type);

#endif /* MEMSNOOP_CALLS_BPF_H */
