// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark workload: deterministic memory activity in one of a few cases,
 * timed from the start of the work to its end. It prints what it did as one
 * JSON line on stderr, so the harness can compare tracers' counts with it.
 *
 *   fault    fresh anonymous pages, few syscalls
 *   syscall  mmap/touch/munmap of small sizes, plus brk growth and shrink
 *   threads  main + 3 threads doing both, each on its own stack
 *   procs    fork + exec(/bin/true) + exit churn
 *   regions  60,000 separate mappings, then wait (for RSS measurements)
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096UL
#define NTHREADS 4 /* main + 3 */

struct counts {
	atomic_ulong mmap, munmap, brk, madvise, mprotect, faults, forks, execs;
};

static struct counts cnt;

static struct {
	const char *mode;
	double scale;
	unsigned long fault_mib; /* total MiB written in the fault case */
	unsigned long chunk_mib;
	unsigned long pairs; /* mmap/munmap pairs in the syscall case */
	unsigned long procs;
	unsigned long regions;
	unsigned long others; /* other syscalls (getppid) in the other case */
	double rate; /* syscall case: pairs per second, 0 = as fast as possible */
	int wait_stdin;
} opt = {
	.scale = 1.0,
	.fault_mib = 2048,
	.chunk_mib = 64,
	.pairs = 200000,
	.procs = 1000,
	.regions = 60000,
	.others = 4000000,
};

static pthread_mutex_t brk_lock = PTHREAD_MUTEX_INITIALIZER;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	cnt.mmap++;
	return p;
}

static void unmap(void *p, size_t len)
{
	if (munmap(p, len))
		die("munmap");
	cnt.munmap++;
}

/* Write one byte in each page: one not-present fault per page. */
static void touch(char *p, size_t len)
{
	for (size_t off = 0; off < len; off += PAGE)
		p[off] = 1;
	cnt.faults += len / PAGE;
}

static void do_faults(unsigned long mib)
{
	size_t chunk = opt.chunk_mib << 20;

	for (unsigned long done = 0; done < mib; done += opt.chunk_mib) {
		char *p = map_anon(chunk, PROT_READ | PROT_WRITE);

		if (madvise(p, chunk, MADV_NOHUGEPAGE))
			die("madvise");
		cnt.madvise++;
		touch(p, chunk);
		unmap(p, chunk);
	}
}

static unsigned long sys_brk(unsigned long addr)
{
	cnt.brk++;
	return syscall(SYS_brk, addr);
}

/* Grow the break page by page, touching each new page, then shrink it back. */
static void brk_cycle(unsigned long steps)
{
	unsigned long base, cur;

	pthread_mutex_lock(&brk_lock);
	base = sys_brk(0);
	cur = base;
	for (unsigned long i = 0; i < steps; i++) {
		if (sys_brk(cur + PAGE) != cur + PAGE)
			die("brk grow");
		touch((char *)cur, PAGE);
		cur += PAGE;
	}
	for (unsigned long i = 0; i < steps; i++) {
		cur -= PAGE;
		sys_brk(cur);
	}
	pthread_mutex_unlock(&brk_lock);
}

static void pace(unsigned long done, double t0)
{
	double due = t0 + done / opt.rate;
	double d = due - now();

	if (d > 0) {
		struct timespec ts = { (time_t)d, (long)((d - (time_t)d) * 1e9) };

		nanosleep(&ts, NULL);
	}
}

/* pairs of mmap(1..16 pages)/touch one page/munmap; a brk cycle every 1000 */
static void do_syscalls(unsigned long pairs)
{
	double t0 = now();

	for (unsigned long i = 0; i < pairs; i++) {
		size_t len = ((i * 7) % 16 + 1) * PAGE;
		char *p = map_anon(len, PROT_READ | PROT_WRITE);

		touch(p, PAGE);
		unmap(p, len);
		if (i % 1000 == 999)
			brk_cycle(16);
		if (opt.rate > 0 && i % 64 == 63)
			pace(i + 1, t0);
	}
}

/* each thread does half its share of the fault and syscall cases */
static void *thread_main(void *arg)
{
	do_faults(opt.fault_mib / (2 * NTHREADS));
	do_syscalls(opt.pairs / (2 * NTHREADS));
	return NULL;
}

static void do_threads(void)
{
	pthread_t t[NTHREADS - 1];

	for (int i = 0; i < NTHREADS - 1; i++)
		if (pthread_create(&t[i], NULL, thread_main, NULL))
			die("pthread_create");
	thread_main(NULL);
	for (int i = 0; i < NTHREADS - 1; i++)
		pthread_join(t[i], NULL);
	/* glibc 2.36, per thread: stack mmap, guard mprotect, MADV_DONTNEED at exit */
	cnt.mmap += NTHREADS - 1;
	cnt.mprotect += NTHREADS - 1;
	cnt.madvise += NTHREADS - 1;
}

static void do_procs(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) {
		pid_t pid = fork();
		int status;

		if (pid < 0)
			die("fork");
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		cnt.forks++;
		cnt.execs++;
		if (waitpid(pid, &status, 0) < 0)
			die("waitpid");
	}
}

/* Syscalls that are not about memory: what tracing costs everything else. */
static void do_others(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		syscall(SYS_getppid);
}

/* Separate one-page mappings; alternate protections so none merge. */
static void do_regions(unsigned long n)
{
	size_t len = n * PAGE;
	char *base = map_anon(len, PROT_NONE);

	for (unsigned long i = 0; i < n; i++) {
		int prot = i % 2 ? PROT_READ : PROT_READ | PROT_WRITE;

		if (mmap(base + i * PAGE, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1,
			 0) == MAP_FAILED)
			die("mmap fixed");
		cnt.mmap++;
		if (prot & PROT_WRITE) /* resident: a page for each sample to find */
			base[i * PAGE] = 1;
	}
}

static void wait_byte(void)
{
	char c;

	if (read(0, &c, 1) < 0)
		die("read stdin");
}

static double cpu_seconds(void)
{
	struct rusage self, kids;

	getrusage(RUSAGE_SELF, &self);
	getrusage(RUSAGE_CHILDREN, &kids);
	return self.ru_utime.tv_sec + self.ru_stime.tv_sec + kids.ru_utime.tv_sec +
	       kids.ru_stime.tv_sec +
	       (self.ru_utime.tv_usec + self.ru_stime.tv_usec + kids.ru_utime.tv_usec +
		kids.ru_stime.tv_usec) /
		       1e6;
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: workload [options] fault|syscall|threads|procs|other|regions\n"
		"  -n, --scale X       multiply the amount of work by X (default 1)\n"
		"      --fault-mib N   MiB written by the fault case (default 2048)\n"
		"      --pairs N       mmap/munmap pairs of the syscall case (default 200000)\n"
		"      --procs N       processes of the procs case (default 1000)\n"
		"      --regions N     mappings of the regions case (default 60000)\n"
		"      --others N      getppid() calls of the other case (default 4000000)\n"
		"      --rate R        syscall case: at most R pairs per second\n"
		"  -w, --wait-stdin    read one byte from stdin before starting\n"
		"The regions case waits for a byte on stdin (or EOF) once done.\n"
		"Prints {\"mode\", \"elapsed\", counts...} as one JSON line on stderr.\n");
	exit(code);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "scale", required_argument, NULL, 'n' },
		{ "fault-mib", required_argument, NULL, 'F' },
		{ "pairs", required_argument, NULL, 'P' },
		{ "procs", required_argument, NULL, 'R' },
		{ "regions", required_argument, NULL, 'G' },
		{ "others", required_argument, NULL, 'O' },
		{ "rate", required_argument, NULL, 'r' },
		{ "wait-stdin", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "n:wh", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			opt.scale = strtod(optarg, NULL);
			break;
		case 'F':
			opt.fault_mib = strtoul(optarg, NULL, 0);
			break;
		case 'P':
			opt.pairs = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			opt.procs = strtoul(optarg, NULL, 0);
			break;
		case 'G':
			opt.regions = strtoul(optarg, NULL, 0);
			break;
		case 'O':
			opt.others = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			opt.rate = strtod(optarg, NULL);
			break;
		case 'w':
			opt.wait_stdin = 1;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc - 1 || opt.scale <= 0)
		usage(2);
	opt.mode = argv[optind];
	opt.fault_mib = opt.fault_mib * opt.scale;
	opt.fault_mib -= opt.fault_mib % (opt.chunk_mib * 2 * NTHREADS);
	if (opt.fault_mib == 0)
		opt.fault_mib = opt.chunk_mib * 2 * NTHREADS;
	opt.pairs = opt.pairs * opt.scale;
	opt.procs = opt.procs * opt.scale;
	opt.others = opt.others * opt.scale;
}

int main(int argc, char **argv)
{
	double t0, t1, cpu0;

	parse(argc, argv);
	if (opt.wait_stdin)
		wait_byte();
	t0 = now();
	cpu0 = cpu_seconds();
	if (!strcmp(opt.mode, "fault"))
		do_faults(opt.fault_mib);
	else if (!strcmp(opt.mode, "syscall"))
		do_syscalls(opt.pairs);
	else if (!strcmp(opt.mode, "threads"))
		do_threads();
	else if (!strcmp(opt.mode, "procs"))
		do_procs(opt.procs);
	else if (!strcmp(opt.mode, "other"))
		do_others(opt.others);
	else if (!strcmp(opt.mode, "regions"))
		do_regions(opt.regions);
	else
		usage(2);
	t1 = now();
	fprintf(stderr,
		"{\"mode\":\"%s\",\"pid\":%d,\"t_start\":%.6f,\"elapsed\":%.6f,\"cpu\":%.6f,"
		"\"mmap\":%lu,\"munmap\":%lu,\"brk\":%lu,\"madvise\":%lu,\"mprotect\":%lu,"
		"\"faults\":%lu,\"forks\":%lu,\"execs\":%lu,\"threads\":%d}\n",
		opt.mode, getpid(), t0, t1 - t0, cpu_seconds() - cpu0, cnt.mmap, cnt.munmap,
		cnt.brk, cnt.madvise, cnt.mprotect, cnt.faults, cnt.forks, cnt.execs,
		strcmp(opt.mode, "threads") ? 0 : NTHREADS - 1);
	if (!strcmp(opt.mode, "regions"))
		wait_byte();
	return 0;
}
