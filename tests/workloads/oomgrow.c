// SPDX-License-Identifier: GPL-2.0
/*
 * Grows until the OOM killer takes it: in turns, the heap by brk and one
 * anonymous mapping by mremap, STEP bytes each, every page written. After
 * each step it prints what it has allocated per region, so what it reached
 * before the kill is known:
 *   heap <start> <end> <bytes grown>   map <start> <end> <bytes grown>
 * Usage: oomgrow [STEP_KIB] [DELAY_MS]   (default 1024 KiB, 20 ms)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

static void touch(char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 4096)
		p[i] = 1;
}

int main(int argc, char **argv)
{
	size_t step = (argc > 1 ? strtoul(argv[1], NULL, 10) : 1024) * 1024;
	long delay_ms = argc > 2 ? strtol(argv[2], NULL, 10) : 20;
	struct timespec pause = { 0, delay_ms * 1000000L };
	char *heap = sbrk(0), *brk_end = heap, *map;
	size_t map_len = step;

	map = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return 1;
	touch(map, map_len);
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (;;) {
		char *p;

		if (sbrk(step) == (void *)-1)
			return 2;
		touch(brk_end, step);
		brk_end += step;
		p = mremap(map, map_len, map_len + step, MREMAP_MAYMOVE);
		if (p == MAP_FAILED)
			return 3;
		map = p;
		touch(map + map_len, step);
		map_len += step;
		printf("heap %lx %lx %zu map %lx %lx %zu\n", (unsigned long)heap,
		       (unsigned long)brk_end, (size_t)(brk_end - heap), (unsigned long)map,
		       (unsigned long)(map + map_len), map_len);
		nanosleep(&pause, NULL);
	}
}
