// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzers' seeds. "gen_corpus DIR": small valid traces for the
 * reader's fuzzer (compressed, raw, empty, several blocks, unknown record
 * types). "gen_corpus --hostile DIR [RECDIR]": the crafted traces of
 * tests/security (valid checksums, hostile records), random records with
 * valid checksums, a large valid trace, and each crafted trace's records as
 * an input of the pipeline fuzzer in RECDIR.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "trace/trace.h"
#include "records.h"

static int gen(const char *dir, const char *name, int n, bool compress, __u64 ts_step)
{
	struct trace_write_opts o = { .compress = compress, .force = true };
	struct trace_meta m = { .page_size = 4096, .nr_cpus = 4, .start_ns = 1000 };
	__u64 buf[MS_REC_MAX / 8] = {};
	struct ms_hdr *h = (void *)buf;
	struct trace_writer *w;
	char path[512], err[256];
	int e = 0;

	snprintf(m.kernel, sizeof(m.kernel), "6.1.0-fuzz");
	snprintf(m.hostname, sizeof(m.hostname), "seed");
	snprintf(m.version, sizeof(m.version), "0.1.0");
	snprintf(m.cmdline, sizeof(m.cmdline), "memsnoop record -o t.msnp -p 1");
	snprintf(m.filters, sizeof(m.filters), "pid=1 children");
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	w = trace_writer__open(path, &m, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (int i = 0; i < n && !e; i++) {
		h->ts_ns = 1000 + i * ts_step;
		h->pid = 100 + i % 3;
		h->tid = h->pid;
		h->type = i % 5 == 4 ? 50 + i : 1 + i % 12; /* some unknown */
		h->size = sizeof(*h) + 8 * (i % 7);
		h->flags = i;
		for (int k = 3; k < h->size / 8; k++)
			buf[k] = 0x7f0000000000ull + i * 4096 + k;
		e = trace_writer__write(w, h);
	}
	e |= trace_writer__close(w, err, sizeof(err));
	if (e)
		fprintf(stderr, "%s: %s\n", path, err);
	return !!e;
}

/* One crafted trace: records built by fill(i, buf) until it returns 0. */
typedef int (*fill_fn)(int i, __u64 *buf);

static int put_input(FILE *in, const struct ms_hdr *h)
{
	unsigned char head[4] = { 15, 0, h->size / 8 - 3, (h->size / 8 - 3) >> 8 };

	/* a raw record of the decoder (records.h): kind 15, control, size / 8 - 3 */
	return fwrite(head, 4, 1, in) != 1 || fwrite(h, h->size, 1, in) != 1;
}

static int gen_crafted(const char *dir, const char *recdir, const char *name, fill_fn fill)
{
	struct trace_write_opts o = { .compress = true };
	struct trace_meta m = { .page_size = 4096, .nr_cpus = 2, .start_ns = 1000000000 };
	static __u64 buf[MS_REC_MAX / 8];
	struct trace_writer *w;
	char path[PATH_MAX], err[256];
	FILE *in = NULL;
	int e = 0;

	snprintf(m.version, sizeof(m.version), "0.1.0");
	snprintf(path, sizeof(path), "%s/%s.seed", dir, name);
	remove(path);
	w = trace_writer__open(path, &m, &o, err, sizeof(err));
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (recdir) {
		snprintf(path, sizeof(path), "%s/%s", recdir, name);
		in = fopen(path, "w");
		e = !in;
	}
	for (int i = 0; !e; i++) {
		memset(buf, 0, sizeof(buf));
		if (!fill(i, buf))
			break;
		e = trace_writer__write(w, (void *)buf) || (in && put_input(in, (void *)buf));
	}
	e |= trace_writer__close(w, err, sizeof(err));
	if (in)
		e |= fclose(in);
	if (e)
		fprintf(stderr, "%s: %s\n", name, err);
	return !!e;
}

static void hdr(__u64 *buf, int type, size_t size, __u64 ts, __u32 pid)
{
	struct ms_hdr *h = (void *)buf;

	h->type = type;
	h->size = MS_ALIGN8(size);
	h->ts_ns = ts;
	h->pid = h->tid = pid;
}

/* A process with a seeded layout: begin, three regions, end. */
static int seed(int i, __u64 *buf, __u64 ts)
{
	struct ms_vma *v = (void *)buf;

	if (i == 0) {
		hdr(buf, MS_SEED_BEGIN, sizeof(struct ms_seed_begin), ts, 100);
		((struct ms_seed_begin *)buf)->nr_vmas = 3;
		strcpy(((struct ms_seed_begin *)buf)->comm, "victim");
	} else if (i <= 3) {
		strcpy(v->path, i == 3 ? "[stack]" : "/lib/x.so");
		v->path_len = strlen(v->path);
		hdr(buf, MS_VMA, sizeof(*v) + v->path_len + 1, ts, 100);
		v->start = RD_BASE + i * 0x10000;
		v->end = v->start + 0x4000;
		v->prot = MS_VMA_READ | MS_VMA_WRITE;
	} else {
		hdr(buf, MS_SEED_END, sizeof(struct ms_seed_end), ts, 100);
	}
	return 1;
}

static int mmap_rec(__u64 *buf, __u64 ts, __u64 addr, __s64 ret)
{
	struct ms_syscall *s = (void *)buf;

	hdr(buf, MS_MMAP, sizeof(*s), ts, 100);
	s->args[0] = addr;
	s->args[1] = 0x2000;
	s->args[2] = 3;
	s->args[3] = 0x22;
	s->args[4] = -1;
	s->ret = ret;
	strcpy(s->comm, "victim");
	return 1;
}

/* The last record's time is the largest a u64 holds: window loops must not wrap. */
static int fill_ts_max(int i, __u64 *buf)
{
	if (i < 5)
		return seed(i, buf, 2000000000);
	if (i == 5)
		return mmap_rec(buf, 3000000000, 0, RD_BASE + 0x100000);
	if (i == 6)
		return mmap_rec(buf, ~0ULL, 0, RD_BASE + 0x200000);
	return 0;
}

/* Calls that "returned" INT64_MIN: negating it is undefined. */
static int fill_int64_min(int i, __u64 *buf)
{
	struct ms_syscall *s = (void *)buf;

	if (i < 5)
		return seed(i, buf, 2000000000);
	if (i >= 5 + MS_MADVISE)
		return 0;
	mmap_rec(buf, 3000000000 + i, RD_BASE, INT64_MIN);
	s->h.type = MS_BRK + i - 5;
	return 1;
}

/* Many small valid records: a replay that takes seconds (SIGINT stops it). */
static int fill_big(int i, __u64 *buf)
{
	struct ms_fault *f = (void *)buf;

	if (i < 5)
		return seed(i, buf, 2000000000);
	if (i >= 3000000)
		return 0;
	hdr(buf, MS_FAULT, sizeof(*f), 3000000000ULL + i * 1000ULL, 100);
	f->addr = RD_BASE + 0x10000 + (i % 4) * 4096;
	f->ip = f->addr;
	f->h.flags = MS_PF_USER | MS_PF_WRITE;
	return 1;
}

/* Random records through the fuzzer's decoder: hostile values, valid checksums. */
static unsigned char rnd_bytes[16384];
static struct rec_decoder rnd;

static int fill_random(int i, __u64 *buf)
{
	return rd_next(&rnd, buf);
}

static int gen_hostile(const char *dir, const char *recdir, int nr_random)
{
	int e = gen_crafted(dir, recdir, "ts-max", fill_ts_max) |
		gen_crafted(dir, recdir, "int64-min-ret", fill_int64_min) |
		gen_crafted(dir, NULL, "big", fill_big);
	char name[32];

	srandom(21);
	for (int k = 0; k < nr_random; k++) {
		for (size_t j = 0; j < sizeof(rnd_bytes); j++)
			rnd_bytes[j] = random();
		rd_init(&rnd, rnd_bytes, sizeof(rnd_bytes) >> (k % 4));
		snprintf(name, sizeof(name), "random-%d", k);
		e |= gen_crafted(dir, NULL, name, fill_random);
	}
	return e;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";

	if (argc > 2 && !strcmp(argv[1], "--hostile"))
		return gen_hostile(argv[2], argc > 3 ? argv[3] : NULL, 8);
	return gen(dir, "empty.seed", 0, true, 1) | gen(dir, "one-z.seed", 20, true, 1000) |
	       gen(dir, "one-raw.seed", 12, false, 1000) |
	       gen(dir, "blocks-z.seed", 30, true, 300000000) |
	       gen(dir, "blocks-raw.seed", 16, false, 400000000);
}
