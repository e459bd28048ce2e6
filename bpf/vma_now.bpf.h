/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which VMAs a call made, and so which the kernel's answer (MS_VMA_NOW)
 * reads: as the call lets go of the mmap lock (vma_now.bpf.c) or at its
 * exit (memsnoop.bpf.c).
 */
#ifndef MEMSNOOP_VMA_NOW_BPF_H
#define MEMSNOOP_VMA_NOW_BPF_H

/* madvise advice that changes vm_flags, so the VMA may split or merge */
static __always_inline bool advice_sets_flags(__u64 advice)
{
	return advice <= 2 || (advice >= 10 && advice <= 19);
}

/*
 * Where to look after a call that may have merged VMAs (munmap never
 * merges): the ends of what it made or changed; at = where it mapped (its
 * return value, or what get_unmapped_area found), 0 if unknown. Returns how
 * many addresses (0 to 2).
 */
static __always_inline int seen_addrs(const struct pending *p, __u32 type, __u64 at, __u64 *addr)
{
	__u64 a = p->args[0], len = (p->args[1] + 4095) & ~4095ULL;

	switch (type) {
	case MS_MMAP:
	case MS_MREMAP:
	case MS_SHMAT:
		addr[0] = at;
		return at != 0;
	case MS_BRK:
		addr[0] = a - 1;
		return a != 0;
	}
	if (!ms_flags_on_range(type) || (type == MS_MADVISE && !advice_sets_flags(p->args[2])))
		return 0;
	addr[0] = a;
	addr[1] = a + len - 1;
	return len ? (len > 4096 ? 2 : 1) : 0;
}

#endif /* MEMSNOOP_VMA_NOW_BPF_H */
