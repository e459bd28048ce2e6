/* SPDX-License-Identifier: GPL-2.0 */
/* The clock every record uses: CLOCK_MONOTONIC, as bpf_ktime_get_ns() reads it. */
#ifndef MEMSNOOP_CLOCK_H
#define MEMSNOOP_CLOCK_H

#include <time.h>
#include <linux/types.h>

static inline __u64 now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

#endif
