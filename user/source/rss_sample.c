// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include "util/clock.h"
#include "source/rss_sample.h"

/* PAGEMAP_SCAN (linux/fs.h of 6.7+; the build's headers may be older) */
struct scan_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define SCAN_IOCTL _IOWR('f', 16, struct scan_arg)
#define PAGE_IS_FILE (1ULL << 2)
#define PAGE_IS_PRESENT (1ULL << 3)
#define PAGE_IS_SWAPPED (1ULL << 4)
#define PAGE_IS_PFNZERO (1ULL << 5)

/* The top of user space the scan covers (TASK_SIZE_MAX: the ioctl checks it) */
#if defined(__aarch64__)
#define USER_END ((1ULL << 48) - 4096)
#else
#define USER_END ((1ULL << 47) - 4096)
#endif

#define SCAN_VEC 1024

struct rss_sampler {
	struct stream *st;
	enum rss_source src;
	unsigned page_size;
	struct ms_rss_range *r; /* the sample being taken */
	size_t nr, cap;
	struct scan_region vec[SCAN_VEC];
	__u64 rec[MS_REC_MAX / 8];
};

struct rss_sampler *rss_sampler__new(struct stream *st, enum rss_source src)
{
	struct rss_sampler *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->st = st;
	s->src = src;
	s->page_size = sysconf(_SC_PAGESIZE);
	return s;
}

void rss_sampler__free(struct rss_sampler *s)
{
	if (!s)
		return;
	free(s->r);
	free(s);
}

const char *rss_sampler__source(const struct rss_sampler *s)
{
	return s->src == RSS_SMAPS ? "smaps" : "pagemap";
}

static int add_range(struct rss_sampler *s, __u64 start, __u64 end, __u64 rss, __u64 anon,
		     __u64 swap)
{
	if (s->nr == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		struct ms_rss_range *r = realloc(s->r, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		s->r = r;
		s->cap = cap;
	}
	s->r[s->nr++] = (struct ms_rss_range){ start, end, rss, anon, swap };
	return 0;
}

/* One run of pages in the same state: present (file or anonymous) or swapped. */
static int add_run(struct rss_sampler *s, const struct scan_region *v)
{
	__u64 pages = (v->end - v->start) / s->page_size;
	bool present = v->categories & PAGE_IS_PRESENT;
	bool file = v->categories & PAGE_IS_FILE;

	return add_range(s, v->start, v->end, present ? pages : 0, present && !file ? pages : 0,
			 v->categories & PAGE_IS_SWAPPED ? pages : 0);
}

/*
 * Present or swapped pages, the zero page left out (smaps does not count it:
 * it is no page of the process's). -ENOTTY: the kernel has no PAGEMAP_SCAN.
 */
static int scan_pagemap(struct rss_sampler *s, int fd)
{
	struct scan_arg a = {
		.size = sizeof(a),
		.start = 0,
		.end = USER_END,
		.vec = (__u64)(unsigned long)s->vec,
		.vec_len = SCAN_VEC,
		.category_inverted = PAGE_IS_PFNZERO,
		.category_mask = PAGE_IS_PFNZERO,
		.category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
		.return_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE,
	};
	int n, i, err;

	do {
		n = ioctl(fd, SCAN_IOCTL, &a);
		if (n < 0)
			return -errno;
		for (i = 0; i < n; i++)
			if ((err = add_run(s, &s->vec[i])))
				return err;
		a.start = a.walk_end;
	} while (a.walk_end < a.end && n > 0);
	return 0;
}

static int sample_pagemap(struct rss_sampler *s, __u32 pid)
{
	char path[64];
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%u/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	err = scan_pagemap(s, fd);
	close(fd);
	return err;
}

/* "Rss:   12 kB" as pages, when line starts with key. */
static bool smaps_field(const char *line, const char *key, unsigned page_size, __u64 *pages)
{
	size_t n = strlen(key);
	unsigned long long kb;

	if (strncmp(line, key, n) || sscanf(line + n, "%llu kB", &kb) != 1)
		return false;
	*pages = kb * 1024 / page_size;
	return true;
}

/* One range per region with resident or swapped pages. */
static int sample_smaps(struct rss_sampler *s, __u32 pid)
{
	struct ms_rss_range cur = {};
	unsigned long long start, end;
	char path[64], *line = NULL;
	size_t len = 0;
	int err = 0, n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/smaps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && getline(&line, &len, f) > 0) {
		/* a region's line starts with its address in lower-case hex; fields with a capital */
		if (isxdigit((unsigned char)line[0]) && !isupper((unsigned char)line[0]) &&
		    sscanf(line, "%llx-%llx %n", &start, &end, &n) == 2 && n > 0) {
			if (cur.rss || cur.swap)
				err = add_range(s, cur.start, cur.end, cur.rss, cur.anon, cur.swap);
			cur = (struct ms_rss_range){ .start = start, .end = end };
			continue;
		}
		if (line[0] == 'R')
			smaps_field(line, "Rss:", s->page_size, &cur.rss);
		else if (line[0] == 'A')
			smaps_field(line, "Anonymous:", s->page_size, &cur.anon);
		else if (line[0] == 'S')
			smaps_field(line, "Swap:", s->page_size, &cur.swap);
	}
	if (!err && (cur.rss || cur.swap))
		err = add_range(s, cur.start, cur.end, cur.rss, cur.anon, cur.swap);
	free(line);
	fclose(f);
	return err;
}

/* The sample in records of at most MS_REC_MAX bytes, all stamped ts. */
static void emit(struct rss_sampler *s, __u32 pid, __u64 ts)
{
	struct ms_resident *e = (struct ms_resident *)s->rec;
	size_t done = 0;

	do {
		size_t n = s->nr - done < MS_RES_PER_REC ? s->nr - done : MS_RES_PER_REC;

		memset(e, 0, sizeof(*e));
		e->h.ts_ns = ts;
		e->h.pid = e->h.tid = pid;
		e->h.type = MS_RESIDENT;
		e->h.size = sizeof(*e) + n * sizeof(e->r[0]);
		e->h.flags = (done ? 0 : MS_RES_FIRST) | (done + n == s->nr ? MS_RES_LAST : 0) |
			     (s->src == RSS_SMAPS ? MS_RES_SMAPS : 0);
		e->nr = n;
		memcpy(e->r, s->r + done, n * sizeof(e->r[0]));
		stream__emit(s->st, &e->h);
		done += n;
	} while (done < s->nr);
}

int rss_sampler__sample(struct rss_sampler *s, __u32 pid)
{
	int err = -ENOTTY;

	s->nr = 0;
	if (s->src != RSS_SMAPS)
		err = sample_pagemap(s, pid);
	/* older than 6.7 (or a scan that refuses our categories): smaps, for good */
	if ((err == -ENOTTY || err == -EINVAL) && s->src == RSS_AUTO) {
		s->src = RSS_SMAPS;
		s->nr = 0;
	}
	if (s->src == RSS_SMAPS)
		err = sample_smaps(s, pid);
	if (err)
		return err;
	emit(s, pid, now_ns());
	return 0;
}
