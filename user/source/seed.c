// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "util/clock.h"
#include "source/seed.h"
#include "source/seed_hints.h"

/* /proc/PID/name, up to size - 1 bytes, NUL-terminated: its length, or -errno. */
static ssize_t read_proc_file(__u32 pid, const char *name, char *buf, size_t size)
{
	char path[64];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = 0;
	return n;
}

int read_comm(__u32 pid, char comm[MS_COMM_LEN])
{
	ssize_t n;

	memset(comm, 0, MS_COMM_LEN);
	n = read_proc_file(pid, "comm", comm, MS_COMM_LEN);
	if (n < 0)
		return n;
	if (n && comm[n - 1] == '\n')
		comm[n - 1] = 0;
	return 0;
}

/*
 * One line of /proc/PID/maps, whole however long: a path can outgrow any
 * fixed buffer (the kernel prints paths past PATH_MAX), and the tail of a
 * split line must never be read as a line of its own. A line longer than
 * buf keeps its head (the fields) and its last MAPS_TAIL bytes: enough for
 * the MS_PATH_KEEP bytes a cut path keeps, even were each a "\012".
 */
#define MAPS_HEAD 256
#define MAPS_TAIL (4 * MS_PATH_MAX)

struct maps_line {
	char buf[MAPS_HEAD + MAPS_TAIL + 1];
	size_t len;
	bool cut; /* buf is the head, then the tail: the path's start is lost */
	char ring[MAPS_TAIL];
};

static bool read_maps_line(FILE *f, struct maps_line *l)
{
	char *tail = l->buf + MAPS_HEAD;
	size_t n = 0, at;
	int c;

	while ((c = getc_unlocked(f)) != EOF && c != '\n') {
		if (n < MAPS_HEAD)
			l->buf[n] = c;
		else
			tail[(n - MAPS_HEAD) % MAPS_TAIL] = c;
		n++;
	}
	if (!n && c == EOF)
		return false;
	l->cut = n > MAPS_HEAD + MAPS_TAIL;
	l->len = l->cut ? MAPS_HEAD + MAPS_TAIL : n;
	if (l->cut) { /* the tail is a ring: put its oldest byte first */
		at = (n - MAPS_HEAD) % MAPS_TAIL;
		memcpy(l->ring, tail + at, MAPS_TAIL - at);
		memcpy(l->ring + MAPS_TAIL - at, tail, at);
		memcpy(tail, l->ring, MAPS_TAIL);
	}
	l->buf[l->len] = 0;
	return true;
}

/* The fields before the path; returns where the path starts (after the padding). */
static int parse_fields(const char *line, struct ms_vma *v)
{
	unsigned long long start, end, off, ino;
	unsigned int major, minor;
	char perms[5];
	int n = 0;

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
	while (line[n] == ' ')
		n++;
	return n;
}

/*
 * The path as the kernel had it: /proc/PID/maps escapes only the newline,
 * as \012. A name with a literal "\012" reads the same; seed_process()
 * asks map_files for those, and where it cannot, they are taken for newlines.
 */
static size_t unescape_path(char *p, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (p[i] == '\\' && len - i >= 4 && !memcmp(p + i + 1, "012", 3)) {
			p[o++] = '\n';
			i += 3;
		} else {
			p[o++] = p[i];
		}
	}
	return o;
}

/*
 * Cuts a path longer than MS_PATH_KEEP as the BPF side does: the mark, the
 * last whole components that fit, " (deleted)" kept. Returns the length
 * written to out (MS_PATH_MAX bytes of room).
 */
static size_t cut_path(const char *p, size_t len, char *out, bool *cut)
{
	static const char deleted[] = " (deleted)";
	size_t dlen = sizeof(deleted) - 1, from;

	*cut = len > MS_PATH_KEEP;
	if (!*cut) {
		memcpy(out, p, len);
		return len;
	}
	if (memcmp(p + len - dlen, deleted, dlen))
		dlen = 0;
	from = len - dlen - (MS_PATH_KEEP - dlen);
	while (from < len - dlen && p[from] != '/')
		from++;
	memcpy(out, MS_PATH_CUT_MARK, 3);
	memcpy(out + 3, p + from, len - from);
	return 3 + len - from;
}

/* The path into v, NUL-padded to 8, and the record's size. */
static int set_path(struct ms_vma *v, const char *p, size_t len, size_t path_room)
{
	char path[MS_PATH_MAX];
	bool cut;

	len = cut_path(p, len, path, &cut);
	if (len >= path_room)
		return -ENAMETOOLONG;
	v->h.flags = cut ? MS_VMA_PATH_CUT : 0;
	v->h.size = MS_ALIGN8(sizeof(*v) + len + 1);
	memset(v->path, 0, v->h.size - sizeof(*v));
	memcpy(v->path, path, len);
	v->path_len = len;
	return 0;
}

int seed_parse_line(const char *line, struct ms_vma *v, size_t path_room)
{
	int at = parse_fields(line, v), err;
	char *path;

	if (at < 0)
		return at;
	path = strndup(line + at, strcspn(line + at, "\n"));
	if (!path)
		return -ENOMEM;
	err = set_path(v, path, unescape_path(path, strlen(path)), path_room);
	free(path);
	return err;
}

/* The region's file as readlink gives it: raw bytes, so no escape to guess at. */
static ssize_t map_file_name(__u32 pid, const struct ms_vma *v, char *out, size_t room)
{
	char link[96];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/%u/map_files/%llx-%llx", pid,
		 (unsigned long long)v->start, (unsigned long long)v->end);
	n = readlink(link, out, room);
	return n > 0 && (size_t)n < room ? n : -1;
}

/* One maps line into v: the fields, then the path unescaped and cut as BPF cuts it. */
static int parse_maps_line(__u32 pid, struct maps_line *l, struct ms_vma *v, size_t path_room)
{
	char raw[MS_PATH_MAX], *path;
	int at = parse_fields(l->buf, v);
	size_t len;
	ssize_t n;

	if (at < 0 || at > MAPS_HEAD)
		return -EINVAL;
	path = l->buf + (l->cut ? MAPS_HEAD : at);
	len = l->buf + l->len - path;
	if (!l->cut && memmem(path, len, "\\012", 4) &&
	    (n = map_file_name(pid, v, raw, sizeof(raw))) > 0)
		return set_path(v, raw, n, path_room);
	return set_path(v, path, unescape_path(path, len), path_room);
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

/*
 * /proc/PID/stat read whole (the command name may hold ')', spaces or a
 * newline). Returns where the fields after the name start, NULL if gone.
 */
static char *read_stat(__u32 pid, char *buf, size_t size)
{
	return read_proc_file(pid, "stat", buf, size) > 0 ? strrchr(buf, ')') : NULL;
}

int proc_state(__u32 pid, char *state, unsigned long *flags)
{
	char buf[2048], *p = read_stat(pid, buf, sizeof(buf));

	/* ") S ppid pgrp session tty_nr tpgid flags" */
	if (!p || sscanf(p, ") %c %*d %*d %*d %*d %*d %lu", state, flags) != 2)
		return -ESRCH;
	return 0;
}

static void read_limits(__u32 pid, struct ms_limits *l)
{
	char path[64], stat[2048], *line = NULL, *p;
	size_t cap = 0;
	FILE *f;
	int field;

	snprintf(path, sizeof(path), "/proc/%u/limits", pid);
	if ((f = fopen(path, "re"))) {
		while (getline(&line, &cap, f) > 0) {
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
		while (getline(&line, &cap, f) > 0)
			if (sscanf(line, "VmData: %llu", (unsigned long long *)&l->data_vm) == 1)
				l->data_vm /= 4; /* kB to pages */
		fclose(f);
	}
	free(line);
	/* arg_start, arg_end, env_start, env_end: fields 48 to 51 of stat */
	p = read_stat(pid, stat, sizeof(stat));
	for (field = 2; p && field < 48; field++)
		p = strchr(p + 1, ' ');
	if (p)
		sscanf(p, " %llu %llu %llu %llu", (unsigned long long *)&l->arg_start,
		       (unsigned long long *)&l->arg_end, (unsigned long long *)&l->env_start,
		       (unsigned long long *)&l->env_end);
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

int seed_process(struct stream *s, __u32 pid, __u32 flags, const struct ms_cgroup_ids *ids)
{
	static struct maps_line line; /* 33 KiB: not on the stack; one reader at a time */
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
	char path[64];
	__u64 ts = now_ns();
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	fill(&begin.h, MS_SEED_BEGIN, sizeof(begin), pid, ts);
	begin.h.flags = flags;
	begin.cg = *ids;
	if (read_comm(pid, begin.comm)) {
		fclose(f);
		return -ESRCH;
	}
	/* a big buffer: the kernel fills whole pages of lines per read() */
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	if (!read_maps_line(f, &line)) { /* a kernel thread (or not ours to read) */
		err = ferror(f) ? -errno : -ENODATA;
		fclose(f);
		return err;
	}
	err = stream__emit(s, &begin.h);
	nr_sp = seed_thread_sps(pid, sp, MAX_THREAD_SPS);
	do {
		if (parse_maps_line(pid, &line, &rec.v, MS_REC_MAX - sizeof(rec.v)))
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
	} while (!err && read_maps_line(f, &line));
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
	static struct maps_line line;
	FILE *f = fopen("/proc/self/maps", "re");
	int err = -ENOENT;
	size_t n = sizeof(" [vsyscall]") - 1;

	if (!f)
		return -errno;
	while (err && read_maps_line(f, &line))
		if (!line.cut && line.len > n && !strcmp(line.buf + line.len - n, " [vsyscall]") &&
		    !parse_maps_line(getpid(), &line, v, 16))
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
