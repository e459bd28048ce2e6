// SPDX-License-Identifier: GPL-2.0
/*
 * Writes the fuzzer's seed corpus: small valid traces (compressed, raw,
 * empty, several blocks, unknown record types). Usage: gen_corpus DIR
 */
#include <stdio.h>
#include <string.h>
#include "trace/trace.h"

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

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";

	return gen(dir, "empty.seed", 0, true, 1) | gen(dir, "one-z.seed", 20, true, 1000) |
	       gen(dir, "one-raw.seed", 12, false, 1000) |
	       gen(dir, "blocks-z.seed", 30, true, 300000000) |
	       gen(dir, "blocks-raw.seed", 16, false, 400000000);
}
