// SPDX-License-Identifier: GPL-2.0
/*
 * Crashes on purpose, one way per mode, for the explanations (tests/views):
 *   crash null | thread-overflow | main-overflow | unmap | text | exec | brk | rlimit-as
 * rlimit-as does not crash: an mmap past RLIMIT_AS fails with ENOMEM (exit 3).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>

static volatile int forever = 1;

static int deep(int n)
{
	volatile char buf[200];

	buf[0] = n;
	if (!forever)
		return n;
	return deep(n + 1) + buf[0]; /* not a tail call: the stack must grow */
}

static void *overflow(void *arg)
{
	return (void *)(long)deep(0);
}

static void thread_overflow(void)
{
	pthread_t t;

	pthread_create(&t, NULL, overflow, NULL);
	pthread_join(t, NULL);
}

static void use_after_unmap(void)
{
	volatile char *p =
		mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	p[0] = 1;
	munmap((void *)p, 1 << 20);
	p[5000] = 2;
}

static void exec_heap(void)
{
	void (*f)(void) = (void (*)(void))malloc(64);

	memset((void *)f, 0xc3, 64); /* ret: it would run if the heap were executable */
	f();
}

static void above_brk(void)
{
	static void *volatile keep;
	volatile char *b;

	keep = malloc(100); /* a heap, as a real program has */
	if (!keep)
		return;
	b = sbrk(0);
	b[64 << 10] = 1;
}

static long vsize(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0;

	if (f) {
		if (fscanf(f, "%ld", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * 4096;
}

static int past_rlimit_as(void)
{
	struct rlimit rl;
	void *p;

	rl.rlim_cur = rl.rlim_max = vsize() + (64 << 20);
	setrlimit(RLIMIT_AS, &rl);
	p = mmap(NULL, 256 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p != MAP_FAILED)
		return 0;
	perror("mmap");
	return 3;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "null";

	/*
	 * memsnoop reads the layout exec built from /proc when it sees the
	 * exec: give it time, or a crash within a millisecond of exec finds
	 * the model without the executable's regions.
	 */
	usleep(200000);

	if (!strcmp(mode, "null"))
		*(volatile int *)(long)(argc - argc) = 1;
	else if (!strcmp(mode, "thread-overflow"))
		thread_overflow();
	else if (!strcmp(mode, "main-overflow"))
		return deep(0);
	else if (!strcmp(mode, "unmap"))
		use_after_unmap();
	else if (!strcmp(mode, "text"))
		*(volatile char *)(void *)main = 0;
	else if (!strcmp(mode, "exec"))
		exec_heap();
	else if (!strcmp(mode, "brk"))
		above_brk();
	else if (!strcmp(mode, "rlimit-as"))
		return past_rlimit_as();
	fprintf(stderr, "crash: no crash for '%s'\n", mode);
	return 2;
}
