// SPDX-License-Identifier: GPL-2.0
/*
 * Touches fresh anonymous pages as fast as it can, or with a pause after each:
 *   faultstorm [MiB] [rounds] [pause-us]
 */
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	int rounds = argc > 2 ? atoi(argv[2]) : 4, r;
	int pause_us = argc > 3 ? atoi(argv[3]) : 0;
	size_t len = mib << 20, i;

	for (r = 0; r < rounds; r++) {
		char *p =
			mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return 1;
		madvise(p, len, MADV_NOHUGEPAGE);
		for (i = 0; i < len; i += 4096) {
			p[i] = 1;
			if (pause_us)
				usleep(pause_us);
		}
		munmap(p, len);
	}
	return 0;
}
