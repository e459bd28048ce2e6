// SPDX-License-Identifier: GPL-2.0
/*
 * JIT code for the stack tests: copies a few instructions that make the mmap
 * syscall themselves into anonymous executable memory and calls them, so the
 * innermost frame of that mmap (JIT_BYTES long) is JIT code. Before the call
 * it writes /tmp/perf-PID.map naming the code as node --perf-basic-prof does
 * ("map"; the name holds a tab, which memsnoop must escape), or the same map
 * behind a symbolic link ("symlink"), or owned by another user than the
 * process's and root ("foreign": run it as root), or none ("nomap"). It waits a little
 * for the tracer to name the frame, then removes what it wrote.
 * Usage: jitmap map|symlink|foreign|nomap
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#define JIT_BYTES (7 * 4096)

/* mmap(rdi, rsi, rdx, rcx, r8, r9) as a system call; ret */
static const unsigned char code[] = {
#if defined(__x86_64__)
	0x48, 0xc7, 0xc0, 0x09, 0x00, 0x00, 0x00, /* mov $9, %rax (mmap) */
	0x49, 0x89, 0xca, /* mov %rcx, %r10 */
	0x0f, 0x05, /* syscall */
	0xc3, /* ret */
#elif defined(__aarch64__)
	0xc8, 0x1b, 0x80, 0xd2, /* mov x8, #222 (mmap) */
	0x01, 0x00, 0x00, 0xd4, /* svc #0 */
	0xc0, 0x03, 0x5f, 0xd6, /* ret */
#else
#error "jitmap: x86_64 or aarch64"
#endif
};

typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);

static int write_map(const char *path, void *jit)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fprintf(f, "%lx 10 other_fn\n%lx %zx jit_mmap\tfn\n", (unsigned long)jit + 0x1000,
		(unsigned long)jit, sizeof(code));
	return fclose(f);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "map";
	char map[64], target[64];
	void *jit, *p;

	snprintf(map, sizeof(map), "/tmp/perf-%d.map", getpid());
	snprintf(target, sizeof(target), "/tmp/perf-%d.target", getpid());
	jit = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (jit == MAP_FAILED)
		return 1;
	memcpy(jit, code, sizeof(code));
	__builtin___clear_cache(jit, (char *)jit + sizeof(code));
	if (mprotect(jit, 4096, PROT_READ | PROT_EXEC))
		return 1;
	if (!strcmp(mode, "map") && write_map(map, jit))
		return 1;
	if (!strcmp(mode, "foreign") && (write_map(map, jit) || chown(map, 65534, 65534)))
		return 1;
	if (!strcmp(mode, "symlink") && (write_map(target, jit) || symlink(target, map)))
		return 1;
	p = ((mmap_fn)jit)(NULL, JIT_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
			   0);
	if (p == MAP_FAILED)
		return 1;
	usleep(1500 * 1000); /* the tracer names the frame while the process lives */
	unlink(map);
	unlink(target);
	return 0;
}
