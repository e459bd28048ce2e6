// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "util/clock.h"
#include "util/log.h"
#include "util/pidtab.h"
#include "source/cgroup.h"
#include "source/cgroup_feed.h"
#include "source/live_int.h"
#include "source/names.h"
#include "source/oom_resolve.h"
#include "source/probe.h"
#include "source/rss_sample.h"
#include "source/seed.h"
#include "memsnoop.skel.h"

/*
 * A round after a pass over the ring buffer releases what is this much older
 * than the pass: a record stamped before the pass but reserved after it (a
 * BPF program between its clock read and its reserve) still finds its place.
 */
#define ROUND_SLACK_NS (10 * 1000000ULL)

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG || !log_verbose())
		return 0;
	return vfprintf(stderr, fmt, ap);
}

#define PF_KTHREAD 0x00200000

/* A -p process to trace: it exists and has user memory. */
static int check_pid(__u32 pid)
{
	unsigned long flags;
	char state, comm[MS_COMM_LEN] = "";

	if (proc_state(pid, &state, &flags) || state == 'Z' || state == 'X') {
		error("no process with pid %u", pid);
		return -1;
	}
	if (flags & PF_KTHREAD) {
		read_comm(pid, comm);
		error("pid %u (%s) is a kernel thread: it has no user memory to trace", pid, comm);
		return -1;
	}
	return 0;
}

static int preflight(const struct live_opts *o)
{
	int i;

	if (!privileged()) {
		error("needs root (or CAP_BPF and CAP_PERFMON) to trace; replaying a file "
		      "with -r needs neither");
		return -1;
	}
	if (check_access(o->btf_path ?: "/sys/kernel/btf/vmlinux", R_OK)) {
		error("this kernel has no BTF (/sys/kernel/btf/vmlinux): memsnoop needs "
		      "CONFIG_DEBUG_INFO_BTF=y");
		return -1;
	}
	for (i = 0; i < o->sel->nr_pids; i++)
		if (check_pid(o->sel->pids[i]))
			return -1;
	return ensure_tracefs();
}

/* --cgroup directories: their ids for the kernel, their paths for seeding. */
static int resolve_cgroups(struct live *l)
{
	const struct selection *sel = l->o.sel;
	int i;

	for (i = 0; i < sel->nr_cgroups; i++) {
		if (cgroup__resolve_dir(sel->cgroups[i], &l->cg_sel[i].id, &l->cg_sel[i].hierarchy))
			return -1;
		if (cgroup__dir_path(sel->cgroups[i], l->cg_sel[i].hierarchy, l->cg_sel[i].path,
				     sizeof(l->cg_sel[i].path))) {
			error("--cgroup %s: not under the mounted cgroup hierarchies",
			      sel->cgroups[i]);
			return -1;
		}
	}
	return 0;
}

static int fill_cgroup_filter(struct live *l)
{
	int fd = bpf_map__fd(l->skel->maps.cgroups), i;
	__u32 bits;

	for (i = 0; i < l->o.sel->nr_cgroups; i++) {
		if (bpf_map_lookup_elem(fd, &l->cg_sel[i].id, &bits))
			bits = 0;
		bits |= l->cg_sel[i].hierarchy;
		if (bpf_map_update_elem(fd, &l->cg_sel[i].id, &bits, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* A process in a --cgroup directory or below (seeding). */
static bool in_cgroups(struct live *l, __u32 pid)
{
	int i;

	for (i = 0; i < l->o.sel->nr_cgroups; i++)
		if (cgroup__pid_under(pid, l->cg_sel[i].hierarchy, l->cg_sel[i].path))
			return true;
	return false;
}

/* A /proc seed, with the cgroups the process is in now. */
static int seed_with_cgroups(struct live *l, __u32 pid, __u32 flags)
{
	struct ms_cgroup_ids ids;

	cgroup__of_pid(pid, &ids);
	cgroup_feed__set(l->cgroups, pid, &ids, now_ns());
	return seed_process(l->stream, pid, flags, &ids);
}

/* Its page tables may have changed: sample them at the next tick. */
static void mark_changed(struct live *l, __u32 pid)
{
	if (l->rss)
		pidtab__put(l->changed, pid);
}

static void mark_record(struct live *l, const struct ms_hdr *h)
{
	const struct ms_fork *f = (const void *)h;

	switch (h->type) {
	case MS_BRK ... MS_EXEC:
	case MS_SEED_END:
		mark_changed(l, h->pid);
		if (h->type == MS_FORK && !(h->flags & MS_FORK_THREAD))
			mark_changed(l, f->child_pid);
		break;
	case MS_EXIT:
		if (h->flags & MS_EXIT_GROUP && l->rss)
			pidtab__del(l->changed, h->pid);
		break;
	}
}

/* Counts as the kernel had them at ts: when they were read, or the process's exit. */
static void emit_faults(struct live *l, __u32 pid, const struct ms_fault_counts *total, __u64 ts)
{
	struct ms_fault_counts *seen = pidtab__put(l->reported, pid);
	struct ms_faults e = {};

	/* a total read while its process exits may lack freed slots: wait for the exit's */
	if (!seen || total->faults <= seen->faults)
		return;
	e.h.ts_ns = ts;
	e.h.pid = e.h.tid = pid;
	e.h.type = MS_FAULTS;
	e.h.size = sizeof(e);
	e.total = *total;
	e.delta.faults = total->faults - seen->faults;
	e.delta.write = total->write - seen->write;
	e.delta.exec = total->exec - seen->exec;
	e.delta.prot = total->prot - seen->prot;
	*seen = *total;
	stream__emit(l->stream, &e.h);
	mark_changed(l, pid);
}

/* Before 6.7 the layout exec built is read from /proc, a little after the exec. */
static void seed_after_exec(struct live *l, __u32 pid)
{
	__u64 *read_ns = pidtab__put(l->exec_read, pid);

	seed_with_cgroups(l, pid, MS_SEED_AT_EXEC);
	if (read_ns)
		*read_ns = now_ns(); /* not before the read: a later fork is only read twice */
}

/*
 * A child forked between its parent's exec and the /proc read of that exec's
 * layout: in time order its fork comes before the seed, so it copied a layout
 * without the new image. Its own /proc layout replaces that copy.
 */
static void seed_forked_before_read(struct live *l, const struct ms_fork *f)
{
	const __u64 *read_ns = pidtab__get(l->exec_read, f->h.pid);

	if (read_ns && f->h.ts_ns < *read_ns)
		seed_with_cgroups(l, f->child_pid, MS_SEED_AT_EXEC);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct live *l = ctx;
	const struct ms_hdr *h = data;
	bool entered;

	if (size < sizeof(*h) || h->size > size)
		return 0;
	/* every fault is accounted for: the last counts come before the exit */
	if (h->type == MS_EXIT && (h->flags & MS_EXIT_GROUP)) {
		const struct ms_exit *e = data;

		if (!l->o.faults)
			emit_faults(l, h->pid, &e->total, h->ts_ns);
		pidtab__del(l->reported, h->pid);
		pidtab__del(l->exec_read, h->pid);
	}
	/* the kernel's seed ends where /proc would list the gate area */
	if (h->type == MS_SEED_END && (h->flags & MS_SEED_GATE) && l->has_gate) {
		l->gate.v.h.ts_ns = h->ts_ns;
		l->gate.v.h.pid = h->pid;
		l->gate.v.h.tid = h->tid;
		stream__emit(l->stream, &l->gate.v.h);
	}
	if (h->type == MS_OOM && h->size >= sizeof(struct ms_oom))
		h = oom_resolve((const struct ms_oom *)h, l->oom_buf);
	/* a process that entered a --cgroup: its layout from /proc */
	entered = h->type == MS_CGROUP_MOVE && l->o.sel->nr_cgroups &&
		  !cgroup_feed__knows(l->cgroups, h->pid);
	cgroup_feed__note(l->cgroups, h);
	if (h->type == MS_USTACK && l->ustack_fn)
		l->ustack_fn(l->ustack_ctx, h);
	stream__emit(l->stream, h);
	mark_record(l, h);
	if (h->type == MS_EXIT && (h->flags & MS_EXIT_GROUP) && l->pids_only)
		l->next_gone_check_ns = 0; /* maybe the last: look now */
	if (h->type == MS_EXEC && !(h->flags & MS_EXEC_SEEDED))
		seed_after_exec(l, h->pid);
	else if (entered)
		seed_with_cgroups(l, h->pid, MS_SEED_AT_START);
	if (h->type == MS_FORK && !(h->flags & MS_FORK_THREAD))
		seed_forked_before_read(l, (const struct ms_fork *)h);
	return 0;
}

static int set_filters(struct live *l)
{
	const struct live_opts *o = &l->o;
	const struct selection *sel = o->sel;
	struct memsnoop_bpf__rodata *ro = l->skel->rodata;
	__u32 slots;

	ro->self_tgid = getpid();
	ro->filter_on = sel->nr_pids || sel->comm[0] || sel->nr_cgroups || o->launch;
	ro->filter_cgroup = sel->nr_cgroups != 0;
	ro->filter_comm = sel->comm[0] != 0;
	memcpy((char *)ro->comm_filter, sel->comm, sizeof(sel->comm));
	ro->follow_children = sel->children || o->launch;
	ro->stream_faults = o->faults;
	ro->ustack_bytes = o->ustack_bytes < MS_USTACK_MAX ? o->ustack_bytes : MS_USTACK_MAX;
	ro->wakeup_bytes = o->ringbuf_size / 4 < 256 * 1024 ? o->ringbuf_size / 4 : 256 * 1024;
	/* fault slots: a power of two, 1 MiB of copies at most (the tests force collisions) */
	ro->nr_cpus = l->nr_cpus;
	for (slots = 4096;
	     slots > 256 && slots * l->nr_cpus * sizeof(struct ms_fault_slot) > 1 << 20;)
		slots /= 2;
	if (o->fault_slots)
		slots = o->fault_slots;
	ro->slot_mask = slots - 1;
	if (bpf_map__set_max_entries(l->skel->maps.slots, slots))
		return -EINVAL;
	/* the fill level is looked at about 16 times per wakeup's worth */
	for (ro->check_shift = 3; (2ULL << ro->check_shift) <= ro->wakeup_bytes / 16;)
		ro->check_shift++;
	return bpf_map__set_max_entries(l->skel->maps.rb, o->ringbuf_size);
}

int live__add_pid(struct live *l, __u32 pid)
{
	__u8 one = 1;

	return bpf_map__update_elem(l->skel->maps.pids, &pid, sizeof(pid), &one, sizeof(one),
				    BPF_ANY);
}

void live__on_ustack(struct live *l, void (*fn)(void *ctx, const struct ms_hdr *rec), void *ctx)
{
	l->ustack_fn = fn;
	l->ustack_ctx = ctx;
}

void live__stack_bottom(void *ctx, __u32 tid, __u64 bottom)
{
	struct live *l = ctx;
	int fd = bpf_map__fd(l->skel->maps.ustack_bottom);

	if (bottom)
		bpf_map_update_elem(fd, &tid, &bottom, BPF_ANY);
	else
		bpf_map_delete_elem(fd, &tid);
}

static int open_and_load(struct live *l, bool vma_iterator, __u64 *t_load)
{
	int err;

	/*
	 * Listing the modules' BTF needs CAP_SYS_ADMIN, and CO-RE does so for a
	 * type vmlinux lacks (mm_rss_stat on 6.2+): without it, vmlinux's alone.
	 */
	LIBBPF_OPTS(bpf_object_open_opts, opts);

	if (!(effective_caps() & CAP_SYS_ADMIN_BIT))
		opts.btf_custom_path = "/sys/kernel/btf/vmlinux";
	memsnoop_bpf__destroy(l->skel);
	l->skel = memsnoop_bpf__open_opts(&opts);
	if (!l->skel)
		return -errno;
	err = set_filters(l);
	if (!err)
		err = detect(l, vma_iterator);
	*t_load = now_ns();
	return err ? err : memsnoop_bpf__load(l->skel);
}

/*
 * The ring buffer's consumer and producer positions, each on a page of its
 * own at the start of the map, mapped read-only as libbpf maps them: the
 * fill is their difference, read with no system call and no cost to BPF.
 */
static void map_ring_positions(struct live *l)
{
	long page = sysconf(_SC_PAGESIZE);
	int fd = bpf_map__fd(l->skel->maps.rb);
	void *cons = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
	void *prod = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);

	if (cons == MAP_FAILED || prod == MAP_FAILED) {
		if (log_verbose())
			info("the ring buffer's positions cannot be mapped (%s): its fill reads 0",
			     strerror(errno));
		if (cons != MAP_FAILED)
			munmap(cons, page);
		if (prod != MAP_FAILED)
			munmap(prod, page);
		return;
	}
	l->rb_cons = cons;
	l->rb_prod = prod;
	l->rb_size = bpf_map__max_entries(l->skel->maps.rb);
}

static void unmap_ring_positions(struct live *l)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!l->rb_prod)
		return;
	munmap((void *)l->rb_cons, page);
	munmap((void *)l->rb_prod, page);
}

/* Bytes reserved and not yet read (records being written count too). */
static __u64 ring_used(struct live *l)
{
	__u64 cons, prod;

	if (!l->rb_prod)
		return 0;
	cons = __atomic_load_n(l->rb_cons, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(l->rb_prod, __ATOMIC_ACQUIRE);
	if (prod <= cons)
		return 0;
	return prod - cons < l->rb_size ? prod - cons : l->rb_size;
}

/* Before a read: only reads lower the fill, so this is the most since the last one. */
static void note_fill(struct live *l)
{
	__u64 used = ring_used(l);

	if (used > l->rb_peak)
		l->rb_peak = used;
	if (used > l->rb_peak_run)
		l->rb_peak_run = used;
}

void live__ring_fill(struct live *l, struct live_ring_fill *f)
{
	f->size = l->rb_size;
	f->used = ring_used(l);
	f->peak = l->rb_peak > f->used ? l->rb_peak : f->used;
	l->rb_peak = 0;
}

/* The -p processes and --cgroup directories, into a newly loaded filter. */
static int add_pids(struct live *l)
{
	int i;

	for (i = 0; i < l->o.sel->nr_pids; i++)
		live__add_pid(l, l->o.sel->pids[i]);
	return fill_cgroup_filter(l);
}

/*
 * Open and load, again without what this kernel refused: the VMA iterator,
 * or fentry/fexit on the handlers (then the syscall trace events).
 */
static int load(struct live *l, __u64 *t_load)
{
	bool iter = has_vma_iterator();
	int err = open_and_load(l, iter, t_load);

	if (err && err != -ECANCELED && !l->handlers_refused &&
	    l->o.syscall_hook == SYSCALL_HOOK_AUTO) {
		if (log_verbose())
			info("the programs on the syscall handlers did not load: trace events");
		l->handlers_refused = true;
		err = open_and_load(l, iter, t_load);
	}
	if (err && err != -ECANCELED && iter) { /* a kernel that has it and rejects our use of it */
		if (log_verbose())
			info("the VMA iterator did not load: exec layouts come from /proc");
		err = open_and_load(l, false, t_load);
	}
	return err;
}

/* The programs on the handlers first: a call they refuse goes back to trace events. */
static int attach(struct live *l, __u64 *t_load, __u64 *t_attach)
{
	int err, tries = 0;

	*t_attach = now_ns();
	err = attach_handlers(l);
	/* each reload leaves out what was refused */
	while (err == -EAGAIN && tries++ < 3) {
		err = load(l, t_load);
		*t_attach = now_ns();
		if (!err)
			err = add_pids(l) ?: attach_handlers(l);
	}
	if (!err)
		err = memsnoop_bpf__attach(l->skel);
	if (!err && l->fault_perf)
		err = attach_fault_perf(l);
	return err;
}

int live__open(struct live **out, const struct live_opts *o, struct stream *st)
{
	__u64 t0 = now_ns(), t1, t2;
	struct live *l;
	int err;

	if (preflight(o))
		return -1;
	libbpf_set_print(libbpf_print);
	l = calloc(1, sizeof(*l));
	if (!l)
		return -1;
	*out = l;
	l->o = *o;
	l->stream = st;
	if (resolve_cgroups(l))
		return -1;
	l->cgroups = cgroup_feed__new(st);
	if (!l->cgroups)
		return -1;
	l->reported = pidtab__new(sizeof(struct ms_fault_counts));
	l->exec_read = pidtab__new(sizeof(__u64));
	if (o->rss != RSS_OFF) {
		l->changed = pidtab__new(1);
		l->rss = rss_sampler__new(st, o->rss);
		if (!l->changed || !l->rss)
			return -1;
	}
	l->nr_cpus = libbpf_num_possible_cpus();
	if (l->nr_cpus > 0)
		l->slots = calloc(l->nr_cpus, sizeof(*l->slots));
	l->names = names__new();
	if (!l->reported || !l->exec_read || !l->slots || !l->names ||
	    stream__add_before(st, names__note, l->names))
		return -1;
	l->has_gate = !seed_gate_area(&l->gate.v);
	err = load(l, &t1);
	if (err == -ECANCELED)
		return -1;
	if (err) {
		error("cannot load the BPF programs: %s (run with -v for the verifier's log)",
		      strerror(-err));
		return -1;
	}
	err = add_pids(l);
	if (err) {
		error("cannot fill the cgroup filter: %s", strerror(-err));
		return -1;
	}
	l->pids_only = o->sel->nr_pids && !o->sel->children && !o->sel->comm[0] &&
		       !o->sel->nr_cgroups;
	err = attach(l, &t1, &t2);
	if (err == -ECANCELED)
		return -1;
	if (err) {
		error("cannot attach the BPF programs: %s", strerror(-err));
		return -1;
	}
	if (log_verbose()) {
		report_call_hooks(l);
		info("start-up: checks and open %.1f ms, load %.1f ms (kernel BTF, CO-RE, verifier), "
		     "attach %.1f ms",
		     (t1 - t0) / 1e6, (t2 - t1) / 1e6, (now_ns() - t2) / 1e6);
	}
	l->rb = ring_buffer__new(bpf_map__fd(l->skel->maps.rb), on_record, l, NULL);
	if (!l->rb) {
		error("cannot open the ring buffer: %s", strerror(errno));
		return -1;
	}
	map_ring_positions(l);
	return 0;
}

/* In the BPF side's set: a -p process, a launched command, or a child of one. */
static bool followed(struct live *l, __u32 pid)
{
	__u8 v;

	return !bpf_map__lookup_elem(l->skel->maps.pids, &pid, sizeof(pid), &v, sizeof(v), 0);
}

static bool selected(struct live *l, __u32 pid)
{
	const struct selection *sel = l->o.sel;
	char comm[MS_COMM_LEN] = "";

	if (pid == (__u32)getpid())
		return false;
	if (selection__all(sel)) /* with a launched command: only what BPF follows */
		return !l->o.launch || followed(l, pid);
	if (followed(l, pid))
		return true;
	if (sel->comm[0] && read_comm(pid, comm))
		comm[0] = 0;
	return selection__pid_comm(sel, pid, comm) || in_cgroups(l, pid);
}

struct seeding {
	struct live *l;
	struct pidtab *seen; /* looked at by an earlier pass */
	unsigned done;
	unsigned denied; /* /proc/PID/maps refused (capability mode) */
};

static int seed_one(__u32 pid, void *ctx)
{
	struct seeding *sd = ctx;
	int err;

	if (sd->seen && pidtab__get(sd->seen, pid))
		return 0;
	if (sd->seen)
		pidtab__put(sd->seen, pid);
	if (!selected(sd->l, pid))
		return 0;
	err = seed_with_cgroups(sd->l, pid, MS_SEED_AT_START);
	if (!err)
		mark_changed(sd->l, pid);
	sd->done += !err;
	sd->denied += err == -EACCES;
	return 0;
}

/*
 * Two passes. A process forked while the first one ran, by a parent seeded
 * after the fork, is not in the listing the pass read at its start; in time
 * order its fork comes before its parent's seed, so it would begin empty. The
 * second pass seeds it, after its fork.
 */
int live__seed(struct live *l)
{
	struct seeding sd = { .l = l, .seen = pidtab__new(1) };
	__u64 t0 = now_ns();
	int err = for_each_proc(seed_one, &sd);

	if (!err && sd.seen)
		err = for_each_proc(seed_one, &sd);
	pidtab__free(sd.seen);
	if (log_verbose())
		info("%u processes seeded from /proc in %.1f ms", sd.done, (now_ns() - t0) / 1e6);
	live__sample(l); /* their resident memory comes with the first view */
	if (sd.denied && !l->warned_denied) {
		warn("%u processes have no starting layout: their /proc/PID/maps is not ours "
		     "to read (root reads every one)",
		     sd.denied);
		l->warned_denied = true;
	}
	return err;
}

static void check_drops(struct live *l, bool final);

/* Gone: reaped, or a zombie (its exit record is in the ring buffer). */
static bool process_gone(__u32 pid)
{
	unsigned long flags;
	char state;

	return proc_state(pid, &state, &flags) || state == 'Z' || state == 'X';
}

bool live__selection_gone(struct live *l)
{
	__u64 now = now_ns();
	int i;

	if (!l->pids_only || now < l->next_gone_check_ns)
		return false;
	l->next_gone_check_ns = now + 200000000ULL; /* an exit record asks sooner */
	for (i = 0; i < l->o.sel->nr_pids; i++)
		if (!process_gone(l->o.sel->pids[i]))
			return false;
	return true;
}

/*
 * Reads the ring buffer, then releases to the consumers every record older
 * than the pass by more than slack: all of them have arrived.
 */
static int pass(struct live *l, __u64 slack)
{
	__u64 start = now_ns();
	int n;

	note_fill(l);
	n = ring_buffer__consume(l->rb);

	stream__round(l->stream, start - slack);
	return n;
}

int live__poll(struct live *l, int timeout_ms)
{
	struct epoll_event ev;
	int n = epoll_wait(ring_buffer__epoll_fd(l->rb), &ev, 1, timeout_ms);

	/*
	 * Records are written without a wakeup until 256 KiB wait (wakeups
	 * are expensive), so a poll that timed out must still look. The wait
	 * is ours, not ring_buffer__poll's: the fill is noted before the read.
	 */
	if (n < 0 && errno != EINTR)
		n = -errno;
	else
		n = pass(l, ROUND_SLACK_NS);
	check_drops(l, false);
	return n;
}

#define NAMES_EVERY_NS 1000000000ULL

/*
 * After an unlink or rename anywhere, the names of the mapped files, looked
 * at once a second (now: at once) for two seconds: records of the files
 * mapped just before may still be held in the stream's window. Returns
 * whether a name changed (an MS_NAME record is in the stream, stamped now).
 */
static bool check_names(struct live *l, bool now)
{
	__u64 changed = __atomic_load_n(&l->skel->bss->names_changed, __ATOMIC_RELAXED);
	__u64 t = now_ns();

	if (changed != l->names_seen) {
		l->names_seen = changed;
		l->names_moved_ns = t;
	} else if (t > l->names_moved_ns + 2 * NAMES_EVERY_NS) {
		return false;
	}
	if (!now && t < l->next_names_ns)
		return false;
	l->next_names_ns = t + NAMES_EVERY_NS;
	return names__check(l->names, l->stream, t) > 0;
}

/* Everything up to now goes: a view is about to show it. */
int live__drain(struct live *l)
{
	int n = pass(l, 0);

	if (check_names(l, true))
		stream__round(l->stream, now_ns());
	return n;
}

/* A process's counts: its shared entry plus every CPU's copy of its slot it owns. */
static void sum_slots(struct live *l, __u32 tgid, struct ms_fault_counts *c)
{
	__u32 key = tgid & l->skel->rodata->slot_mask;
	int i;

	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.slots), &key, l->slots))
		return;
	for (i = 0; i < l->nr_cpus; i++) {
		if (l->slots[i].tgid != tgid)
			continue;
		c->faults += l->slots[i].st.counts.faults;
		c->write += l->slots[i].st.counts.write;
		c->exec += l->slots[i].st.counts.exec;
		c->prot += l->slots[i].st.counts.prot;
	}
}

static void emit_all_faults(struct live *l)
{
	int fd = bpf_map__fd(l->skel->maps.procs);
	__u32 key, next, *prev = NULL;
	struct ms_proc_state st;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		__u64 ts = now_ns();

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &st))
			continue;
		sum_slots(l, key, &st.counts);
		emit_faults(l, key, &st.counts, ts);
	}
}

static void check_drops(struct live *l, bool final)
{
	__u64 now = now_ns(); /* before the count: it holds every drop up to now */
	__u64 drops = __atomic_load_n(&l->skel->bss->drops, __ATOMIC_RELAXED);
	struct ms_lost e = {};

	/* one loss record per 100 ms at most: it makes every layout uncertain */
	if (drops == l->drops_seen || (!final && now - l->last_lost_ns < 100000000ULL))
		return;
	l->last_lost_ns = now;
	e.h.ts_ns = now;
	e.h.type = MS_LOST;
	e.h.size = sizeof(e);
	e.count = drops - l->drops_seen;
	e.total = drops;
	l->lost_since_warn += e.count;
	l->drops_seen = drops;
	stream__emit(l->stream, &e.h);
	l->resync = true;
	if (now - l->last_warn_ns >= 1000000000ULL) {
		warn("lost %llu events: the ring buffer was full (%llu in all; a bigger "
		     "--ringbuf-size helps)",
		     (unsigned long long)l->lost_since_warn, (unsigned long long)drops);
		l->last_warn_ns = now;
		l->lost_since_warn = 0;
	}
}

static bool sample_one(__u32 pid, void *ctx)
{
	struct live *l = ctx;
	__u64 t0 = now_ns(), dt;

	if (rss_sampler__sample(l->rss, pid)) /* gone: its exit says so */
		return false;
	dt = now_ns() - t0;
	l->samples++;
	l->sample_ns += dt;
	if (dt > l->sample_max_ns)
		l->sample_max_ns = dt;
	return false;
}

/* The fault counts first: they say which processes faulted. */
void live__sample(struct live *l)
{
	if (!l->o.faults)
		emit_all_faults(l);
	if (l->rss)
		pidtab__prune(l->changed, sample_one, l);
	cgroup_feed__sample(l->cgroups);
}

void live__tick(struct live *l)
{
	pass(l, ROUND_SLACK_NS);
	live__sample(l);
	check_drops(l, false);
	check_names(l, false);
	if (l->resync) {
		l->resync = false;
		live__seed(l);
	}
}

void live__finish(struct live *l)
{
	note_fill(l);
	ring_buffer__consume(l->rb);
	live__sample(l);
	check_drops(l, true);
	stream__flush(l->stream);
}

static void *destroy_link(void *arg)
{
	bpf_link__destroy(arg);
	return NULL;
}

/* Each detach waits for an RCU grace period: do them all at once. */
static void detach_all(struct memsnoop_bpf *skel)
{
	struct bpf_object_skeleton *s = skel->skeleton;
	pthread_t th[64];
	int i, n = s->prog_cnt < 64 ? s->prog_cnt : 64;
	bool started[64] = {};

	for (i = 0; i < n; i++) {
		struct bpf_link **link = s->progs[i].link;

		if (!*link)
			continue;
		started[i] = !pthread_create(&th[i], NULL, destroy_link, *link);
		if (!started[i])
			bpf_link__destroy(*link);
		*link = NULL;
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

void live__close(struct live *l)
{
	int i;

	if (!l)
		return;
	if (log_verbose() && l->samples)
		info("%llu resident samples from %s: %.3f ms each on average, %.3f ms at most",
		     (unsigned long long)l->samples, rss_sampler__source(l->rss),
		     l->sample_ns / 1e6 / l->samples, l->sample_max_ns / 1e6);
	if (log_verbose() && l->rb_size)
		info("ring buffer: at most %llu of its %llu bytes waiting (%.1f%%)",
		     (unsigned long long)l->rb_peak_run, (unsigned long long)l->rb_size,
		     100.0 * l->rb_peak_run / l->rb_size);
	unmap_ring_positions(l);
	ring_buffer__free(l->rb);
	for (i = 0; l->fault_links && i < l->nr_cpus; i++)
		bpf_link__destroy(l->fault_links[i]);
	free(l->fault_links);
	if (l->skel) {
		__u64 t0 = now_ns();

		detach_all(l->skel);
		memsnoop_bpf__destroy(l->skel);
		if (log_verbose())
			info("shut-down: detach and unload %.1f ms", (now_ns() - t0) / 1e6);
	}
	pidtab__free(l->reported);
	pidtab__free(l->exec_read);
	cgroup_feed__free(l->cgroups);
	names__report(l->names);
	names__free(l->names);
	pidtab__free(l->changed);
	rss_sampler__free(l->rss);
	free(l->slots);
	free(l);
}

void live__prog_stats(struct live *l, live_prog_fn fn, void *ctx)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		struct live_prog_stats st = { .name = bpf_program__name(prog) };
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
			continue; /* not loaded here (another hook, an older kernel) */
		st.run_ns = info.run_time_ns;
		st.runs = info.run_cnt;
		fn(&st, ctx);
	}
}
