// SPDX-License-Identifier: GPL-2.0
/*
 * Which BPF programs this kernel can run: the optional hooks, the way
 * exec layouts are read, the page-fault hook (a tracepoint, or the
 * page-faults perf event attached on every CPU), the memory calls' hook
 * (fentry/fexit on their handlers, or the syscalls' trace events). -v lists
 * what it found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/perf_event.h>
#include "util/log.h"
#include "source/live_int.h"
#include "source/probe.h"
#include "memsnoop.skel.h"

/* An optional program stays unloaded where the kernel lacks its hook; say so once. */
static void optional(struct bpf_program *prog, bool present, const char *what)
{
	if (log_verbose())
		info("%-44s %s", what, present ? "yes" : "no");
	if (present)
		return;
	bpf_program__set_autoload(prog, false);
	warn("this kernel has no %s: memsnoop goes on without it", what);
}

/*
 * Page faults: x86's page_fault_user tracepoint is the cheaper hook (and
 * has the error code); elsewhere, or with --fault-hook=perf, the
 * page-faults software event that every architecture has.
 */
static void choose_fault_hook(struct live *l)
{
	struct memsnoop_bpf *skel = l->skel;

	l->fault_perf = !has_tracepoint("exceptions", "page_fault_user") || l->o.fault_perf;
	if (log_verbose())
		info("%-44s %s", "page faults from",
		     l->fault_perf ? "the page-faults perf event (one per CPU)" :
				     "the page_fault_user tracepoint (x86)");
	bpf_program__set_autoload(skel->progs.ms_fault_perf, l->fault_perf);
	if (l->fault_perf) {
		bpf_program__set_autoload(skel->progs.ms_fault_user, false);
		bpf_program__set_autoload(skel->progs.ms_fault_kernel, false);
		return;
	}
	optional(skel->progs.ms_fault_kernel, has_tracepoint("exceptions", "page_fault_kernel"),
		 "kernel-mode faults (stack growth by read())");
}

/*
 * The page-faults event on each CPU, every fault a sample, running
 * ms_fault_perf. Kernel-mode faults included: on user addresses they grow
 * the stack too. A CPU that is offline has no event (ENODEV).
 */
int attach_fault_perf(struct live *l)
{
	struct perf_event_attr attr = {
		.type = PERF_TYPE_SOFTWARE,
		.size = sizeof(attr),
		.config = PERF_COUNT_SW_PAGE_FAULTS,
		.sample_period = 1,
	};
	int cpu, fd, err, attached = 0;

	l->fault_links = calloc(l->nr_cpus, sizeof(*l->fault_links));
	if (!l->fault_links)
		return -ENOMEM;
	for (cpu = 0; cpu < l->nr_cpus; cpu++) {
		fd = syscall(__NR_perf_event_open, &attr, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0) {
			if (errno == ENODEV)
				continue;
			return -errno;
		}
		l->fault_links[cpu] =
			bpf_program__attach_perf_event(l->skel->progs.ms_fault_perf, fd);
		err = libbpf_get_error(l->fault_links[cpu]);
		if (err) {
			l->fault_links[cpu] = NULL;
			close(fd);
			return err;
		}
		attached++;
	}
	return attached ? 0 : -ENODEV;
}

/* What -v adds: facts from the kernel's BTF that CO-RE handles by itself. */
static void describe_btf(void)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct utsname u;
	bool atomic;

	if (!uname(&u))
		info("kernel %s %s, BTF %s", u.release, u.machine, btf ? "loaded" : "unreadable");
	if (!btf)
		return;
	atomic = btf__find_by_name_kind(btf, "mm_rss_stat", BTF_KIND_STRUCT) >= 0;
	info("%-44s %s", "RSS counters in mm_struct",
	     atomic ? "atomic_long_t (before 6.2)" : "percpu_counter");
	info("%-44s %s", "bpf_find_vma (file paths of new mappings)",
	     has_helper(btf, "BPF_FUNC_find_vma") ? "yes" : "no");
	btf__free(btf);
}

/* The open-coded VMA iterator came with 6.7. */
bool has_vma_iterator(void)
{
	return kernel_at_least(6, 7);
}

/* ---- the memory calls: on their handlers (fentry/fexit), or trace events ---- */

enum call_hook { NOT_A_CALL, CALL_TP, CALL_HANDLER };

/* Which hook a program is, and the call it is on (a pointer into its section name). */
static enum call_hook call_prog(const struct bpf_program *prog, const char **call)
{
	const char *sec = bpf_program__section_name(prog), *p;

	if (!strncmp(sec, "tp/syscalls/sys_", 16)) {
		p = sec + 16; /* enter_NAME or exit_NAME */
		*call = p + (strncmp(p, "enter_", 6) ? 5 : 6);
		return CALL_TP;
	}
	if ((!strncmp(sec, "fentry/", 7) || !strncmp(sec, "fexit/", 6)) &&
	    (p = strstr(sec, "_sys_"))) {
		*call = p + 5; /* __x64_sys_NAME, __arm64_sys_NAME */
		return CALL_HANDLER;
	}
	return NOT_A_CALL;
}

/* Does a call use a hook: one of its programs of that kind is loaded? */
static bool call_uses(struct live *l, const char *call, enum call_hook hook)
{
	struct bpf_program *prog;
	const char *c;

	bpf_object__for_each_program(prog, l->skel->obj)
		if (call_prog(prog, &c) == hook && !strcmp(c, call) && bpf_program__autoload(prog))
			return true;
	return false;
}

/* A call whose handler refused an attachment: back to its trace events. */
static bool refused(const struct live *l, const char *call)
{
	const char *p = l->refused;
	size_t n = strlen(call);

	while ((p = strstr(p, call)))
		if ((p == l->refused || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
			return true;
		else
			p += n;
	return false;
}

/*
 * Does the kernel load a tracing program on this function? The smallest
 * one: 0, or -errno (EPERM where the kernel refuses fentry and fexit).
 */
static int probe_handler(int btf_id)
{
	struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0 }, /* r0 = 0 */
		{ .code = BPF_JMP | BPF_EXIT },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = BPF_TRACE_FENTRY,
		    .attach_btf_id = btf_id);
	int fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, NULL, "GPL", insns, 2, &opts);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * fentry/fexit on a call's handler where the kernel's BTF has it (an inlined
 * or absent one has none) and the kernel loads a program there (one probe:
 * a refusal is the kernel's policy, not the function's). They are attached
 * one by one (attach_handlers()): a refusal there sends that call back to
 * its trace events at the next load.
 */
static int choose_handlers(struct live *l)
{
	bool want = l->o.syscall_hook != SYSCALL_HOOK_TP && !l->handlers_refused;
	struct btf *btf = want ? btf__load_vmlinux_btf() : NULL;
	struct bpf_program *prog;
	const char *call, *func;
	bool probed = false;
	int id, err;

	bpf_object__for_each_program(prog, l->skel->obj) {
		if (call_prog(prog, &call) != CALL_HANDLER)
			continue;
		bpf_program__set_autoattach(prog, false);
		func = strchr(bpf_program__section_name(prog), '/') + 1;
		id = btf && !l->handlers_refused ?
			     btf__find_by_name_kind(btf, func, BTF_KIND_FUNC) :
			     -ENOENT;
		if (id >= 0 && !probed) {
			probed = true;
			err = probe_handler(id);
			l->handlers_refused = err < 0;
			if (err < 0 && l->o.syscall_hook == SYSCALL_HOOK_FENTRY) {
				error("this kernel refuses fentry/fexit programs (%s on %s): "
				      "--syscall-hook=auto or tp uses the syscall trace events",
				      strerror(-err), func);
				btf__free(btf);
				return -ECANCELED;
			}
			if (err < 0 && log_verbose())
				info("fentry/fexit refused (%s on %s): syscall trace events",
				     strerror(-err), func);
		}
		bpf_program__set_autoload(prog,
					  id >= 0 && !l->handlers_refused && !refused(l, call));
	}
	btf__free(btf);
	return 0;
}

/* The kernel's ENOTSUPP (524, no user-space name): a kernel without ftrace direct calls. */
static const char *attach_error(int err)
{
	return err == -524 ? "not supported by this kernel" : strerror(-err);
}

/*
 * The programs on the handlers, each on its own: a refusal says which call
 * goes back to its trace events (-EAGAIN: load again), or, with
 * --syscall-hook=fentry, fails. A refusal before any success is the
 * kernel's (a kernel without direct calls from ftrace): every call goes.
 * Links go where the skeleton keeps them.
 */
int attach_handlers(struct live *l)
{
	struct bpf_object_skeleton *s = l->skel->skeleton;
	bool again = false, attached = false;
	const char *call;
	int i, err;

	for (i = 0; i < s->prog_cnt; i++) {
		struct bpf_program *prog = *s->progs[i].prog;

		if (call_prog(prog, &call) != CALL_HANDLER || !bpf_program__autoload(prog))
			continue;
		*s->progs[i].link = bpf_program__attach(prog);
		attached |= *s->progs[i].link != NULL;
		if (*s->progs[i].link)
			continue;
		err = -errno;
		if (l->o.syscall_hook == SYSCALL_HOOK_FENTRY) {
			error("cannot attach %s: %s", bpf_program__section_name(prog),
			      attach_error(err));
			return -ECANCELED;
		}
		if (log_verbose())
			info("%s refused (%s): %s goes back to its trace events",
			     bpf_program__section_name(prog), attach_error(err),
			     attached ? call : "every call");
		if (!attached) {
			l->handlers_refused = true;
			return -EAGAIN;
		}
		if (!refused(l, call) && strlen(l->refused) + strlen(call) + 2 < sizeof(l->refused))
			snprintf(l->refused + strlen(l->refused),
				 sizeof(l->refused) - strlen(l->refused), "%s%s",
				 l->refused[0] ? " " : "", call);
		again = true;
	}
	return again ? -EAGAIN : 0;
}

/* -v: which calls each hook sees, one line per hook. */
void report_call_hooks(struct live *l)
{
	static const char *const what[] = { [CALL_HANDLER] = "memory calls on fentry/fexit",
					    [CALL_TP] = "memory calls on syscall trace events" };
	struct bpf_program *prog;
	enum call_hook hook;
	char list[1024];
	const char *call, *sec;
	size_t n;

	for (hook = CALL_TP; hook <= CALL_HANDLER; hook++) {
		list[0] = 0;
		n = 0;
		bpf_object__for_each_program(prog, l->skel->obj) {
			sec = bpf_program__section_name(prog);
			/* each call once: by its exit's program */
			if (call_prog(prog, &call) != hook || !bpf_program__autoload(prog) ||
			    !(strstr(sec, "/sys_exit_") || !strncmp(sec, "fexit/", 6)))
				continue;
			n += snprintf(list + n, n < sizeof(list) ? sizeof(list) - n : 0, " %s",
				      call);
		}
		info("%-44s%s", what[hook], list[0] ? list : " none");
		if (hook == CALL_TP && list[0])
			info("%-44s %s", "",
			     "(while they are on, every syscall takes the slow path)");
	}
}

/*
 * A call this kernel does not have (mseal before 6.10, pkey_mprotect on
 * arm64, unlink and rename on arm64, which has only the *at calls) needs no
 * program and no warning: nothing can make it. -v lists them.
 */
static int drop_missing_syscalls(struct live *l)
{
	struct bpf_program *prog;
	const char *sec, *call, *name;

	bpf_object__for_each_program(prog, l->skel->obj) {
		if (call_prog(prog, &name) != CALL_TP)
			continue;
		sec = bpf_program__section_name(prog);
		call = sec + strlen("tp/syscalls/");
		if (call_uses(l, name, CALL_HANDLER)) {
			bpf_program__set_autoload(prog, false);
		} else if (!has_tracepoint("syscalls", call)) {
			bpf_program__set_autoload(prog, false);
			if (log_verbose() && !strncmp(call, "sys_exit_", 9))
				info("%-44s %s", "a call this kernel does not have", name);
		} else if (l->o.syscall_hook == SYSCALL_HOOK_FENTRY) {
			error("no fentry/fexit for %s (its handler is not in the kernel's BTF): "
			      "--syscall-hook=auto uses its trace events",
			      name);
			return -ECANCELED;
		}
	}
	return 0;
}

/* What this kernel offers; -v lists it. The BPF side adapts to the rest with CO-RE. */
int detect(struct live *l, bool vma_iterator)
{
	if (log_verbose()) {
		describe_btf();
		info("%-44s %s", "exec layouts from the VMA tree (else /proc)",
		     vma_iterator ? "yes" : "no");
	}
	bpf_program__set_autoload(l->skel->progs.ms_exec_seed, vma_iterator);
	bpf_program__set_autoload(l->skel->progs.ms_exec, !vma_iterator);
	choose_fault_hook(l);
	optional(l->skel->progs.ms_signal, has_tracepoint("signal", "signal_generate"),
		 "fault signals (signal_generate)");
	optional(l->skel->progs.ms_mm_teardown, has_tracepoint("mmap", "exit_mmap"),
		 "address-space teardown (mmap:exit_mmap)");
	optional(l->skel->progs.ms_oom_victim, has_tracepoint("oom", "mark_victim"),
		 "the OOM killer's victims (oom:mark_victim)");
	if (choose_handlers(l) || drop_missing_syscalls(l))
		return -ECANCELED;
	/*
	 * Before 6.4 (no per-VMA locks) every page fault takes the mmap lock, and
	 * the tracepoint builds a memcg path for each: calls keep return order there.
	 */
	if (kernel_at_least(6, 4)) {
		optional(l->skel->progs.ms_mmap_lock,
			 has_tracepoint("mmap_lock", "mmap_lock_acquire_returned"),
			 "mmap lock events (calls in lock order)");
		/* else the VMAs a call made are read at its exit, when the lock is free */
		optional(l->skel->progs.ms_mmap_unlock,
			 has_tracepoint("mmap_lock", "mmap_lock_released") &&
				 has_tracepoint("mmap", "vm_unmapped_area"),
			 "VMAs read under a call's mmap lock");
		bpf_program__set_autoload(l->skel->progs.ms_unmapped_area,
					  bpf_program__autoload(l->skel->progs.ms_mmap_unlock));
	} else {
		bpf_program__set_autoload(l->skel->progs.ms_mmap_lock, false);
		bpf_program__set_autoload(l->skel->progs.ms_mmap_unlock, false);
		bpf_program__set_autoload(l->skel->progs.ms_unmapped_area, false);
	}
	return 0;
}
