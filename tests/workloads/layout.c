// SPDX-License-Identifier: GPL-2.0
/*
 * Exercises every way a layout changes and stops at checkpoints. At each one
 * it saves its own /proc/self/maps (without allocating: read() into a static
 * buffer) to DIR/<pid>.<n>.maps, prints "CP <n> <pid> <name>" on stdout and
 * waits for a line on stdin before going on.
 *   layout DIR            the whole sequence (forks a child, execs itself)
 *   layout DIR --exec     the exec'd program: one checkpoint, then exit
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAGE 4096UL
#define NTHREADS 3

static const char *dir;
static int cp_no;
static char maps_buf[4 << 20];
static char line_buf[256];

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static void save_maps(const char *path)
{
	int in = open("/proc/self/maps", O_RDONLY), out;
	ssize_t n, len = 0;

	if (in < 0)
		die("open maps");
	while ((n = read(in, maps_buf + len, sizeof(maps_buf) - len)) > 0)
		len += n;
	close(in);
	out = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (out < 0 || write(out, maps_buf, len) != len)
		die("write maps");
	close(out);
}

/* Save the layout, say so, wait for the test. No allocation in here. */
static void checkpoint(const char *name)
{
	char path[512];
	int n;

	snprintf(path, sizeof(path), "%s/%d.%d.maps", dir, getpid(), cp_no);
	save_maps(path);
	n = snprintf(line_buf, sizeof(line_buf), "CP %d %d %s %s\n", cp_no++, getpid(), name, path);
	if (write(1, line_buf, n) != n)
		die("write");
	if (read(0, line_buf, sizeof(line_buf)) <= 0)
		exit(3);
}

static void heap_phase(void)
{
	void *small[4096];
	int i;

	for (i = 0; i < 4096; i++)
		small[i] = malloc(256);
	checkpoint("brk-up");
	for (i = 0; i < 4096; i++)
		free(small[i]);
	malloc_trim(0);
	checkpoint("brk-down");
}

static void mmap_phase(void)
{
	char *big = malloc(512 << 10), *a, *b, *c;

	memset(big, 1, 512 << 10);
	big = realloc(big, 4 << 20); /* mremap */
	memset(big, 2, 4 << 20);
	checkpoint("malloc-mremap");
	free(big);
	/* three neighbours with different permissions, in a reserved range */
	a = mmap(NULL, 9 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a = mmap(a, 3 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	b = mmap(a + 3 * PAGE, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	c = mmap(a + 6 * PAGE, 3 * PAGE, PROT_EXEC | PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED || c == MAP_FAILED)
		die("mmap");
	checkpoint("three-maps");
	/* MAP_FIXED over parts of all three */
	if (mmap(a + 2 * PAGE, 5 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		die("mmap fixed");
	checkpoint("map-fixed");
	munmap(a + 4 * PAGE, PAGE);
	checkpoint("munmap-middle");
	a = mmap(NULL, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mprotect(a + 5 * PAGE, 3 * PAGE, PROT_READ);
	mprotect(a + 10 * PAGE, PAGE, PROT_NONE);
	checkpoint("mprotect-split");
}

static pthread_barrier_t barrier;

static void *thread_main(void *arg)
{
	void *p = malloc(1000); /* a per-thread arena */

	memset(p, 0, 1000);
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	free(p);
	return NULL;
}

static void thread_phase(void)
{
	pthread_t th[NTHREADS];
	int i;

	pthread_barrier_init(&barrier, NULL, NTHREADS + 1);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, thread_main, NULL);
	pthread_barrier_wait(&barrier);
	checkpoint("threads");
	pthread_barrier_wait(&barrier);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	checkpoint("threads-joined");
}

static void *arena_main(void *arg)
{
	static char *blocks[400];
	int i;

	/* the thread's arena grows by mprotect, one merge at a time */
	for (i = 0; i < 400; i++) {
		blocks[i] = malloc(4000);
		memset(blocks[i], i, 4000);
	}
	pthread_barrier_wait(&barrier);
	pthread_barrier_wait(&barrier);
	for (i = 0; i < 400; i++)
		free(blocks[i]);
	return NULL;
}

static void arena_phase(void)
{
	pthread_t th;

	pthread_barrier_init(&barrier, NULL, 2);
	pthread_create(&th, NULL, arena_main, NULL);
	pthread_barrier_wait(&barrier);
	checkpoint("arena-grow");
	pthread_barrier_wait(&barrier);
	pthread_join(th, NULL);
}

/* pages of address space nothing else will take (MAP_NORESERVE: unlike its pieces) */
static char *reserve(size_t pages)
{
	char *r = mmap(NULL, pages * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	if (r == MAP_FAILED)
		die("mmap reserve");
	return r;
}

static char *map_at(char *addr, size_t pages, int prot, int flags)
{
	char *p = mmap(addr, pages * PAGE, prot, flags | MAP_FIXED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap at");
	return p;
}

/* The kernel merges VMAs: the model must show the same lines. */
static void merge_phase(void)
{
	char *a = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 6 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *r = reserve(8), *s = reserve(16);

	if (a == MAP_FAILED || b == MAP_FAILED)
		die("mmap");
	memset(a, 1, 8 * PAGE);
	mprotect(a + 2 * PAGE, 2 * PAGE, PROT_READ);
	mprotect(a + 5 * PAGE, PAGE, PROT_NONE);
	checkpoint("mprotect-split2");
	mprotect(a + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE);
	mprotect(a + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE);
	mprotect(a, 8 * PAGE, PROT_READ | PROT_WRITE); /* no change: no split */
	/* once written, a private VMA stays committed (VM_ACCOUNT): no merge back */
	mprotect(b + PAGE, 2 * PAGE, PROT_READ | PROT_WRITE);
	b[PAGE] = 1;
	mprotect(b + PAGE, 2 * PAGE, PROT_NONE);
	checkpoint("mprotect-merged");
	/* shared anonymous: a shmem file per mmap, whose pieces merge back */
	map_at(r, 4, PROT_READ | PROT_WRITE, MAP_SHARED)[0] = 1;
	map_at(r + 4 * PAGE, 4, PROT_READ | PROT_WRITE, MAP_SHARED);
	mprotect(r + PAGE, PAGE, PROT_READ);
	checkpoint("shared-anon-split");
	mprotect(r + PAGE, PAGE, PROT_READ | PROT_WRITE);
	checkpoint("shared-anon-merged");
	/* mremap grows a VMA in place up to the next one, and they merge */
	a = map_at(s + 4 * PAGE, 4, PROT_READ, MAP_PRIVATE);
	map_at(s + 10 * PAGE, 2, PROT_READ, MAP_PRIVATE);
	munmap(s + 8 * PAGE, 2 * PAGE);
	if (mremap(a, 4 * PAGE, 6 * PAGE, 0) != a)
		die("mremap");
	/* two written VMAs have an anon_vma each: they stay apart */
	a = map_at(s, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	map_at(s + 3 * PAGE, 1, PROT_READ | PROT_WRITE, MAP_PRIVATE)[0] = 1;
	munmap(s + 2 * PAGE, PAGE);
	a[0] = 1;
	if (mremap(a, 2 * PAGE, 3 * PAGE, 0) != a)
		die("mremap");
	checkpoint("mremap-merge");
}

/* After fork, the child's VMAs with an anon_vma merge with nothing new. */
static void fork_merge_phase(void)
{
	char *r = reserve(16);
	pid_t pid;
	int status;

	map_at(r + 4 * PAGE, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE)[0] = 1;
	map_at(r + 10 * PAGE, 2, PROT_READ, MAP_PRIVATE);
	pid = fork();
	if (pid == 0) {
		map_at(r + 6 * PAGE, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
		map_at(r + 8 * PAGE, 2, PROT_READ, MAP_PRIVATE);
		checkpoint("fork-anon-child");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	map_at(r + 6 * PAGE, 2, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	checkpoint("fork-anon-parent");
}

/* Files with no place in a tree name themselves: "/NAME (deleted)", "anon_inode:NAME". */
static void pseudo_file_phase(void)
{
	struct perf_event_attr attr = {
		.size = sizeof(attr),
		.type = PERF_TYPE_SOFTWARE,
		.config = PERF_COUNT_SW_DUMMY,
		.disabled = 1,
	};
	int fd = memfd_create("hello", 0), pfd, id;
	char *p;

	if (fd < 0 || ftruncate(fd, 4 * PAGE))
		die("memfd");
	p = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		die("mmap memfd");
	p[0] = 1;
	/* remap_file_pages(): page 0 now shows the file's page 3 (a new mmap inside) */
	if (syscall(SYS_remap_file_pages, p, PAGE, 0, 3, 0))
		die("remap_file_pages");
	close(fd);
	checkpoint("memfd-remap");
	id = shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600);
	if (id < 0)
		die("shmget");
	p = shmat(id, NULL, 0);
	shmctl(id, IPC_RMID, NULL);
	if (p == (void *)-1)
		die("shmat");
	p[0] = 1;
	if (shmat(id, NULL, SHM_RDONLY) == (void *)-1)
		die("shmat ro");
	checkpoint("sysv-shmat");
	shmdt(p);
	checkpoint("sysv-shmdt");
	pfd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
	if (pfd < 0)
		die("perf_event_open");
	if (mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, pfd, 0) == MAP_FAILED)
		die("mmap perf");
	close(pfd);
	checkpoint("anon-inode");
}

static char *map_new_file(const char *path, int flags)
{
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	char *p;

	if (fd < 0 || ftruncate(fd, 2 * PAGE))
		die("create");
	p = mmap(NULL, 2 * PAGE, PROT_READ, flags, fd, 0);
	if (p == MAP_FAILED)
		die("mmap file");
	close(fd);
	return p;
}

/* A mapped file keeps its mapping when renamed or unlinked: /proc shows what it is now. */
static void rename_phase(void)
{
	char a[512], b[512], c[512];

	snprintf(a, sizeof(a), "%s/mapped-a", dir);
	snprintf(b, sizeof(b), "%s/mapped-b", dir);
	snprintf(c, sizeof(c), "%s/mapped-c", dir);
	map_new_file(a, MAP_PRIVATE);
	if (rename(a, b))
		die("rename");
	checkpoint("file-renamed");
	map_new_file(c, MAP_SHARED);
	if (unlink(c) || unlink(b))
		die("unlink");
	checkpoint("file-unlinked");
}

#ifndef SYS_mseal
#define SYS_mseal 462
#endif

/*
 * mlockall locks every VMA (the pieces a lock split at a merge again) and,
 * with MCL_FUTURE, what is mapped later; munlockall unlocks all. MCL_ONFAULT
 * keeps it from faulting the whole process in.
 */
static void mlockall_phase(void)
{
	char *a = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *c;

	if (a == MAP_FAILED || b == MAP_FAILED || mlock2(a + PAGE, PAGE, MLOCK_ONFAULT) ||
	    munmap(b + 2 * PAGE, 2 * PAGE) || mlockall(MCL_CURRENT | MCL_ONFAULT))
		die("mlockall");
	a[0] = b[0] = 1;
	checkpoint("mlockall");
	if (munlock(b, 2 * PAGE) || mlockall(MCL_FUTURE | MCL_ONFAULT) ||
	    mmap(b + 2 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != b + 2 * PAGE)
		die("mlockall future");
	/* locked when mapped; half unlocked, it splits until munlockall */
	c = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED || munlock(c, PAGE))
		die("mlockall future");
	checkpoint("mlockall-future");
	if (munlockall())
		die("munlockall");
	checkpoint("munlockall");
}

/*
 * A memory policy on a range splits its VMA (mbind); the default policy
 * again merges it back. No NUMA in the kernel (ENOSYS): nothing to see.
 */
static void mbind_phase(void)
{
	char *a = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	unsigned long node0 = 1;

	if (a == MAP_FAILED)
		die("mmap");
	if (syscall(SYS_mbind, a + 2 * PAGE, 2 * PAGE, 2 /* MPOL_BIND */, &node0, 8 * sizeof(node0),
		    0) &&
	    errno != ENOSYS)
		die("mbind");
	checkpoint("mbind");
	if (syscall(SYS_mbind, a + 2 * PAGE, 2 * PAGE, 0 /* MPOL_DEFAULT */, NULL, 0, 0) &&
	    errno != ENOSYS)
		die("mbind default");
	checkpoint("mbind-default");
}

/* userfaultfd registration splits its VMA; unregistering merges it back. */
static void uffd_phase(void)
{
	char *a = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = {
		.range = { (unsigned long)a + 2 * PAGE, 2 * PAGE },
		.mode = UFFDIO_REGISTER_MODE_MISSING,
	};
	int fd = syscall(SYS_userfaultfd, O_CLOEXEC);

	if (a == MAP_FAILED || fd < 0 || ioctl(fd, UFFDIO_API, &api) ||
	    ioctl(fd, UFFDIO_REGISTER, &reg))
		die("userfaultfd");
	checkpoint("uffd-register");
	if (ioctl(fd, UFFDIO_UNREGISTER, &reg.range))
		die("userfaultfd unregister");
	checkpoint("uffd-unregister");
	close(fd);
}

/* pkey_mprotect with no key is mprotect; mseal (6.10+) splits the VMA it seals. */
static void protect_phase(void)
{
	char *a = mmap(NULL, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		die("mmap");
	if (syscall(SYS_pkey_mprotect, a + PAGE, PAGE, PROT_READ, -1))
		die("pkey_mprotect");
	/* ENOSYS before 6.10: the checkpoint still holds */
	syscall(SYS_mseal, a + 4 * PAGE, PAGE, 0);
	checkpoint("pkey-mseal");
	mbind_phase();
	uffd_phase();
	mlockall_phase();
	/* VM_LOCKED and VM_LOCKONFAULT split VMAs too */
	a = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (a == MAP_FAILED || mlock(a + PAGE, 3 * PAGE) || munlock(a + 2 * PAGE, PAGE) ||
	    mlock2(a + 5 * PAGE, PAGE, MLOCK_ONFAULT) || mlock(a + 6 * PAGE, PAGE))
		die("mlock");
	checkpoint("mlock");
}

static int recurse(int depth)
{
	volatile char frame[4096];

	frame[0] = depth;
	if (depth == 0)
		return frame[0];
	return recurse(depth - 1) + frame[0];
}

static void stack_phase(void)
{
	recurse(512); /* ~2 MiB below the initial stack */
	checkpoint("stack-growth");
}

static void dl_phase(void)
{
	void *h = dlopen("libz.so.1", RTLD_NOW);

	if (!h)
		die("dlopen");
	checkpoint("dlopen");
	dlclose(h);
	checkpoint("dlclose");
}

static void fork_phase(const char *self)
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		void *p = mmap(NULL, 8 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		munmap((char *)p + PAGE, PAGE);
		checkpoint("fork-child");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	pid = fork();
	if (pid == 0) {
		execl(self, self, dir, "--exec", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	checkpoint("after-children");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: layout DIR [--exec]\n");
		return 2;
	}
	dir = argv[1];
	if (argc > 2 && !strcmp(argv[2], "--exec")) {
		volatile char *p = malloc(100);

		p[0] = 1;
		checkpoint("exec");
		return 0;
	}
	checkpoint("start");
	heap_phase();
	mmap_phase();
	thread_phase();
	arena_phase();
	merge_phase();
	fork_merge_phase();
	pseudo_file_phase();
	protect_phase();
	rename_phase();
	stack_phase();
	dl_phase();
	fork_phase(argv[0]);
	checkpoint("end");
	return 0;
}
