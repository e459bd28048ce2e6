// SPDX-License-Identifier: GPL-2.0
/*
 * Calls at known depths from one thread, for the stack-copy test: ROUNDS
 * times (a millisecond apart), descend to depth 0 then 40 and there mmap
 * (depth + 1) pages, then munmap them. Built -O2 -fomit-frame-pointer.
 * Usage: descend [ROUNDS]
 */
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <sys/mman.h>

static int rounds = 50;

__attribute__((noinline)) static void map_here(int depth)
{
	size_t len = (size_t)(depth + 1) << 12;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		munmap(p, len);
}

/* A frame of its own at each level: a buffer the compiler cannot drop. */
__attribute__((noinline)) static int descend(int left, int depth)
{
	volatile char pad[48];

	pad[0] = (char)left;
	if (left)
		return descend(left - 1, depth) + pad[0];
	map_here(depth);
	return pad[0];
}

static void *worker(void *arg)
{
	static const int depths[] = { 0, 40 };
	int r, i, sum = 0;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < 2; i++)
			sum += descend(depths[i], depths[i]);
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	return (void *)(long)sum;
}

int main(int argc, char **argv)
{
	pthread_t th;

	if (argc > 1)
		rounds = atoi(argv[1]);
	if (pthread_create(&th, NULL, worker, NULL))
		return 1;
	pthread_join(th, NULL);
	return 0;
}
