// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the trace reader over hostile bytes. Every record handed
 * out is read in full, so ASan sees any record that runs past its block.
 */
#include <stdint.h>
#include <string.h>
#include "trace/trace.h"

static volatile __u64 sink;

static void on_warn(void *ctx, __u64 off, const char *msg)
{
	sink += off + strlen(msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct trace_meta *m;
	const struct ms_hdr *h;
	struct trace_reader *r;
	char err[256], sum[256];
	int ret;

	r = trace_reader__open_mem(data, size, err, sizeof(err));
	if (!r) {
		sink += strlen(err);
		return 0;
	}
	trace_reader__set_warn(r, on_warn, NULL);
	m = trace_reader__meta(r);
	sink += strlen(m->kernel) + strlen(m->hostname) + strlen(m->version) + strlen(m->cmdline) +
		strlen(m->filters) + m->page_size;
	while ((ret = trace_reader__next(r, &h)) == 1) {
		const unsigned char *p = (const void *)h;
		__u64 acc = 0;

		if (h->size < sizeof(*h) || h->size > MS_REC_MAX || h->size % 8 || (uintptr_t)h % 8)
			__builtin_trap();
		for (size_t i = 0; i < h->size; i++)
			acc += p[i];
		sink += acc;
	}
	if (ret < 0)
		sink += strlen(trace_reader__error(r));
	trace_damage__summary(trace_reader__damage(r), sum, sizeof(sum));
	sink += strlen(sum);
	trace_reader__close(r);
	return 0;
}
