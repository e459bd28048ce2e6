/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A mapped file's name as /proc/PID/maps prints it (d_path(), " (deleted)",
 * the pseudo-files' names), built backwards in a scratch buffer: for the
 * mmap record (memsnoop.bpf.c) and the exec walk (exec.bpf.c).
 */
#ifndef MEMSNOOP_PATHS_BPF_H
#define MEMSNOOP_PATHS_BPF_H

/*
 * The NUL after a string of at most MS_PATH_MAX - 1 bytes and the padding to
 * 8 bytes: no stale bytes leave the kernel.
 */
static __always_inline void zero_tail(char *s, __u32 len)
{
	int i;

	for (i = 0; i < 8; i++)
		s[(len & (MS_PATH_MAX - 1)) + i] = 0;
}

struct path_walk {
	struct dentry *d;
	struct mount *mnt;
	char *buf;
	__u32 pos; /* the path is buf[pos .. SCRATCH_PATH - 1) */
	__u32 room; /* bytes the path may take */
	bool whole; /* the walk reached the root */
};

/* One step up: a name, or a mount crossing. 1 stops the walk at the root. */
static long path_step(__u32 i, void *data)
{
	struct path_walk *w = data;
	struct dentry *d = w->d, *parent;
	struct mount *mnt = w->mnt, *up;
	const unsigned char *name;
	__u32 len, pos = w->pos;

	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		up = BPF_CORE_READ(mnt, mnt_parent);
		if (up == mnt) {
			w->whole = true;
			return 1;
		}
		w->d = BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = up;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (d == parent) {
		w->whole = true;
		return 1;
	}
	name = BPF_CORE_READ(d, d_name.name);
	len = BPF_CORE_READ(d, d_name.len) & 255;
	/* too long: the path keeps the components that fit, and is marked cut */
	if (SCRATCH_PATH - 1 - pos + len + 1 > w->room || pos > SCRATCH_PATH - 1)
		return 1;
	pos -= len;
	bpf_probe_read_kernel(&w->buf[pos & (SCRATCH_PATH - 1)], len, name);
	pos--;
	w->buf[pos & (SCRATCH_PATH - 1)] = '/';
	w->pos = pos;
	w->d = parent;
	return 0;
}

/*
 * The file's path, as d_path would print it, built backwards from the
 * dentry up to the global root, crossing mounts, in at most `room` bytes.
 * Returns where it starts; *cut: the root was out of reach. Each step adds
 * at least 2 bytes or crosses a mount, so the loop's bound is no limit of
 * its own in practice.
 */
static __always_inline __u32 build_path(struct file *f, char *buf, __u32 room, bool *cut)
{
	struct vfsmount *vfs = BPF_CORE_READ(f, f_path.mnt);
	struct path_walk w = {
		.d = BPF_CORE_READ(f, f_path.dentry),
		.mnt = (void *)vfs - bpf_core_field_offset(struct mount, mnt),
		.buf = buf,
		.pos = SCRATCH_PATH - 1,
		.room = room,
	};

	buf[SCRATCH_PATH - 1] = 0;
	bpf_loop(SCRATCH_PATH, path_step, &w, 0);
	*cut = !w.whole;
	if (w.pos == SCRATCH_PATH - 1 && w.whole) {
		w.pos--;
		buf[SCRATCH_PATH - 2] = '/';
	}
	return w.pos;
}

/* d_unlinked(): what makes d_path add " (deleted)". */
static __always_inline bool unlinked(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);

	return !BPF_CORE_READ(d, d_hash.pprev) && BPF_CORE_READ(d, d_parent) != d;
}

#define ANON_INODE_FS_MAGIC 0x09041934

/*
 * d_path() lets a pseudo file (one with no place in any tree: memfd, SysV
 * shm, /dev/zero's shmem, aio, perf and BPF map fds...) name itself with
 * d_op->d_dname. Anonymous inodes print "anon_inode:NAME"; the others use
 * simple_dname(): "/NAME (deleted)". Returns false for a file in a tree.
 */
static __always_inline bool pseudo_file(struct file *f)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	const struct dentry_operations *ops = BPF_CORE_READ(d, d_op);

	return ops && BPF_CORE_READ(ops, d_dname) && d != BPF_CORE_READ(f, f_path.mnt, mnt_root);
}

static __always_inline __u32 pseudo_path(struct file *f, char *out)
{
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	bool anon = BPF_CORE_READ(d, d_sb, s_magic) == ANON_INODE_FS_MAGIC;
	__u32 len = BPF_CORE_READ(d, d_name.len) & 255, pos = 1;

	if (anon) {
		__builtin_memcpy(out, "anon_inode:", 11);
		pos = 11;
	} else {
		out[0] = '/';
	}
	bpf_probe_read_kernel(out + pos, len, BPF_CORE_READ(d, d_name.name));
	pos += len;
	if (!anon) {
		__builtin_memcpy(out + pos, " (deleted)", 10);
		pos += 10;
	}
	zero_tail(out, pos);
	return pos;
}

/*
 * A mapped file's path as /proc/PID/maps prints it (" (deleted)" included),
 * NUL-padded to 8 in `out`. Longer than MS_PATH_KEEP, it is MS_PATH_CUT_MARK
 * and the last components that fit, and *cut is set (seed.c cuts alike).
 * Returns its length, below MS_PATH_MAX.
 */
static __always_inline __u32 file_path(struct file *f, char *out, char *scratch, bool *cut)
{
	bool deleted;
	__u32 len, pos, mark = 0;

	*cut = false;
	if (pseudo_file(f))
		return pseudo_path(f, out);
	deleted = unlinked(f);
	pos = build_path(f, scratch, MS_PATH_KEEP - (deleted ? 10 : 0), cut);
	pos &= SCRATCH_PATH - 1;
	len = SCRATCH_PATH - 1 - pos;
	barrier_var(len);
	len &= SCRATCH_PATH - 1;
	if (*cut) {
		__builtin_memcpy(out, MS_PATH_CUT_MARK, 3);
		mark = 3;
	}
	bpf_probe_read_kernel(out + mark, len, &scratch[pos]);
	len += mark;
	if (deleted) {
		__builtin_memcpy(&out[len & (SCRATCH_PATH - 1)], " (deleted)", 10);
		len += 10;
	}
	zero_tail(out, len);
	return len;
}

/* The kernel's VM_READ/WRITE/EXEC, and "s" where /proc prints it (VM_MAYSHARE). */
static __always_inline __u32 vma_prot(struct vm_area_struct *vma)
{
	__u64 flags = BPF_CORE_READ(vma, vm_flags);

	/* a read-only MAP_SHARED file loses VM_SHARED but keeps VM_MAYSHARE */
	return (flags & 0x7) | (flags & 0x80 ? 0x8 : 0);
}

#endif /* MEMSNOOP_PATHS_BPF_H */
