// SPDX-License-Identifier: GPL-2.0
/*
 * Makes a known number of each memory call between two marker calls
 * (madvise(0x1000, 0, 0) and madvise(0x2000, 0, 0)), touches a known number
 * of pages, then forks a child that does the same. Each process reports what
 * it did as one JSON line on stderr, for the test to compare with memsnoop.
 *   counted [--no-fork] [--pages N]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#ifndef SYS_mseal
#define SYS_mseal 462
#endif
#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

#define PAGE 4096UL

struct counts {
	int mmap, mmap_failed, munmap, mprotect, madvise, mremap, brk, touched;
	int shmat, shmdt, pkey_mprotect, mseal, remap_file_pages, prctl, process_madvise;
	int mlock, mlock2, munlock, mlockall, munlockall, mbind, uffdio;
	unsigned long region_start, region_end;
};

static void marker(unsigned long addr)
{
	syscall(SYS_madvise, addr, 0, 0);
}

static void *map(size_t len, struct counts *c)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	c->mmap++;
	return p;
}

/* The rarer calls that change a layout, each made a known number of times. */
/* userfaultfd registration and its undoing: two ioctls memsnoop follows, one it does not */
static void uffd_calls(char *a, struct counts *c)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .range = { (unsigned long)a, PAGE },
				       .mode = UFFDIO_REGISTER_MODE_MISSING };
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	/* without CAP_SYS_PTRACE (vm.unprivileged_userfaultfd=0), or no userfaultfd */
	if (fd < 0 && (errno == EPERM || errno == ENOSYS))
		return;
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || ioctl(fd, UFFDIO_REGISTER, &reg) ||
	    ioctl(fd, UFFDIO_UNREGISTER, &reg.range))
		exit(1);
	c->uffdio += 2;
	close(fd);
}

/* MPOL_BIND to node 0 (numaif.h's value, without libnuma): every kernel has node 0 */
static long bind_node0(void *a, size_t len)
{
	unsigned long node0 = 1;

	return syscall(SYS_mbind, a, len, 2, &node0, 8 * sizeof(node0), 0);
}

static void rare_calls(struct counts *c)
{
	int id = shmget(IPC_PRIVATE, 2 * PAGE, IPC_CREAT | 0600), fd = memfd_create("counted", 0);
	struct iovec iov;
	char *a, *b, *m;
	long brk;

	a = shmat(id, NULL, 0);
	b = shmat(id, NULL, SHM_RDONLY);
	shmctl(id, IPC_RMID, NULL);
	if (id < 0 || a == (void *)-1 || b == (void *)-1 || shmdt(a) || shmdt(b))
		exit(1);
	c->shmat += 2;
	c->shmdt += 2;
	a = map(3 * PAGE, c);
	if (syscall(SYS_pkey_mprotect, a, PAGE, PROT_READ, -1))
		exit(1);
	c->pkey_mprotect++;
	/* a kernel without mseal (before 6.10) has no tracepoint for it either */
	if (syscall(SYS_mseal, a + 2 * PAGE, PAGE, 0) == 0)
		c->mseal++;
	if (fd < 0 || ftruncate(fd, 2 * PAGE))
		exit(1);
	m = mmap(NULL, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED || syscall(SYS_remap_file_pages, m, PAGE, 0, 1, 0))
		exit(1);
	c->mmap++;
	c->remap_file_pages++;
	munmap(m, 2 * PAGE);
	c->munmap++;
	close(fd);
	/* traced: PR_SET_MM (a no-op: brk where it is) and PR_SET_VMA (EINVAL without
	 * CONFIG_ANON_VMA_NAME); not traced: any other option */
	brk = syscall(SYS_brk, 0);
	c->brk++;
	prctl(PR_SET_MM, PR_SET_MM_BRK, brk, 0, 0);
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, a, PAGE, "counted");
	prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	c->prctl += 2;
	iov.iov_base = a;
	iov.iov_len = PAGE;
	fd = syscall(SYS_pidfd_open, getpid(), 0);
	if (fd < 0 || syscall(SYS_process_madvise, fd, &iov, 1, MADV_COLD, 0) != PAGE)
		exit(1);
	c->process_madvise++;
	close(fd);
	if (mlock(a, 2 * PAGE) || mlock2(a, PAGE, MLOCK_ONFAULT) || munlock(a, 2 * PAGE))
		exit(1);
	c->mlock++;
	c->mlock2++;
	c->munlock++;
	/* MCL_ONFAULT: nothing is faulted in */
	if (mlockall(MCL_FUTURE | MCL_ONFAULT) || munlockall())
		exit(1);
	c->mlockall++;
	c->munlockall++;
	uffd_calls(a, c);
	/* a kernel without NUMA has no mbind (ENOSYS), nor its tracepoint */
	if (bind_node0(a, 2 * PAGE) && errno == ENOSYS)
		return;
	if (syscall(SYS_mbind, a, 2 * PAGE, 0, NULL, 0, 0)) /* MPOL_DEFAULT */
		exit(1);
	c->mbind += 2;
}

static void work(struct counts *c, int pages)
{
	char *r, *r2, *small[3];
	unsigned long cur;
	int i;

	r = map(pages * PAGE, c);
	c->region_start = (unsigned long)r;
	c->region_end = (unsigned long)r + pages * PAGE;
	for (i = 0; i < pages; i++)
		r[i * PAGE] = 1;
	c->touched += pages;
	mprotect(r, pages / 4 * PAGE, PROT_READ);
	c->mprotect++;
	madvise(r + pages / 2 * PAGE, pages / 4 * PAGE, MADV_DONTNEED);
	c->madvise++;
	for (i = 0; i < 3; i++)
		small[i] = map(PAGE, c);
	for (i = 0; i < 3; i++) {
		munmap(small[i], PAGE);
		c->munmap++;
	}
	if (mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED)
		exit(1);
	c->mmap_failed++;
	r2 = map(2 * PAGE, c);
	r2 = mremap(r2, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
	c->mremap++;
	cur = syscall(SYS_brk, 0);
	syscall(SYS_brk, cur + 64 * 1024);
	syscall(SYS_brk, cur);
	c->brk += 3;
	munmap(r, pages * PAGE);
	munmap(r2, 8 * PAGE);
	c->munmap += 2;
	rare_calls(c);
}

static void report(const struct counts *c)
{
	char buf[1024];
	int n;

	n = snprintf(
		buf, sizeof(buf),
		"{\"pid\":%d,\"mmap\":%d,\"mmap_failed\":%d,\"munmap\":%d,\"mprotect\":%d,"
		"\"madvise\":%d,\"mremap\":%d,\"brk\":%d,\"touched\":%d,"
		"\"shmat\":%d,\"shmdt\":%d,\"pkey_mprotect\":%d,\"mseal\":%d,"
		"\"remap_file_pages\":%d,\"prctl\":%d,\"process_madvise\":%d,"
		"\"mlock\":%d,\"mlock2\":%d,\"munlock\":%d,\"mlockall\":%d,\"munlockall\":%d,\"mbind\":%d,\"uffdio\":%d,"
		"\"region\":[\"0x%lx\",\"0x%lx\"]}\n",
		getpid(), c->mmap + c->mmap_failed, c->mmap_failed, c->munmap, c->mprotect,
		c->madvise, c->mremap, c->brk, c->touched, c->shmat, c->shmdt, c->pkey_mprotect,
		c->mseal, c->remap_file_pages, c->prctl, c->process_madvise, c->mlock, c->mlock2,
		c->munlock, c->mlockall, c->munlockall, c->mbind, c->uffdio, c->region_start,
		c->region_end);
	if (write(2, buf, n) != n)
		exit(1);
}

static void run(int pages)
{
	struct counts c = {};

	marker(0x1000);
	work(&c, pages);
	marker(0x2000);
	report(&c);
}

int main(int argc, char **argv)
{
	int pages = 64, fork_child = 1, i, status;
	pid_t pid;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--no-fork"))
			fork_child = 0;
		else if (!strcmp(argv[i], "--pages") && i + 1 < argc)
			pages = atoi(argv[++i]);
	}
	if (pages < 4 || pages > 511) /* below 2 MiB: no transparent huge pages */
		pages = 64;
	run(pages);
	if (!fork_child)
		return 0;
	pid = fork();
	if (pid == 0) {
		run(pages);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
		return 1;
	return 0;
}
