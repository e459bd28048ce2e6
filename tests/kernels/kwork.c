// SPDX-License-Identifier: GPL-2.0
/*
 * kwork: the kernel tests' workload. Freestanding (no libc, raw syscalls) and
 * static, so every memory syscall it makes is one written below: the counts
 * are exact, with no libc start-up noise, on any kernel.
 *
 *   kwork counts             one round in this process, then fork a child
 *                            that does the same round; the parent waits
 *   kwork storm PAGES [N]    touch PAGES fresh pages N times (fault storm)
 *   kwork stack PAGES        grow the main stack: touch PAGES pages below sp,
 *                            one after the other, and print the lowest as
 *                            "kwork <pid> stack <addr>". Waits a second
 *                            first: before 6.7 memsnoop reads the layout exec
 *                            built from /proc, and that read must come before
 *                            the growth (slow under TCG)
 *   kwork checkpoint DIR     build a layout (heap, split mappings, a moved
 *                            mremap, a MAP_FIXED replacement, a file mapping),
 *                            fork a child that changes its copy, then each
 *                            writes DIR/<parent|child>.pid and waits for a
 *                            signal
 *
 * One round (ROUND_* below): 3 brk, 3 mmap, 2 mprotect, 2 madvise, 1 mremap,
 * 3 munmap, and ROUND_PAGES first-touch write faults in the first mapping.
 * It prints "kwork <pid> region <start>-<end>" for that mapping.
 */
#define ROUND_BRK 3
#define ROUND_MMAP 3
#define ROUND_MPROTECT 2
#define ROUND_MADVISE 2
#define ROUND_MREMAP 1
#define ROUND_MUNMAP 3
#define ROUND_PAGES 16

typedef unsigned long u64;
#define PAGE 4096UL

#if defined(__x86_64__)
#define SYS_read 0
#define SYS_write 1
#define SYS_close 3
#define SYS_mmap 9
#define SYS_mprotect 10
#define SYS_munmap 11
#define SYS_brk 12
#define SYS_mremap 25
#define SYS_madvise 28
#define SYS_pause 34
#define SYS_getpid 39
#define SYS_fork 57
#define SYS_exit 60
#define SYS_wait4 61
#define SYS_exit_group 231
#define SYS_openat 257
#define SYS_renameat 264
#define SYS_nanosleep 35
#elif defined(__aarch64__)
/* the generic table: no fork, renameat or pause (see the wrappers below) */
#define SYS_write 64
#define SYS_close 57
#define SYS_mmap 222
#define SYS_mprotect 226
#define SYS_munmap 215
#define SYS_brk 214
#define SYS_mremap 216
#define SYS_madvise 233
#define SYS_getpid 172
#define SYS_clone 220
#define SYS_exit 93
#define SYS_wait4 260
#define SYS_exit_group 94
#define SYS_openat 56
#define SYS_renameat2 276
#define SYS_ppoll 73
#define SYS_nanosleep 101
#define SIGCHLD 17
#else
#error "kwork knows x86_64 and aarch64"
#endif

#define PROT_NONE 0
#define PROT_READ 1
#define PROT_WRITE 2
#define MAP_SHARED 1
#define MAP_PRIVATE 2
#define MAP_FIXED 0x10
#define MAP_ANONYMOUS 0x20
#define MREMAP_MAYMOVE 1
#define MADV_DONTNEED 4
#define AT_FDCWD -100
#define O_RDONLY 0
#define O_WRONLY 1
#define O_CREAT 0100
#define O_TRUNC 01000

#if defined(__x86_64__)
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
static long sys6(long n, long a, long b, long c, long d, long e, long f)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;
	register long x4 __asm__("x4") = e;
	register long x5 __asm__("x5") = f;
	__asm__ volatile("svc #0"
			 : "+r"(x0)
			 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
			 : "memory");
	return x0;
}
#define SYS_fork SYS_clone /* clone(SIGCHLD, 0, ...) is fork */
#define SYS_pause SYS_ppoll /* ppoll(NULL, 0, NULL, NULL) waits for a signal */
#endif
#define sys(n, a, b, c) sys6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#ifdef SIGCHLD
#define FORK_ARG SIGCHLD
#else
#define FORK_ARG 0
#endif

static void die(int code)
{
	sys(SYS_exit_group, code, 0, 0);
	__builtin_unreachable();
}

static u64 slen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}
static void put(int fd, const char *s)
{
	sys(SYS_write, fd, s, slen(s));
}
static char *fmt_hex(char *p, u64 v)
{
	char tmp[17];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}
static char *fmt_dec(char *p, u64 v)
{
	char tmp[21];
	int n = 0;
	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}
static u64 parse_dec(const char *s)
{
	u64 v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (u64)(*s++ - '0');
	return v;
}
static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}
static void check(long r, const char *what)
{
	if (r < 0 && r > -4096) {
		put(2, "kwork: ");
		put(2, what);
		put(2, " failed\n");
		die(1);
	}
}
static u64 map(u64 addr, u64 len, int prot, int flags, int fd, u64 off)
{
	long r = sys6(SYS_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
	check(r, "mmap");
	return (u64)r;
}
static void touch(u64 addr, u64 pages)
{
	for (u64 i = 0; i < pages; i++)
		*(volatile char *)(addr + i * PAGE) = 1;
}

static void round_(void)
{
	/* brk: query, grow by 8 pages, shrink back (3 calls; no page touched) */
	u64 b0 = (u64)sys(SYS_brk, 0, 0, 0);
	sys(SYS_brk, b0 + 8 * PAGE, 0, 0);
	sys(SYS_brk, b0, 0, 0);

	/* 3 mmaps; ROUND_PAGES write faults in the first */
	u64 a = map(0, ROUND_PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
		    0);
	u64 b = map(0, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	u64 c = map(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch(a, ROUND_PAGES);

	char line[96], *p = line;
	const char *hd = "kwork ";
	while (*hd)
		*p++ = *hd++;
	p = fmt_dec(p, (u64)sys(SYS_getpid, 0, 0, 0));
	hd = " region ";
	while (*hd)
		*p++ = *hd++;
	p = fmt_hex(p, a);
	*p++ = '-';
	p = fmt_hex(p, a + ROUND_PAGES * PAGE);
	*p++ = '\n';
	*p = 0;
	put(2, line); /* stderr: stdout is memsnoop's JSON, written with another offset */

	/* 2 mprotects */
	check(sys(SYS_mprotect, a, 4 * PAGE, PROT_READ), "mprotect");
	check(sys(SYS_mprotect, b, 4 * PAGE, PROT_READ | PROT_WRITE), "mprotect");
	/* 2 madvises */
	check(sys(SYS_madvise, a + 4 * PAGE, 4 * PAGE, MADV_DONTNEED), "madvise");
	check(sys(SYS_madvise, c, 8 * PAGE, MADV_DONTNEED), "madvise");
	/* 1 mremap */
	long c2 = sys6(SYS_mremap, (long)c, 8 * PAGE, 16 * PAGE, MREMAP_MAYMOVE, 0, 0);
	check(c2, "mremap");
	/* 3 munmaps */
	check(sys(SYS_munmap, a, ROUND_PAGES * PAGE, 0), "munmap");
	check(sys(SYS_munmap, b, 4 * PAGE, 0), "munmap");
	check(sys(SYS_munmap, c2, 16 * PAGE, 0), "munmap");
}

static int cmd_counts(void)
{
	round_();
	long pid = sys(SYS_fork, FORK_ARG, 0, 0);
	check(pid, "fork");
	if (pid == 0) {
		round_();
		die(0);
	}
	int status = 0;
	check(sys6(SYS_wait4, pid, (long)&status, 0, 0, 0, 0), "wait4");
	return status == 0 ? 0 : 1;
}

static int cmd_storm(u64 pages, u64 n)
{
	for (u64 i = 0; i < n; i++) {
		u64 a = map(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		touch(a, pages);
		check(sys(SYS_munmap, a, pages * PAGE, 0), "munmap");
	}
	return 0;
}

static int cmd_stack(u64 pages)
{
	volatile char here = 0;
	u64 lo = ((u64)&here & ~(PAGE - 1)) - pages * PAGE;
	char line[64], *p = line;
	const char *hd = "kwork ";
	long second[2] = { 1, 0 };

	sys(SYS_nanosleep, second, 0, 0);
	for (u64 i = 1; i <= pages; i++)
		*(volatile char *)(lo + (pages - i) * PAGE) = 1;
	while (*hd)
		*p++ = *hd++;
	p = fmt_dec(p, (u64)sys(SYS_getpid, 0, 0, 0));
	hd = " stack ";
	while (*hd)
		*p++ = *hd++;
	p = fmt_hex(p, lo);
	*p++ = '\n';
	*p = 0;
	put(2, line);
	return here;
}

/* write DIR/NAME.pid atomically (via a temporary name) with our pid */
static void write_pid(const char *dir, const char *name)
{
	char path[256], tmp[256], buf[24], *p;
	u64 i = 0, j;
	for (j = 0; dir[j] && i < 200; j++)
		path[i++] = dir[j];
	path[i++] = '/';
	for (j = 0; name[j] && i < 240; j++)
		path[i++] = name[j];
	path[i] = 0;
	for (j = 0; j <= i; j++)
		tmp[j] = path[j];
	tmp[i] = '~';
	tmp[i + 1] = 0;
	for (j = 0; j < 4 && i + 4 < 250; j++) /* NAME.pid */
		path[i + j] = ".pid"[j];
	path[i + 4] = 0;
	long fd = sys6(SYS_openat, AT_FDCWD, (long)tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644, 0, 0);
	check(fd, "open pid file");
	p = fmt_dec(buf, (u64)sys(SYS_getpid, 0, 0, 0));
	*p++ = '\n';
	sys(SYS_write, fd, buf, p - buf);
	sys(SYS_close, fd, 0, 0);
#ifdef SYS_renameat2
	check(sys6(SYS_renameat2, AT_FDCWD, (long)tmp, AT_FDCWD, (long)path, 0, 0),
	      "rename pid file");
#else
	check(sys6(SYS_renameat, AT_FDCWD, (long)tmp, AT_FDCWD, (long)path, 0, 0),
	      "rename pid file");
#endif
}

static __attribute__((noreturn)) void cmd_checkpoint(const char *dir, const char *self)
{
	/* heap: grow by 12 pages, touch some */
	u64 b0 = (u64)sys(SYS_brk, 0, 0, 0);
	sys(SYS_brk, b0 + 12 * PAGE, 0, 0);
	touch(b0, 3);
	/* one mapping split in three by mprotect */
	u64 a = map(0, 32 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch(a, 32);
	check(sys(SYS_mprotect, a + 8 * PAGE, 8 * PAGE, PROT_READ), "mprotect");
	/* a hole punched in another */
	u64 h = map(0, 24 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	check(sys(SYS_munmap, h + 8 * PAGE, 4 * PAGE, 0), "munmap");
	/* MAP_FIXED over the middle of a third */
	u64 f = map(0, 16 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	map(f + 4 * PAGE, 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	/* a mapping moved by mremap */
	u64 m = map(0, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	touch(m, 8);
	long m2 = sys6(SYS_mremap, (long)m, 8 * PAGE, 64 * PAGE, MREMAP_MAYMOVE, 0, 0);
	check(m2, "mremap");
	/* a file mapping: our own executable */
	long fd = sys6(SYS_openat, AT_FDCWD, (long)self, O_RDONLY, 0, 0, 0);
	check(fd, "open self");
	map(0, 2 * PAGE, PROT_READ, MAP_PRIVATE, (int)fd, 0);
	sys(SYS_close, fd, 0, 0);

	long pid = sys(SYS_fork, FORK_ARG, 0, 0);
	check(pid, "fork");
	if (pid == 0) {
		/* the child changes its copy */
		check(sys(SYS_munmap, a, 8 * PAGE, 0), "munmap");
		u64 c = map(0, 20 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			    0);
		touch(c, 5);
		sys(SYS_brk, b0 + 20 * PAGE, 0, 0);
		write_pid(dir, "child");
	} else {
		write_pid(dir, "parent");
	}
	for (;;)
		sys(SYS_pause, 0, 0, 0);
}

int kmain(long argc, char **argv)
{
	if (argc >= 2 && streq(argv[1], "counts"))
		return cmd_counts();
	if (argc >= 3 && streq(argv[1], "storm"))
		return cmd_storm(parse_dec(argv[2]), argc >= 4 ? parse_dec(argv[3]) : 1);
	if (argc >= 3 && streq(argv[1], "stack"))
		return cmd_stack(parse_dec(argv[2]));
	if (argc >= 3 && streq(argv[1], "checkpoint"))
		cmd_checkpoint(argv[2], argv[0]);
	put(2, "usage: kwork counts | storm PAGES [N] | stack PAGES | checkpoint DIR\n");
	return 2;
}

void cstart(long *sp)
{
	die(kmain(sp[0], (char **)(sp + 1)));
}

#if defined(__x86_64__)
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	xor %rbp, %rbp\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call cstart\n"
	"	hlt\n");
#else
__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"	mov x29, #0\n"
	"	mov x30, #0\n"
	"	mov x0, sp\n"
	"	bl cstart\n"
	"	brk #0\n");
#endif
