// SPDX-License-Identifier: GPL-2.0
/*
 * Known numbers of touched pages in each kind of region, in two phases:
 *   resident
 * prints "ready 1 big=ADDR heap=ADDR stack=ADDR arena=ADDR", waits for a
 * line on stdin, touches more (and unmaps part of the big mapping), prints
 * "ready 2 ...", waits for a line, exits. ADDR: a page of each region.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define PAGE 4096
#define BIG (64UL << 20)

static char *big, *heap, *arena_block;
static volatile char *stack_mark;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int phase, thread_phase;

static void touch(char *p, size_t pages, size_t stride)
{
	size_t i;

	for (i = 0; i < pages; i++)
		p[i * stride * PAGE] = 1;
}

static void read_pages(const char *p, size_t pages)
{
	size_t i;

	for (i = 0; i < pages; i++)
		(void)*(volatile const char *)(p + i * PAGE);
}

/* Touches depth pages of this thread's stack, then waits for the next phase. */
static void stack_pages(int depth)
{
	volatile char buf[PAGE - 256];

	buf[0] = 1;
	if (depth > 1) {
		stack_pages(depth - 1);
		return;
	}
	stack_mark = buf;
	pthread_mutex_lock(&lock);
	thread_phase++;
	pthread_cond_broadcast(&cond);
	while (phase < 2)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
	arena_block = malloc(100 * 1024); /* below the mmap threshold: the thread's arena */
	touch(arena_block, 20, 1);
	stack_pages(12);
	touch(arena_block + 20 * PAGE, 4, 1);
	return NULL;
}

static void report(int n)
{
	printf("ready %d big=%lx heap=%lx stack=%lx arena=%lx\n", n, (unsigned long)big,
	       (unsigned long)heap, (unsigned long)stack_mark, (unsigned long)arena_block);
	fflush(stdout);
}

static void wait_line(void)
{
	char line[16];

	if (!fgets(line, sizeof(line), stdin))
		exit(0);
}

int main(void)
{
	pthread_t th;

	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		return 1;
	touch(big, 100, 2);
	read_pages(big + 600 * PAGE, 8); /* the zero page: not resident, as smaps counts */
	heap = sbrk(64 * PAGE);
	touch(heap, 10, 3);
	pthread_create(&th, NULL, worker, NULL);
	pthread_mutex_lock(&lock);
	while (!thread_phase)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	report(1);
	wait_line();

	touch(big + 200 * PAGE, 300, 1);
	munmap(big + (BIG >> 1), BIG >> 2);
	touch(heap + 40 * PAGE, 5, 1);
	pthread_mutex_lock(&lock);
	phase = 2;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(th, NULL);
	report(2);
	wait_line();
	return 0;
}
