// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "source/cgroup.h"
#include "source/oom_resolve.h"

#define PATH_KEPT 1024 /* bytes of each cgroup path the record keeps */

struct members {
	__u32 pid[MS_OOM_MEMBERS];
	unsigned nr;
};

static void add_member(struct members *m, __u32 pid)
{
	unsigned i;

	for (i = 0; i < m->nr; i++)
		if (m->pid[i] == pid)
			return;
	if (m->nr < MS_OOM_MEMBERS)
		m->pid[m->nr++] = pid;
}

/* The processes of the cgroup directory dirfd and of those below it. */
static void list_members(int dirfd, struct members *m, int depth)
{
	struct dirent *d;
	char line[32];
	FILE *f;
	DIR *dir;
	int fd;

	fd = openat(dirfd, "cgroup.procs", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	f = fd >= 0 ? fdopen(fd, "r") : NULL;
	while (f && fgets(line, sizeof(line), f))
		add_member(m, strtoul(line, NULL, 10));
	if (f)
		fclose(f);
	else if (fd >= 0)
		close(fd);
	dir = depth < 32 ? fdopendir(dirfd) : NULL;
	if (!dir) {
		close(dirfd);
		return;
	}
	while ((d = readdir(dir)) && m->nr < MS_OOM_MEMBERS) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			list_members(fd, m, depth + 1);
	}
	closedir(dir);
}

static void members_of(const char *cgroup, struct members *m)
{
	static const char *const roots[] = { "/sys/fs/cgroup/memory", "/sys/fs/cgroup",
					     "/sys/fs/cgroup/unified" };
	char path[PATH_KEPT + 64];
	struct statfs sf;
	unsigned i;
	int fd;

	for (i = 0; i < 3; i++) {
		if (statfs(roots[i], &sf) ||
		    (sf.f_type != CGROUP_SUPER_MAGIC && sf.f_type != CGROUP2_SUPER_MAGIC))
			continue;
		snprintf(path, sizeof(path), "%s%s", roots[i], cgroup);
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0) {
			list_members(fd, m, 0);
			return;
		}
	}
}

/* The machine's memory: MemTotal, and what is not available. */
static void machine_memory(__u64 *total, __u64 *used)
{
	unsigned long long kb, avail = 0;
	char line[128];
	FILE *f = fopen("/proc/meminfo", "re");

	*total = *used = 0;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1)
			*total = kb * 1024;
		else if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
			avail = kb * 1024;
	}
	if (f)
		fclose(f);
	*used = *total > avail ? *total - avail : 0;
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = 0;
}

static size_t put_path(char *dst, __u64 id, const char *known, __u16 *len)
{
	char path[PATH_KEPT];

	if (known)
		copy_str(path, sizeof(path), known);
	else if (!id || cgroup__path(id, path, sizeof(path)))
		path[0] = 0;
	*len = strlen(path);
	memcpy(dst, path, *len + 1);
	return *len + 1;
}

/* The memory cgroup of a task from /proc: "N:memory:/path" (v1) or "0::/path" (v2). */
static void proc_memcg(__u32 tid, char *path, size_t size)
{
	char name[64], line[PATH_KEPT + 64], *p;
	FILE *f;

	path[0] = 0;
	snprintf(name, sizeof(name), "/proc/%u/cgroup", tid);
	f = fopen(name, "re");
	while (f && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		p = strchr(line, ':');
		if (!p)
			continue;
		if (!strncmp(p, ":memory:", 8))
			copy_str(path, size, p + 8);
		else if (!path[0] && !strncmp(line, "0::", 3))
			copy_str(path, size, line + 3);
	}
	if (f)
		fclose(f);
}

/*
 * Before 6.8 the kernel names only the thread: its process, comm and cgroup
 * come from /proc (the victim is dying: best effort), and a cgroup whose
 * usage is at its limit is taken for the constraint.
 */
static void from_proc(struct ms_oom *e, char *cgroup, size_t size)
{
	char name[64], line[128];
	struct memcg_usage u;
	FILE *f;

	snprintf(name, sizeof(name), "/proc/%u/status", e->h.tid);
	f = fopen(name, "re");
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "Tgid: %u", &e->h.pid) == 1)
			break;
		if (!e->comm[0] && !strncmp(line, "Name:\t", 6)) {
			line[strcspn(line, "\n")] = 0;
			copy_str(e->comm, sizeof(e->comm), line + 6);
		}
	}
	if (f)
		fclose(f);
	proc_memcg(e->h.tid, cgroup, size);
	if (cgroup[0] && !memcg__read(cgroup, &u) && u.has_limit &&
	    u.usage + (4 << 20) >= u.limit) {
		e->h.flags |= MS_OOM_MEMCG | MS_OOM_HAS_LIMIT;
		e->limit = u.limit;
		e->usage = u.usage;
	}
}

const struct ms_hdr *oom_resolve(const struct ms_oom *in, void *buf)
{
	struct ms_oom *e = buf;
	struct members m = { .nr = 0 };
	__u64 page = sysconf(_SC_PAGESIZE);
	char *paths, *oom_path, cgroup[PATH_KEPT];
	const char *known = NULL;
	struct memcg_usage u;
	size_t off;

	memcpy(e, in, sizeof(*e));
	if (!(e->h.flags & MS_OOM_FIGURES)) {
		from_proc(e, cgroup, sizeof(cgroup));
		known = cgroup;
	}
	add_member(&m, e->h.pid);
	e->h.flags |= MS_OOM_RESOLVED;
	if (e->h.flags & MS_OOM_COUNTER) {
		e->limit *= page;
		e->usage *= page;
	}
	paths = (char *)e + sizeof(*e) + MS_ALIGN8(MS_OOM_MEMBERS * sizeof(__u32));
	off = put_path(paths, in->memcg_id, known, &e->cgroup_len);
	oom_path = paths + off;
	off += put_path(oom_path, in->oom_memcg_id,
			known && (e->h.flags & MS_OOM_MEMCG) ? known : NULL, &e->oom_cgroup_len);
	if (!(e->h.flags & MS_OOM_MEMCG)) {
		machine_memory(&e->limit, &e->usage);
		e->h.flags |= MS_OOM_HAS_LIMIT;
	} else if (e->oom_cgroup_len && !memcg__read(oom_path, &u) && u.has_limit) {
		e->limit = u.limit; /* the usage stays the kernel's, at the kill */
	}
	members_of(e->h.flags & MS_OOM_MEMCG ? oom_path : paths, &m);
	/* the members first, then the paths after them */
	e->nr_members = m.nr;
	memcpy(e->members, m.pid, m.nr * sizeof(__u32));
	memmove((char *)e->members + MS_ALIGN8(m.nr * sizeof(__u32)), paths, off);
	e->h.size = sizeof(*e) + MS_ALIGN8(m.nr * sizeof(__u32)) + MS_ALIGN8(off);
	memset((char *)e + e->h.size - (MS_ALIGN8(off) - off), 0, MS_ALIGN8(off) - off);
	return &e->h;
}
