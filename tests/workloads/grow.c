// SPDX-License-Identifier: GPL-2.0
/*
 * Grows steadily, like a leak: every PERIOD_MS it mallocs STEP bytes (below
 * glibc's mmap threshold: the heap grows by brk) and touches them, for
 * SECONDS. Usage: grow [SECONDS [STEP [PERIOD_MS]]] (default 10 102400 50).
 * With ANON=1 in the environment it mmaps the steps instead (anonymous).
 * With HOLD=S it then prints "grown BYTES" (what it allocated) and holds its
 * memory S seconds before exiting.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 10, end = now() + seconds;
	size_t step = argc > 2 ? strtoul(argv[2], NULL, 0) : 100 << 10;
	int period = argc > 3 ? atoi(argv[3]) : 50;
	int anon = getenv("ANON") && !strcmp(getenv("ANON"), "1");
	double hold = getenv("HOLD") ? atof(getenv("HOLD")) : 0;
	size_t grown = 0;

	printf("%d\n", getpid());
	fflush(stdout);
	while (now() < end) {
		char *p = anon ? mmap(NULL, step, PROT_READ | PROT_WRITE,
				      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) :
				 malloc(step);

		if (!p || p == MAP_FAILED)
			return 1;
		memset(p, 1, step);
		grown += step;
		usleep(period * 1000);
	}
	if (hold > 0) {
		printf("grown %zu\n", grown);
		fflush(stdout);
		usleep(hold * 1e6);
	}
	return 0;
}
