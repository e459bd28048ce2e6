// SPDX-License-Identifier: GPL-2.0
/*
 * A memory call made with the stack pointer in a page never touched: a frame
 * reserved by moving sp, as code with inline syscalls (Go, freestanding
 * programs) does. A thread's stack is fresh below its first frames, so
 * cold_mmap() lowers sp 5000 bytes, into such a page, and calls mmap there.
 * Its stack must still unwind: cold_mmap <- on_thread <- libc.
 * Usage: coldframe [N]: N such mmaps (default 5), each unmapped again.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define COLD_LEN 40960

long cold_mmap(void); /* mmap(NULL, COLD_LEN, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS) */

#if defined(__x86_64__)
asm(".text\n"
    ".globl cold_mmap\n"
    ".type cold_mmap, @function\n"
    "cold_mmap:\n"
    ".cfi_startproc\n"
    "	sub $5000, %rsp\n"
    ".cfi_adjust_cfa_offset 5000\n"
    "	mov $9, %eax\n" /* SYS_mmap */
    "	xor %edi, %edi\n"
    "	mov $40960, %esi\n"
    "	mov $1, %edx\n" /* PROT_READ */
    "	mov $0x22, %r10d\n" /* MAP_PRIVATE | MAP_ANONYMOUS */
    "	mov $-1, %r8\n"
    "	xor %r9d, %r9d\n"
    "	syscall\n"
    "	add $5000, %rsp\n"
    ".cfi_adjust_cfa_offset -5000\n"
    "	ret\n"
    ".cfi_endproc\n"
    ".size cold_mmap, .-cold_mmap\n");
#elif defined(__aarch64__)
asm(".text\n"
    ".globl cold_mmap\n"
    ".type cold_mmap, %function\n"
    "cold_mmap:\n"
    ".cfi_startproc\n"
    "	sub sp, sp, #4096\n" /* 5008: two encodable immediates */
    "	sub sp, sp, #912\n"
    ".cfi_adjust_cfa_offset 5008\n"
    "	mov x8, #222\n" /* SYS_mmap */
    "	mov x0, #0\n"
    "	mov x1, #40960\n"
    "	mov x2, #1\n"
    "	mov x3, #0x22\n"
    "	mov x4, #-1\n"
    "	mov x5, #0\n"
    "	svc #0\n"
    "	add sp, sp, #4096\n"
    "	add sp, sp, #912\n"
    ".cfi_adjust_cfa_offset -5008\n"
    "	ret\n"
    ".cfi_endproc\n"
    ".size cold_mmap, .-cold_mmap\n");
#endif

static void *on_thread(void *arg)
{
	long p = cold_mmap();

	if (p < 0 && p > -4096) {
		fprintf(stderr, "mmap: %ld\n", p);
		exit(1);
	}
	munmap((void *)p, COLD_LEN);
	return arg;
}

int main(int argc, char **argv)
{
	int i, n = argc > 1 ? atoi(argv[1]) : 5;
	pthread_t t;

	for (i = 0; i < n; i++) {
		/* a new thread each time: its stack is fresh below its first frames */
		if (pthread_create(&t, NULL, on_thread, NULL) || pthread_join(t, NULL))
			return 1;
	}
	return 0;
}
