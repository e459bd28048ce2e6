// SPDX-License-Identifier: GPL-2.0
/* Regions as text: the /proc/PID/maps format and the class names. */
#include <string.h>
#include "util/escape.h"
#include "util/fmt.h"
#include "model.h"

/* The kernel pads the header to 25 + sizeof(void *) * 6 - 1 columns. */
#define MAPS_PAD 72

int region__format(const struct region *r, char *buf, size_t size)
{
	char perms[8];
	int n;

	n = snprintf(buf, size, "%08llx-%08llx %s %08llx %02x:%02x %llu ",
		     (unsigned long long)r->start, (unsigned long long)r->end,
		     fmt_perms(perms, sizeof(perms), r->prot), (unsigned long long)r->pgoff,
		     r->dev >> 20, r->dev & 0xfffff, (unsigned long long)r->ino);
	if (n < 0 || (size_t)n >= size)
		return n;
	if (r->path) {
		n += snprintf(buf + n, size - n, "%*s ", n < MAPS_PAD ? MAPS_PAD - n : 0, "");
		if ((size_t)n >= size)
			return n;
		n += strlen(esc_str(buf + n, size - n, r->path, ESC_PROC));
	}
	if ((size_t)n + 1 < size) {
		buf[n] = '\n';
		buf[n + 1] = 0;
	}
	return n + 1;
}

struct maps_ctx {
	FILE *f;
	int err;
};

static void write_one(const struct region *r, void *ctx)
{
	struct maps_ctx *c = ctx;
	char line[MS_PATH_MAX * 4 + 128]; /* a path escaped: 4 bytes a byte at most */
	int n = region__format(r, line, sizeof(line));

	if (n < 0 || (size_t)n >= sizeof(line) || fputs(line, c->f) == EOF)
		c->err = -1;
}

int model__write_maps(const struct model *m, __u32 pid, FILE *f)
{
	struct maps_ctx c = { .f = f };

	if (!model__process(m, pid))
		return -1;
	model__for_each_region(m, pid, write_one, &c);
	return c.err;
}

const char *region_class_name(enum region_class c)
{
	static const char *const names[RC_NR] = {
		[RC_UNKNOWN] = "unknown",   [RC_TEXT] = "text",
		[RC_RODATA] = "rodata",	    [RC_DATA] = "data",
		[RC_BSS] = "bss",	    [RC_HEAP] = "heap",
		[RC_STACK] = "stack",	    [RC_THREAD_STACK] = "thread-stack",
		[RC_GUARD] = "guard",	    [RC_ANON] = "anon",
		[RC_MALLOC] = "malloc",	    [RC_ARENA] = "arena",
		[RC_FILE] = "file",	    [RC_SHM] = "shm",
		[RC_VDSO] = "vdso",	    [RC_VVAR] = "vvar",
		[RC_VSYSCALL] = "vsyscall",
	};

	return (unsigned)c < RC_NR ? names[c] : "unknown";
}
