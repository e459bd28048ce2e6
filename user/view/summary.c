// SPDX-License-Identifier: GPL-2.0
#include "model/model.h"
#include "util/fmt.h"
#include "util/json.h"
#include "view/summary.h"

int summary__fn(void *ctx, const struct ms_hdr *h, const struct model_change *chg)
{
	struct summary *s = ctx;

	if (h->type >= MS_TYPE_MAX)
		return 0;
	if (h->type == MS_STACK && !model__stack_grew(s->m, (const struct ms_stack *)h))
		return 0;
	s->by_type[h->type]++;
	if (h->type == MS_FAULT)
		s->faults++;
	else if (h->type == MS_FAULTS)
		s->faults += ((const struct ms_faults *)h)->delta.faults;
	else if (h->type == MS_LOST)
		s->lost += ((const struct ms_lost *)h)->count;
	return 0;
}

static const unsigned shown[] = { MS_BRK,   MS_MMAP,  MS_MUNMAP, MS_MREMAP, MS_MPROTECT, MS_MADVISE,
				  MS_FAULT, MS_STACK, MS_FORK,	 MS_EXEC,   MS_EXIT };

void summary__print(const struct summary *s, bool json, FILE *f)
{
	struct json_obj o;
	__u64 total = 0;
	unsigned i;

	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		total += s->by_type[shown[i]];
	if (json) {
		json_begin(&o, f);
		json_object_begin(&o, "summary");
		json_u64(&o, "events", total);
		for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
			json_u64(&o, ms_type_name(shown[i]), s->by_type[shown[i]]);
		json_u64(&o, "faults_total", s->faults);
		json_u64(&o, "lost", s->lost);
		json_object_end(&o);
		json_end(&o);
		return;
	}
	fprintf(f, "memsnoop: %llu events:", (unsigned long long)total);
	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++)
		fprintf(f, " %s %llu%s", ms_type_name(shown[i]),
			(unsigned long long)s->by_type[shown[i]],
			i + 1 < sizeof(shown) / sizeof(shown[0]) ? "," : "");
	fprintf(f, "; %llu page faults; %llu lost\n", (unsigned long long)s->faults,
		(unsigned long long)s->lost);
}
