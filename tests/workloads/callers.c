// SPDX-License-Identifier: GPL-2.0
/*
 * Known call sites for the stack tests, built -O2 -fomit-frame-pointer (as
 * Debian builds its binaries): alpha_map() calls mmap itself, beta_malloc()
 * mallocs blocks above the mmap threshold (libc calls mmap) and gamma_free()
 * frees them (libc calls munmap), each N times, from main.
 * Usage: callers [N [HOLD_MS]]   (default 20; then stays HOLD_MS, default 0)
 */
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#define ALPHA_BYTES (3 * 4096)
#define BETA_BYTES (1 << 20)

void *volatile sink[3];

__attribute__((noinline)) void alpha_map(void)
{
	void *p =
		mmap(NULL, ALPHA_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		exit(1);
	sink[0] = p; /* after the call: no tail call, alpha keeps its frame */
}

__attribute__((noinline)) void beta_malloc(void)
{
	void *p = malloc(BETA_BYTES);

	if (!p)
		exit(1);
	sink[1] = p;
}

__attribute__((noinline)) void gamma_free(void)
{
	free(sink[1]);
	sink[2] = sink[1];
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 20, i;

	mallopt(M_MMAP_THRESHOLD, 128 * 1024); /* fixed: no dynamic threshold */
	for (i = 0; i < n; i++) {
		alpha_map();
		beta_malloc();
		gamma_free();
	}
	if (argc > 2)
		usleep(atoi(argv[2]) * 1000); /* for a live view to draw its regions */
	return sink[0] ? 0 : 1;
}
