// SPDX-License-Identifier: GPL-2.0
/* seed_parse_line: /proc's escapes undone, long paths cut as the BPF side cuts them. */
#include <stdlib.h>
#include "check.h"
#include "source/seed.h"

static union {
	struct ms_vma v;
	char buf[MS_REC_MAX];
} rec;

static const size_t room = MS_REC_MAX - sizeof(struct ms_vma);

/* A maps line for `path`, padded as the kernel pads it. */
static char *maps_line(const char *path)
{
	char *line = NULL;

	if (asprintf(&line, "%-72s %s\n", "7f0000000000-7f0000001000 r--p 00001000 fe:01 42",
		     path) < 0)
		abort();
	return line;
}

/* `n` components "/ccc…" of `len` bytes each, and maybe " (deleted)". */
static char *long_path(int n, int len, bool deleted)
{
	char *p = calloc(1, n * len + 16);
	int i;

	for (i = 0; i < n * len; i++)
		p[i] = i % len ? 'c' : '/';
	if (deleted)
		strcat(p, " (deleted)");
	return p;
}

static void check_line(const char *path, const char *want, bool cut)
{
	char *line = maps_line(path);

	CHECK_EQ(seed_parse_line(line, &rec.v, room), 0);
	CHECK_STR(rec.v.path, want);
	CHECK_EQ(rec.v.path_len, strlen(want));
	CHECK_EQ(!!(rec.v.h.flags & MS_VMA_PATH_CUT), cut);
	CHECK_EQ(rec.v.h.size, MS_ALIGN8(sizeof(rec.v) + strlen(want) + 1));
	CHECK_EQ(rec.v.start, 0x7f0000000000ULL);
	CHECK_EQ(rec.v.pgoff, 0x1000);
	free(line);
}

/* Cut: the mark, then the last whole components within MS_PATH_KEEP. */
static void check_cut(int n, int len, bool deleted)
{
	char *path = long_path(n, len, deleted), *want;
	int tail = deleted ? 10 : 0, keep = (MS_PATH_KEEP - tail) / len;

	if (asprintf(&want, "%s%s", MS_PATH_CUT_MARK, path + (n - keep) * len) < 0)
		abort();
	check_line(path, want, true);
	CHECK(strlen(want) < MS_PATH_MAX);
	free(want);
	free(path);
}

int main(void)
{
	char *path;

	check_line("/tmp/new\\012line", "/tmp/new\nline", false);
	check_line("/tmp/a\\01b\\", "/tmp/a\\01b\\", false); /* not an escape */
	check_line("", "", false);
	check_line("[heap]", "[heap]", false);
	path = long_path(MS_PATH_KEEP / 4, 4, false); /* exactly MS_PATH_KEEP: whole */
	check_line(path, path, false);
	free(path);
	check_cut(300, 14, false);
	check_cut(300, 14, true);
	check_cut(2100, 2, false); /* deeper than any fixed walk */
	check_cut(100, 256, false); /* longest names */
	CHECK(seed_parse_line("not a maps line\n", &rec.v, room) < 0);
	CHECK_DONE();
}
