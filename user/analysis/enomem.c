// SPDX-License-Identifier: GPL-2.0
/*
 * Why an allocation failed (brk, mmap, mremap with ENOMEM): see explain.h.
 * The limits the kernel checked come from the MS_LIMITS record before the
 * call; without them, the likeliest cause from the layout.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include "analysis/explain.h"
#include "analysis/explain_int.h"
#include "util/fmt.h"

struct usage {
	__u64 data; /* private writable, not stack: what RLIMIT_DATA counts */
	__u32 regions;
};

static void usage_fn(const struct region *r, void *arg)
{
	struct usage *u = arg;

	u->regions++;
	if ((r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE && r->cls != RC_STACK &&
	    r->cls != RC_THREAD_STACK)
		u->data += r->end - r->start;
}

struct request {
	const char *call;
	__u64 len; /* bytes the call asked to add */
	bool data; /* counts against RLIMIT_DATA and overcommit */
};

static bool brk_failed(const struct ms_syscall *s, const struct mproc *p)
{
	return s->args[0] && (__u64)s->ret != s->args[0] && s->args[0] > (__u64)s->ret && p &&
	       p->start_brk && s->args[0] > p->start_brk;
}

static bool get_request(struct explain *x, const struct ms_syscall *s, struct request *q)
{
	const struct mproc *p = model__process(x->m, s->h.pid);
	const struct region *r;

	memset(q, 0, sizeof(*q));
	switch (s->h.type) {
	case MS_BRK:
		if (!brk_failed(s, p))
			return false;
		q->call = "brk";
		q->len = model__page_up(x->m, s->args[0]) - model__page_up(x->m, s->ret);
		q->data = true;
		return true;
	case MS_MMAP:
		if (s->ret != -ENOMEM)
			return false;
		q->call = "mmap";
		q->len = model__page_up(x->m, s->args[1]);
		q->data = (s->args[2] & PROT_WRITE) && !(s->args[3] & (MAP_SHARED | MAP_STACK)) &&
			  !(s->args[3] & MAP_NORESERVE);
		return true;
	case MS_MREMAP:
		if (s->ret != -ENOMEM)
			return false;
		r = model__region_at(x->m, s->h.pid, s->args[0]);
		q->call = "mremap";
		q->len = s->args[2] > s->args[1] ? model__page_up(x->m, s->args[2]) -
							   model__page_up(x->m, s->args[1]) :
						   0;
		q->data = r && (r->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) == MS_VMA_WRITE;
		return true;
	}
	return false;
}

/* Something mapped right above the heap, in the way of a brk. */
static const struct region *brk_blocker(struct explain *x, const struct ms_syscall *s)
{
	struct near n;

	find_near(x->m, s->h.pid, model__page_up(x->m, s->ret), &n);
	if (n.containing && n.containing->cls != RC_HEAP)
		return n.containing;
	if (n.above && n.above->start < model__page_up(x->m, s->args[0]))
		return n.above;
	return NULL;
}

/* With the limits the kernel checked (an MS_LIMITS record came just before the call). */
static void enomem_known(const struct mproc *p, const struct request *q, const char *req,
			 struct explanation *out)
{
	char lim[16], now[16], after[16];

	if (q->data && p->rlim_data != ~0ULL && p->data_vm + q->len > p->rlim_data) {
		say(out, "RLIMIT_DATA", "%s of %s failed: RLIMIT_DATA %s, data %s, %s after",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_data),
		    fmt_size(now, sizeof(now), p->data_vm),
		    fmt_size(after, sizeof(after), p->data_vm + q->len));
	} else if (p->rlim_as != ~0ULL && p->vsize + q->len > p->rlim_as) {
		say(out, "RLIMIT_AS", "%s of %s failed: RLIMIT_AS %s, virtual %s, %s after",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_as),
		    fmt_size(now, sizeof(now), p->vsize),
		    fmt_size(after, sizeof(after), p->vsize + q->len));
	} else if (p->map_count >= MAX_MAP_COUNT - 1) {
		say(out, "max_map_count", "%s of %s failed: %llu mappings, at vm.max_map_count",
		    q->call, req, (unsigned long long)p->map_count);
	} else if (q->data) {
		say(out, "overcommit",
		    "%s of %s failed under its limits (RLIMIT_AS %s, RLIMIT_DATA %s): the kernel "
		    "would not commit the memory (vm.overcommit_memory)",
		    q->call, req, fmt_limit(lim, sizeof(lim), p, p->rlim_as),
		    fmt_limit(now, sizeof(now), p, p->rlim_data));
	} else {
		say(out, "no-room", "%s of %s failed under its limits: no free range of that size",
		    q->call, req);
	}
}

bool explain__enomem(struct explain *x, const struct ms_syscall *s, struct explanation *out)
{
	const struct mproc *p;
	const struct region *blk;
	struct usage u = {};
	struct request q;
	char req[16], vs[16], after[16], data[16], d[256];

	if (!x || s->h.size < sizeof(*s) || !get_request(x, s, &q))
		return false;
	memset(out, 0, sizeof(*out));
	p = model__process(x->m, s->h.pid);
	model__for_each_region(x->m, s->h.pid, usage_fn, &u);
	fmt_size(req, sizeof(req), q.len);
	fmt_size(vs, sizeof(vs), p ? p->vsize : 0);
	fmt_size(after, sizeof(after), (p ? p->vsize : 0) + q.len);
	fmt_size(data, sizeof(data), u.data);
	if (u.regions >= MAX_MAP_COUNT - 16) {
		say(out, "max_map_count",
		    "%s of %s failed: %u mappings, at vm.max_map_count (%d by default)", q.call,
		    req, u.regions, MAX_MAP_COUNT);
		return true;
	}
	if (s->h.type == MS_BRK && (blk = brk_blocker(x, s))) {
		say(out, "brk-collision", "brk of %s failed: the heap would run into %s", req,
		    describe_region(d, sizeof(d), blk));
		return true;
	}
	if (p && p->limits_known) {
		enomem_known(p, &q, req, out);
		return true;
	}
	if (s->h.type == MS_BRK)
		say(out, "RLIMIT_DATA",
		    "brk of %s failed: likely RLIMIT_DATA (data %s + %s; or RLIMIT_AS: %s virtual, "
		    "or overcommit; limits not recorded)",
		    req, data, req, vs);
	else if (q.data)
		say(out, "RLIMIT_AS",
		    "%s of %s failed: likely RLIMIT_AS (%s virtual, %s after; or RLIMIT_DATA: %s "
		    "data, or overcommit; limits not recorded)",
		    q.call, req, vs, after, data);
	else
		say(out, "RLIMIT_AS",
		    "%s of %s failed: RLIMIT_AS (%s virtual, %s after; the mapping is not "
		    "private writable memory, so neither RLIMIT_DATA nor overcommit; limit not "
		    "recorded)",
		    q.call, req, vs, after);
	return true;
}
