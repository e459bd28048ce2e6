// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include "util/clock.h"
#include "util/log.h"
#include "source/cgroup.h"

#define CG_PATH_MAX 4096
#define CG_DEPTH_MAX 32 /* directories below a hierarchy's root we walk */
#define CG_WALK_GAP_NS (20 * 1000000ULL) /* a miss walks again at most this often */
#define V1_NO_LIMIT (1ULL << 62) /* v1 says "no limit" with PAGE_COUNTER_MAX pages */

struct cg_entry {
	__u64 id;
	unsigned hierarchy;
	char *path;
};

static struct {
	bool mounts_read;
	char v2[CG_PATH_MAX]; /* "" when not mounted */
	char v1_memory[CG_PATH_MAX];
	struct cg_entry *e;
	size_t nr, cap;
	__u64 walked_ns[3]; /* by hierarchy */
} cg;

/* mountinfo: ... mount-point options - fstype source super-options */
static void read_mounts(void)
{
	char line[8192], mnt[CG_PATH_MAX], type[64], super[1024];
	FILE *f;

	cg.mounts_read = true;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 ||
		    sscanf(dash + 3, "%63s %*s %1023s", type, super) != 2)
			continue;
		if (!strcmp(type, "cgroup2") && !cg.v2[0])
			snprintf(cg.v2, sizeof(cg.v2), "%s", mnt);
		else if (!strcmp(type, "cgroup") && !cg.v1_memory[0] &&
			 (strstr(super, ",memory") || !strncmp(super, "memory", 6)))
			snprintf(cg.v1_memory, sizeof(cg.v1_memory), "%s", mnt);
	}
	fclose(f);
}

const char *cgroup__mount(unsigned hierarchy)
{
	const char *m;

	if (!cg.mounts_read)
		read_mounts();
	m = hierarchy == MS_CG_V2 ? cg.v2 : hierarchy == MS_CG_V1_MEMORY ? cg.v1_memory : "";
	return m[0] ? m : NULL;
}

unsigned cgroup__memory_hierarchy(void)
{
	if (cgroup__mount(MS_CG_V1_MEMORY))
		return MS_CG_V1_MEMORY;
	return cgroup__mount(MS_CG_V2) ? MS_CG_V2 : 0;
}

static void cache_drop(unsigned hierarchy)
{
	size_t i, n = 0;

	for (i = 0; i < cg.nr; i++) {
		if (cg.e[i].hierarchy == hierarchy)
			free(cg.e[i].path);
		else
			cg.e[n++] = cg.e[i];
	}
	cg.nr = n;
}

static void cache_add(unsigned hierarchy, __u64 id, const char *path)
{
	struct cg_entry *e;

	if (cg.nr == cg.cap) {
		size_t cap = cg.cap ? cg.cap * 2 : 64;

		e = realloc(cg.e, cap * sizeof(*e));
		if (!e)
			return;
		cg.e = e;
		cg.cap = cap;
	}
	e = &cg.e[cg.nr];
	e->path = strdup(path[0] ? path : "/");
	if (!e->path)
		return;
	e->id = id;
	e->hierarchy = hierarchy;
	cg.nr++;
}

static const struct cg_entry *cache_find(unsigned hierarchy, __u64 id)
{
	size_t i;

	for (i = 0; i < cg.nr; i++)
		if (cg.e[i].id == id && cg.e[i].hierarchy == hierarchy)
			return &cg.e[i];
	return NULL;
}

/* Every directory under dfd (path: its path in the hierarchy) into the cache. */
static void walk(unsigned hierarchy, int dfd, char *path, size_t len, int depth)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd;

	dir = fdopendir(dfd);
	if (!dir) {
		close(dfd);
		return;
	}
	while ((d = readdir(dir))) {
		size_t n = strlen(d->d_name);

		if (d->d_type != DT_DIR || d->d_name[0] == '.' || len + n + 2 > CG_PATH_MAX)
			continue;
		fd = openat(dirfd(dir), d->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (fstat(fd, &st)) {
			close(fd);
			continue;
		}
		path[len] = '/';
		memcpy(path + len + 1, d->d_name, n + 1);
		cache_add(hierarchy, st.st_ino, path);
		if (depth < CG_DEPTH_MAX)
			walk(hierarchy, fd, path, len + 1 + n, depth + 1);
		else
			close(fd);
		path[len] = 0;
	}
	closedir(dir);
}

static void walk_hierarchy(unsigned hierarchy)
{
	const char *mnt = cgroup__mount(hierarchy);
	char path[CG_PATH_MAX] = "";
	struct stat st;
	int fd;

	cg.walked_ns[hierarchy] = now_ns();
	if (!mnt)
		return;
	fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	cache_drop(hierarchy);
	if (!fstat(fd, &st))
		cache_add(hierarchy, st.st_ino, "/");
	walk(hierarchy, fd, path, 0, 0);
}

int cgroup__path_in(unsigned hierarchy, __u64 id, char *buf, size_t size)
{
	const struct cg_entry *e;

	if (hierarchy != MS_CG_V2 && hierarchy != MS_CG_V1_MEMORY)
		return -EINVAL;
	if (!cgroup__mount(hierarchy))
		return -ENOENT;
	e = cache_find(hierarchy, id);
	if (!e && now_ns() - cg.walked_ns[hierarchy] >= CG_WALK_GAP_NS) {
		walk_hierarchy(hierarchy);
		e = cache_find(hierarchy, id);
	}
	if (!e)
		return -ENOENT;
	if ((size_t)snprintf(buf, size, "%s", e->path) >= size)
		return -ENAMETOOLONG;
	return 0;
}

int cgroup__path(__u64 id, char *buf, size_t size)
{
	int err = cgroup__path_in(MS_CG_V1_MEMORY, id, buf, size);

	return err == -ENOENT ? cgroup__path_in(MS_CG_V2, id, buf, size) : err;
}

/* A number from a controller file; "max" is no limit (*v = ~0). */
static int read_value(const char *dir, const char *path, const char *file, __u64 *v)
{
	char name[CG_PATH_MAX * 2 + 64], text[64];
	ssize_t n;
	int fd;

	snprintf(name, sizeof(name), "%s%s/%s", dir, strcmp(path, "/") ? path : "", file);
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return n ? -errno : -ENODATA;
	text[n] = 0;
	if (!strncmp(text, "max", 3)) {
		*v = ~0ULL;
		return 0;
	}
	*v = strtoull(text, NULL, 10);
	return 0;
}

int memcg__read_in(unsigned hierarchy, const char *path_in_hierarchy, struct memcg_usage *u)
{
	const char *mnt = cgroup__mount(hierarchy);
	bool v1 = hierarchy == MS_CG_V1_MEMORY;
	__u64 limit;
	int err;

	memset(u, 0, sizeof(*u));
	if (!mnt)
		return -ENOENT;
	err = read_value(mnt, path_in_hierarchy, v1 ? "memory.usage_in_bytes" : "memory.current",
			 &u->usage);
	if (err)
		return err;
	err = read_value(mnt, path_in_hierarchy, v1 ? "memory.limit_in_bytes" : "memory.max",
			 &limit);
	if (!err && limit < V1_NO_LIMIT) {
		u->limit = limit;
		u->has_limit = true;
	}
	return 0;
}

int memcg__read(const char *path_in_hierarchy, struct memcg_usage *u)
{
	return memcg__read_in(cgroup__memory_hierarchy(), path_in_hierarchy, u);
}

int cgroup__resolve_dir(const char *dir, __u64 *id, unsigned *hierarchy)
{
	char probe[CG_PATH_MAX + 32];
	struct statfs sfs;
	struct stat st;

	if (stat(dir, &st) || statfs(dir, &sfs)) {
		error("--cgroup %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		error("--cgroup %s: not a cgroup directory", dir);
		return -1;
	}
	if (sfs.f_type == CGROUP2_SUPER_MAGIC) {
		*hierarchy = MS_CG_V2;
	} else if (sfs.f_type == CGROUP_SUPER_MAGIC) {
		snprintf(probe, sizeof(probe), "%s/memory.limit_in_bytes", dir);
		if (access(probe, F_OK)) {
			error("--cgroup %s: a v1 hierarchy without the memory controller: give a "
			      "directory of the memory hierarchy or of v2",
			      dir);
			return -1;
		}
		*hierarchy = MS_CG_V1_MEMORY;
	} else {
		error("--cgroup %s: not a cgroup directory (under /sys/fs/cgroup)", dir);
		return -1;
	}
	*id = st.st_ino;
	return 0;
}

/* The id of the cgroup at path in a hierarchy; on v2 for the memory controller, up to the nearest one with it. */
static __u64 id_of(unsigned hierarchy, char *path, bool memory)
{
	char name[CG_PATH_MAX * 2 + 32];
	const char *mnt = cgroup__mount(hierarchy);
	struct stat st;
	char *slash;

	if (!mnt)
		return 0;
	for (;;) {
		snprintf(name, sizeof(name), "%s%s/memory.current", mnt, path);
		if (!memory || !path[0] || !access(name, F_OK))
			break;
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = 0;
	}
	snprintf(name, sizeof(name), "%s%s", mnt, path);
	return stat(name, &st) ? 0 : st.st_ino;
}

void cgroup__of_pid(__u32 pid, struct ms_cgroup_ids *ids)
{
	char name[64], line[CG_PATH_MAX + 128], *path;
	bool v1 = cgroup__memory_hierarchy() == MS_CG_V1_MEMORY;
	FILE *f;

	memset(ids, 0, sizeof(*ids));
	snprintf(name, sizeof(name), "/proc/%u/cgroup", pid);
	f = fopen(name, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			continue;
		path = c2 + 1;
		path[strcspn(path, "\n")] = 0;
		if (!strcmp(path, "/"))
			path[0] = 0;
		*c2 = 0;
		if (!strcmp(line, "0") && c2 == c1 + 1) {
			ids->dfl = id_of(MS_CG_V2, path, false);
			if (!v1) {
				char copy[CG_PATH_MAX + 128];

				snprintf(copy, sizeof(copy), "%s", path);
				ids->mem = id_of(MS_CG_V2, copy, true);
			}
		} else if (v1) {
			char *ctl = c1 + 1, *tok;

			for (tok = strtok(ctl, ","); tok; tok = strtok(NULL, ","))
				if (!strcmp(tok, "memory"))
					ids->mem = id_of(MS_CG_V1_MEMORY, path, false);
		}
	}
	fclose(f);
}

int cgroup__dir_path(const char *dir, unsigned hierarchy, char *buf, size_t size)
{
	const char *mnt = cgroup__mount(hierarchy);
	char real[PATH_MAX], mreal[PATH_MAX];
	size_t n;

	if (!mnt || !realpath(dir, real) || !realpath(mnt, mreal))
		return -ENOENT;
	n = strlen(mreal);
	if (strncmp(real, mreal, n) || (real[n] && real[n] != '/'))
		return -ENOENT;
	snprintf(buf, size, "%s", real[n] ? real + n : "/");
	return 0;
}

bool cgroup__pid_under(__u32 pid, unsigned hierarchy, const char *path_in_hierarchy)
{
	struct ms_cgroup_ids ids;
	char path[CG_PATH_MAX];
	size_t n = strlen(path_in_hierarchy);
	__u64 id;

	cgroup__of_pid(pid, &ids);
	id = hierarchy == MS_CG_V2 ? ids.dfl : ids.mem;
	if (!id || cgroup__path_in(hierarchy, id, path, sizeof(path)))
		return false;
	if (!strcmp(path_in_hierarchy, "/"))
		return true;
	return !strncmp(path, path_in_hierarchy, n) && (path[n] == 0 || path[n] == '/');
}

void cgroup__reset(void)
{
	cache_drop(MS_CG_V2);
	cache_drop(MS_CG_V1_MEMORY);
	memset(cg.walked_ns, 0, sizeof(cg.walked_ns));
}
