// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <string.h>
#include "util/record.h"

/* Each type's fixed part, and at least the NUL of a string that ends it. */
static const unsigned short min_size[MS_TYPE_MAX] = {
	[MS_BRK] = sizeof(struct ms_syscall),
	[MS_MMAP] = sizeof(struct ms_syscall),
	[MS_MUNMAP] = sizeof(struct ms_syscall),
	[MS_MREMAP] = sizeof(struct ms_syscall),
	[MS_MPROTECT] = sizeof(struct ms_syscall),
	[MS_MADVISE] = sizeof(struct ms_syscall),
	[MS_FAULT] = sizeof(struct ms_fault),
	[MS_STACK] = sizeof(struct ms_stack),
	[MS_FORK] = offsetof(struct ms_fork, cg), /* older recordings end there */
	[MS_EXEC] = sizeof(struct ms_exec) + 1,
	[MS_EXIT] = sizeof(struct ms_exit),
	[MS_EXIT_MMAP] = sizeof(struct ms_hdr),
	[MS_SIGNAL] = sizeof(struct ms_signal),
	[MS_LIMITS] = sizeof(struct ms_limits),
	[MS_SHMAT] = sizeof(struct ms_syscall),
	[MS_SHMDT] = sizeof(struct ms_syscall),
	[MS_PKEY_MPROTECT] = sizeof(struct ms_syscall),
	[MS_MSEAL] = sizeof(struct ms_syscall),
	[MS_REMAP_FILE_PAGES] = sizeof(struct ms_syscall),
	[MS_PRCTL] = sizeof(struct ms_syscall),
	[MS_PROCESS_MADVISE] = sizeof(struct ms_syscall),
	[MS_MLOCK] = sizeof(struct ms_syscall),
	[MS_MLOCK2] = sizeof(struct ms_syscall),
	[MS_MUNLOCK] = sizeof(struct ms_syscall),
	[MS_MLOCKALL] = sizeof(struct ms_syscall),
	[MS_MUNLOCKALL] = sizeof(struct ms_syscall),
	[MS_MBIND] = sizeof(struct ms_syscall),
	[MS_SET_MEMPOLICY_HOME_NODE] = sizeof(struct ms_syscall),
	[MS_UFFDIO] = sizeof(struct ms_syscall),
	[MS_VMA_NOW] = sizeof(struct ms_vma_now), /* after a call: the VMA it made */
	[MS_USTACK] = sizeof(struct ms_ustack),
	[MS_MODULE] = sizeof(struct ms_module) + 1,
	[MS_SYMBOL] = sizeof(struct ms_symbol) + 1,
	[MS_FRAMES] = sizeof(struct ms_frames) + sizeof(__u64),
	[MS_FAULTS] = sizeof(struct ms_faults),
	[MS_LOST] = sizeof(struct ms_lost),
	[MS_SEED_BEGIN] = offsetof(struct ms_seed_begin, cg),
	[MS_VMA] = sizeof(struct ms_vma) + 1,
	[MS_SEED_END] = sizeof(struct ms_seed_end),
	[MS_NAME] = sizeof(struct ms_name) + 1,
	[MS_RESIDENT] = sizeof(struct ms_resident),
	[MS_OOM] = sizeof(struct ms_oom),
	[MS_CGROUP] = sizeof(struct ms_cgroup) + 1,
	[MS_CGROUP_MOVE] = sizeof(struct ms_cgroup_move),
};

static bool oom_ok(const struct ms_oom *e);

size_t record_min_size(unsigned type)
{
	return type < MS_TYPE_MAX ? min_size[type] : 0;
}

const char *record_comm(const struct ms_hdr *h)
{
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2:
		return ((const struct ms_syscall *)h)->comm;
	case MS_FORK:
		return ((const struct ms_fork *)h)->comm;
	case MS_EXEC:
		return ((const struct ms_exec *)h)->comm;
	case MS_EXIT:
		return ((const struct ms_exit *)h)->comm;
	case MS_SEED_BEGIN:
		return ((const struct ms_seed_begin *)h)->comm;
	case MS_OOM:
		return ((const struct ms_oom *)h)->comm;
	}
	return NULL;
}

/* A string of at most room bytes, of which the first len are text, NUL after. */
static bool str_ok(const char *s, __u32 len, size_t room)
{
	return len < room && memchr(s, 0, len + 1) == s + len;
}

bool record_ok(const struct ms_hdr *h)
{
	size_t size = h->size;

	if (size < sizeof(*h) || size > MS_REC_MAX)
		return false;
	if (!record_min_size(h->type))
		return true;
	if (size < record_min_size(h->type))
		return false;
	switch (h->type) {
	case MS_BRK ... MS_MADVISE:
	case MS_SYS_FIRST2 ... MS_SYS_LAST2: {
		const struct ms_syscall *s = (const void *)h;
		const struct ms_file *f = (const void *)(s + 1);
		size_t room = size - sizeof(*s);

		if (!(h->flags & MS_FILE_VALID))
			return true;
		return room >= sizeof(*f) + 1 && str_ok(f->path, f->path_len, room - sizeof(*f));
	}
	case MS_EXEC: {
		const struct ms_exec *e = (const void *)h;

		return str_ok(e->filename, e->filename_len, size - sizeof(*e));
	}
	case MS_NAME: {
		const struct ms_name *n = (const void *)h;

		return str_ok(n->path, n->path_len, size - sizeof(*n));
	}
	case MS_MODULE: {
		const struct ms_module *m = (const void *)h;

		return m->build_id_len <= MS_BUILD_ID_MAX &&
		       str_ok(m->path, m->path_len, size - sizeof(*m));
	}
	case MS_SYMBOL: {
		const struct ms_symbol *y = (const void *)h;

		return y->build_id_len <= MS_BUILD_ID_MAX && y->name_len < MS_SYMBOL_NAME_MAX &&
		       str_ok(y->name, y->name_len, size - sizeof(*y));
	}
	case MS_FRAMES: {
		const struct ms_frames *fr = (const void *)h;

		return fr->nr && fr->nr <= MS_FRAMES_MAX &&
		       fr->nr <= (size - sizeof(*fr)) / sizeof(__u64);
	}
	case MS_USTACK:
		return ((const struct ms_ustack *)h)->len +
			       (__u64)((const struct ms_ustack *)h)->nr_fp * sizeof(__u64) <=
		       size - sizeof(struct ms_ustack);
	case MS_VMA: {
		const struct ms_vma *v = (const void *)h;

		return v->start < v->end && str_ok(v->path, v->path_len, size - sizeof(*v));
	}
	case MS_CGROUP: {
		const struct ms_cgroup *c = (const void *)h;

		return str_ok(c->path, c->path_len, size - sizeof(*c));
	}
	case MS_RESIDENT: {
		const struct ms_resident *r = (const void *)h;

		return r->nr <= (size - sizeof(*r)) / sizeof(r->r[0]);
	}
	case MS_OOM:
		return oom_ok((const struct ms_oom *)h);
	}
	return true;
}

/* Where a resolved MS_OOM record's paths begin: after its members. */
static const char *oom_paths(const struct ms_oom *e)
{
	return (const char *)e->members + MS_ALIGN8(e->nr_members * sizeof(__u32));
}

static bool oom_ok(const struct ms_oom *e)
{
	size_t room = e->h.size - sizeof(*e), members;
	const char *p;

	if (!(e->h.flags & MS_OOM_RESOLVED))
		return true;
	members = MS_ALIGN8(e->nr_members * sizeof(__u32));
	if (e->nr_members > MS_OOM_MEMBERS || members > room)
		return false;
	room -= members;
	p = oom_paths(e);
	if (!str_ok(p, e->cgroup_len, room))
		return false;
	return str_ok(p + e->cgroup_len + 1, e->oom_cgroup_len, room - e->cgroup_len - 1);
}

const char *record_oom_cgroup(const struct ms_oom *e, bool constraint)
{
	const char *p;

	if (!(e->h.flags & MS_OOM_RESOLVED))
		return "";
	p = oom_paths(e);
	return constraint ? p + e->cgroup_len + 1 : p;
}
