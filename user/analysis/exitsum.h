/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The summary of a process's life, at its exit (MS_EXIT with MS_EXIT_GROUP):
 * lifetime, peaks, call counts, faults, how it ended. From the model, which
 * has applied the exit record; this module only remembers how each process
 * began (fork, exec, or already running when tracing started).
 */
#ifndef MEMSNOOP_EXITSUM_H
#define MEMSNOOP_EXITSUM_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"
#include "model/model.h"
#include "util/json.h"

struct exit_summary {
	__u64 lifetime_ns;
	const char *since; /* "fork", "exec", or "start": it ran before tracing began */
	__u64 peak_vsize, peak_rss, peak_heap;
	const __u64 *peak_resident; /* bytes by class (RC_*), from resident samples; NULL: none */
	__u64 mmaps, munmaps, brks, failed;
	__u64 faults;
	int exit_code; /* when signal is 0 */
	int signal;
	bool core_dumped;
	bool oom_killed; /* an MS_OOM record named it the OOM killer's victim */
	bool oom_memcg; /* a memory cgroup's limit (oom_cgroup), not the machine's memory */
	char oom_cgroup[256];
};

struct exitsum;

struct exitsum *exitsum__new(const struct model *m);
void exitsum__free(struct exitsum *x); /* NULL-safe */
/* Every record, after the model applied it. */
void exitsum__note(struct exitsum *x, const struct ms_hdr *rec);
/* The summary for the process-exit record just noted; false for anything else. */
bool exitsum__get(struct exitsum *x, const struct ms_hdr *rec, struct exit_summary *out);
/* "lifetime 2.31s, peak virtual 1.2G, ..." */
void exitsum__text(const struct exit_summary *s, char *buf, size_t len);
/* The fields of the JSON "summary" event (README: JSON schema). */
void exitsum__json(const struct exit_summary *s, struct json_obj *o);

#endif
