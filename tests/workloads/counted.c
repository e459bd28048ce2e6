// SPDX-License-Identifier: GPL-2.0
/*
 * Makes a known number of each memory call between two marker calls
 * (madvise(0x1000, 0, 0) and madvise(0x2000, 0, 0)), touches a known number
 * of pages, then forks a child that does the same. Each process reports what
 * it did as one JSON line on stderr, for the test to compare with memsnoop.
 *   counted [--no-fork] [--pages N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096UL

struct counts {
	int mmap, mmap_failed, munmap, mprotect, madvise, mremap, brk, touched;
	unsigned long region_start, region_end;
};

static void marker(unsigned long addr)
{
	syscall(SYS_madvise, addr, 0, 0);
}

static void *map(size_t len, struct counts *c)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	c->mmap++;
	return p;
}

static void work(struct counts *c, int pages)
{
	char *r, *r2, *small[3];
	unsigned long cur;
	int i;

	r = map(pages * PAGE, c);
	c->region_start = (unsigned long)r;
	c->region_end = (unsigned long)r + pages * PAGE;
	for (i = 0; i < pages; i++)
		r[i * PAGE] = 1;
	c->touched += pages;
	mprotect(r, pages / 4 * PAGE, PROT_READ);
	c->mprotect++;
	madvise(r + pages / 2 * PAGE, pages / 4 * PAGE, MADV_DONTNEED);
	c->madvise++;
	for (i = 0; i < 3; i++)
		small[i] = map(PAGE, c);
	for (i = 0; i < 3; i++) {
		munmap(small[i], PAGE);
		c->munmap++;
	}
	if (mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
		exit(1);
	c->mmap_failed++;
	r2 = map(2 * PAGE, c);
	r2 = mremap(r2, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	c->mremap++;
	cur = syscall(SYS_brk, 0);
	syscall(SYS_brk, cur + 64 * 1024);
	syscall(SYS_brk, cur);
	c->brk += 3;
	munmap(r, pages * PAGE);
	munmap(r2, 8 * PAGE);
	c->munmap += 2;
}

static void report(const struct counts *c)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf),
		     "{\"pid\":%d,\"mmap\":%d,\"mmap_failed\":%d,\"munmap\":%d,\"mprotect\":%d,"
		     "\"madvise\":%d,\"mremap\":%d,\"brk\":%d,\"touched\":%d,"
		     "\"region\":[\"0x%lx\",\"0x%lx\"]}\n",
		     getpid(), c->mmap + c->mmap_failed, c->mmap_failed, c->munmap, c->mprotect,
		     c->madvise, c->mremap, c->brk, c->touched, c->region_start, c->region_end);
	if (write(2, buf, n) != n)
		exit(1);
}

static void run(int pages)
{
	struct counts c = {};

	marker(0x1000);
	work(&c, pages);
	marker(0x2000);
	report(&c);
}

int main(int argc, char **argv)
{
	int pages = 64, fork_child = 1, i, status;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-fork"))
			fork_child = 0;
		else if (!strcmp(argv[i], "--pages") && i + 1 < argc)
			pages = atoi(argv[++i]);
	}
	if (pages < 4 || pages > 511) /* below 2 MiB: no transparent huge pages */
		pages = 64;
	run(pages);
	if (!fork_child)
		return 0;
	pid = fork();
	if (pid == 0) {
		run(pages);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}
