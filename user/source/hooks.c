// SPDX-License-Identifier: GPL-2.0
/*
 * Which BPF programs this kernel can run: the optional hooks, the way
 * exec layouts are read, the page-fault hook (a tracepoint, or the
 * page-faults perf event attached on every CPU). -v lists what it found.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
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

/*
 * A call this kernel does not have (mseal before 6.10, pkey_mprotect on
 * arm64, unlink and rename on arm64, which has only the *at calls) needs no
 * program and no warning: nothing can make it. -v lists them.
 */
static void drop_missing_syscalls(struct live *l)
{
	const char *prefix = "tp/syscalls/sys_";
	struct bpf_program *prog;
	const char *sec, *call;

	bpf_object__for_each_program(prog, l->skel->obj) {
		sec = bpf_program__section_name(prog);
		if (strncmp(sec, prefix, strlen(prefix)))
			continue;
		call = sec + strlen("tp/syscalls/");
		if (has_tracepoint("syscalls", call))
			continue;
		bpf_program__set_autoload(prog, false);
		if (log_verbose() && !strncmp(call, "sys_exit_", 9))
			info("%-44s %s", "a call this kernel does not have", call + 9);
	}
}

/* What this kernel offers; -v lists it. The BPF side adapts to the rest with CO-RE. */
void detect(struct live *l, bool vma_iterator)
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
	drop_missing_syscalls(l);
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
}
