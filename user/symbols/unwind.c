// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include "util/log.h"
#include "symbols/unwind.h"
#include "util/pidtab.h"

/*
 * What libdwfl read of the stack copy in one walk: the same registers and the
 * same words at the same places give the same frames, so a walk is done once
 * (a loop making the same call from the same place reads the same words).
 */
#define MEMO_READS 64
#define MEMO_BUCKETS 16384 /* a power of two */
#define MEMO_MAX 32768 /* walks kept; then all are dropped and relearnt */
#define MEMO_UNREAD (1u << 31) /* read_off flag: the read failed (beyond the copy) */

struct memo_read {
	__u32 off; /* from sp; MEMO_UNREAD: beyond the copy */
	__u64 val;
};

struct memo {
	struct memo *next; /* same bucket */
	__u64 regs[MS_UREGS];
	__u32 pid;
	unsigned gen; /* the process's modules then: proc_dwfl.gen */
	unsigned nr_reads, nr_ips;
	struct memo_read *reads; /* into this allocation, after ips */
	__u64 ips[];
};

struct memo_log {
	struct memo_read reads[MEMO_READS];
	unsigned nr;
	bool full; /* more reads than kept, or below sp: not memoized */
	bool beyond; /* a read past the copy's end */
	__u64 end; /* past the highest word read, from sp */
};

/* One process's view for libdwfl: its modules, and the stack being unwound. */
struct proc_dwfl {
	Dwfl *dwfl;
	bool attached; /* dwfl_attach_state done: needs a module first */
	unsigned gen; /* changes with its modules: memoized walks of another gen are stale */
	const struct ms_ustack *us; /* the record being unwound */
	struct memo_log *log; /* the reads of this walk */
};

/*
 * What libdw said of one place in one file, for every process mapping that
 * file: a new process's Dwfl would read the symbol table and the (often
 * compressed) debug info again.
 */
struct sym_entry {
	struct sym_entry *next;
	const char *module; /* interned: pointers compare */
	__u64 rel; /* pc - the module's start */
	const char *sym, *file;
	__u64 off; /* of pc from sym */
	__u64 size; /* of sym */
	int line;
};

#define SYM_BUCKETS 65536 /* a power of two */

struct file_mod {
	const char *path; /* interned */
	Dwfl_Module *mod; /* in unwinder.files; NULL: could not be read */
};

struct unwinder {
	struct sym_entry **syms; /* SYM_BUCKETS chains */
	Dwfl *files; /* every file a stack reached, once, at an address of its own */
	struct file_mod **files_seen;
	size_t nr_files, cap_files;
	const struct model *m;
	/* pid -> struct proc_dwfl *: libdwfl keeps the pointer, the table moves its values */
	struct pidtab *procs;
	struct pidtab *exes; /* pid -> const char *: what it exec'd (interned) */
	char **names; /* interned strings, a hash table: frames point into them */
	size_t nr_names, cap_names;
	/* a recording's MS_MODULE records: the files its stacks went through */
	struct ms_module **expect;
	size_t nr_expect, cap_expect;
	struct memo **memo; /* MEMO_BUCKETS chains */
	size_t nr_memo;
	unsigned next_gen;
	struct memo_log log;
	/* where each thread's outermost frame is: said to bottom_fn when it changes */
	struct pidtab *bottoms; /* tid -> __u64 */
	unwinder_bottom_fn bottom_fn;
	void *bottom_ctx;
	/* MS_MODULE (and with --symbols MS_SYMBOL, MS_FRAMES) records to write */
	bool record_modules;
	struct ms_hdr **out;
	size_t nr_out, cap_out;
	/* --symbols: the functions stored (recording) or read back (replay) */
	bool record_symbols;
	bool perf_maps; /* live: JIT frames named from /tmp/perf-PID.map */
	struct ms_hdr stamp; /* pid, tid, ts_ns of the stack being symbolized */
	struct sym_table **tables;
	size_t nr_tables, cap_tables, nr_stored;
};

static void free_tables(struct unwinder *u);
static void set_module_key(struct unwinder *u, Dwfl_Module *mod, const __u8 *id, __u16 len);
static void forget_jit(struct unwinder *u, __u32 pid);

/* Appends p to a growing array of pointers; false when out of memory. */
static bool push_ptr(void ***arr, size_t *nr, size_t *cap, void *p)
{
	if (*nr == *cap) {
		size_t n = *cap ? 2 * *cap : 16;
		void **a = realloc(*arr, n * sizeof(*a));

		if (!a)
			return false;
		*arr = a;
		*cap = n;
	}
	(*arr)[(*nr)++] = p;
	return true;
}

static char *debuginfo_path; /* libdwfl's default: beside the file, /usr/lib/debug */

/*
 * Unwinding needs the CFI of the mapped files only (.eh_frame): no debug
 * files, whose compressed sections each process's Dwfl would inflate again.
 */
static int no_debuginfo(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
			const char *file_name, const char *debuglink_file, GElf_Word debuglink_crc,
			char **debuginfo_file_name)
{
	return -1;
}

static const Dwfl_Callbacks module_callbacks = {
	.find_elf = dwfl_linux_proc_find_elf,
	.find_debuginfo = no_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

/* Names and lines: every file once, with its debug info (beside it, /usr/lib/debug). */
static const Dwfl_Callbacks symbol_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

struct unwinder *unwinder__new(const struct model *m)
{
	struct unwinder *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	elf_version(EV_CURRENT);
	u->m = m;
	u->procs = pidtab__new(sizeof(struct proc_dwfl *));
	u->exes = pidtab__new(sizeof(const char *));
	u->syms = calloc(SYM_BUCKETS, sizeof(*u->syms));
	u->memo = calloc(MEMO_BUCKETS, sizeof(*u->memo));
	u->bottoms = pidtab__new(sizeof(__u64));
	u->files = dwfl_begin(&symbol_callbacks);
	if (!u->procs || !u->exes || !u->syms || !u->memo || !u->bottoms || !u->files) {
		if (u->files)
			dwfl_end(u->files);
		free(u->syms);
		free(u->memo);
		pidtab__free(u->bottoms);
		pidtab__free(u->procs);
		pidtab__free(u->exes);
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

static void drop_memo(struct unwinder *u)
{
	size_t i;

	for (i = 0; i < MEMO_BUCKETS; i++) {
		struct memo *e, *next;

		for (e = u->memo[i]; e; e = next) {
			next = e->next;
			free(e);
		}
		u->memo[i] = NULL;
	}
	u->nr_memo = 0;
}

static bool end_all(__u32 pid, void *ctx)
{
	struct proc_dwfl **pd = pidtab__get(ctx, pid);

	end_dwfl(pid, *pd);
	free(*pd);
	return false;
}

void unwinder__free(struct unwinder *u)
{
	size_t i;

	if (!u)
		return;
	pidtab__prune(u->procs, end_all, u->procs);
	pidtab__free(u->procs);
	pidtab__free(u->exes);
	for (i = 0; i < SYM_BUCKETS; i++) {
		struct sym_entry *e, *next;

		for (e = u->syms[i]; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(u->syms);
	drop_memo(u);
	free(u->memo);
	pidtab__free(u->bottoms);
	dwfl_end(u->files);
	for (i = 0; i < u->nr_files; i++)
		free(u->files_seen[i]);
	free(u->files_seen);
	for (i = 0; i < u->cap_names; i++)
		free(u->names[i]);
	free(u->names);
	for (i = 0; i < u->nr_expect; i++)
		free(u->expect[i]);
	free(u->expect);
	for (i = 0; i < u->nr_out; i++)
		free(u->out[i]);
	free(u->out);
	free_tables(u);
	free(u);
}

void unwinder__forget(struct unwinder *u, __u32 pid)
{
	struct proc_dwfl **pd = pidtab__get(u->procs, pid);

	pidtab__del(u->exes, pid);
	forget_jit(u, pid);
	if (!pd)
		return;
	end_dwfl(pid, *pd);
	free(*pd);
	pidtab__del(u->procs, pid);
}

static size_t str_hash(const char *s)
{
	size_t h = 5381;

	while (*s)
		h = h * 33 + (unsigned char)*s++;
	return h;
}

/* The slot of s in the open-addressing table: its copy, or the empty slot it would take. */
static char **name_slot(char **names, size_t cap, const char *s)
{
	size_t i = str_hash(s) & (cap - 1);

	while (names[i] && strcmp(names[i], s))
		i = (i + 1) & (cap - 1);
	return &names[i];
}

/* Twice the slots, at half load: lookups stay short. */
static bool grow_names(struct unwinder *u)
{
	size_t cap = u->cap_names ? 2 * u->cap_names : 1024, i;
	char **n = calloc(cap, sizeof(*n));

	if (!n)
		return false;
	for (i = 0; i < u->cap_names; i++)
		if (u->names[i])
			*name_slot(n, cap, u->names[i]) = u->names[i];
	free(u->names);
	u->names = n;
	u->cap_names = cap;
	return true;
}

/* A copy that lives as long as u: frames of every stack point to it. */
static const char *intern(struct unwinder *u, const char *s)
{
	char **slot;

	if (!s)
		return NULL;
	if (2 * (u->nr_names + 1) > u->cap_names && !grow_names(u))
		return NULL;
	slot = name_slot(u->names, u->cap_names, s);
	if (!*slot) {
		*slot = strdup(s);
		u->nr_names += *slot != NULL;
	}
	return *slot;
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

/* Notes what the walk read, and where, for the memo. */
static void log_read(struct memo_log *log, __u64 off, const Dwarf_Word *val, bool ok)
{
	if (!log)
		return;
	if (ok && off + sizeof(*val) > log->end)
		log->end = off + sizeof(*val);
	log->beyond |= !ok && off < MEMO_UNREAD;
	if (log->full)
		return;
	if (log->nr == MEMO_READS || off >= MEMO_UNREAD) {
		log->full = true;
		return;
	}
	log->reads[log->nr++] =
		(struct memo_read){ .off = off | (ok ? 0 : MEMO_UNREAD), .val = ok ? *val : 0 };
}

static bool memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result, void *arg)
{
	struct proc_dwfl *pd = arg;
	const struct ms_ustack *us = pd->us;
	__u64 sp = us->regs[MS_UREG_SP];

	if (addr < sp) {
		log_read(pd->log, MEMO_UNREAD, NULL, false); /* not memoized */
		return false;
	}
	if (addr - sp + sizeof(*result) > us->len) {
		log_read(pd->log, addr - sp, NULL, false);
		return false;
	}
	memcpy(result, us->data + (addr - sp), sizeof(*result));
	log_read(pd->log, addr - sp, result, true);
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
	struct proc_dwfl **slot = pidtab__put(u->procs, pid), *pd;

	if (!slot)
		return NULL;
	if (!*slot)
		*slot = calloc(1, sizeof(**slot));
	pd = *slot;
	if (pd && !pd->dwfl) {
		pd->dwfl = dwfl_begin(&module_callbacks);
		pd->gen = ++u->next_gen;
	}
	return pd && pd->dwfl ? pd : NULL;
}

/* The GNU build-id of the file at path; 0 when it has none or cannot be read. */
static __u16 file_build_id(const char *path, __u8 *id)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	const void *bits;
	ssize_t len = 0;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf)
		len = dwelf_elf_gnu_build_id(elf, &bits);
	if (len > 0 && len <= MS_BUILD_ID_MAX)
		memcpy(id, bits, len);
	else
		len = 0;
	elf_end(elf);
	close(fd);
	return len;
}

void unwinder__expect(struct unwinder *u, const struct ms_module *rec)
{
	struct ms_module *copy = malloc(rec->h.size);

	if (copy && !push_ptr((void ***)&u->expect, &u->nr_expect, &u->cap_expect, copy))
		free(copy);
	else if (copy)
		memcpy(copy, rec, rec->h.size);
}

/*
 * A replay names frames only from the files the recording went through: the
 * local file at a path the recording has must have one of its build-ids.
 * Said once a path when it has not.
 */
static bool same_file(struct unwinder *u, const char *path, const __u8 *id, __u16 len)
{
	bool seen = false, warned = false, symbols = false;
	size_t i;

	for (i = 0; i < u->nr_expect; i++) {
		struct ms_module *e = u->expect[i];

		if (strcmp(e->path, path))
			continue;
		if (e->build_id_len == len && !memcmp(e->build_id, id, len))
			return true;
		seen = true;
		warned |= e->pad; /* pad: said so already */
		e->pad = 1;
		symbols |= e->h.flags & MS_MODULE_SYMBOLS;
	}
	if (seen && !warned)
		warn("%s is not the file the recording saw (build-id differs): its frames are %s",
		     path, symbols ? "named from the recording's symbols" : "addresses");
	return !seen;
}

/* A file the recording went through is not here: said once, as same_file does. */
static void missing_file(struct unwinder *u, const char *path)
{
	bool seen = false, warned = false, symbols = false;
	size_t i;

	for (i = 0; i < u->nr_expect; i++) {
		struct ms_module *e = u->expect[i];

		if (strcmp(e->path, path))
			continue;
		seen = true;
		warned |= e->pad;
		e->pad = 1;
		symbols |= e->h.flags & MS_MODULE_SYMBOLS;
	}
	if (seen && !warned)
		warn("%s is missing: its frames are %s", path,
		     symbols ? "named from the recording's symbols" : "addresses");
}

/* An MS_MODULE record for the recording, written before the call that reached the file. */
static void note_module(struct unwinder *u, const struct ms_ustack *us, __u64 base,
			const char *path, const __u8 *id, __u16 len)
{
	size_t plen = strlen(path), size = sizeof(struct ms_module) + MS_ALIGN8(plen + 1);
	struct ms_module *rec;

	if (!u->record_modules || size > MS_REC_MAX)
		return;
	rec = calloc(1, size);
	if (!rec)
		return;
	rec->h = us ? us->h : u->stamp;
	rec->h.type = MS_MODULE;
	rec->h.flags = u->record_symbols && len ? MS_MODULE_SYMBOLS : 0;
	rec->h.size = size;
	rec->base = base;
	memcpy(rec->build_id, id, len);
	rec->build_id_len = len;
	rec->path_len = plen;
	memcpy(rec->path, path, plen);
	if (!push_ptr((void ***)&u->out, &u->nr_out, &u->cap_out, &rec->h))
		free(rec);
}

void unwinder__record_modules(struct unwinder *u, bool on)
{
	u->record_modules = on;
}

int unwinder__drain_modules(struct unwinder *u, int (*fn)(void *ctx, const struct ms_hdr *rec),
			    void *ctx)
{
	size_t i;
	int err = 0;

	for (i = 0; i < u->nr_out; i++) {
		if (!err)
			err = fn(ctx, u->out[i]);
		free(u->out[i]);
	}
	u->nr_out = 0;
	return err;
}

void unwinder__exec(struct unwinder *u, __u32 pid, const char *filename)
{
	const char **exe = pidtab__put(u->exes, pid);

	if (exe)
		*exe = filename[0] == '/' ? intern(u, filename) : NULL;
}

void unwinder__fork(struct unwinder *u, __u32 parent, __u32 child)
{
	const char **exe = pidtab__get(u->exes, parent), **copy;

	if (!exe || !*exe)
		return;
	copy = pidtab__put(u->exes, child);
	if (copy)
		*copy = *exe;
}

/* Where the file's offset 0 is when ip is in one of its executable segments; 0: it is not. */
static __u64 exec_segment_base(const char *path, __u64 ip)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	__u64 base = 0;
	GElf_Ehdr eh;
	GElf_Phdr ph;
	size_t i, n;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (elf && gelf_getehdr(elf, &eh) && eh.e_type == ET_EXEC && !elf_getphdrnum(elf, &n)) {
		for (i = 0; i < n && !base; i++)
			if (gelf_getphdr(elf, i, &ph) && ph.p_type == PT_LOAD &&
			    ph.p_flags & PF_X && ip >= ph.p_vaddr && ip < ph.p_vaddr + ph.p_memsz)
				base = (ph.p_vaddr - ph.p_offset) & ~4095ULL;
	}
	elf_end(elf);
	close(fd);
	return base;
}

/* Only regular files are read: a recording may name a FIFO or a device. */
static bool regular_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode);
}

/*
 * The file at ip and where its offset 0 is: what the model has mapped there,
 * else (a call before the process's layout came: kernels that seed an exec
 * from /proc) the fixed-address executable it exec'd.
 */
static const char *file_at(struct unwinder *u, __u32 pid, __u64 ip, __u64 *base)
{
	const struct region *r = model__region_at(u->m, pid, ip);
	const char **exe;

	if (r) {
		if (!r->path || r->path[0] != '/' || !(r->prot & MS_VMA_EXEC))
			return NULL;
		*base = r->start - r->pgoff;
		return r->path;
	}
	exe = pidtab__get(u->exes, pid);
	if (!exe || !*exe || !regular_file(*exe))
		return NULL;
	*base = exec_segment_base(*exe, ip);
	return *base ? *exe : NULL;
}

/* A file mapped at ip: reported to libdwfl, at its load address. */
static bool report_module(struct unwinder *u, struct proc_dwfl *pd, __u32 pid, __u64 ip)
{
	__u8 id[MS_BUILD_ID_MAX];
	const char *path;
	Dwfl_Module *mod;
	__u64 base = 0;
	__u16 id_len;

	path = file_at(u, pid, ip, &base);
	if (path && !regular_file(path))
		missing_file(u, path);
	if (!path || !regular_file(path))
		return false;
	id_len = file_build_id(path, id);
	if (!same_file(u, path, id, id_len))
		return false;
	dwfl_report_begin_add(pd->dwfl);
	/* the file's offset 0 at start - pgoff: its load bias (ET_DYN) or p_vaddr (ET_EXEC) */
	mod = dwfl_report_elf(pd->dwfl, path, path, -1, base, false);
	dwfl_report_end(pd->dwfl, NULL, NULL);
	if (!mod)
		return false;
	set_module_key(u, mod, id, id_len);
	note_module(u, pd->us, base, path, id, id_len);
	pd->gen = ++u->next_gen;
	if (!pd->attached)
		pd->attached = dwfl_attach_state(pd->dwfl, NULL, pid, &thread_callbacks, pd);
	return pd->attached;
}

/* The module at ip, as the model has it now: a stale one (unmapped, remapped) is not. */
static Dwfl_Module *module_at(struct unwinder *u, struct proc_dwfl *pd, __u32 pid, __u64 ip)
{
	Dwfl_Module *mod = dwfl_addrmodule(pd->dwfl, ip);
	const char *name, *path;
	__u64 base;

	if (!mod)
		return NULL;
	path = file_at(u, pid, ip, &base);
	name = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
	if (!path || !name || strcmp(path, name))
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

/* ended: the CFI said the last frame is the outermost (its caller is undefined). */
static unsigned unwind_once(struct proc_dwfl *pd, const struct ms_ustack *us, __u64 *ips,
			    unsigned max, bool *ended)
{
	struct collect c = { .ips = ips, .max = max };

	*ended = !dwfl_getthread_frames(pd->dwfl, us->h.tid, frame_cb, &c) && c.nr < max;
	return c.nr;
}

/*
 * Unwinds, and where the walk stopped in a file the model has mapped but
 * libdwfl does not know yet, reports it and walks again (a process's
 * modules are reported once each, as stacks reach them).
 */
static unsigned walk(struct unwinder *u, struct proc_dwfl *pd, const struct ms_ustack *us,
		     __u64 *ips, unsigned max, bool *complete)
{
	__u32 pid = us->h.pid;
	unsigned nr = 0, tries;
	__u64 last = us->regs[MS_UREG_IP];

	pd->us = us;
	*complete = false;
	for (tries = 0; tries < 16; tries++) {
		if (!module_at(u, pd, pid, last)) {
			if (dwfl_addrmodule(pd->dwfl, last)) {
				struct memo_log *log = pd->log;

				/* stale: the process's mappings changed under it */
				end_dwfl(pid, pd);
				pd = proc_of(u, pid);
				if (!pd)
					return 1;
				pd->us = us;
				pd->log = log;
			}
			if (!report_module(u, pd, pid, last))
				break;
		}
		nr = unwind_once(pd, us, ips, max, complete);
		if (!nr || nr == max || *complete)
			break;
		last = ips[nr - 1] - 1; /* a return address: the call is before it */
		if (module_at(u, pd, pid, last))
			break; /* in a known module: its CFI ended the walk */
	}
	pd->us = NULL;
	return nr ? nr : 1;
}

static unsigned memo_bucket(__u32 pid, const __u64 *regs)
{
	__u64 h = pid;
	unsigned i;

	for (i = 0; i < MS_UREGS; i++)
		h = (h ^ regs[i]) * 0x9e3779b97f4a7c15ULL;
	return h >> 50; /* 14 bits: MEMO_BUCKETS */
}

/* Does us hold the words the memoized walk read, where it read them? */
static bool memo_matches(const struct memo *m, const struct ms_ustack *us, unsigned gen)
{
	unsigned i;

	if (m->pid != us->h.pid || m->gen != gen || memcmp(m->regs, us->regs, sizeof(m->regs)))
		return false;
	for (i = 0; i < m->nr_reads; i++) {
		__u32 off = m->reads[i].off & ~MEMO_UNREAD;
		bool in_copy = (__u64)off + sizeof(__u64) <= us->len;

		if (m->reads[i].off & MEMO_UNREAD) {
			if (in_copy)
				return false;
		} else if (!in_copy || memcmp(us->data + off, &m->reads[i].val, sizeof(__u64))) {
			return false;
		}
	}
	return true;
}

static void memo_keep(struct unwinder *u, const struct ms_ustack *us, unsigned gen,
		      const struct memo_log *log, const __u64 *ips, unsigned nr)
{
	struct memo *m, **b = &u->memo[memo_bucket(us->h.pid, us->regs)];

	if (log->full)
		return;
	if (u->nr_memo >= MEMO_MAX)
		drop_memo(u);
	m = malloc(sizeof(*m) + nr * sizeof(__u64) + log->nr * sizeof(struct memo_read));
	if (!m)
		return;
	memcpy(m->regs, us->regs, sizeof(m->regs));
	m->pid = us->h.pid;
	m->gen = gen;
	m->nr_ips = nr;
	m->nr_reads = log->nr;
	memcpy(m->ips, ips, nr * sizeof(__u64));
	m->reads = (struct memo_read *)(m->ips + nr);
	memcpy(m->reads, log->reads, log->nr * sizeof(struct memo_read));
	m->next = *b;
	*b = m;
	u->nr_memo++;
}

void unwinder__on_bottom(struct unwinder *u, unwinder_bottom_fn fn, void *ctx)
{
	u->bottom_fn = fn;
	u->bottom_ctx = ctx;
}

/*
 * A walk that reached the thread's outermost frame (clone's, _start's) read
 * nothing above the highest word it read: the thread's later calls need their
 * stack copied up to there only (a walk stopped by a file the layout does not
 * have yet says nothing).
 * A walk cut short by the copy's end says the place is wrong (another
 * stack, a reused tid): the next copies are whole again.
 */
static void learn_bottom(struct unwinder *u, const struct ms_ustack *us, bool complete,
			 const struct memo_log *log)
{
	__u64 *known, bottom = complete && !log->beyond ? us->regs[MS_UREG_SP] + log->end : 0;

	if (!u->bottom_fn || (!bottom && !log->beyond))
		return;
	known = pidtab__get(u->bottoms, us->h.tid);
	if (known ? *known == bottom : !bottom)
		return;
	if (bottom) {
		known = pidtab__put(u->bottoms, us->h.tid);
		if (!known)
			return;
		*known = bottom;
	} else {
		pidtab__del(u->bottoms, us->h.tid);
	}
	u->bottom_fn(u->bottom_ctx, us->h.tid, bottom);
}

bool unwinder__knows_bottom(struct unwinder *u, __u32 tid)
{
	return pidtab__get(u->bottoms, tid) != NULL;
}

unsigned unwinder__unwind(struct unwinder *u, const struct ms_ustack *us, __u64 *ips, unsigned max)
{
	struct proc_dwfl *pd = proc_of(u, us->h.pid);
	const struct memo *m;
	bool complete;
	unsigned nr;

	ips[0] = us->regs[MS_UREG_IP];
	if (!pd || !max)
		return 1;
	for (m = u->memo[memo_bucket(us->h.pid, us->regs)]; m; m = m->next) {
		if (memo_matches(m, us, pd->gen)) {
			nr = m->nr_ips < max ? m->nr_ips : max;
			memcpy(ips, m->ips, nr * sizeof(__u64));
			return nr;
		}
	}
	u->log = (struct memo_log){ 0 };
	pd->log = &u->log;
	nr = walk(u, pd, us, ips, max, &complete);
	learn_bottom(u, us, complete, &u->log);
	/*
	 * Only a walk that reached the outermost frame or max frames is kept: one
	 * stopped by a file the layout does not have yet (read early, as the
	 * live source's probe does) would be kept short.
	 */
	/* a walk that reported a module (a new gen) may walk differently next time */
	pd = proc_of(u, us->h.pid);
	if (!pd)
		return nr;
	pd->log = NULL;
	if (complete || nr == max)
		memo_keep(u, us, pd->gen, &u->log, ips, nr);
	return nr;
}

static unsigned sym_bucket(const char *module, __u64 rel)
{
	return (((__u64)(uintptr_t)module ^ rel) * 0x9e3779b97f4a7c15ULL) >> 48;
}

/* The file (interned path) in the symbols' Dwfl, reported the first time; NULL: unreadable. */
static Dwfl_Module *file_module(struct unwinder *u, const char *path)
{
	struct file_mod *fm;
	size_t i;

	for (i = 0; i < u->nr_files; i++)
		if (u->files_seen[i]->path == path)
			return u->files_seen[i]->mod;
	fm = malloc(sizeof(*fm));
	if (!fm)
		return NULL;
	fm->path = path;
	dwfl_report_begin_add(u->files);
	fm->mod = dwfl_report_offline(u->files, path, path, -1);
	dwfl_report_end(u->files, NULL, NULL);
	if (!push_ptr((void ***)&u->files_seen, &u->nr_files, &u->cap_files, fm)) {
		free(fm);
		return NULL;
	}
	return fm->mod;
}

/* What libdw says of pc in mod, read once per file and place. */
static const struct sym_entry *sym_info(struct unwinder *u, Dwfl_Module *mod, __u64 pc)
{
	Dwarf_Addr start = 0, fstart = 0;
	Dwfl_Module *fmod;
	const char *module =
		intern(u, dwfl_module_info(mod, NULL, &start, NULL, NULL, NULL, NULL, NULL));
	struct sym_entry *e, **b = &u->syms[sym_bucket(module, pc - start)];
	GElf_Off off = 0;
	GElf_Sym sym;
	Dwfl_Line *line;
	const char *name;

	for (e = *b; e; e = e->next)
		if (e->module == module && e->rel == pc - start)
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->module = module;
	e->rel = pc - start;
	/* the same place in the file's one copy, which has its debug info */
	fmod = file_module(u, module);
	if (fmod && dwfl_module_info(fmod, NULL, &fstart, NULL, NULL, NULL, NULL, NULL)) {
		mod = fmod;
		pc = fstart + e->rel;
	}
	name = dwfl_module_addrinfo(mod, pc, &off, &sym, NULL, NULL, NULL);
	if (name) {
		e->sym = intern(u, name);
		e->off = off;
		e->size = sym.st_size;
	}
	line = dwfl_module_getsrc(mod, pc);
	if (line) {
		const char *file = dwfl_lineinfo(line, NULL, &e->line, NULL, NULL, NULL);
		const char *base = file ? strrchr(file, '/') : NULL;

		e->file = file ? intern(u, base ? base + 1 : file) : NULL;
	}
	e->next = *b;
	*b = e;
	return e;
}

/* ---- --symbols: functions stored in the recording, and JIT code's perf maps ---- */

#define SYMBOLS_MAX (1 << 18) /* functions a run stores or reads back */
#define PERF_MAP_BYTES (16 << 20) /* a bigger /tmp/perf-PID.map is not read */
#define PERF_MAP_ENTRIES (1 << 18)

struct stored_sym {
	__u64 start, size; /* from the file's offset 0 in memory; JIT: addresses */
	const char *name; /* interned */
};

/* One file's functions (by build-id), or one process's JIT code. */
struct sym_table {
	const char *key; /* interned: "b:<build-id hex>", "jit:<pid>" */
	struct stored_sym *v; /* sorted by start */
	size_t nr, cap;
	struct stat map; /* the perf map as last read */
};

static void free_tables(struct unwinder *u)
{
	size_t i;

	for (i = 0; i < u->nr_tables; i++) {
		free(u->tables[i]->v);
		free(u->tables[i]);
	}
	free(u->tables);
}

static const char *build_id_key(struct unwinder *u, const __u8 *id, __u16 len)
{
	char hex[3 + 2 * MS_BUILD_ID_MAX] = "b:";
	__u16 i;

	if (!len || len > MS_BUILD_ID_MAX)
		return NULL;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", id[i]);
	return intern(u, hex);
}

static const char *jit_key(struct unwinder *u, __u32 pid)
{
	char key[32];

	snprintf(key, sizeof(key), "jit:%u", pid);
	return intern(u, key);
}

/* The build-id of a module reported for unwinding: the key of its functions. */
static void set_module_key(struct unwinder *u, Dwfl_Module *mod, const __u8 *id, __u16 len)
{
	void **userdata = NULL;

	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	if (userdata)
		*userdata = (void *)build_id_key(u, id, len);
}

static struct sym_table *table_of(struct unwinder *u, const char *key, bool make)
{
	struct sym_table *t;
	size_t i;

	for (i = 0; key && i < u->nr_tables; i++)
		if (u->tables[i]->key == key)
			return u->tables[i];
	if (!key || !make)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (t && !push_ptr((void ***)&u->tables, &u->nr_tables, &u->cap_tables, t)) {
		free(t);
		return NULL;
	}
	if (t)
		t->key = key;
	return t;
}

/* The process is gone or exec'd: its JIT code with it. */
static void forget_jit(struct unwinder *u, __u32 pid)
{
	struct sym_table *t = NULL;
	char key[32];
	size_t i;

	/* looked up, not interned: every process ends here, few ran JIT code */
	snprintf(key, sizeof(key), "jit:%u", pid);
	for (i = 0; i < u->nr_tables && !t; i++)
		if (!strcmp(u->tables[i]->key, key))
			t = u->tables[i];
	if (!t)
		return;
	free(t->v);
	t->v = NULL;
	t->nr = t->cap = 0;
	memset(&t->map, 0, sizeof(t->map));
}

/* Room for one more symbol in t; false when out of memory. */
static bool room_for_one(struct sym_table *t)
{
	size_t cap = t->cap ? 2 * t->cap : 64;
	struct stored_sym *v;

	if (t->nr < t->cap)
		return true;
	v = realloc(t->v, cap * sizeof(*v));
	if (!v)
		return false;
	t->v = v;
	t->cap = cap;
	return true;
}

/* The index of the last symbol starting at or before addr; t->nr when none. */
static size_t sym_before(const struct sym_table *t, __u64 addr)
{
	size_t lo = 0, hi = t->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : t->nr;
}

static const struct stored_sym *sym_lookup(const struct sym_table *t, __u64 addr)
{
	size_t i = t ? sym_before(t, addr) : 0;
	const struct stored_sym *y;

	if (!t || i == t->nr)
		return NULL;
	y = &t->v[i];
	return addr - y->start < y->size || addr == y->start ? y : NULL;
}

/* Keeps t sorted; a symbol at the same start replaces the one there. */
static void sym_add(struct unwinder *u, struct sym_table *t, __u64 start, __u64 size,
		    const char *name)
{
	size_t i = sym_before(t, start);

	if (!name)
		return;
	if (i < t->nr && t->v[i].start == start) {
		t->v[i] = (struct stored_sym){ start, size, name };
		return;
	}
	if (u->nr_stored >= SYMBOLS_MAX)
		return;
	if (!room_for_one(t))
		return;
	i = i == t->nr ? 0 : i + 1;
	memmove(&t->v[i + 1], &t->v[i], (t->nr - i) * sizeof(*t->v));
	t->v[i] = (struct stored_sym){ start, size, name };
	t->nr++;
	u->nr_stored++;
}

/*
 * A name from a hostile source (a perf map the traced user writes, a
 * recording): printable ASCII kept, other bytes as \xNN, cut to fit (an
 * escaped name read back stays as it was).
 */
static const char *escaped(struct unwinder *u, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char out[MS_SYMBOL_NAME_MAX];
	size_t i, n = 0;

	for (i = 0; i < len && n + 5 <= sizeof(out); i++) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f) {
			out[n++] = c;
			continue;
		}
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 15];
	}
	out[n] = 0;
	return n ? intern(u, out) : NULL;
}

/* Whether this key was not seen before: each function is stored once. */
static bool first_time(struct unwinder *u, const char *key, __u64 start, const char *name)
{
	char buf[64];
	size_t before = u->nr_names;

	snprintf(buf, sizeof(buf), "%p@%llx@%p", (const void *)key, (unsigned long long)start,
		 (const void *)name);
	return intern(u, buf) && u->nr_names > before;
}

/* An MS_SYMBOL record for the recording, before the call whose stack needed it. */
static void note_symbol(struct unwinder *u, const char *key, __u64 start, __u64 size,
			const char *name, bool jit)
{
	size_t len = strnlen(name, MS_SYMBOL_NAME_MAX - 1);
	size_t i, size_rec = sizeof(struct ms_symbol) + MS_ALIGN8(len + 1);
	struct ms_symbol *rec;

	if (!u->record_symbols || !key || u->nr_stored >= SYMBOLS_MAX ||
	    !first_time(u, key, start, name))
		return;
	rec = calloc(1, size_rec);
	if (!rec)
		return;
	rec->h = u->stamp;
	rec->h.type = MS_SYMBOL;
	rec->h.size = size_rec;
	rec->h.flags = jit ? MS_SYMBOL_JIT : 0;
	rec->start = start;
	rec->size = size;
	for (i = 0; !jit && key[2 + 2 * i] && i < MS_BUILD_ID_MAX; i++) {
		unsigned hi = key[2 + 2 * i], lo = key[3 + 2 * i];

		hi = hi <= '9' ? hi - '0' : hi - 'a' + 10;
		lo = lo <= '9' ? lo - '0' : lo - 'a' + 10;
		rec->build_id[i] = hi << 4 | lo;
	}
	rec->build_id_len = i;
	rec->name_len = len;
	memcpy(rec->name, name, len);
	u->nr_stored++;
	if (!push_ptr((void ***)&u->out, &u->nr_out, &u->cap_out, &rec->h))
		free(rec);
}

void unwinder__record_symbols(struct unwinder *u, bool on)
{
	u->record_symbols = on;
}

void unwinder__read_perf_maps(struct unwinder *u, bool on)
{
	u->perf_maps = on;
}

void unwinder__stamp(struct unwinder *u, const struct ms_hdr *h)
{
	u->stamp = *h;
	u->stamp.size = 0;
	u->stamp.flags = 0;
}

void unwinder__add_symbol(struct unwinder *u, const struct ms_symbol *rec)
{
	const char *key = rec->h.flags & MS_SYMBOL_JIT ?
				  jit_key(u, rec->h.pid) :
				  build_id_key(u, rec->build_id, rec->build_id_len);
	struct sym_table *t = table_of(u, key, true);

	if (t)
		sym_add(u, t, rec->start, rec->size, escaped(u, rec->name, rec->name_len));
}

void unwinder__note_frames(struct unwinder *u, const struct ms_ustack *us, const __u64 *ips,
			   unsigned nr)
{
	size_t size = sizeof(struct ms_frames) + nr * sizeof(__u64);
	struct ms_frames *rec;

	if (!u->record_symbols || !nr || nr > MS_FRAMES_MAX)
		return;
	rec = calloc(1, size);
	if (!rec)
		return;
	rec->h = us->h;
	rec->h.type = MS_FRAMES;
	rec->h.size = size;
	rec->nr = nr;
	memcpy(rec->ips, ips, nr * sizeof(__u64));
	if (!push_ptr((void ***)&u->out, &u->nr_out, &u->cap_out, &rec->h))
		free(rec);
}

/* The uid of a live process: its /proc directory's owner. */
static bool proc_uid(__u32 pid, uid_t *uid)
{
	char path[32];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u", pid);
	if (stat(path, &st))
		return false;
	*uid = st.st_uid;
	return true;
}

static int by_start(const void *a, const void *b)
{
	const struct stored_sym *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* "START SIZE name" (hex) per line into t, replacing what it held. */
static void parse_perf_map(struct unwinder *u, struct sym_table *t, char *buf, size_t len)
{
	char *line = buf, *end = buf + len, *nl, *p;

	t->nr = 0;
	for (; line < end && t->nr < PERF_MAP_ENTRIES; line = nl + 1) {
		unsigned long long start, size;
		const char *name;

		nl = memchr(line, '\n', end - line);
		if (!nl)
			break; /* a line still being written */
		*nl = 0;
		start = strtoull(line, &p, 16);
		if (p == line || *p != ' ')
			continue;
		size = strtoull(p + 1, &p, 16);
		if (*p != ' ' || !size)
			continue;
		name = escaped(u, p + 1, nl - (p + 1));
		if (!name)
			continue;
		if (!room_for_one(t))
			break;
		t->v[t->nr++] = (struct stored_sym){ start, size, name };
	}
	qsort(t->v, t->nr, sizeof(*t->v), by_start);
}

/*
 * /tmp/perf-PID.map, written by the traced process's runtime (node
 * --perf-basic-prof): read again when it changed since the last read (JIT
 * maps grow). Hostile input: not a symbolic link, a regular file owned by
 * the process's user or root, at most PERF_MAP_BYTES.
 */
static void read_perf_map(struct unwinder *u, __u32 pid, struct sym_table *t)
{
	char path[40], *buf;
	struct stat st;
	ssize_t n = 0;
	uid_t uid;
	int fd;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > PERF_MAP_BYTES ||
	    !proc_uid(pid, &uid) || (st.st_uid != uid && st.st_uid != 0) ||
	    (st.st_ino == t->map.st_ino && st.st_size == t->map.st_size &&
	     st.st_mtim.tv_sec == t->map.st_mtim.tv_sec &&
	     st.st_mtim.tv_nsec == t->map.st_mtim.tv_nsec)) {
		close(fd);
		return;
	}
	buf = malloc(st.st_size + 1);
	if (buf)
		n = pread(fd, buf, st.st_size, 0);
	close(fd);
	if (n > 0) {
		t->map = st;
		parse_perf_map(u, t, buf, n);
	}
	free(buf);
}

/* A frame in anonymous executable memory: the perf map's name, or [jit]. */
static void jit_symbolize(struct unwinder *u, __u32 pid, __u64 pc, struct frame *f)
{
	const char *key = jit_key(u, pid);
	struct sym_table *t = table_of(u, key, u->perf_maps);
	const struct stored_sym *y = sym_lookup(t, pc);

	if (!y && t && u->perf_maps) {
		read_perf_map(u, pid, t);
		y = sym_lookup(t, pc);
	}
	if (!y)
		return;
	f->sym = y->name;
	f->off = f->ip - y->start;
	note_symbol(u, key, y->start, y->size, y->name, true);
}

/* A file the replay does not have (or another build): the recording's symbols. */
static void stored_symbolize(struct unwinder *u, __u32 pid, const struct region *r, __u64 pc,
			     struct frame *f)
{
	const struct ms_module *e = NULL;
	const struct stored_sym *y;
	__u64 base = r->start - r->pgoff;
	size_t i;

	for (i = 0; i < u->nr_expect; i++) {
		const struct ms_module *m = u->expect[i];

		if (!strcmp(m->path, r->path) && (!e || m->h.pid == pid))
			e = m;
	}
	if (!e)
		return;
	y = sym_lookup(table_of(u, build_id_key(u, e->build_id, e->build_id_len), false),
		       pc - base);
	if (!y)
		return;
	f->sym = y->name;
	f->off = f->ip - (base + y->start);
}

/* The module at pc in pid's Dwfl, reported now if the walk did not (frames from a recording). */
static Dwfl_Module *module_for(struct unwinder *u, __u32 pid, __u64 pc)
{
	struct proc_dwfl *pd = proc_of(u, pid);
	Dwfl_Module *mod;

	if (!pd)
		return NULL;
	mod = module_at(u, pd, pid, pc);
	if (!mod && report_module(u, pd, pid, pc))
		mod = module_at(u, pd, pid, pc);
	return mod;
}

static void keep_symbol(struct unwinder *u, Dwfl_Module *mod, const struct region *r,
			__u64 sym_addr, __u64 size, const char *name)
{
	void **userdata = NULL;

	if (!u->record_symbols || !r || !name)
		return;
	dwfl_module_info(mod, &userdata, NULL, NULL, NULL, NULL, NULL, NULL);
	if (userdata && *userdata)
		note_symbol(u, *userdata, sym_addr - (r->start - r->pgoff), size, name, false);
}

void unwinder__symbolize(struct unwinder *u, __u32 pid, __u64 ip, bool innermost, struct frame *f)
{
	struct proc_dwfl **slot = pidtab__get(u->procs, pid), *pd = slot ? *slot : NULL;
	__u64 pc = innermost ? ip : ip - 1; /* a return address: name the call */
	const struct region *r = model__region_at(u->m, pid, pc);
	Dwfl_Module *mod = NULL;
	const struct sym_entry *e;

	memset(f, 0, sizeof(*f));
	f->ip = ip;
	if (r && r->path) {
		f->module = intern(u, r->path);
		mod = r->path[0] == '/' && (r->prot & MS_VMA_EXEC) ? module_for(u, pid, pc) : NULL;
	} else if (r && (r->prot & MS_VMA_EXEC)) {
		f->module = intern(u, "[jit]");
		jit_symbolize(u, pid, pc, f);
		return;
	} else if (!r && pd && pd->dwfl) {
		mod = module_at(u, pd, pid, pc);
	}
	if (!mod) {
		if (r && r->path)
			stored_symbolize(u, pid, r, pc, f);
		return;
	}
	if (!r)
		f->module =
			intern(u, dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL));
	e = sym_info(u, mod, pc);
	if (!e)
		return;
	f->sym = e->sym;
	f->off = e->sym ? ip - (pc - e->off) : 0;
	f->file = e->file;
	f->line = e->file ? e->line : 0;
	if (e->sym)
		keep_symbol(u, mod, r, pc - e->off, e->size > e->off ? e->size : e->off + 1,
			    e->sym);
}
