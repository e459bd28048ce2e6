// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "util/clock.h"
#include "util/log.h"
#include "source/names.h"

#define NAMES_MAX 65536 /* distinct files followed; more are not */
#define DELETED " (deleted)"

/* One mapped file, and one place a process maps it (where its name is read). */
struct file_ent {
	__u64 ino;
	__u32 dev; /* kernel dev_t: the key, with ino */
	__u32 pid;
	__u64 addr;
	dev_t st_dev; /* what stat(path) gave while the name was right */
	ino_t st_ino;
	char *path;
};

struct names {
	struct file_ent *ents; /* sorted by (dev, ino) */
	size_t nr, cap;
	__u64 checks, stats, renamed, spent_ns;
};

struct names *names__new(void)
{
	return calloc(1, sizeof(struct names));
}

void names__free(struct names *n)
{
	size_t i;

	if (!n)
		return;
	for (i = 0; i < n->nr; i++)
		free(n->ents[i].path);
	free(n->ents);
	free(n);
}

size_t names__count(const struct names *n)
{
	return n->nr;
}

void names__report(const struct names *n)
{
	if (n && log_verbose())
		info("mapped file names: %llu checks, %llu files looked at, %llu renamed, %.1f ms; "
		     "%zu files known",
		     (unsigned long long)n->checks, (unsigned long long)n->stats,
		     (unsigned long long)n->renamed, n->spent_ns / 1e6, n->nr);
}

static int cmp_key(__u32 dev, __u64 ino, const struct file_ent *e)
{
	if (dev != e->dev)
		return dev < e->dev ? -1 : 1;
	if (ino != e->ino)
		return ino < e->ino ? -1 : 1;
	return 0;
}

/* Where (dev, ino) is or would go. */
static size_t find(const struct names *n, __u32 dev, __u64 ino, bool *found)
{
	size_t lo = 0, hi = n->nr;

	*found = false;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_key(dev, ino, &n->ents[mid]);

		if (!c) {
			*found = true;
			return mid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

static bool ends_with(const char *s, size_t len, const char *tail)
{
	size_t t = strlen(tail);

	return len >= t && !memcmp(s + len - t, tail, t);
}

/* A file in a tree, whose name may still change: not a pseudo file, not deleted. */
static bool may_change(const char *path, size_t len)
{
	return len && path[0] == '/' && !ends_with(path, len, DELETED);
}

static void note(struct names *n, __u32 pid, __u64 addr, __u32 dev, __u64 ino, const char *path,
		 size_t len)
{
	struct file_ent *e;
	bool found;
	size_t i;

	if (!may_change(path, len) || !ino)
		return;
	i = find(n, dev, ino, &found);
	if (found) { /* the newest place it is mapped */
		n->ents[i].pid = pid;
		n->ents[i].addr = addr;
		return;
	}
	if (n->nr == NAMES_MAX)
		return;
	if (n->nr == n->cap) {
		size_t cap = n->cap ? n->cap * 2 : 64;
		struct file_ent *ents = realloc(n->ents, cap * sizeof(*ents));

		if (!ents)
			return;
		n->ents = ents;
		n->cap = cap;
	}
	e = &n->ents[i];
	memmove(e + 1, e, (n->nr - i) * sizeof(*e));
	*e = (struct file_ent){ .ino = ino, .dev = dev, .pid = pid, .addr = addr };
	e->st_dev = makedev(dev >> 20, dev & 0xfffff);
	e->st_ino = ino;
	e->path = strndup(path, len);
	if (!e->path) {
		memmove(e, e + 1, (n->nr - i) * sizeof(*e));
		return;
	}
	n->nr++;
}

int names__note(void *ctx, const struct ms_hdr *h)
{
	struct names *n = ctx;

	switch (h->type) {
	case MS_MMAP:
	case MS_SHMAT: {
		const struct ms_syscall *s = (const void *)h;
		const struct ms_file *f = (const void *)(s + 1);
		__u64 addr = s->ret;

		/* live only: records straight from the kernel side, well formed */
		if (s->ret < 0 || !(h->flags & MS_FILE_VALID) || h->flags & MS_FILE_PATH_CUT)
			return 0;
		note(n, h->pid, addr, f->dev, f->ino, f->path, f->path_len);
		break;
	}
	case MS_VMA: {
		const struct ms_vma *v = (const void *)h;

		if (!(h->flags & MS_VMA_PATH_CUT))
			note(n, h->pid, v->start, v->dev, v->ino, v->path, v->path_len);
		break;
	}
	}
	return 0;
}

/*
 * The kernel's name of the file mapped at addr in pid, as /proc/PID/maps
 * prints it (map_files links to it, by VMA), if it still is (dev, ino).
 */
static int kernel_name(const struct file_ent *e, char *out, size_t size)
{
	struct dirent *d;
	char dir[64], link[64 + sizeof(d->d_name)];
	unsigned long long s, end;
	struct stat st;
	ssize_t len = -1;
	DIR *dp;

	snprintf(dir, sizeof(dir), "/proc/%u/map_files", e->pid);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((d = readdir(dp))) {
		if (sscanf(d->d_name, "%llx-%llx", &s, &end) != 2 || e->addr < s || e->addr >= end)
			continue;
		snprintf(link, sizeof(link), "%s/%s", dir, d->d_name);
		if (stat(link, &st) || st.st_ino != e->ino ||
		    (__u32)(major(st.st_dev) << 20 | minor(st.st_dev)) != e->dev)
			break;
		len = readlink(link, out, size - 1);
		break;
	}
	closedir(dp);
	if (len < 0 || len >= (ssize_t)size - 1) /* longer than a record keeps */
		return -1;
	out[len] = 0;
	return len;
}

static void emit_name(struct stream *s, const struct file_ent *e, const char *path, size_t len,
		      __u64 ts)
{
	union {
		struct ms_name n;
		char buf[sizeof(struct ms_name) + MS_PATH_MAX + 8];
	} r;

	memset(&r.n, 0, sizeof(r.n));
	r.n.h.ts_ns = ts;
	r.n.h.type = MS_NAME;
	r.n.h.size = MS_ALIGN8(sizeof(r.n) + len + 1);
	r.n.ino = e->ino;
	r.n.dev = e->dev;
	r.n.path_len = len;
	memcpy(r.n.path, path, len);
	memset(r.n.path + len, 0, 8);
	stream__emit(s, &r.n.h);
}

static void drop(struct names *n, size_t i)
{
	free(n->ents[i].path);
	memmove(&n->ents[i], &n->ents[i + 1], (n->nr - i - 1) * sizeof(n->ents[0]));
	n->nr--;
}

int names__check(struct names *n, struct stream *s, __u64 ts)
{
	char path[MS_PATH_KEEP + 1];
	__u64 t0 = now_ns();
	struct stat st;
	int emitted = 0, len;
	size_t i = 0;

	n->checks++;
	n->stats += n->nr;
	while (i < n->nr) {
		struct file_ent *e = &n->ents[i];

		if (!stat(e->path, &st) && st.st_dev == e->st_dev && st.st_ino == e->st_ino) {
			i++;
			continue;
		}
		len = kernel_name(e, path, sizeof(path));
		if (len < 0) { /* unmapped there, or gone: learnt again at its next mmap */
			drop(n, i);
			continue;
		}
		if (strcmp(path, e->path)) {
			emit_name(s, e, path, len, ts);
			emitted++;
		}
		if (!may_change(path, len)) {
			drop(n, i);
			continue;
		}
		/* the name the kernel has, and what stat says of it (btrfs, overlayfs differ) */
		free(e->path);
		e->path = strdup(path);
		if (!e->path || stat(path, &st)) {
			drop(n, i);
			continue;
		}
		e->st_dev = st.st_dev;
		e->st_ino = st.st_ino;
		i++;
	}
	n->renamed += emitted;
	n->spent_ns += now_ns() - t0;
	return emitted;
}
