// SPDX-License-Identifier: GPL-2.0
/* A multi-threaded allocator workout: threads [NTHREADS] [SECONDS] */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

static double seconds = 1.5;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned long)arg;
	double end = now() + seconds;
	void *keep[64] = {};

	while (now() < end) {
		int i = rand_r(&seed) % 64;
		size_t size = rand_r(&seed) % 4 == 0 ? 64 << 10 << (rand_r(&seed) % 5) :
						       16 + rand_r(&seed) % 4000;

		free(keep[i]);
		keep[i] = malloc(size);
		memset(keep[i], 1, size < 8192 ? size : 8192);
		if (rand_r(&seed) % 16 == 0) {
			char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			mprotect(p + 4096, 4096, PROT_READ);
			p[0] = 1;
			munmap(p, 1 << 20);
		}
	}
	for (int i = 0; i < 64; i++)
		free(keep[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, i;
	pthread_t th[64];

	if (argc > 2)
		seconds = atof(argv[2]);
	if (n < 1 || n > 64)
		n = 4;
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(unsigned long)(i + 1));
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
