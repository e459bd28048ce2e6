/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Output files written safely as root into directories others may control:
 * a new file under an unpredictable temporary name (O_EXCL, O_NOFOLLOW, 0600)
 * beside the target, renamed over it once written. Only a regular file is
 * ever replaced, and only when asked (--force); never a device, FIFO,
 * socket, directory or symbolic link.
 */
#ifndef MEMSNOOP_OUTFILE_H
#define MEMSNOOP_OUTFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

struct outfile {
	int dirfd; /* the target's directory */
	int fd; /* the temporary file, -1 once closed */
	char *path; /* as given, for messages */
	char *name; /* the target's name in dirfd */
	char tmp[64]; /* the temporary name in dirfd; "" once renamed or removed */
	bool replace; /* may replace an existing regular file */
};

/*
 * Check the target (an existing one needs replace and must be a regular
 * file) and create the temporary file. 0, or -errno with a one-line message.
 */
int outfile__open(struct outfile *o, const char *path, bool replace, char *err, size_t errlen);
/* The same in an open directory; dirfd is duplicated. dir names it in messages. */
int outfile__open_at(struct outfile *o, int dirfd, const char *dir, const char *name, bool replace,
		     char *err, size_t errlen);
/* Write all of buf to the temporary file: 0 or -errno. */
int outfile__write(struct outfile *o, const void *buf, size_t len);
/* Write all of buf to fd, through EINTR and short writes: 0 or -errno (-ENOSPC for none). */
int write_full(int fd, const void *buf, size_t len);
/* fsync (if sync) and rename the temporary file over the target; the fd stays open. */
int outfile__publish(struct outfile *o, bool sync, char *err, size_t errlen);
/* Close; a temporary file not yet published is removed. NULL-safe, idempotent. */
void outfile__close(struct outfile *o);

/* What a file that is not a regular one is, for messages: "a FIFO", "a socket", ... */
const char *file_type_name(mode_t mode);

/*
 * Check a directory memsnoop will write into and open it: it must exist, be
 * a directory (not a symbolic link), and be writable by no one else (owned
 * by us or root, not group/other writable) unless sticky and owned by root.
 * The fd, or -errno with a one-line message saying why.
 */
int outdir__open(const char *dir, char *err, size_t errlen);

/*
 * A stream over fd whose every write(2) ends at a line end and, when it can,
 * holds at most PIPE_BUF bytes: lines of ours are never split by another
 * writer of the same pipe or file (a traced command sharing our stdout).
 * own_fd: fclose closes fd too.
 */
FILE *lines_fdopen(int fd, bool own_fd);

#endif
