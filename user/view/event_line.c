// SPDX-License-Identifier: GPL-2.0
/* What each record type says, as a text detail and as JSON fields: see event_line.h. */
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mman.h>
#include "util/escape.h"
#include "util/fmt.h"
#include "util/sbuf.h"
#include "view/event_line.h"

static const struct ms_file *file_of(const struct ms_syscall *s)
{
	if (!(s->h.flags & MS_FILE_VALID) || s->h.size < sizeof(*s) + sizeof(struct ms_file))
		return NULL;
	return (const struct ms_file *)(s + 1);
}

#define SIGNAME_LEN 16

/* "SIGSEGV", written into the caller's buf; "?" for no signal glibc knows. */
static const char *signal_name(int sig, char *buf)
{
	const char *abbrev = sigabbrev_np(sig);

	if (!abbrev)
		return "?";
	snprintf(buf, SIGNAME_LEN, "SIG%s", abbrev);
	return buf;
}

/* si_code of a fault signal, as siginfo.h names it. */
static const char *signal_code_name(int sig, int code)
{
	static const char *const segv[] = { "?", "SEGV_MAPERR", "SEGV_ACCERR", "SEGV_BNDERR",
					    "SEGV_PKUERR" };
	static const char *const bus[] = { "?", "BUS_ADRALN", "BUS_ADRERR", "BUS_OBJERR" };

	if (code <= 0)
		return code == 0 ? "SI_USER" : code == -6 ? "SI_TKILL" : "SI_QUEUE";
	if (sig == SIGSEGV && code < 5)
		return segv[code];
	if (sig == SIGBUS && code < 4)
		return bus[code];
	return "?";
}

/* ---- text ---- */

/* The detail being built, as a string buffer (no printf on the hot path). */
static struct sbuf detail_of(struct line *l)
{
	struct sbuf b = { l->detail, strlen(l->detail), sizeof(l->detail) };

	return b;
}

static void put(struct line *l, const char *str)
{
	struct sbuf b = detail_of(l);

	sb_puts(&b, str);
}

/* A name someone else chose (a path, a filename), escaped. */
static void put_name(struct line *l, const char *name)
{
	struct sbuf b = detail_of(l);

	esc_put(&b, name, strlen(name), ESC_TEXT, 0, NULL);
}

static void put_hex(struct line *l, const char *prefix, __u64 v)
{
	struct sbuf b = detail_of(l);

	sb_puts(&b, prefix);
	sb_hex(&b, v, 1);
}

/* " = 0x7f...", " = 0", " = ENOMEM"; first: no leading space. */
static void put_result(struct line *l, const struct ms_syscall *s, bool addr)
{
	struct sbuf b = detail_of(l);
	int err = ret_errno(s->ret);

	sb_puts(&b, b.len ? " = " : "= ");
	if (err) {
		sb_puts(&b, errno_name(err));
	} else if (addr) {
		sb_puts(&b, "0x");
		sb_hex(&b, s->ret, 1);
	} else {
		sb_sdec(&b, s->ret);
	}
}

static void append(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct line *l, const char *fmt, ...)
{
	size_t off = strlen(l->detail);
	va_list ap;

	if (off >= sizeof(l->detail) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(l->detail + off, sizeof(l->detail) - off, fmt, ap);
	va_end(ap);
}

/* The calls on a range [addr, addr + len): munmap, mprotect, madvise, mlock... */
static bool describe_range(const struct model *m, const struct ms_syscall *s,
			   const struct ms_file *f, struct line *l)
{
	__u32 type = s->h.type;
	const char *name;

	if (type == MS_REMAP_FILE_PAGES) {
		put_hex(l, "pgoff=0x", s->args[3]);
		if (f && f->path_len) {
			put(l, " ");
			put_name(l, f->path);
		}
	} else if (type != MS_MUNMAP && !ms_flags_on_range(type)) {
		return false;
	}
	l->start = s->args[0];
	l->end = s->args[0] + model__page_up(m, s->args[1]);
	l->has_range = l->has_size = true;
	l->size = s->args[1];
	if (type == MS_MPROTECT || type == MS_PKEY_MPROTECT)
		l->prot = s->args[2];
	if (type == MS_PKEY_MPROTECT)
		append(l, "pkey=%d", (int)s->args[3]);
	if (type == MS_MADVISE) {
		name = madvise_name(s->args[2]);
		if (name)
			put(l, name);
		else
			append(l, "advice=%llu", (unsigned long long)s->args[2]);
	}
	put_result(l, s, false);
	return true;
}

/* The calls past the first six that are not on a range. */
static void describe_more(const struct ms_syscall *s, const struct ms_file *f, struct line *l)
{
	char buf[256];
	const char *name;

	switch (s->h.type) {
	case MS_SHMAT:
		l->start = s->ret >= 0 ? (__u64)s->ret : s->args[1];
		l->end = l->start + s->args[3];
		l->has_range = true;
		l->has_size = s->ret >= 0;
		l->size = s->args[3];
		append(l, "shmid=%d shmflg=0x%llx", (int)s->args[0],
		       (unsigned long long)s->args[2]);
		if (f && f->path_len) {
			put(l, " ");
			put_name(l, f->path);
		}
		put_result(l, s, true);
		break;
	case MS_SHMDT:
		put_hex(l, "addr 0x", s->args[0]);
		put_result(l, s, false);
		break;
	case MS_PRCTL:
		append(l, "%s %llu 0x%llx", s->args[0] == 35 ? "PR_SET_MM" : "PR_SET_VMA",
		       (unsigned long long)s->args[1], (unsigned long long)s->args[2]);
		put_result(l, s, false);
		break;
	case MS_MLOCKALL:
		put(l, fmt_mcl_flags(buf, sizeof(buf), s->args[0]));
		/* fall through */
	case MS_MUNLOCKALL:
		put_result(l, s, false);
		break;
	case MS_PROCESS_MADVISE:
		name = madvise_name(s->args[3]);
		append(l, "pidfd=%d vlen=%llu ", (int)s->args[0], (unsigned long long)s->args[2]);
		if (name)
			put(l, name);
		else
			append(l, "advice=%llu", (unsigned long long)s->args[3]);
		put_result(l, s, false);
		break;
	}
}

static void describe_syscall(const struct model *m, const struct ms_syscall *s, struct line *l)
{
	const struct ms_file *f = file_of(s);
	char buf[256];

	switch (s->h.type) {
	case MS_MMAP:
		l->start = s->ret >= 0 ? (__u64)s->ret : s->args[0];
		l->end = l->start + model__page_up(m, s->args[1]);
		l->has_range = l->has_size = true;
		l->size = s->args[1];
		l->prot = s->args[2];
		put(l, fmt_mmap_flags(buf, sizeof(buf), s->args[3]));
		if (!(s->args[3] & MAP_ANONYMOUS)) {
			struct sbuf b = detail_of(l);

			sb_puts(&b, " fd=");
			sb_sdec(&b, (int)s->args[4]);
		}
		if (s->args[5])
			put_hex(l, " off=0x", s->args[5]);
		if (f && f->path_len) {
			put(l, " ");
			put_name(l, f->path);
		}
		put_result(l, s, true);
		break;
	case MS_MREMAP:
		l->start = s->ret >= 0 ? (__u64)s->ret : s->args[0];
		l->end = l->start + model__page_up(m, s->args[2]);
		l->has_range = l->has_size = true;
		l->size = s->args[2];
		put_hex(l, "from 0x", s->args[0]);
		put_hex(l, "-0x", s->args[0] + model__page_up(m, s->args[1]));
		put(l, " ");
		put(l, fmt_mremap_flags(buf, sizeof(buf), s->args[3]));
		put_result(l, s, true);
		break;
	case MS_BRK:
		if (s->ret >= 0 && s->mm.start_brk && (__u64)s->ret >= s->mm.start_brk) {
			l->start = s->mm.start_brk;
			l->end = s->ret;
			l->has_range = l->has_size = true;
			l->size = s->ret - s->mm.start_brk;
		}
		if (s->args[0])
			put_hex(l, "request 0x", s->args[0]);
		else
			put(l, "query");
		put_result(l, s, true);
		break;
	default:
		if (!describe_range(m, s, f, l))
			describe_more(s, f, l);
	}
}

/* A fault, the fault counts, the main stack's growth. */
static void describe_fault(const struct ms_hdr *h, struct line *l)
{
	switch (h->type) {
	case MS_FAULT: {
		const struct ms_fault *f = (const void *)h;

		l->start = f->addr;
		l->has_range = true;
		append(l, "%s%s %s ip=0x%llx",
		       h->flags & MS_PF_INSTR ? "exec" :
		       h->flags & MS_PF_WRITE ? "write" :
						"read",
		       h->flags & MS_PF_USER ? "" : " kernel",
		       h->flags & MS_PF_PROT ? "protection" : "not-present",
		       (unsigned long long)f->ip);
		break;
	}
	case MS_FAULTS: {
		const struct ms_faults *f = (const void *)h;

		append(l, "count=%llu write=%llu exec=%llu prot=%llu total=%llu",
		       (unsigned long long)f->delta.faults, (unsigned long long)f->delta.write,
		       (unsigned long long)f->delta.exec, (unsigned long long)f->delta.prot,
		       (unsigned long long)f->total.faults);
		break;
	}
	case MS_STACK:
		l->start = ((const struct ms_stack *)h)->addr;
		l->has_range = true;
		append(l, "main stack grew down");
		break;
	}
}

/* A process's life: fork, exec, exit. */
static void describe_process(const struct ms_hdr *h, struct line *l)
{
	switch (h->type) {
	case MS_FORK: {
		const struct ms_fork *f = (const void *)h;

		if (h->flags & MS_FORK_THREAD)
			append(l, "new thread %u", f->child_tid);
		else
			append(l, "child %u%s", f->child_pid,
			       h->flags & MS_FORK_VM ? " (shares memory: vfork)" : "");
		break;
	}
	case MS_EXEC:
		put_name(l, ((const struct ms_exec *)h)->filename);
		break;
	case MS_EXIT: {
		const struct ms_exit *e = (const void *)h;
		char sig[SIGNAME_LEN];

		if (e->exit_code & 0x7f)
			append(l, "killed by %s", signal_name(e->exit_code & 0x7f, sig));
		else
			append(l, "exit %d", (e->exit_code >> 8) & 0xff);
		if (!(h->flags & MS_EXIT_GROUP))
			append(l, " (thread)");
		break;
	}
	}
}

void event_line__describe(const struct model *m, const struct ms_hdr *h, struct line *l)
{
	l->prot = -1;
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		describe_syscall(m, (const struct ms_syscall *)h, l);
		if (l->ex.cause) {
			put(l, ": ");
			put_name(l, l->ex.text); /* it names regions */
		}
		break;
	case MS_FAULT:
	case MS_FAULTS:
	case MS_STACK:
		describe_fault(h, l);
		break;
	case MS_FORK:
	case MS_EXEC:
	case MS_EXIT:
		describe_process(h, l);
		break;
	case MS_SIGNAL: {
		const struct ms_signal *e = (const void *)h;
		char sig[SIGNAME_LEN];

		l->start = e->addr;
		l->has_range = true;
		append(l, "%s %s", signal_name(e->sig, sig), signal_code_name(e->sig, e->code));
		if (l->ex.cause) {
			put(l, ": ");
			put_name(l, l->ex.text);
		}
		break;
	}
	case MS_LOST: {
		const struct ms_lost *e = (const void *)h;

		append(l, "%llu events lost (%llu in all): layouts resynchronised",
		       (unsigned long long)e->count, (unsigned long long)e->total);
		break;
	}
	case MS_SEED_END: {
		const struct mproc *p = model__process(m, h->pid);

		append(l, "layout %s at %s: %u regions",
		       h->flags & MS_SEED_FROM_KERNEL ? "from the VMA tree" : "read from /proc",
		       h->flags & MS_SEED_AT_EXEC ? "exec" : "start", p ? p->nr_regions : 0);
		break;
	}
	}
}

/* ---- JSON ---- */

static void json_result(struct json_obj *o, const struct ms_syscall *s, bool addr)
{
	int err = ret_errno(s->ret);

	if (err) {
		json_s64(o, "ret", s->ret);
		json_str(o, "errno", errno_name(err));
	} else if (addr) {
		json_hex(o, "ret", s->ret);
	} else {
		json_s64(o, "ret", s->ret);
	}
}

/* The calls on a range [addr, addr + len): munmap, mprotect, madvise, mlock... */
static bool json_range(struct json_obj *o, const struct ms_syscall *s, const struct ms_file *f)
{
	__u32 type = s->h.type;
	char buf[256];

	if (type == MS_REMAP_FILE_PAGES) {
		json_u64(o, "pgoff", s->args[3]);
		if (f && f->path_len)
			json_str(o, "file", f->path);
	} else if (type != MS_MUNMAP && !ms_flags_on_range(type)) {
		return false;
	}
	json_hex(o, "addr", s->args[0]);
	json_u64(o, "len", s->args[1]);
	if (type == MS_MPROTECT || type == MS_PKEY_MPROTECT)
		json_str(o, "prot", fmt_prot(buf, sizeof(buf), s->args[2]));
	if (type == MS_PKEY_MPROTECT)
		json_s64(o, "pkey", (int)s->args[3]);
	if (type == MS_MADVISE) {
		const char *name = madvise_name(s->args[2]);

		if (name)
			json_str(o, "advice", name);
		else
			json_u64(o, "advice", s->args[2]);
	}
	json_result(o, s, false);
	return true;
}

/* The calls past the first six that are not on a range. */
static void json_more(struct json_obj *o, const struct ms_syscall *s, const struct ms_file *f)
{
	char buf[256];

	switch (s->h.type) {
	case MS_SHMAT:
		json_s64(o, "shmid", (int)s->args[0]);
		json_hex(o, "addr", s->ret >= 0 ? (__u64)s->ret : s->args[1]);
		json_hex(o, "shmflg", s->args[2]);
		if (s->ret >= 0)
			json_u64(o, "len", s->args[3]);
		if (f && f->path_len)
			json_str(o, "file", f->path);
		json_result(o, s, true);
		break;
	case MS_SHMDT:
		json_hex(o, "addr", s->args[0]);
		json_result(o, s, false);
		break;
	case MS_PRCTL:
		json_str(o, "option", s->args[0] == 35 ? "PR_SET_MM" : "PR_SET_VMA");
		json_u64(o, "arg2", s->args[1]);
		json_hex(o, "arg3", s->args[2]);
		json_result(o, s, false);
		break;
	case MS_MLOCKALL:
		json_str(o, "flags", fmt_mcl_flags(buf, sizeof(buf), s->args[0]));
		/* fall through */
	case MS_MUNLOCKALL:
		json_result(o, s, false);
		break;
	case MS_PROCESS_MADVISE: {
		const char *name = madvise_name(s->args[3]);

		json_s64(o, "pidfd", (int)s->args[0]);
		json_u64(o, "vlen", s->args[2]);
		if (name)
			json_str(o, "advice", name);
		else
			json_u64(o, "advice", s->args[3]);
		json_result(o, s, false);
		break;
	}
	}
}

static void json_syscall(const struct model *m, struct json_obj *o, const struct ms_syscall *s)
{
	const struct ms_file *f = file_of(s);
	char buf[256];

	switch (s->h.type) {
	case MS_MMAP:
		json_hex(o, "addr", s->ret >= 0 ? (__u64)s->ret : s->args[0]);
		json_u64(o, "len", s->args[1]);
		json_str(o, "prot", fmt_prot(buf, sizeof(buf), s->args[2]));
		json_str(o, "flags", fmt_mmap_flags(buf, sizeof(buf), s->args[3]));
		json_s64(o, "fd", (int)s->args[4]);
		json_u64(o, "offset", s->args[5]);
		if (f && f->path_len)
			json_str(o, "file", f->path);
		json_result(o, s, true);
		break;
	case MS_MREMAP:
		json_hex(o, "old_addr", s->args[0]);
		json_u64(o, "old_len", s->args[1]);
		json_u64(o, "new_len", s->args[2]);
		json_str(o, "flags", fmt_mremap_flags(buf, sizeof(buf), s->args[3]));
		if (s->ret >= 0)
			json_hex(o, "new_addr", s->ret);
		json_result(o, s, true);
		break;
	case MS_BRK:
		json_hex(o, "addr", s->args[0]);
		json_hex(o, "start_brk", s->mm.start_brk);
		json_result(o, s, true);
		break;
	default:
		if (!json_range(o, s, f))
			json_more(o, s, f);
	}
	json_u64(o, "vsize", s->mm.total_vm * model__page_size(m));
	json_u64(o, "rss",
		 (s->mm.rss_anon + s->mm.rss_file + s->mm.rss_shmem) * model__page_size(m));
	json_u64(o, "dur_ns", s->dur_ns);
}

static void json_counts(struct json_obj *o, const char *key, const struct ms_fault_counts *c)
{
	json_object_begin(o, key);
	json_u64(o, "faults", c->faults);
	json_u64(o, "write", c->write);
	json_u64(o, "exec", c->exec);
	json_u64(o, "prot", c->prot);
	json_object_end(o);
}

static void json_fault(struct json_obj *o, const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_FAULT: {
		const struct ms_fault *f = (const void *)h;

		json_hex(o, "addr", f->addr);
		json_hex(o, "ip", f->ip);
		json_u64(o, "error_code", h->flags);
		json_bool(o, "write", h->flags & MS_PF_WRITE);
		json_bool(o, "exec", h->flags & MS_PF_INSTR);
		json_bool(o, "present", h->flags & MS_PF_PROT);
		break;
	}
	case MS_FAULTS: {
		const struct ms_faults *f = (const void *)h;

		json_u64(o, "count", f->delta.faults);
		json_u64(o, "write", f->delta.write);
		json_u64(o, "exec", f->delta.exec);
		json_u64(o, "prot", f->delta.prot);
		json_u64(o, "total", f->total.faults);
		break;
	}
	case MS_STACK:
		json_hex(o, "addr", ((const struct ms_stack *)h)->addr);
		break;
	}
}

static void json_process(struct json_obj *o, const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_FORK: {
		const struct ms_fork *f = (const void *)h;

		json_u64(o, "child_pid", f->child_pid);
		json_u64(o, "child_tid", f->child_tid);
		json_bool(o, "thread", h->flags & MS_FORK_THREAD);
		json_bool(o, "shares_vm", h->flags & MS_FORK_VM);
		break;
	}
	case MS_EXEC:
		json_str(o, "filename", ((const struct ms_exec *)h)->filename);
		break;
	case MS_EXIT: {
		const struct ms_exit *e = (const void *)h;
		char sig[SIGNAME_LEN];

		json_bool(o, "thread", !(h->flags & MS_EXIT_GROUP));
		if (e->exit_code & 0x7f)
			json_str(o, "signal", signal_name(e->exit_code & 0x7f, sig));
		else
			json_s64(o, "exit_code", (e->exit_code >> 8) & 0xff);
		if (h->flags & MS_EXIT_GROUP)
			json_counts(o, "faults", &e->total);
		break;
	}
	}
}

void event_line__json(const struct model *m, struct json_obj *o, const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		json_syscall(m, o, (const struct ms_syscall *)h);
		break;
	case MS_FAULT:
	case MS_FAULTS:
	case MS_STACK:
		json_fault(o, h);
		break;
	case MS_FORK:
	case MS_EXEC:
	case MS_EXIT:
		json_process(o, h);
		break;
	case MS_SIGNAL: {
		const struct ms_signal *e = (const void *)h;
		char sig[SIGNAME_LEN];

		json_str(o, "signal", signal_name(e->sig, sig));
		json_str(o, "code", signal_code_name(e->sig, e->code));
		json_hex(o, "addr", e->addr);
		json_u64(o, "sender_pid", e->sender_pid);
		break;
	}
	case MS_LOST: {
		const struct ms_lost *e = (const void *)h;

		json_u64(o, "count", e->count);
		json_u64(o, "total", e->total);
		break;
	}
	case MS_SEED_END: {
		const struct mproc *p = model__process(m, h->pid);

		json_str(o, "reason", h->flags & MS_SEED_AT_EXEC ? "exec" : "start");
		json_str(o, "source", h->flags & MS_SEED_FROM_KERNEL ? "kernel" : "proc");
		json_u64(o, "regions", p ? p->nr_regions : 0);
		break;
	}
	}
}
