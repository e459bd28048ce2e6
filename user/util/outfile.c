// SPDX-License-Identifier: GPL-2.0
/*
 * Output files for a tool that runs as root: nothing a user plants in the
 * target's directory (a symbolic link, a FIFO, a device node, a guessed
 * temporary name) may steer what is written where.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* fopencookie, renameat2 */
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include "util/outfile.h"

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

const char *file_type_name(mode_t mode)
{
	if (S_ISLNK(mode))
		return "a symbolic link";
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

/* What is at the target now: 0 if it may be (re)placed, else -errno and why. */
static int check_target(const struct outfile *o, char *err, size_t errlen)
{
	struct stat st;

	if (fstatat(o->dirfd, o->name, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return 0;
		set_err(err, errlen, "cannot check %s: %s", o->path, strerror(errno));
		return -errno;
	}
	if (S_ISLNK(st.st_mode)) {
		set_err(err, errlen, "%s is a symbolic link: refusing to write through it",
			o->path);
		return -ELOOP;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err, errlen, "%s is %s: memsnoop replaces only regular files", o->path,
			file_type_name(st.st_mode));
		return -EPERM;
	}
	if (!o->replace) {
		set_err(err, errlen, "%s exists: refusing to overwrite it (use --force)", o->path);
		return -EEXIST;
	}
	return 0;
}

/* A new file under a random name nobody can guess and plant beforehand. */
static int create_tmp(struct outfile *o, char *err, size_t errlen)
{
	unsigned long long r;
	int tries;

	for (tries = 0; tries < 16; tries++) {
		if (getrandom(&r, sizeof(r), 0) != sizeof(r))
			r ^= (unsigned long long)random() << 32 ^ random();
		snprintf(o->tmp, sizeof(o->tmp), ".%.32s.%016llx", o->name, r);
		o->fd = openat(o->dirfd, o->tmp,
			       O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (o->fd >= 0)
			return 0;
		if (errno != EEXIST)
			break;
	}
	o->tmp[0] = 0;
	set_err(err, errlen, "cannot create %s: %s", o->path, strerror(errno));
	return -errno;
}

static int open_in(struct outfile *o, const char *path, const char *name, bool replace, char *err,
		   size_t errlen)
{
	int e;

	o->fd = -1;
	o->tmp[0] = 0;
	o->replace = replace;
	o->path = strdup(path);
	o->name = strdup(name);
	if (!o->path || !o->name) {
		set_err(err, errlen, "out of memory");
		return -ENOMEM;
	}
	e = check_target(o, err, errlen);
	if (!e)
		e = create_tmp(o, err, errlen);
	return e;
}

int outfile__open_at(struct outfile *o, int dirfd, const char *dir, const char *name, bool replace,
		     char *err, size_t errlen)
{
	char path[PATH_MAX];
	int e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (o->dirfd < 0) {
		o->fd = -1;
		o->path = o->name = NULL;
		o->tmp[0] = 0;
		set_err(err, errlen, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	e = open_in(o, path, name, replace, err, errlen);
	if (e)
		outfile__close(o);
	return e;
}

int outfile__open(struct outfile *o, const char *path, bool replace, char *err, size_t errlen)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];
	int e;

	memset(o, 0, sizeof(*o));
	o->fd = o->dirfd = -1;
	if (slash && (size_t)(slash - path) >= sizeof(dir)) {
		set_err(err, errlen, "%s: %s", path, strerror(ENAMETOOLONG));
		return -ENAMETOOLONG;
	}
	if (!slash)
		strcpy(dir, ".");
	else if (slash == path)
		strcpy(dir, "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (!*(slash ? slash + 1 : path)) {
		set_err(err, errlen, "%s is a directory", path);
		return -EISDIR;
	}
	o->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (o->dirfd < 0) {
		e = -errno;
		set_err(err, errlen, "cannot create %s: %s", path, strerror(-e));
		return e;
	}
	e = open_in(o, path, slash ? slash + 1 : path, replace, err, errlen);
	if (e)
		outfile__close(o);
	return e;
}

int outfile__write(struct outfile *o, const void *buf, size_t len)
{
	return write_full(o->fd, buf, len);
}

int write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		p += n;
		len -= n;
	}
	return 0;
}

/* rename without replacing: atomic, so nothing that appeared meanwhile is lost */
static int rename_new(struct outfile *o)
{
	if (!renameat2(o->dirfd, o->tmp, o->dirfd, o->name, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* a file system without RENAME_NOREPLACE: link fails on an existing name too */
	if (linkat(o->dirfd, o->tmp, o->dirfd, o->name, 0))
		return -errno;
	unlinkat(o->dirfd, o->tmp, 0);
	return 0;
}

int outfile__publish(struct outfile *o, bool sync, char *err, size_t errlen)
{
	int e;

	if (!o->tmp[0])
		return 0;
	if (sync && fsync(o->fd)) {
		e = -errno;
		set_err(err, errlen, "%s: fsync: %s", o->path, strerror(-e));
		return e;
	}
	e = check_target(o, err, errlen);
	if (e)
		return e;
	/*
	 * A regular file may be replaced: renameat swaps directory entries and
	 * writes into nothing that was there, so a node planted after the
	 * check (only root can make devices) is unlinked, never written.
	 */
	if (!o->replace)
		e = rename_new(o);
	else if (renameat(o->dirfd, o->tmp, o->dirfd, o->name))
		e = -errno;
	if (e == -EEXIST)
		set_err(err, errlen, "%s appeared while writing it: refusing to overwrite it",
			o->path);
	else if (e)
		set_err(err, errlen, "cannot create %s: %s", o->path, strerror(-e));
	else
		o->tmp[0] = 0;
	return e;
}

void outfile__close(struct outfile *o)
{
	if (o->tmp[0] && o->dirfd >= 0)
		unlinkat(o->dirfd, o->tmp, 0);
	o->tmp[0] = 0;
	if (o->fd >= 0)
		close(o->fd);
	if (o->dirfd >= 0)
		close(o->dirfd);
	o->fd = o->dirfd = -1;
	free(o->path);
	free(o->name);
	o->path = o->name = NULL;
}

int outdir__open(const char *dir, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		if (!lstat(dir, &st) && S_ISLNK(st.st_mode))
			set_err(err, errlen, "%s is a symbolic link: give the directory itself",
				dir);
		else if (e == ENOENT)
			set_err(err, errlen, "%s does not exist: create it first (mode 0700)", dir);
		else if (e == ENOTDIR)
			set_err(err, errlen, "%s is not a directory", dir);
		else
			set_err(err, errlen, "cannot open %s: %s", dir, strerror(e));
		return -e;
	}
	if (fstat(fd, &st)) {
		set_err(err, errlen, "cannot check %s: %s", dir, strerror(errno));
		close(fd);
		return -EIO;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		set_err(err, errlen,
			"%s is owned by uid %u, who could plant links in it: use a directory of your own",
			dir, (unsigned)st.st_uid);
		close(fd);
		return -EPERM;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !((st.st_mode & S_ISVTX) && st.st_uid == 0)) {
		set_err(err, errlen,
			"%s is writable by others (mode %04o), who could plant links in it: use a directory only you can write",
			dir, (unsigned)(st.st_mode & 07777));
		close(fd);
		return -EPERM;
	}
	return fd;
}

#define LINES_STDIO_BUF (64u << 10)

/* lines_fdopen: the stream's bytes wait here until a line is whole. */
struct lines {
	int fd;
	bool own_fd;
	size_t max_write; /* PIPE_BUF for a pipe or socket: such writes are atomic */
	char *buf;
	size_t len, cap;
	char stdio_buf[LINES_STDIO_BUF];
};

/* The end of the next write: whole lines, at most max bytes unless one line is longer. */
static size_t cut(const char *p, size_t len, size_t max)
{
	size_t first = len > max ? max : len;
	const char *nl = memrchr(p, '\n', first);

	if (!nl)
		nl = memchr(p, '\n', len);
	return nl ? nl - p + 1 : 0;
}

static ssize_t lines_write(void *cookie, const char *data, size_t size)
{
	struct lines *l = cookie;
	size_t done = 0, n;

	if (l->len + size > l->cap) {
		size_t cap = (l->len + size) * 2;
		char *b = realloc(l->buf, cap);

		if (!b)
			return -1;
		l->buf = b;
		l->cap = cap;
	}
	memcpy(l->buf + l->len, data, size);
	l->len += size;
	while ((n = cut(l->buf + done, l->len - done, l->max_write))) {
		if (write_full(l->fd, l->buf + done, n)) {
			l->len = 0; /* the reader is gone: keep nothing */
			return -1;
		}
		done += n;
	}
	memmove(l->buf, l->buf + done, l->len - done);
	l->len -= done;
	return size;
}

static int lines_close(void *cookie)
{
	struct lines *l = cookie;
	int ret = l->len && write_full(l->fd, l->buf, l->len) ? -1 : 0;

	if (l->own_fd && close(l->fd))
		ret = -1;
	free(l->buf);
	free(l);
	return ret;
}

FILE *lines_fdopen(int fd, bool own_fd)
{
	cookie_io_functions_t io = { .write = lines_write, .close = lines_close };
	struct lines *l = calloc(1, sizeof(*l));
	struct stat st;
	FILE *f;

	if (!l)
		return NULL;
	l->fd = fd;
	l->own_fd = own_fd;
	/*
	 * A regular file's writes do not interleave (the offset is updated
	 * under a lock), a pipe's only up to PIPE_BUF bytes.
	 */
	l->max_write = fstat(fd, &st) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ?
			       PIPE_BUF :
			       LINES_STDIO_BUF;
	f = fopencookie(l, "w", io);
	if (!f) {
		free(l);
		return NULL;
	}
	/* a terminal sees each line as it is made, as stdout would show it */
	setvbuf(f, l->stdio_buf, isatty(fd) ? _IOLBF : _IOFBF, sizeof(l->stdio_buf));
	/* one thread writes it: no lock per fputc */
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return f;
}
