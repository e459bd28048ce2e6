// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "escape.h"
#include "view/events.h"
#include "view/exitsum.h"
#include "view/explain.h"
#include "view/fmt.h"
#include "view/sbuf.h"
#include "view/json.h"

struct event_view {
	const struct settings *s;
	const struct model *m;
	__u64 start_ns;
	FILE *out;
	bool header_done;
	struct explain *explain; /* crashes and ENOMEM in terms of the layout */
	struct exitsum *exitsum; /* the summary line at a process's exit */
};

/* One event, gathered from a record, then printed as text or JSON. */
struct line {
	const struct ms_hdr *h;
	const char *event;
	char comm[MS_COMM_LEN];
	__u64 start, end; /* address range, end == 0: a single address or none */
	bool has_range;
	__u64 size;
	bool has_size;
	int prot; /* PROT_* or -1 */
	char detail[1024]; /* text only */
	struct explanation ex; /* ex.cause set: a crash or ENOMEM explained */
};

struct event_view *event_view__new(const struct settings *s, const struct model *m, __u64 start_ns,
				   FILE *out)
{
	struct event_view *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->s = s;
	v->m = m;
	v->start_ns = start_ns;
	v->out = out;
	v->explain = explain__new(m);
	v->exitsum = exitsum__new(m);
	if (!v->explain || !v->exitsum) {
		event_view__free(v);
		return NULL;
	}
	return v;
}

void event_view__free(struct event_view *v)
{
	if (!v)
		return;
	explain__free(v->explain);
	exitsum__free(v->exitsum);
	free(v);
}

void event_view__set_start(struct event_view *v, __u64 start_ns)
{
	v->start_ns = start_ns;
}

static void comm_of(const struct event_view *v, const struct ms_hdr *h, char *comm)
{
	const struct mproc *p = model__process(v->m, h->pid);
	const char *src = NULL;

	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		src = ((const struct ms_syscall *)h)->comm;
		break;
	case MS_FORK:
		src = ((const struct ms_fork *)h)->comm;
		break;
	case MS_EXEC:
		src = ((const struct ms_exec *)h)->comm;
		break;
	case MS_EXIT:
		src = ((const struct ms_exit *)h)->comm;
		break;
	case MS_SEED_BEGIN:
		src = ((const struct ms_seed_begin *)h)->comm;
		break;
	}
	if (!src && p)
		src = p->comm;
	memset(comm, 0, MS_COMM_LEN);
	if (src)
		memcpy(comm, src, MS_COMM_LEN - 1);
	else
		strcpy(comm, h->pid ? "?" : "-");
}

static const struct ms_file *file_of(const struct ms_syscall *s)
{
	if (!(s->h.flags & MS_FILE_VALID) || s->h.size < sizeof(*s) + sizeof(struct ms_file))
		return NULL;
	return (const struct ms_file *)(s + 1);
}

static __u64 page_up(__u64 x)
{
	return (x + 4095) & ~4095ULL;
}

static const char *signal_name(int sig)
{
	const char *abbrev = sigabbrev_np(sig);
	static char buf[16];

	if (!abbrev)
		return "?";
	snprintf(buf, sizeof(buf), "SIG%s", abbrev);
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

static void describe_syscall(const struct ms_syscall *s, struct line *l)
{
	const struct ms_file *f = file_of(s);
	char buf[256];
	const char *name;

	switch (s->h.type) {
	case MS_MMAP:
		l->start = s->ret >= 0 ? (__u64)s->ret : s->args[0];
		l->end = l->start + page_up(s->args[1]);
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
	case MS_PROCESS_MADVISE:
		name = madvise_name(s->args[3]);
		append(l, "pidfd=%d vlen=%llu ", (int)s->args[0], (unsigned long long)s->args[2]);
		if (name)
			put(l, name);
		else
			append(l, "advice=%llu", (unsigned long long)s->args[3]);
		put_result(l, s, false);
		break;
	case MS_REMAP_FILE_PAGES:
		put_hex(l, "pgoff=0x", s->args[3]);
		if (f && f->path_len) {
			put(l, " ");
			put_name(l, f->path);
		}
		/* fall through */
	case MS_MUNMAP:
	case MS_MPROTECT:
	case MS_PKEY_MPROTECT:
	case MS_MSEAL:
	case MS_MLOCK:
	case MS_MLOCK2:
	case MS_MUNLOCK:
	case MS_MADVISE:
		l->start = s->args[0];
		l->end = s->args[0] + page_up(s->args[1]);
		l->has_range = l->has_size = true;
		l->size = s->args[1];
		if (s->h.type == MS_MPROTECT || s->h.type == MS_PKEY_MPROTECT)
			l->prot = s->args[2];
		if (s->h.type == MS_PKEY_MPROTECT)
			append(l, "pkey=%d", (int)s->args[3]);
		if (s->h.type == MS_MADVISE) {
			name = madvise_name(s->args[2]);
			if (name)
				put(l, name);
			else
				append(l, "advice=%llu", (unsigned long long)s->args[2]);
		}
		put_result(l, s, false);
		break;
	case MS_MREMAP:
		l->start = s->ret >= 0 ? (__u64)s->ret : s->args[0];
		l->end = l->start + page_up(s->args[2]);
		l->has_range = l->has_size = true;
		l->size = s->args[2];
		put_hex(l, "from 0x", s->args[0]);
		put_hex(l, "-0x", s->args[0] + page_up(s->args[1]));
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
	}
}

static void describe(const struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	l->prot = -1;
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		describe_syscall((const struct ms_syscall *)h, l);
		if (l->ex.cause) {
			put(l, ": ");
			put_name(l, l->ex.text); /* it names regions */
		}
		break;
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

		if (e->exit_code & 0x7f)
			append(l, "killed by %s", signal_name(e->exit_code & 0x7f));
		else
			append(l, "exit %d", (e->exit_code >> 8) & 0xff);
		if (!(h->flags & MS_EXIT_GROUP))
			append(l, " (thread)");
		break;
	}
	case MS_SIGNAL: {
		const struct ms_signal *e = (const void *)h;

		l->start = e->addr;
		l->has_range = true;
		append(l, "%s %s", signal_name(e->sig), signal_code_name(e->sig, e->code));
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
		const struct mproc *p = model__process(v->m, h->pid);

		append(l, "layout %s at %s: %u regions",
		       h->flags & MS_SEED_FROM_KERNEL ? "from the VMA tree" : "read from /proc",
		       h->flags & MS_SEED_AT_EXEC ? "exec" : "start", p ? p->nr_regions : 0);
		break;
	}
	}
}

/*
 * The region a record concerns: what the model says it just changed, else
 * what is at its address now (a record older than a seed changes nothing).
 */
static const struct region *region_of(const struct event_view *v, const struct ms_hdr *h,
				      const struct line *l)
{
	const struct region *r = model__event_region(v->m);

	if (h->type == MS_SEED_END)
		return NULL;
	if (!r && l->has_range)
		r = model__region_at(v->m, h->pid, l->start);
	return r;
}

static bool printed(const struct event_view *v, const struct ms_hdr *h)
{
	if (h->type == MS_STACK)
		return model__stack_grew(v->m,
					 (const struct ms_stack *)h); /* only growth is news */
	switch (h->type) {
	case MS_BRK ... MS_EXIT:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
	case MS_FAULTS:
	case MS_LOST:
	case MS_SEED_END:
	case MS_SIGNAL:
		return true;
	default:
		return false;
	}
}

static const char *event_name(const struct ms_hdr *h)
{
	return h->type == MS_SEED_END ? "seed" : ms_type_name(h->type);
}

static void print_header(struct event_view *v)
{
	if (v->s->timestamps)
		fprintf(v->out, "%-12s ", "TIME(s)");
	fprintf(v->out, "%-7s %-7s %-16s %-8s %-25s %6s %-4s %s\n", "PID", "TID", "COMM", "EVENT",
		"ADDRESS", "SIZE", "PROT", "DETAIL");
}

static void print_text(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	const struct region *r = region_of(v, h, l);
	char line[2048], tmp[16], comm[MS_COMM_LEN * 4 + 2];
	struct sbuf b, cb;
	size_t col = 0, w;

	if (!v->header_done) {
		print_header(v);
		v->header_done = true;
	}
	sb_init(&b, line, sizeof(line));
	if (v->s->timestamps) {
		__u64 us = h->ts_ns > v->start_ns ? (h->ts_ns - v->start_ns + 500) / 1000 : 0;

		sb_dec(&b, us / 1000000);
		sb_putc(&b, '.');
		sb_dec0(&b, us % 1000000, 6);
		sb_column(&b, &col, 13);
	}
	sb_dec(&b, h->pid);
	sb_column(&b, &col, 8);
	sb_dec(&b, h->tid);
	sb_column(&b, &col, 8);
	sb_init(&cb, comm,
		sizeof(comm)); /* not into b: its address would escape, slowing the rest */
	w = esc_cell(&cb, l->comm, MS_COMM_LEN, 16);
	sb_putn(&b, comm, cb.len);
	col += cb.len - w; /* UTF-8 characters take more bytes than columns */
	sb_column(&b, &col, 17);
	sb_puts(&b, l->event);
	sb_column(&b, &col, 9);
	if (l->has_range) {
		sb_hex(&b, l->start, 12);
		if (l->end) {
			sb_putc(&b, '-');
			sb_hex(&b, l->end, 12);
		}
	}
	sb_column(&b, &col, 26);
	if (l->has_size) {
		fmt_size(tmp, sizeof(tmp), l->size);
		sb_pad(&b, col + 6 - strlen(tmp)); /* right-aligned */
		sb_puts(&b, tmp);
	}
	sb_column(&b, &col, 7);
	if (l->prot >= 0)
		sb_puts(&b, fmt_prot(tmp, sizeof(tmp), l->prot));
	sb_column(&b, &col, 5);
	sb_puts(&b, l->detail);
	if (r) {
		sb_puts(&b, " [");
		sb_puts(&b, region_class_name(r->cls));
		sb_putc(&b, ']');
	}
	sb_putc(&b, '\n');
	fwrite(line, 1, b.len, v->out);
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

static void json_syscall(struct json_obj *o, const struct ms_syscall *s)
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
	case MS_REMAP_FILE_PAGES:
		json_u64(o, "pgoff", s->args[3]);
		if (f && f->path_len)
			json_str(o, "file", f->path);
		/* fall through */
	case MS_MUNMAP:
	case MS_MPROTECT:
	case MS_PKEY_MPROTECT:
	case MS_MSEAL:
	case MS_MLOCK:
	case MS_MLOCK2:
	case MS_MUNLOCK:
	case MS_MADVISE:
		json_hex(o, "addr", s->args[0]);
		json_u64(o, "len", s->args[1]);
		if (s->h.type == MS_MPROTECT || s->h.type == MS_PKEY_MPROTECT)
			json_str(o, "prot", fmt_prot(buf, sizeof(buf), s->args[2]));
		if (s->h.type == MS_PKEY_MPROTECT)
			json_s64(o, "pkey", (int)s->args[3]);
		if (s->h.type == MS_MADVISE) {
			const char *name = madvise_name(s->args[2]);

			if (name)
				json_str(o, "advice", name);
			else
				json_u64(o, "advice", s->args[2]);
		}
		json_result(o, s, false);
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
	}
	json_u64(o, "vsize", s->mm.total_vm * 4096);
	json_u64(o, "rss", (s->mm.rss_anon + s->mm.rss_file + s->mm.rss_shmem) * 4096);
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

static void json_fields(const struct event_view *v, struct json_obj *o, const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		json_syscall(o, (const struct ms_syscall *)h);
		break;
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

		json_bool(o, "thread", !(h->flags & MS_EXIT_GROUP));
		if (e->exit_code & 0x7f)
			json_str(o, "signal", signal_name(e->exit_code & 0x7f));
		else
			json_s64(o, "exit_code", (e->exit_code >> 8) & 0xff);
		if (h->flags & MS_EXIT_GROUP)
			json_counts(o, "faults", &e->total);
		break;
	}
	case MS_SIGNAL: {
		const struct ms_signal *e = (const void *)h;

		json_str(o, "signal", signal_name(e->sig));
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
		const struct mproc *p = model__process(v->m, h->pid);

		json_str(o, "reason", h->flags & MS_SEED_AT_EXEC ? "exec" : "start");
		json_str(o, "source", h->flags & MS_SEED_FROM_KERNEL ? "kernel" : "proc");
		json_u64(o, "regions", p ? p->nr_regions : 0);
		break;
	}
	}
}

static void print_json(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	const struct region *r = region_of(v, h, l);
	struct json_obj o;

	json_begin(&o, v->out);
	json_u64(&o, "ts_ns", h->ts_ns);
	json_str(&o, "event", l->event);
	json_u64(&o, "pid", h->pid);
	json_u64(&o, "tid", h->tid);
	json_strn(&o, "comm", l->comm, MS_COMM_LEN);
	json_fields(v, &o, h);
	if (l->ex.cause) {
		json_str(&o, "cause", l->ex.cause);
		json_str(&o, "explain", l->ex.text);
	}
	if (r) {
		json_str(&o, "class", region_class_name(r->cls));
		json_object_begin(&o, "region");
		json_hex(&o, "start", r->start);
		json_hex(&o, "end", r->end);
		if (r->path)
			json_str(&o, "path", r->path);
		json_object_end(&o);
	}
	json_end(&o);
}

/* The line after a process's exit: its life in one line (view/exitsum.c). */
static void print_exit_summary(struct event_view *v, const struct ms_hdr *h, const char *comm)
{
	struct line l = { .h = h, .event = "summary", .prot = -1 };
	struct exit_summary es;
	struct json_obj o;

	if (!exitsum__get(v->exitsum, h, &es))
		return;
	if (v->s->json) {
		json_begin(&o, v->out);
		json_u64(&o, "ts_ns", h->ts_ns);
		json_str(&o, "event", "summary");
		json_u64(&o, "pid", h->pid);
		json_u64(&o, "tid", h->tid);
		json_strn(&o, "comm", comm, MS_COMM_LEN);
		exitsum__json(&es, &o);
		json_end(&o);
		return;
	}
	memcpy(l.comm, comm, MS_COMM_LEN);
	exitsum__text(&es, l.detail, sizeof(l.detail));
	print_text(v, h, &l);
}

static void explain_record(struct event_view *v, const struct ms_hdr *h, struct line *l)
{
	if (h->type == MS_SIGNAL)
		explain__signal(v->explain, (const struct ms_signal *)h, &l->ex);
	else if (h->type == MS_BRK || h->type == MS_MMAP || h->type == MS_MREMAP)
		explain__enomem(v->explain, (const struct ms_syscall *)h, &l->ex);
}

int event_view__fn(void *ctx, const struct ms_hdr *h)
{
	struct event_view *v = ctx;
	struct line l = { .h = h };

	exitsum__note(v->exitsum, h);
	if (printed(v, h)) {
		l.event = event_name(h);
		comm_of(v, h, l.comm);
		explain_record(v, h, &l);
		describe(v, h, &l);
		if (v->s->json)
			print_json(v, h, &l);
		else
			print_text(v, h, &l);
		if (h->type == MS_EXIT)
			print_exit_summary(v, h, l.comm);
	}
	explain__note(v->explain, h); /* after: a munmap explains later signals */
	return 0;
}
