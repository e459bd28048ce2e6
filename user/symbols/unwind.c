// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <elfutils/libdwfl.h>
#include "symbols/unwind.h"
#include "util/pidtab.h"

/* One process's view for libdwfl: its modules, and the stack being unwound. */
struct proc_dwfl {
	Dwfl *dwfl;
	bool attached; /* dwfl_attach_state done: needs a module first */
	const struct ms_ustack *us; /* the record being unwound */
};

struct unwinder {
	const struct model *m;
	struct pidtab *procs; /* pid -> struct proc_dwfl */
	char **names; /* interned strings: frames point into them */
	size_t nr_names, cap_names;
};

static char *debuginfo_path; /* libdwfl's default: beside the file, /usr/lib/debug */

static const Dwfl_Callbacks module_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

struct unwinder *unwinder__new(const struct model *m)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->m = m;
	u->procs = pidtab__new(sizeof(struct proc_dwfl));
	if (!u->procs) {
		free(u);
		return NULL;
	}
	return u;
}

static void end_dwfl(__u32 pid, struct proc_dwfl *pd)
{
	if (pd->dwfl)
		dwfl_end(pd->dwfl);
	memset(pd, 0, sizeof(*pd));
}

static bool end_all(__u32 pid, void *ctx)
{
	struct unwinder *u = ctx;

	end_dwfl(pid, pidtab__get(u->procs, pid));
	return false;
}

void unwinder__free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	pidtab__prune(u->procs, end_all, u);
	pidtab__free(u->procs);
	for (i = 0; i < u->nr_names; i++)
		free(u->names[i]);
	free(u->names);
	free(u);
}

void unwinder__forget(struct unwinder *u, __u32 pid)
{
	struct proc_dwfl *pd = pidtab__get(u->procs, pid);

	if (!pd)
		return;
	end_dwfl(pid, pd);
	pidtab__del(u->procs, pid);
}

/* A copy that lives as long as u: frames of every stack point to it. Few distinct ones. */
static const char *intern(struct unwinder *u, const char *s)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = u->nr_names; i-- > 0;)
		if (!strcmp(u->names[i], s))
			return u->names[i];
	if (u->nr_names == u->cap_names) {
		size_t cap = u->cap_names ? 2 * u->cap_names : 64;
		char **n = realloc(u->names, cap * sizeof(*n));

		if (!n)
			return NULL;
		u->names = n;
		u->cap_names = cap;
	}
	u->names[u->nr_names] = strdup(s);
	return u->names[u->nr_names] ? u->names[u->nr_names++] : NULL;
}

/* ---- libdwfl's view of the thread: the record's registers and stack bytes ---- */

static pid_t next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct proc_dwfl *pd = arg;

	if (*thread_argp)
		return 0;
	*thread_argp = pd;
	return pd->us->h.tid;
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	const struct ms_ustack *us = ((struct proc_dwfl *)arg)->us;
	__u64 sp = us->regs[MS_UREG_SP];

	if (addr < sp || addr - sp + sizeof(*result) > us->len)
		return false;
	memcpy(result, us->data + (addr - sp), sizeof(*result));
	return true;
}

static bool set_initial_registers(Dwfl_Thread *thread, void *arg)
{
	const struct ms_ustack *us = ((struct proc_dwfl *)arg)->us;
#if defined(__x86_64__)
	/* DWARF numbers: 6 rbp, 7 rsp */
	Dwarf_Word regs[2] = { us->regs[MS_UREG_FP], us->regs[MS_UREG_SP] };

	if (!dwfl_thread_state_registers(thread, 6, 2, regs))
		return false;
#elif defined(__aarch64__)
	/* DWARF numbers: 29 fp, 30 lr, 31 sp */
	Dwarf_Word regs[3] = { us->regs[MS_UREG_FP], us->regs[MS_UREG_LR], us->regs[MS_UREG_SP] };

	if (!dwfl_thread_state_registers(thread, 29, 3, regs))
		return false;
#endif
	dwfl_thread_state_register_pc(thread, us->regs[MS_UREG_IP]);
	return true;
}

static const Dwfl_Thread_Callbacks thread_callbacks = {
	.next_thread = next_thread,
	.memory_read = memory_read,
	.set_initial_registers = set_initial_registers,
};

/* ---- modules ---- */

static struct proc_dwfl *proc_of(struct unwinder *u, __u32 pid)
{
	struct proc_dwfl *pd = pidtab__put(u->procs, pid);

	if (pd && !pd->dwfl)
		pd->dwfl = dwfl_begin(&module_callbacks);
	return pd && pd->dwfl ? pd : NULL;
}

/* A file the model has mapped at ip: reported to libdwfl, at its load address. */
static bool report_module(struct unwinder *u, struct proc_dwfl *pd, __u32 pid, __u64 ip)
{
	const struct region *r = model__region_at(u->m, pid, ip);
	Dwfl_Module *mod;

	if (!r || !r->path || r->path[0] != '/' || !(r->prot & MS_VMA_EXEC))
		return false;
	dwfl_report_begin_add(pd->dwfl);
	/* the file's offset 0 at start - pgoff: its load bias (ET_DYN) or p_vaddr (ET_EXEC) */
	mod = dwfl_report_elf(pd->dwfl, r->path, r->path, -1, r->start - r->pgoff, false);
	dwfl_report_end(pd->dwfl, NULL, NULL);
	if (!mod)
		return false;
	if (!pd->attached)
		pd->attached = dwfl_attach_state(pd->dwfl, NULL, pid, &thread_callbacks, pd);
	return pd->attached;
}

/* The module at ip, as the model has it now: a stale one (unmapped, remapped) is not. */
static Dwfl_Module *module_at(struct unwinder *u, struct proc_dwfl *pd, __u32 pid, __u64 ip)
{
	Dwfl_Module *mod = dwfl_addrmodule(pd->dwfl, ip);
	const struct region *r;
	const char *name;

	if (!mod)
		return NULL;
	r = model__region_at(u->m, pid, ip);
	name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!r || !r->path || !name || strcmp(r->path, name))
		return NULL;
	return mod;
}

struct collect {
	__u64 *ips;
	unsigned nr, max;
};

static int frame_cb(Dwfl_Frame *state, void *arg)
{
	struct collect *c = arg;
	Dwarf_Addr pc;

	if (!dwfl_frame_pc(state, &pc, NULL) || !pc)
		return DWARF_CB_ABORT;
	c->ips[c->nr++] = pc;
	return c->nr < c->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

static unsigned unwind_once(struct proc_dwfl *pd, const struct ms_ustack *us, __u64 *ips,
			    unsigned max)
{
	struct collect c = { .ips = ips, .max = max };

	pd->us = us;
	dwfl_getthread_frames(pd->dwfl, us->h.tid, frame_cb, &c);
	pd->us = NULL;
	return c.nr;
}

/*
 * Unwinds, and where the walk stopped in a file the model has mapped but
 * libdwfl does not know yet, reports it and walks again (a process's
 * modules are reported once each, as stacks reach them).
 */
unsigned unwinder__unwind(struct unwinder *u, const struct ms_ustack *us, __u64 *ips,
			  unsigned max)
{
	__u32 pid = us->h.pid;
	struct proc_dwfl *pd = proc_of(u, pid);
	unsigned nr = 0, tries;
	__u64 last = us->regs[MS_UREG_IP];

	ips[0] = last;
	if (!pd || !max)
		return 1;
	for (tries = 0; tries < 16; tries++) {
		if (!module_at(u, pd, pid, last)) {
			if (dwfl_addrmodule(pd->dwfl, last)) {
				/* stale: the process's mappings changed under it */
				end_dwfl(pid, pd);
				pd = proc_of(u, pid);
				if (!pd)
					break;
			}
			if (!report_module(u, pd, pid, last))
				break;
		}
		nr = unwind_once(pd, us, ips, max);
		if (!nr || nr == max)
			break;
		last = ips[nr - 1] - 1; /* a return address: the call is before it */
		if (module_at(u, pd, pid, last))
			break; /* in a known module: its CFI ended the walk */
	}
	return nr ? nr : 1;
}

void unwinder__symbolize(struct unwinder *u, __u32 pid, __u64 ip, bool innermost,
			 struct frame *f)
{
	struct proc_dwfl *pd = pidtab__get(u->procs, pid);
	__u64 pc = innermost ? ip : ip - 1; /* a return address: name the call */
	const struct region *r = model__region_at(u->m, pid, pc);
	Dwfl_Module *mod = pd && pd->dwfl ? module_at(u, pd, pid, pc) : NULL;
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	const char *name;

	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (r && r->path)
		f->module = intern(u, r->path);
	else if (r && (r->prot & MS_VMA_EXEC))
		f->module = intern(u, "[jit]");
	if (!mod)
		return;
	name = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
	if (name) {
		f->sym = intern(u, name);
		f->off = ip - (pc - off);
	}
	line = dwfl_module_getsrc(mod, pc);
	if (line) {
		int lineno = 0;
		const char *file = dwfl_lineinfo(line, NULL, &lineno, NULL, NULL, NULL);

		if (file) {
			const char *base = strrchr(file, '/');

			f->file = intern(u, base ? base + 1 : file);
			f->line = lineno;
		}
	}
}
