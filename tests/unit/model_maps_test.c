// SPDX-License-Identifier: GPL-2.0
/* model__write_maps: byte for byte what /proc/PID/maps prints. */
#include <stdio.h>
#include <unistd.h>
#include "model_util.h"

#define P 300

/* Seed P from a maps text; returns the number of lines. */
static int seed_from_maps(struct model *m, const char *text)
{
	char line[MS_PATH_MAX + 256];
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int n = 0;

	mt_seed_begin(m, P, MS_SEED_AT_START, "self");
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff, ino;
		unsigned major, minor, prot = 0;
		char perms[5], *path;
		int off = 0;

		line[strcspn(line, "\n")] = 0;
		if (sscanf(line, "%llx-%llx %4s %llx %x:%x %llu %n", &start, &end, perms, &pgoff,
			   &major, &minor, &ino, &off) < 7) {
			CHECK(0);
			continue;
		}
		path = line + off;
		prot |= perms[0] == 'r' ? MS_VMA_READ : 0;
		prot |= perms[1] == 'w' ? MS_VMA_WRITE : 0;
		prot |= perms[2] == 'x' ? MS_VMA_EXEC : 0;
		prot |= perms[3] == 's' ? MS_VMA_SHARED : 0;
		mt_vma(m, P, start, end, prot, pgoff, major << 20 | minor, ino,
		       *path ? path : NULL);
		n++;
	}
	fclose(f);
	mt_seed_end(m, P);
	return n;
}

static char *slurp(const char *name)
{
	static char buf[1 << 20];
	FILE *f = fopen(name, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void roundtrip(const char *text)
{
	struct model *m = model__new(getpagesize());
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int n = seed_from_maps(m, text);

	CHECK(n > 5);
	CHECK_EQ(model__process(m, P)->nr_regions, n);
	CHECK_EQ(model__write_maps(m, P, f), 0);
	fclose(f);
	CHECK_STR(out, text);
	free(out);
	model__free(m);
}

static void test_self(void)
{
	char *maps = slurp("/proc/self/maps");

	CHECK(maps != NULL);
	if (maps)
		roundtrip(maps);
}

static void test_format(void)
{
	struct region r = {
		.start = 0x400000,
		.end = 0x452000,
		.prot = MS_VMA_READ | MS_VMA_EXEC,
		.dev = 8 << 20 | 2,
		.ino = 173521,
		.path = "/usr/bin/dbus-daemon",
	};
	char buf[256];

	region__format(&r, buf, sizeof(buf));
	CHECK_STR(buf, "00400000-00452000 r-xp 00000000 08:02 173521"
		       "                             /usr/bin/dbus-daemon\n");
	r.path = NULL;
	r.prot = MS_VMA_WRITE | MS_VMA_SHARED;
	r.pgoff = 0x123456789ull;
	r.dev = 259 << 20 | 0x12345;
	region__format(&r, buf, sizeof(buf));
	CHECK_STR(buf, "00400000-00452000 -w-s 123456789 103:12345 173521 \n");
	CHECK_STR(region_class_name(RC_THREAD_STACK), "thread-stack");
	CHECK_STR(region_class_name(RC_VSYSCALL), "vsyscall");
	CHECK_STR(region_class_name(RC_NR), "unknown");
}

/* A synthetic layout with every kind of line, as the kernel prints it. */
static void test_synthetic(void)
{
	roundtrip(
		"55d1c8a00000-55d1c8a02000 r--p 00000000 fe:00 247134                     "
		"/usr/bin/cat\n"
		"55d1c8a02000-55d1c8a07000 r-xp 00002000 fe:00 247134                     "
		"/usr/bin/cat\n"
		"55d1ca000000-55d1ca021000 rw-p 00000000 00:00 0                          [heap]\n"
		"7f0000000000-7f0000021000 rw-p 00000000 00:00 0 \n"
		"7f0000021000-7f0004000000 ---p 00000000 00:00 0 \n"
		"7f290f250000-7f290f257000 r--s 00000000 fe:00 332280                     "
		"/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n"
		"7f290f257000-7f290f258000 rw-s 00000000 00:01 1234                       "
		"/dev/zero (deleted)\n"
		"7f290f258000-7f290f259000 rw-p 00000000 00:00 0                          "
		"[anon:glibc]\n"
		"7ffd4a5e1000-7ffd4a602000 rw-p 00000000 00:00 0                          [stack]\n"
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  "
		"[vsyscall]\n");
}

int main(void)
{
	test_format();
	test_synthetic();
	test_self();
	CHECK_DONE();
}
