/* SPDX-License-Identifier: GPL-2.0 */
/* Names and human units for what records hold. */
#ifndef MEMSNOOP_FMT_H
#define MEMSNOOP_FMT_H

#include <stddef.h>
#include <linux/types.h>

const char *ms_type_name(unsigned type); /* "mmap"; NULL for unknown types */
char *fmt_size(char *buf, size_t len, __u64 bytes); /* "132K", "1.5M" */
char *fmt_prot(char *buf, size_t len, __u64 prot); /* PROT_* -> "rw-" */
/* MS_VMA_* -> "r-xp", as /proc/PID/maps prints a mapping's permissions (buf: 5 bytes or more) */
char *fmt_perms(char *buf, size_t len, __u32 vma_prot);
char *fmt_mmap_flags(char *buf, size_t len, __u64 flags); /* "MAP_PRIVATE|MAP_ANONYMOUS" */
char *fmt_mremap_flags(char *buf, size_t len, __u64 flags);
char *fmt_mcl_flags(char *buf, size_t len, __u64 flags); /* mlockall: "MCL_CURRENT|MCL_FUTURE" */
const char *madvise_name(__u64 advice); /* "MADV_DONTNEED", or NULL */
const char *errno_name(int err); /* "ENOMEM" */
/* The errno a syscall result means (-4095..-1), else 0: any other value is a plain number. */
int ret_errno(__s64 ret);

#endif
