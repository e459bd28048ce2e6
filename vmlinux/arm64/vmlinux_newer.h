/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types memsnoop names that Debian 12's arm64 kernel (6.1, vmlinux.h beside
 * this file) lacks: CO-RE and weak kfuncs decide at load whether the running
 * kernel has them. As the kernel defines them (include/linux/bpf.h, 6.7).
 */
#ifndef MEMSNOOP_VMLINUX_NEWER_H
#define MEMSNOOP_VMLINUX_NEWER_H

struct bpf_iter_task_vma {
	__u64 __opaque[1];
} __attribute__((aligned(8)));

#endif
