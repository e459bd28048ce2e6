/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One address space: regions ordered by address in a treap (O(log n) lookup,
 * insert, erase) threaded on a list (O(1) neighbours), byte sums by class, and
 * the touched pages. Shared by reference between a vfork parent and child.
 * Internal to the model.
 */
#ifndef MEMSNOOP_MODEL_LAYOUT_H
#define MEMSNOOP_MODEL_LAYOUT_H

#include "model.h"
#include "pages.h"

/* rnode.rflags */
#define RF_DONTFORK (1u << 0) /* MADV_DONTFORK: a fork does not copy it */
#define RF_WIPEONFORK (1u << 1) /* MADV_WIPEONFORK: a fork copies it empty */
#define RF_ARENA (1u << 2) /* made by glibc's arena reservation */
#define RF_MALLOC (1u << 3) /* a plain anonymous rw mmap >= 128 KiB */
#define RF_TSTACK (1u << 4) /* a fork record named it a thread's stack */
#define RF_SEEDED (1u << 5) /* read from /proc, creation unknown */
/* The kernel's vm_flags that decide merging, beyond prot (see can_merge()) */
#define RF_ACCOUNT (1u << 8) /* VM_ACCOUNT: private and once writable, committed */
#define RF_NORESERVE (1u << 9) /* VM_NORESERVE: MAP_NORESERVE */
#define RF_GROWSDOWN (1u << 10) /* VM_GROWSDOWN: MAP_GROWSDOWN */
#define RF_LOCKED (1u << 11) /* VM_LOCKED: MAP_LOCKED, mlock, mlockall */
#define RF_DONTDUMP (1u << 12) /* VM_DONTDUMP: MADV_DONTDUMP */
#define RF_HUGEPAGE (1u << 13) /* VM_HUGEPAGE: MADV_HUGEPAGE */
#define RF_NOHUGEPAGE (1u << 14) /* VM_NOHUGEPAGE: MADV_NOHUGEPAGE, MAP_STACK (6.7+) */
#define RF_SEQ_READ (1u << 15) /* VM_SEQ_READ: MADV_SEQUENTIAL */
#define RF_RAND_READ (1u << 16) /* VM_RAND_READ: MADV_RANDOM */
#define RF_MERGEABLE (1u << 17) /* VM_MERGEABLE: MADV_MERGEABLE (KSM) */
#define RF_SPECIAL (1u << 18) /* VM_SPECIAL, hugetlb: never merged */
#define RF_FORKED (1u << 19) /* its anon_vma chain reaches a parent's: a fork child's */
#define RF_NOT_BSS (1u << 20) /* seeded: after an ELF's data, but not its .bss */
#define RF_SEALED (1u << 21) /* VM_SEALED: mseal (6.10+) */
#define RF_LOCKONFAULT (1u << 22) /* VM_LOCKONFAULT: mlock2(MLOCK_ONFAULT) */
#define RF_VM_MASK (RF_DONTFORK | RF_WIPEONFORK | (0x7ffu << 8) | RF_SEALED | RF_LOCKONFAULT)
#define RF_CHANGED (1u << 6) /* transient: flags changed by the call being applied */
#define RF_SPLIT (1u << 7) /* transient: split from its next by that call */

/* A refcounted path, shared by the pieces of a split region. */
/* What a path names, worked out once per string (classification runs per event). */
enum path_kind {
	PK_FILE = 0,
	PK_HEAP,
	PK_STACK,
	PK_VDSO,
	PK_VVAR,
	PK_VSYSCALL,
	PK_ANON_NAMED, /* [anon:name]: anonymous memory with a name */
	PK_ANON_SHMEM, /* [anon_shmem:name] */
	PK_SHM_FILE, /* /SYSV..., /dev/zero (deleted): shared memory */
	PK_OTHER, /* another [bracketed] name */
};

struct pstr {
	unsigned refs;
	enum path_kind kind;
	char s[];
};

struct pstr *pstr__new(const char *s, size_t len);
struct pstr *pstr__get(struct pstr *p);
void pstr__put(struct pstr *p);

struct rnode {
	struct region r; /* r.path points into path */
	struct rnode *left, *right; /* treap, keyed by r.start */
	struct rnode *prev, *next; /* address order */
	struct pstr *path;
	__u64 mmap_id; /* the creating call: pieces of one mmap share it */
	__u64 vpgoff; /* an anonymous region's vm_pgoff, in pages */
	__u64 anon; /* which anon_vma it has; 0: none (see assign_anon()) */
	/* of a merged region: [young_start, young_end) made at r.created_ns, the rest older */
	__u64 young_start, young_end;
	__u64 older_ns;
	__u32 prio;
	__u32 rflags;
};

struct tstack {
	__u32 tid;
	__u64 addr;
};

struct layout {
	int refs;
	unsigned page_size;
	unsigned page_shift;
	__u32 rng;
	__u32 nr;
	struct rnode *root;
	struct rnode *first;
	__u64 vsize;
	__u64 sum[RC_NR]; /* bytes by class */
	__u64 next_id;
	__u64 next_anon;
	__u32 def_rflags; /* mm->def_flags: RF_LOCKED(|ONFAULT) after mlockall(MCL_FUTURE) */
	struct pageset pages;
	struct tstack *ts; /* thread stacks by owner */
	size_t nts, cts;
};

struct layout *layout__new(unsigned page_size);
struct layout *layout__get(struct layout *l);
void layout__put(struct layout *l);
/* The child's copy at fork: DONTFORK regions left out, WIPEONFORK ones empty. */
struct layout *layout__fork(const struct layout *l);
/* True if layout__fork(l) would equal l: the child may share l until either changes. */
bool layout__fork_same(const struct layout *l);
/* An exact copy, for a side of a shared layout that is about to change it. */
struct layout *layout__copy(const struct layout *l);
/* Regions and touched-page chunks held by every layout of the program. */
size_t layout__census(void);

/* The region containing addr, or NULL. */
struct rnode *layout__find(const struct layout *l, __u64 addr);
/* The last region starting at or below addr, or NULL. */
struct rnode *layout__find_le(const struct layout *l, __u64 addr);

/*
 * Remove [a, b). If first is not NULL and something was removed, the first
 * removed piece is copied there (with a path reference the caller puts).
 * Returns the number of pieces removed.
 */
int layout__unmap(struct layout *l, __u64 a, __u64 b, struct rnode *first);
/*
 * Map tmpl's [start, end) over whatever is there, as it is (a seed's line);
 * takes a reference on path.
 */
struct rnode *layout__map(struct layout *l, const struct region *tmpl, struct pstr *path,
			  __u32 rflags, __u64 mmap_id);
/* The same, merged with compatible neighbours as the kernel would (mmap, brk). */
struct rnode *layout__map_merged(struct layout *l, const struct region *tmpl, struct pstr *path,
				 __u32 rflags, __u64 mmap_id);
/* mremap's move: like layout__map_merged, keeping the moved region's vm_pgoff and anon_vma. */
struct rnode *layout__map_moved(struct layout *l, const struct region *tmpl, struct pstr *path,
				__u32 rflags, __u64 mmap_id, __u64 vpgoff, __u64 anon);
/* Merge n with the region after it if the kernel would (mremap's growth in place). */
struct rnode *layout__merge_next(struct layout *l, struct rnode *n);
/*
 * The kernel's VMA [start, end) with anon_vma anon (0: none), read just after
 * a call: regions cut at its edges and joined inside, the anon_vma known.
 */
void layout__seen(struct layout *l, __u64 start, __u64 end, __u64 anon);
/* Set the rwx bits of [a, b), splitting at the edges. */
void layout__protect(struct layout *l, __u64 a, __u64 b, __u32 prot);
/* Set and clear rflags on [a, b), splitting at the edges. */
void layout__set_rflags(struct layout *l, __u64 a, __u64 b, __u32 set, __u32 clear);
/* mlockall(MCL_CURRENT), munlockall(): the lock bits of every lockable region become set. */
void layout__lock_all(struct layout *l, __u32 set);
/* Forget the touched pages of [a, b). */
void layout__drop_pages(struct layout *l, __u64 a, __u64 b);
/* Move n to [start, end), removing what is in the way; returns what is left of it. */
struct rnode *layout__resize(struct layout *l, struct rnode *n, __u64 start, __u64 end);
/* Count a fault; returns the region hit or NULL. */
struct rnode *layout__fault(struct layout *l, __u64 addr, __u32 pf_flags);
/* Move the touched pages of [src, src + len) to dst. */
void layout__move_pages(struct layout *l, __u64 src, __u64 dst, __u64 len);
/* Recompute classes around [a, b). */
void layout__reclassify(struct layout *l, __u64 a, __u64 b);
/* Thread stacks: remember, and forget when the owner exits. */
void layout__set_owner(struct layout *l, struct rnode *n, __u32 tid);
void layout__owner_gone(struct layout *l, __u32 tid);

static inline int rnode__filebacked(const struct rnode *n)
{
	return n->r.path && n->r.path[0] != '[';
}

#endif
