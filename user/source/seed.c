// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "clock.h"
#include "source/seed.h"
#include "source/seed_hints.h"

int read_comm(__u32 pid, char comm[MS_COMM_LEN])
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	memset(comm, 0, MS_COMM_LEN);
	n = fread(comm, 1, MS_COMM_LEN - 1, f);
	fclose(f);
	if (n && comm[n - 1] == '\n')
		comm[n - 1] = 0;
	return 0;
}

int seed_parse_line(const char *line, struct ms_vma *v, size_t path_room)
{
	unsigned long long start, end, off, ino;
	unsigned int major, minor;
	char perms[5];
	int n = 0;
	size_t len;
	const char *path;

	if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu%n", &start, &end, perms, &off, &major,
		   &minor, &ino, &n) != 7)
		return -EINVAL;
	memset(v, 0, sizeof(*v));
	v->h.type = MS_VMA;
	v->start = start;
	v->end = end;
	v->pgoff = off;
	v->ino = ino;
	v->dev = major << 20 | minor;
	v->prot = (perms[0] == 'r' ? MS_VMA_READ : 0) | (perms[1] == 'w' ? MS_VMA_WRITE : 0) |
		  (perms[2] == 'x' ? MS_VMA_EXEC : 0) | (perms[3] == 's' ? MS_VMA_SHARED : 0);
	path = line + n;
	while (*path == ' ')
		path++;
	len = strcspn(path, "\n");
	if (len >= path_room)
		len = path_room - 1;
	memcpy(v->path, path, len);
	v->path[len] = 0;
	v->path_len = len;
	v->h.size = MS_ALIGN8(sizeof(*v) + len + 1);
	memset(v->path + len, 0, v->h.size - sizeof(*v) - len);
	return 0;
}

static void fill(struct ms_hdr *h, __u16 type, __u16 size, __u32 pid, __u64 ts)
{
	h->ts_ns = ts;
	h->pid = pid;
	h->tid = pid;
	h->type = type;
	h->size = size;
	h->flags = 0;
}

/* A soft limit from /proc/PID/limits ("unlimited" is ~0, as the kernel keeps it). */
static __u64 soft_limit(const char *line)
{
	const char *v = line + 26; /* the columns are fixed: name, then soft limit */

	while (*v == ' ')
		v++;
	return !strncmp(v, "unlimited", 9) ? ~0ULL : strtoull(v, NULL, 10);
}

static void read_limits(__u32 pid, struct ms_limits *l)
{
	char path[64], line[512], *p;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%u/limits", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "Max address space", 17))
				l->as = soft_limit(line);
			else if (!strncmp(line, "Max data size", 13))
				l->data = soft_limit(line);
			else if (!strncmp(line, "Max stack size", 14))
				l->stack = soft_limit(line);
		}
		fclose(f);
	}
	snprintf(path, sizeof(path), "/proc/%u/status", pid);
	if ((f = fopen(path, "re"))) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "VmData: %llu", (unsigned long long *)&l->data_vm) == 1)
				l->data_vm /= 4; /* kB to pages */
		fclose(f);
	}
	/* arg_start, arg_end, env_start, env_end: fields 48 to 51 of stat */
	snprintf(path, sizeof(path), "/proc/%u/stat", pid);
	if ((f = fopen(path, "re")) && fgets(line, sizeof(line), f) && (p = strrchr(line, ')'))) {
		for (field = 2; p && field < 48; field++)
			p = strchr(p + 1, ' ');
		if (p)
			sscanf(p, " %llu %llu %llu %llu", (unsigned long long *)&l->arg_start,
			       (unsigned long long *)&l->arg_end,
			       (unsigned long long *)&l->env_start,
			       (unsigned long long *)&l->env_end);
	}
	if (f)
		fclose(f);
}

#define MAX_THREAD_SPS 1024

static bool anon_private(const struct ms_vma *v)
{
	return !(v->prot & MS_VMA_SHARED) && (!v->path_len || !strncmp(v->path, "[anon:", 6));
}

/* The thread whose stack pointer is in v: its tid, else the process's. */
static __u32 stack_owner(const struct ms_vma *v, const struct thread_sp *sp, size_t n, __u32 pid)
{
	size_t i;

	for (i = 0; i < n && anon_private(v); i++)
		if (sp[i].sp > v->start && sp[i].sp <= v->end)
			return sp[i].tid;
	return pid;
}

/* Anonymous rw memory right after an ELF's writable segment: its .bss? 0 when it is not. */
static int is_bss(__u32 pid, const struct ms_vma *prev, bool prev_file, const struct ms_vma *v)
{
	const __u32 rw = MS_VMA_READ | MS_VMA_WRITE;

	if (v->path_len || (v->prot & (rw | MS_VMA_SHARED)) != rw || prev->end != v->start ||
	    !prev_file || (prev->prot & (MS_VMA_WRITE | MS_VMA_SHARED)) != MS_VMA_WRITE)
		return 1;
	return seed_elf_bss(pid, prev->start, prev->end, prev->pgoff, v->start) != 0;
}

int seed_process(struct stream *s, __u32 pid, __u32 flags)
{
	union {
		struct ms_vma v;
		char buf[MS_REC_MAX];
	} rec;
	struct ms_seed_begin begin = {};
	struct ms_seed_end end = {};
	struct thread_sp sp[MAX_THREAD_SPS];
	struct ms_vma prev = {};
	bool prev_file = false;
	size_t nr_sp;
	char path[64], line[MS_PATH_MAX + 256];
	__u64 ts = now_ns();
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	fill(&begin.h, MS_SEED_BEGIN, sizeof(begin), pid, ts);
	begin.h.flags = flags;
	if (read_comm(pid, begin.comm)) {
		fclose(f);
		return -ESRCH;
	}
	/* a big buffer: the kernel fills whole pages of lines per read() */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	if (!fgets(line, sizeof(line), f)) { /* a kernel thread: no memory of its own */
		fclose(f);
		return -ENODATA;
	}
	err = stream__emit(s, &begin.h);
	nr_sp = seed_thread_sps(pid, sp, MAX_THREAD_SPS);
	do {
		if (seed_parse_line(line, &rec.v, MS_REC_MAX - sizeof(rec.v)))
			continue;
		rec.v.h.ts_ns = ts;
		rec.v.h.pid = pid;
		rec.v.h.tid = stack_owner(&rec.v, sp, nr_sp, pid);
		if (!is_bss(pid, &prev, prev_file, &rec.v))
			rec.v.h.flags |= MS_VMA_NOT_BSS;
		err = stream__emit(s, &rec.v.h);
		prev = rec.v;
		prev_file = rec.v.path[0] == '/';
		begin.nr_vmas++;
	} while (!err && fgets(line, sizeof(line), f));
	if (ferror(f))
		end.h.flags = MS_SEED_PARTIAL;
	fclose(f);
	fill(&end.h, MS_SEED_END, sizeof(end), pid, ts);
	end.h.flags |= flags;
	if (!err)
		err = stream__emit(s, &end.h);
	/* at exec the kernel side reports the limits itself */
	if (!err && !(flags & MS_SEED_AT_EXEC)) {
		struct ms_limits l = {};

		read_limits(pid, &l);
		fill(&l.h, MS_LIMITS, sizeof(l), pid, ts);
		l.map_count = begin.nr_vmas;
		err = stream__emit(s, &l.h);
	}
	return err;
}

int seed_gate_area(struct ms_vma *v)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (err && fgets(line, sizeof(line), f))
		if (strstr(line, " [vsyscall]\n") && !seed_parse_line(line, v, 16))
			err = 0;
	fclose(f);
	return err;
}

int for_each_proc(int (*fn)(__u32 pid, void *ctx), void *ctx)
{
	struct dirent *d;
	DIR *dir = opendir("/proc");
	int err = 0;

	if (!dir)
		return -errno;
	while (!err && (d = readdir(dir))) {
		char *end;
		unsigned long pid;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		pid = strtoul(d->d_name, &end, 10);
		if (*end)
			continue;
		err = fn(pid, ctx);
	}
	closedir(dir);
	return err;
}
