// SPDX-License-Identifier: GPL-2.0
/* What the kernel and our credentials allow: see probe.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include "util/log.h"
#include "source/probe.h"

#define CAP_PERFMON_BIT CAP_BIT(38)
#define CAP_BPF_BIT CAP_BIT(39)

/* Our effective capabilities, from /proc/self/status. */
unsigned long long effective_caps(void)
{
	unsigned long long eff = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0)
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	free(line);
	fclose(f);
	return eff;
}

/* Root, or CAP_BPF with CAP_PERFMON (or CAP_SYS_ADMIN). */
bool privileged(void)
{
	unsigned long long eff;

	if (geteuid() == 0)
		return true;
	eff = effective_caps();
	return (eff & CAP_SYS_ADMIN_BIT) || ((eff & CAP_BPF_BIT) && (eff & CAP_PERFMON_BIT));
}

/*
 * With our effective credentials, capabilities included (access() would ask
 * for the real uid's, which fails in capability mode). 0, or -errno.
 */
int check_access(const char *path, int mode)
{
	return faccessat(AT_FDCWD, path, mode, AT_EACCESS) ? -errno : 0;
}

int ensure_tracefs(void)
{
	int err = check_access(TRACEFS "/events/syscalls", F_OK);

	if (!err || !check_access("/sys/kernel/debug/tracing/events/syscalls", F_OK))
		return 0;
	if (err == -EACCES) {
		error("cannot read %s: %s (without root, CAP_DAC_READ_SEARCH reads tracefs)",
		      TRACEFS, strerror(-err));
		return -1;
	}
	if (check_access(TRACEFS "/events", F_OK) &&
	    mount("tracefs", TRACEFS, "tracefs", 0, NULL) && errno != EBUSY) {
		error("tracefs is not mounted and mounting it at %s failed: %s%s", TRACEFS,
		      strerror(errno),
		      errno == EPERM ? " (mounting needs root: mount -t tracefs tracefs " TRACEFS
				       " once, then capabilities suffice)" :
				       "");
		return -1;
	}
	if (check_access(TRACEFS "/events/syscalls", F_OK)) {
		error("no syscall tracepoints in %s/events (CONFIG_FTRACE_SYSCALLS?)", TRACEFS);
		return -1;
	}
	return 0;
}

/* A BPF helper exists when enum bpf_func_id names it. */
bool has_helper(const struct btf *btf, const char *name)
{
	__s32 id = btf__find_by_name_kind(btf, "bpf_func_id", BTF_KIND_ENUM);
	const struct btf_type *t = id >= 0 ? btf__type_by_id(btf, id) : NULL;
	const struct btf_enum *e;
	int i;

	if (!t)
		return false;
	e = btf_enum(t);
	for (i = 0; i < btf_vlen(t); i++)
		if (!strcmp(btf__name_by_offset(btf, e[i].name_off), name))
			return true;
	return false;
}

/*
 * A tracepoint, and so its raw tracepoint, exists when tracefs lists it: far
 * cheaper than parsing the kernel's BTF, which libbpf does again at load.
 */
bool has_tracepoint(const char *category, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/%s", category, name);
	if (!check_access(path, F_OK))
		return true;
	snprintf(path, sizeof(path), "/sys/kernel/debug/tracing/events/%s/%s", category, name);
	return !check_access(path, F_OK);
}

bool kernel_at_least(unsigned want_major, unsigned want_minor)
{
	struct utsname u;
	unsigned major, minor;

	return !uname(&u) && sscanf(u.release, "%u.%u", &major, &minor) == 2 &&
	       (major > want_major || (major == want_major && minor >= want_minor));
}
