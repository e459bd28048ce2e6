// SPDX-License-Identifier: GPL-2.0
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/pidtab.h"
#include "analysis/exitsum.h"
#include "util/escape.h"
#include "util/fmt.h"
#include "util/record.h"

enum since { SINCE_UNKNOWN, SINCE_FORK, SINCE_EXEC, SINCE_START };

struct oom_mark {
	bool killed;
	bool memcg;
	char cgroup[256];
};

struct exitsum {
	const struct model *m;
	struct pidtab *since; /* __u32 enum since, by pid */
	__u32 exiting_pid; /* the process whose exit record is the current one */
	__u32 exiting_since; /* its entry, taken out of the table */
	struct pidtab *oom; /* struct oom_mark by pid: the OOM killer's victims */
	struct oom_mark exiting_oom; /* the exiting process's, taken out */
};

struct exitsum *exitsum__new(const struct model *m)
{
	struct exitsum *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->m = m;
	x->since = pidtab__new(sizeof(__u32));
	x->oom = pidtab__new(sizeof(struct oom_mark));
	if (!x->since || !x->oom) {
		exitsum__free(x);
		return NULL;
	}
	return x;
}

void exitsum__free(struct exitsum *x)
{
	if (!x)
		return;
	pidtab__free(x->since);
	pidtab__free(x->oom);
	free(x);
}

static void set_since(struct exitsum *x, __u32 pid, enum since s, bool keep)
{
	__u32 *v = keep ? pidtab__get(x->since, pid) : NULL;

	if (v && *v)
		return;
	v = pidtab__put(x->since, pid);
	if (v)
		*v = s;
}

static void take_since(struct exitsum *x, __u32 pid)
{
	__u32 *v = pidtab__get(x->since, pid);

	x->exiting_pid = pid;
	struct oom_mark *k = pidtab__get(x->oom, pid);

	x->exiting_since = v ? *v : SINCE_UNKNOWN;
	pidtab__del(x->since, pid);
	memset(&x->exiting_oom, 0, sizeof(x->exiting_oom));
	if (k)
		x->exiting_oom = *k;
	pidtab__del(x->oom, pid);
}

static void mark_oom(struct exitsum *x, const struct ms_oom *e)
{
	struct oom_mark *k = pidtab__put(x->oom, e->h.pid);

	if (!k)
		return;
	k->killed = true;
	k->memcg = e->h.flags & MS_OOM_MEMCG;
	snprintf(k->cgroup, sizeof(k->cgroup), "%s", record_oom_cgroup(e, true));
}

void exitsum__note(struct exitsum *x, const struct ms_hdr *h)
{
	if (!x)
		return;
	switch (h->type) {
	case MS_FORK:
		if (!(h->flags & MS_FORK_THREAD) && h->size >= sizeof(struct ms_fork))
			set_since(x, ((const struct ms_fork *)h)->child_pid, SINCE_FORK, false);
		break;
	case MS_EXEC: /* a launched command is first seen at its exec */
		set_since(x, h->pid, SINCE_EXEC, true);
		break;
	case MS_SEED_BEGIN:
		if (h->flags & MS_SEED_AT_START)
			set_since(x, h->pid, SINCE_START, true);
		break;
	case MS_OOM:
		if (h->size >= sizeof(struct ms_oom))
			mark_oom(x, (const struct ms_oom *)h);
		break;
	case MS_EXIT: /* the process goes: so does its entry, printed or not */
		if (h->flags & MS_EXIT_GROUP)
			take_since(x, h->pid);
		break;
	}
}

bool exitsum__get(struct exitsum *x, const struct ms_hdr *h, struct exit_summary *out)
{
	static const char *const names[] = { "start", "fork", "exec", "start" };
	const struct ms_exit *e = (const void *)h;
	const struct mproc *p;
	__u32 since;

	if (!x || h->type != MS_EXIT || !(h->flags & MS_EXIT_GROUP) || h->size < sizeof(*e))
		return false;
	p = model__process(x->m, h->pid);
	if (!p)
		return false;
	since = x->exiting_pid == h->pid ? x->exiting_since : SINCE_UNKNOWN;
	memset(out, 0, sizeof(*out));
	out->since = names[since < 4 ? since : 0];
	out->lifetime_ns = h->ts_ns > p->start_ns ? h->ts_ns - p->start_ns : 0;
	out->peak_vsize = p->peak_vsize;
	out->peak_rss = p->peak_rss;
	out->peak_heap = p->peak_heap;
	out->peak_resident = NULL;
	for (int i = 0; i < RC_NR; i++)
		if (p->peak_resident[i])
			out->peak_resident = p->peak_resident;
	out->mmaps = p->mmaps;
	out->munmaps = p->munmaps;
	out->brks = p->brks;
	out->failed = p->failed;
	out->faults = p->faults;
	out->signal = e->exit_code & 0x7f;
	out->core_dumped = e->exit_code & 0x80;
	out->exit_code = (e->exit_code >> 8) & 0xff;
	if (x->exiting_pid == h->pid && x->exiting_oom.killed) {
		out->oom_killed = true;
		out->oom_memcg = x->exiting_oom.memcg;
		memcpy(out->oom_cgroup, x->exiting_oom.cgroup, sizeof(out->oom_cgroup));
	}
	return true;
}

static const char *sig_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	snprintf(buf, len, "SIG%s", abbrev ? abbrev : "?");
	return buf;
}

/* "; peak resident: heap 52K, arena 84K, ..." for the classes a sample found pages in. */
static void resident_text(const struct exit_summary *s, char *buf, size_t len)
{
	const char *sep = "; peak resident: ";
	char size[16];
	int i, n;

	for (i = 0; s->peak_resident && i < RC_NR && len > 1; i++) {
		if (!s->peak_resident[i])
			continue;
		n = snprintf(buf, len, "%s%s %s", sep, region_class_name(i),
			     fmt_size(size, sizeof(size), s->peak_resident[i]));
		if (n < 0 || (size_t)n >= len)
			return;
		buf += n;
		len -= n;
		sep = ", ";
	}
}

void exitsum__text(const struct exit_summary *s, char *buf, size_t len)
{
	char vs[16], rss[16], heap[16], how[384], sig[16], cg[256];

	if (s->oom_killed && s->oom_memcg)
		snprintf(how, sizeof(how),
			 "killed by the OOM killer (%s): memory cgroup %s at its limit",
			 sig_name(s->signal ? s->signal : SIGKILL, sig, sizeof(sig)),
			 esc_str(cg, sizeof(cg), s->oom_cgroup[0] ? s->oom_cgroup : "?", ESC_TEXT));
	else if (s->oom_killed)
		snprintf(how, sizeof(how),
			 "killed by the OOM killer (%s): the machine is out of memory",
			 sig_name(s->signal ? s->signal : SIGKILL, sig, sizeof(sig)));
	else if (s->signal)
		snprintf(how, sizeof(how), "killed by %s%s", sig_name(s->signal, sig, sizeof(sig)),
			 s->core_dumped ? " (core dumped)" : "");
	else
		snprintf(how, sizeof(how), "exit %d", s->exit_code);
	snprintf(buf, len,
		 "lifetime %s%.3fs, peak virtual %s, peak RSS %s, peak heap %s, mmap %llu, "
		 "munmap %llu, brk %llu, failed %llu, faults %llu, %s",
		 strcmp(s->since, "start") ? "" : ">", s->lifetime_ns / 1e9,
		 fmt_size(vs, sizeof(vs), s->peak_vsize), fmt_size(rss, sizeof(rss), s->peak_rss),
		 fmt_size(heap, sizeof(heap), s->peak_heap), (unsigned long long)s->mmaps,
		 (unsigned long long)s->munmaps, (unsigned long long)s->brks,
		 (unsigned long long)s->failed, (unsigned long long)s->faults, how);
	resident_text(s, buf + strlen(buf), len - strlen(buf));
}

void exitsum__json(const struct exit_summary *s, struct json_obj *o)
{
	char sig[16];

	json_u64(o, "lifetime_ns", s->lifetime_ns);
	json_str(o, "since", s->since);
	json_u64(o, "peak_vsize", s->peak_vsize);
	json_u64(o, "peak_rss", s->peak_rss);
	json_u64(o, "peak_heap", s->peak_heap);
	if (s->peak_resident) {
		json_object_begin(o, "peak_resident");
		for (int i = 0; i < RC_NR; i++)
			if (s->peak_resident[i])
				json_u64(o, region_class_name(i), s->peak_resident[i]);
		json_object_end(o);
	}
	json_u64(o, "mmaps", s->mmaps);
	json_u64(o, "munmaps", s->munmaps);
	json_u64(o, "brks", s->brks);
	json_u64(o, "failed", s->failed);
	json_u64(o, "faults", s->faults);
	if (s->signal) {
		json_str(o, "signal", sig_name(s->signal, sig, sizeof(sig)));
		json_bool(o, "core_dumped", s->core_dumped);
	} else {
		json_s64(o, "exit_code", s->exit_code);
	}
	if (s->oom_killed) {
		json_bool(o, "oom_killed", true);
		json_str(o, "oom_constraint", s->oom_memcg ? "memcg" : "machine");
		if (s->oom_memcg)
			json_str(o, "oom_cgroup", s->oom_cgroup);
	}
}
