// SPDX-License-Identifier: GPL-2.0
/* Hints for seed records: see seed_hints.h. */
#include <dirent.h>
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "source/seed_hints.h"

#define PAGE_MASK_4K (~0xfffull)

/* "nr args... sp pc" or "-1 sp pc" when blocked; "running" otherwise. */
static int read_sp(__u32 pid, const char *tid, __u64 *sp)
{
	char path[320], buf[256], *tok[16], *save = NULL, *t;
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/task/%s/syscall", pid, tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	t = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!t)
		return -1;
	for (t = strtok_r(buf, " \n", &save); t && n < 16; t = strtok_r(NULL, " \n", &save))
		tok[n++] = t;
	if (n < 3)
		return -1;
	*sp = strtoull(tok[n - 2], NULL, 16);
	return *sp ? 0 : -1;
}

size_t seed_thread_sps(__u32 pid, struct thread_sp *sp, size_t max)
{
	char path[64];
	struct dirent *d;
	size_t n = 0;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/task", pid);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (n < max && (d = readdir(dir))) {
		__u32 tid = strtoul(d->d_name, NULL, 10);

		if (!tid || tid == pid || read_sp(pid, d->d_name, &sp[n].sp))
			continue;
		sp[n++].tid = tid;
	}
	closedir(dir);
	return n;
}

/* The loader maps a PT_LOAD's file pages and zero-fills up to p_memsz. */
static int bss_of(Elf *e, __u64 data_start, __u64 data_pgoff, __u64 anon_start)
{
	size_t i, n;
	GElf_Phdr ph;

	if (elf_getphdrnum(e, &n))
		return -1;
	for (i = 0; i < n; i++) {
		__u64 page_off, bias, file_end, mem_end;

		if (!gelf_getphdr(e, i, &ph) || ph.p_type != PT_LOAD || !(ph.p_flags & PF_W))
			continue;
		page_off = ph.p_offset & PAGE_MASK_4K;
		if (data_pgoff < page_off || data_pgoff >= ph.p_offset + ph.p_filesz)
			continue;
		bias = data_start - (data_pgoff - page_off) - (ph.p_vaddr & PAGE_MASK_4K);
		file_end = (bias + ph.p_vaddr + ph.p_filesz + 0xfff) & PAGE_MASK_4K;
		mem_end = (bias + ph.p_vaddr + ph.p_memsz + 0xfff) & PAGE_MASK_4K;
		return anon_start == file_end && mem_end > file_end;
	}
	return -1;
}

int seed_elf_bss(__u32 pid, __u64 data_start, __u64 data_end, __u64 data_pgoff, __u64 anon_start)
{
	char path[96];
	int fd, ret = -1;
	Elf *e;

	if (elf_version(EV_CURRENT) == EV_NONE)
		return -1;
	/* the mapped file itself, whatever its name and mount namespace */
	snprintf(path, sizeof(path), "/proc/%u/map_files/%llx-%llx", pid,
		 (unsigned long long)data_start, (unsigned long long)data_end);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (e && elf_kind(e) == ELF_K_ELF)
		ret = bss_of(e, data_start, data_pgoff, anon_start);
	elf_end(e);
	close(fd);
	return ret;
}
