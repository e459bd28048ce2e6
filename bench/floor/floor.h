/* SPDX-License-Identifier: GPL-2.0 */
/* The floor tracer's one record: fixed size, whatever the event. */
#ifndef BENCH_FLOOR_H
#define BENCH_FLOOR_H

enum bf_type {
	BF_BRK,
	BF_MMAP,
	BF_MUNMAP,
	BF_MREMAP,
	BF_MPROTECT,
	BF_MADVISE,
	BF_FAULT,
	BF_FORK,
	BF_EXEC,
	BF_EXIT,
	BF_NTYPES,
};

#define BF_WAKE_BYTES (256 * 1024)

struct bf_rec {
	__u64 ts_ns;
	__u32 pid;
	__u32 tid;
	__u32 type; /* enum bf_type */
	__u32 flags; /* fault: error code */
	__u64 a[5]; /* syscall: args[0..3], ret; fault: addr, ip; fork: child pid */
};

#endif
