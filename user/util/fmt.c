// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "events.h"
#include "util/fmt.h"
#include "util/sbuf.h"

static const char *const type_names[MS_TYPE_MAX] = {
	[MS_BRK] = "brk",
	[MS_MMAP] = "mmap",
	[MS_MUNMAP] = "munmap",
	[MS_MREMAP] = "mremap",
	[MS_MPROTECT] = "mprotect",
	[MS_MADVISE] = "madvise",
	[MS_FAULT] = "fault",
	[MS_STACK] = "stack",
	[MS_FORK] = "fork",
	[MS_EXEC] = "exec",
	[MS_EXIT] = "exit",
	[MS_EXIT_MMAP] = "exit_mmap",
	[MS_SIGNAL] = "signal",
	[MS_LIMITS] = "limits",
	[MS_FAULTS] = "faults",
	[MS_LOST] = "lost",
	[MS_SEED_BEGIN] = "seed",
	[MS_VMA] = "vma",
	[MS_SEED_END] = "seed_end",
	[MS_SHMAT] = "shmat",
	[MS_SHMDT] = "shmdt",
	[MS_PKEY_MPROTECT] = "pkey_mprotect",
	[MS_MSEAL] = "mseal",
	[MS_REMAP_FILE_PAGES] = "remap_file_pages",
	[MS_PRCTL] = "prctl",
	[MS_PROCESS_MADVISE] = "process_madvise",
	[MS_NAME] = "name",
	[MS_MLOCK] = "mlock",
	[MS_MLOCK2] = "mlock2",
	[MS_MUNLOCK] = "munlock",
	[MS_MLOCKALL] = "mlockall",
	[MS_MUNLOCKALL] = "munlockall",
	[MS_MBIND] = "mbind",
	[MS_SET_MEMPOLICY_HOME_NODE] = "set_mempolicy_home_node",
	[MS_UFFDIO] = "uffdio",
	[MS_USTACK] = "ustack",
	[MS_MODULE] = "module",
	[MS_SYMBOL] = "symbol",
	[MS_FRAMES] = "frames",
	[MS_RESIDENT] = "resident",
	[MS_OOM] = "oom",
	[MS_CGROUP] = "cgroup",
	[MS_CGROUP_MOVE] = "cgroup_move",
};

const char *ms_type_name(unsigned type)
{
	return type < MS_TYPE_MAX ? type_names[type] : NULL;
}

char *fmt_size(char *buf, size_t len, __u64 bytes)
{
	static const char units[] = "BKMGTPE";
	struct sbuf b;
	double v = bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	sb_init(&b, buf, len);
	if (u == 0) {
		sb_dec(&b, bytes);
	} else if (v < 10 && v != (__u64)v) {
		unsigned tenths = v * 10 + 0.5;

		sb_dec(&b, tenths / 10);
		if (tenths % 10 || tenths < 100) {
			sb_putc(&b, '.');
			sb_dec(&b, tenths % 10);
		}
	} else {
		sb_dec(&b, (__u64)(v + 0.5));
	}
	sb_putc(&b, units[u]);
	return buf;
}

char *fmt_prot(char *buf, size_t len, __u64 prot)
{
	snprintf(buf, len, "%c%c%c", prot & PROT_READ ? 'r' : '-', prot & PROT_WRITE ? 'w' : '-',
		 prot & PROT_EXEC ? 'x' : '-');
	return buf;
}

char *fmt_perms(char *buf, size_t len, __u32 vma_prot)
{
	snprintf(buf, len, "%c%c%c%c", vma_prot & MS_VMA_READ ? 'r' : '-',
		 vma_prot & MS_VMA_WRITE ? 'w' : '-', vma_prot & MS_VMA_EXEC ? 'x' : '-',
		 vma_prot & MS_VMA_SHARED ? 's' : 'p');
	return buf;
}

struct flag_name {
	__u64 bit;
	const char *name;
};

static char *fmt_flags(char *buf, size_t len, __u64 flags, const struct flag_name *names, size_t n)
{
	struct sbuf b;
	size_t i;

	sb_init(&b, buf, len);
	for (i = 0; i < n; i++) {
		if (!(flags & names[i].bit))
			continue;
		if (b.len)
			sb_putc(&b, '|');
		sb_puts(&b, names[i].name);
		flags &= ~names[i].bit;
	}
	if (flags) {
		if (b.len)
			sb_putc(&b, '|');
		sb_puts(&b, "0x");
		sb_hex(&b, flags, 1);
	}
	if (!b.len)
		sb_putc(&b, '0');
	return buf;
}

static const struct flag_name map_flags[] = {
	{ MAP_SHARED, "MAP_SHARED" },
	{ MAP_PRIVATE, "MAP_PRIVATE" },
	{ MAP_FIXED, "MAP_FIXED" },
	{ MAP_ANONYMOUS, "MAP_ANONYMOUS" },
	{ MAP_GROWSDOWN, "MAP_GROWSDOWN" },
	{ MAP_DENYWRITE, "MAP_DENYWRITE" },
	{ MAP_EXECUTABLE, "MAP_EXECUTABLE" },
	{ MAP_LOCKED, "MAP_LOCKED" },
	{ MAP_NORESERVE, "MAP_NORESERVE" },
	{ MAP_POPULATE, "MAP_POPULATE" },
	{ MAP_NONBLOCK, "MAP_NONBLOCK" },
	{ MAP_STACK, "MAP_STACK" },
	{ MAP_HUGETLB, "MAP_HUGETLB" },
	{ MAP_SYNC, "MAP_SYNC" },
	{ MAP_FIXED_NOREPLACE, "MAP_FIXED_NOREPLACE" },
	{ 0x40, "MAP_32BIT" },
};

char *fmt_mmap_flags(char *buf, size_t len, __u64 flags)
{
	/* MAP_SHARED_VALIDATE (3) is a type, not two bits */
	if ((flags & 3) == 3) {
		size_t off = snprintf(buf, len, "MAP_SHARED_VALIDATE");

		if ((flags & ~3ULL) && off + 1 < len) {
			buf[off++] = '|';
			fmt_flags(buf + off, len - off, flags & ~3ULL, map_flags,
				  sizeof(map_flags) / sizeof(map_flags[0]));
		}
		return buf;
	}
	return fmt_flags(buf, len, flags, map_flags, sizeof(map_flags) / sizeof(map_flags[0]));
}

static const struct flag_name mremap_flags[] = {
	{ 1, "MREMAP_MAYMOVE" },
	{ 2, "MREMAP_FIXED" },
	{ 4, "MREMAP_DONTUNMAP" },
};

char *fmt_mremap_flags(char *buf, size_t len, __u64 flags)
{
	return fmt_flags(buf, len, flags, mremap_flags,
			 sizeof(mremap_flags) / sizeof(mremap_flags[0]));
}

static const struct flag_name mcl_flags[] = {
	{ 1, "MCL_CURRENT" },
	{ 2, "MCL_FUTURE" },
	{ 4, "MCL_ONFAULT" },
};

char *fmt_mcl_flags(char *buf, size_t len, __u64 flags)
{
	return fmt_flags(buf, len, flags, mcl_flags, sizeof(mcl_flags) / sizeof(mcl_flags[0]));
}

const char *madvise_name(__u64 advice)
{
	switch (advice) {
	case 0:
		return "MADV_NORMAL";
	case 1:
		return "MADV_RANDOM";
	case 2:
		return "MADV_SEQUENTIAL";
	case 3:
		return "MADV_WILLNEED";
	case 4:
		return "MADV_DONTNEED";
	case 8:
		return "MADV_FREE";
	case 9:
		return "MADV_REMOVE";
	case 10:
		return "MADV_DONTFORK";
	case 11:
		return "MADV_DOFORK";
	case 12:
		return "MADV_MERGEABLE";
	case 13:
		return "MADV_UNMERGEABLE";
	case 14:
		return "MADV_HUGEPAGE";
	case 15:
		return "MADV_NOHUGEPAGE";
	case 16:
		return "MADV_DONTDUMP";
	case 17:
		return "MADV_DODUMP";
	case 18:
		return "MADV_WIPEONFORK";
	case 19:
		return "MADV_KEEPONFORK";
	case 20:
		return "MADV_COLD";
	case 21:
		return "MADV_PAGEOUT";
	case 22:
		return "MADV_POPULATE_READ";
	case 23:
		return "MADV_POPULATE_WRITE";
	case 24:
		return "MADV_DONTNEED_LOCKED";
	case 25:
		return "MADV_COLLAPSE";
	case 100:
		return "MADV_HWPOISON";
	case 101:
		return "MADV_SOFT_OFFLINE";
	case 102:
		return "MADV_GUARD_INSTALL";
	case 103:
		return "MADV_GUARD_REMOVE";
	default:
		return NULL;
	}
}

const char *errno_name(int err)
{
	const char *name = strerrorname_np(err);

	return name ? name : "E?";
}

int ret_errno(__s64 ret)
{
	return ret < 0 && ret >= -4095 ? (int)-ret : 0;
}
