// SPDX-License-Identifier: GPL-2.0
/*
 * For the layout picture: prints its pid, waits for a line on stdin, then
 * starts NTHREADS threads (each mallocs: an arena each) and grows its heap by
 * brk; prints "tids T1 T2 ..." and "brk 0x..." and holds still for SECONDS.
 * Usage: grow_threads [NTHREADS [SECONDS]] (default 3 10).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>

static pthread_barrier_t started;
static pid_t tids[64];
static double seconds = 10;

static void *worker(void *arg)
{
	void *volatile p = malloc(1000);

	tids[(long)arg] = syscall(SYS_gettid);
	memset(p, 1, 1000);
	pthread_barrier_wait(&started);
	usleep(seconds * 1e6);
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 3, i;
	pthread_t th[64];
	char line[16];

	if (argc > 2)
		seconds = atof(argv[2]);
	if (n < 1 || n > 64)
		n = 3;
	printf("%d\n", getpid());
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return 1;
	pthread_barrier_init(&started, NULL, n + 1);
	for (i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	for (i = 0; i < 40; i++) /* 40 x 64 KiB: the heap grows by brk */
		memset(malloc(64 << 10), 2, 64 << 10);
	pthread_barrier_wait(&started);
	printf("tids");
	for (i = 0; i < n; i++)
		printf(" %d", tids[i]);
	printf("\nbrk %p\n", sbrk(0));
	fflush(stdout);
	for (i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	return 0;
}
