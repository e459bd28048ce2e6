// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel's VMAs after a call: read from the maple tree while the call
 * still holds the mmap lock, kept in its pending state, emitted at its exit
 * (memsnoop.bpf.c).
 */
#include "memsnoop.bpf.h"
#include "vma_now.bpf.h"

/*
 * The VMA tree is a maple tree (6.1+): walk it as mtree_range_walk() does.
 * A node is 256 bytes: parent, then pivots and slots; maple_range_64 and
 * maple_leaf_64 have 15 pivots and 16 slots, maple_arange_64 9 and 10 (and
 * gaps); the metadata's first byte (the last slot in use) ends the node.
 */
#define MT_LEAF_64 1
#define MT_ARANGE_64 3
#define MT_NODE_MASK 255ULL

/* The slot of the node that holds addr, narrowing [*min, *max]; -1 if unreadable. */
static __always_inline int maple_slot(void *node, __u32 type, __u64 addr, __u64 *min, __u64 *max)
{
	bool arange = type == MT_ARANGE_64;
	__u64 piv[15];
	__u8 end = 0;
	int i;

	if (bpf_probe_read_kernel(piv, sizeof(piv), node + 8))
		return -1;
	if (!arange && piv[14])
		end = piv[14] == *max ? 14 : 15;
	else if (bpf_probe_read_kernel(&end, 1, node + (arange ? 240 : 248)))
		return -1;
	if (end > (arange ? 9 : 15))
		return -1;
	for (i = 0; i < 15; i++)
		if (i >= end || piv[i] >= addr)
			break;
	if (i > 0 && i <= 15)
		*min = piv[i - 1] + 1;
	if (i < end && i < 15)
		*max = piv[i];
	return i;
}

/* The VMA holding addr: call with the mmap lock held. */
static __always_inline struct vm_area_struct *maple_find(struct mm_struct *mm, __u64 addr)
{
	__u64 entry = (__u64)BPF_CORE_READ(mm, mm_mt.ma_root), min = 0, max = ~0ULL;
	__u32 type;
	void *node;
	int level, i;

	if ((entry & 3) != 2 || entry <= 4096) /* xa_is_node(): else no tree yet */
		return NULL;
	for (level = 0; level < 8; level++) {
		type = (entry >> 3) & 0xf;
		node = (void *)(entry & ~MT_NODE_MASK);
		if (type < MT_LEAF_64 || type > MT_ARANGE_64)
			return NULL;
		i = maple_slot(node, type, addr, &min, &max);
		if (i < 0 ||
		    bpf_probe_read_kernel(&entry, sizeof(entry),
					  node + (type == MT_ARANGE_64 ? 80 : 128) + 8 * (i & 15)))
			return NULL;
		if (type == MT_LEAF_64)
			return (void *)entry;
	}
	return NULL;
}

/* Where get_unmapped_area put the mapping of the call under way. */
SEC("raw_tp/vm_unmapped_area")
int BPF_PROG(ms_unmapped_area, unsigned long addr)
{
	struct pending *p = bpf_task_storage_get(&pending, bpf_get_current_task_btf(), 0, 0);

	if (p && (p->type == MS_MMAP || p->type == MS_MREMAP || p->type == MS_SHMAT) &&
	    !(addr & 4095))
		p->va_addr = addr;
	return 0;
}

/*
 * A traced call lets go of the mmap lock it took to write: still under it,
 * read the VMAs it made from the tree (the trylock of bpf_find_vma() fails
 * while the call holds the lock, and after it another thread may have taken
 * it). Their extents say what the kernel merged; their anon_vmas, made by
 * write faults no record shows, decide later merges. Emitted at exit.
 */
SEC("raw_tp/mmap_lock_released")
int BPF_PROG(ms_mmap_unlock, struct mm_struct *mm, bool write)
{
	struct task_struct *task;
	struct vm_area_struct *vma;
	struct pending *p;
	__u64 addr[2] = {}, at;
	int i, n;

	if (!write)
		return 0;
	task = bpf_get_current_task_btf();
	p = bpf_task_storage_get(&pending, task, 0, 0);
	if (!p || !p->type || (__u64)mm != (__u64)task->mm)
		return 0;
	at = p->va_addr;
	if (!at && p->type == MS_MREMAP && p->args[3] & 2) /* MREMAP_FIXED */
		at = p->args[4];
	if (!at)
		at = p->args[0] & ~4095ULL; /* MAP_FIXED, a hint taken as is, or in place */
	n = seen_addrs(p, p->type, at, addr);
	p->nr_seen = 0;
	for (i = 0; i < 2 && i < n; i++) {
		struct seen_ctx *c = &p->seen[i];

		vma = maple_find(mm, addr[i]);
		if (!vma)
			return 0;
		c->ts = bpf_ktime_get_ns();
		c->start = BPF_CORE_READ(vma, vm_start);
		c->end = BPF_CORE_READ(vma, vm_end);
		c->anon = (__u64)BPF_CORE_READ(vma, anon_vma);
		if (addr[i] < c->start || addr[i] >= c->end)
			return 0;
		p->nr_seen = i + 1;
	}
	return 0;
}
