// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>
#include "source/cgroup.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* Where the memory controller's hierarchy is mounted, and whether it is v1. */
static const char *memory_root(bool *v1)
{
	struct statfs sf;

	*v1 = !statfs(CGROUP_ROOT "/memory", &sf) && sf.f_type == CGROUP_SUPER_MAGIC;
	if (*v1)
		return CGROUP_ROOT "/memory";
	if (!statfs(CGROUP_ROOT, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC)
		return CGROUP_ROOT;
	return CGROUP_ROOT "/unified";
}

/* Depth-first below dirfd (path: its path in the hierarchy) for the directory numbered id. */
static int find_id(int dirfd, __u64 id, char *path, size_t size, int depth)
{
	size_t len = strlen(path);
	struct dirent *d;
	struct stat st;
	int err = -ENOENT, fd;
	DIR *dir;

	if (depth > 64)
		return -ELOOP;
	dir = fdopendir(dirfd);
	if (!dir) {
		close(dirfd);
		return -errno;
	}
	while (err == -ENOENT && (d = readdir(dir))) {
		if (d->d_type != DT_DIR || !strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (snprintf(path + len, size - len, "%s%s", len > 1 ? "/" : "", d->d_name) >=
		    (int)(size - len)) {
			close(fd);
			err = -ENAMETOOLONG;
			break;
		}
		if (!fstat(fd, &st) && st.st_ino == id) {
			close(fd);
			err = 0;
			break;
		}
		err = find_id(fd, id, path, size, depth + 1);
		if (err)
			path[len] = 0;
	}
	closedir(dir);
	return err;
}

int cgroup__path(__u64 id, char *buf, size_t size)
{
	bool v1;
	const char *root = memory_root(&v1);
	struct stat st;
	int fd;

	if (size < 2)
		return -ENAMETOOLONG;
	fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	strcpy(buf, "/");
	if (!fstat(fd, &st) && st.st_ino == id) {
		close(fd);
		return 0;
	}
	return find_id(fd, id, buf, size, 0);
}

static int read_u64(const char *dir, const char *name, __u64 *v, bool *is_max)
{
	char path[4352], text[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	text[n] = 0;
	*is_max = !strncmp(text, "max", 3);
	*v = *is_max ? 0 : strtoull(text, NULL, 10);
	return 0;
}

int memcg__read(const char *path_in_hierarchy, struct memcg_usage *u)
{
	bool v1, is_max;
	const char *root = memory_root(&v1);
	char dir[4224];
	int err;

	if (strstr(path_in_hierarchy, "/../") || !strncmp(path_in_hierarchy, "../", 3))
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%s%s", root, path_in_hierarchy);
	memset(u, 0, sizeof(*u));
	err = read_u64(dir, v1 ? "memory.limit_in_bytes" : "memory.max", &u->limit, &is_max);
	if (!err) /* v1 says "no limit" with the largest page-aligned value */
		u->has_limit = !is_max && u->limit < (1ULL << 62);
	if (!err)
		err = read_u64(dir, v1 ? "memory.usage_in_bytes" : "memory.current", &u->usage,
			       &is_max);
	if (!u->has_limit)
		u->limit = 0;
	return err;
}
