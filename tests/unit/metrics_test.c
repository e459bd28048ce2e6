// SPDX-License-Identifier: GPL-2.0
/*
 * The exposition (export/metrics.c) of a model built from records: a command
 * name chosen to break the format is escaped, per-process series exist for
 * --metrics-top processes only (the one that grew among them), an exited
 * process has none, a failed mmap counts by errno and cause, and OpenMetrics
 * names counter families without _total and ends with # EOF; the ring
 * buffer's peak fill shows at the next scrape only. Cgroups: the families'
 * cgroup label, the controller's limit and usage, at most 64 cgroups with
 * series of their own and the rest under "other".
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include "check.h"
#include "model_util.h"
#include "export/metrics.h"

#define TOP 4
#define NR_PROCS 30

static char *snapshot(struct metrics *mx, bool om)
{
	size_t len;
	char *s = metrics__snapshot(mx, om, &len);

	CHECK(s && strlen(s) == len);
	return s;
}

/* Lines that are neither a comment nor a memsnoop sample: injected by a name. */
static int stray_lines(const char *text)
{
	const char *l;
	int n = 0;

	for (l = text; *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, "# ", 2) && strncmp(l, "memsnoop_", 9))
			n++;
		if (!strchr(l, '\n'))
			break;
	}
	return n;
}

/* Distinct pid labels of memsnoop_process_resident_bytes. */
static int process_series(const char *text, char *pids, size_t len)
{
	const char *p = text;
	int n = 0;

	pids[0] = 0;
	while ((p = strstr(p, "\nmemsnoop_process_resident_bytes{pid=\""))) {
		p += strlen("\nmemsnoop_process_resident_bytes{pid=\"");
		strncat(pids, p, strcspn(p, "\""));
		strncat(pids, " ", len - strlen(pids) - 1);
		n++;
	}
	return n;
}

static void seed(struct model *m, __u32 pid, const char *comm, __u64 heap_pages)
{
	mt_seed_begin(m, pid, 0, comm);
	mt_vma(m, pid, 0x400000, 0x401000, MS_VMA_READ | MS_VMA_EXEC, 0, 0x800001, 7, "/bin/x");
	mt_vma(m, pid, 0x600000, 0x600000 + heap_pages * PG, MS_VMA_READ | MS_VMA_WRITE, 0, 0, 0,
	       "[heap]");
	mt_seed_end(m, pid);
}

static void exit_group(struct model *m, __u32 pid)
{
	struct ms_exit e = {};

	mt_hdr(&e.h, MS_EXIT, sizeof(e), pid, MS_EXIT_GROUP);
	model__apply(m, &e.h);
}

static void cgroup_rec(struct model *m, __u64 id, const char *path, __u64 limit, __u64 usage)
{
	union mt_rec r = {};
	struct ms_cgroup *c = (void *)&r;

	c->id = id;
	c->hierarchy = MS_CG_V1_MEMORY;
	c->limit = limit;
	c->usage = usage;
	c->path_len = strlen(path);
	strcpy(c->path, path);
	mt_hdr(&c->h, MS_CGROUP, sizeof(*c) + MS_ALIGN8(c->path_len + 1), 0,
	       MS_CG_HAS_LIMIT | MS_CG_HAS_USAGE);
	model__apply(m, &c->h);
}

static void seed_in(struct model *m, __u32 pid, __u64 memcg)
{
	struct ms_seed_begin b = { .cg = { .mem = memcg } };

	strcpy(b.comm, "w");
	mt_hdr(&b.h, MS_SEED_BEGIN, sizeof(b), pid, 0);
	model__apply(m, &b.h);
	mt_vma(m, pid, 0x600000, 0x600000 + 2 * PG, MS_VMA_READ | MS_VMA_WRITE, 0, 0, 0, "[heap]");
	mt_seed_end(m, pid);
}

/* The sum of a family's samples, and how many there are. */
static __u64 sum_of(const char *text, const char *family, int *n)
{
	const char *p = text;
	__u64 sum = 0;

	*n = 0;
	while ((p = strstr(p, family))) {
		if ((p == text || p[-1] == '\n') && p[strlen(family)] == '{') {
			sum += strtoull(strchr(p, '}') + 2, NULL, 10);
			(*n)++;
		}
		p += strlen(family);
	}
	return sum;
}

static void test_cgroups(void)
{
	struct metrics_opts o = { .addr = "127.0.0.1:0", .top = TOP };
	struct model *m = model__new(PG);
	__u64 by_type[MS_TYPE_MAX] = {};
	struct metrics_health h = { .by_type = by_type };
	struct model_change chg = {};
	struct ms_faults f = {};
	struct ms_oom kill = {};
	char err[256], path[32], *text;
	struct metrics *mx = metrics__new(&o, m, err, sizeof(err));
	int i, n;

	CHECK(mx != NULL);
	if (!mx)
		return;
	cgroup_rec(m, 5, "/box", 64 << 20, 10 << 20);
	seed_in(m, 300, 5);
	for (i = 0; i < 70; i++) { /* more cgroups than have series of their own */
		snprintf(path, sizeof(path), "/g%d", i);
		cgroup_rec(m, 100 + i, path, 1 << 30, 1 << 20);
		seed_in(m, 400 + i, 100 + i);
	}
	mt_hdr(&f.h, MS_FAULTS, sizeof(f), 300, 0);
	f.delta.faults = 7;
	model__apply(m, &f.h);
	metrics__fn(mx, &f.h, &chg);
	mt_hdr(&kill.h, MS_OOM, sizeof(kill), 300, 0); /* the OOM killer chose it */
	metrics__fn(mx, &kill.h, &chg);
	metrics__publish(mx, &h);
	text = snapshot(mx, false);
	CHECK(strstr(text, "\nmemsnoop_oom_kills_total{cgroup=\"/box\"} 1\n"));
	CHECK(strstr(text, "\nmemsnoop_oom_kills_total{cgroup=\"/g0\"} 0\n"));
	CHECK(strstr(text, "\nmemsnoop_cgroup_memory_limit_bytes{cgroup=\"/box\"} 67108864\n"));
	CHECK(strstr(text, "\nmemsnoop_cgroup_memory_usage_bytes{cgroup=\"/box\"} 10485760\n"));
	CHECK(strstr(text, "\nmemsnoop_processes{cgroup=\"/box\"} 1\n"));
	CHECK(strstr(text, "\nmemsnoop_memory_bytes{cgroup=\"/box\",class=\"heap\"} 8192\n"));
	CHECK(strstr(text, "\nmemsnoop_page_faults_total{cgroup=\"/box\"} 7\n"));
	CHECK_EQ(sum_of(text, "memsnoop_processes", &n), 71);
	CHECK_EQ(n, 65); /* 64 cgroups and "other" */
	CHECK(strstr(text, "\nmemsnoop_processes{cgroup=\"other\"} 7\n"));
	CHECK(!strstr(text, "_bytes{cgroup=\"other\"} 1073741824")); /* no limit of "other" */
	free(text);
	metrics__free(mx);
	model__free(m);
}

int main(void)
{
	struct metrics_opts o = { .addr = "127.0.0.1:0", .top = TOP };
	struct model *m = model__new(PG);
	__u64 by_type[MS_TYPE_MAX] = {};
	struct metrics_health h = { .by_type = by_type };
	struct model_change chg = {};
	char err[256], pids[1024], *text;
	struct metrics *mx;
	union mt_rec r;
	struct ms_syscall *s = (void *)&r;
	__u32 pid;

	if (!metrics__available()) {
		printf("skip: a static build has no metrics\n");
		return 77;
	}
	mx = metrics__new(&o, m, err, sizeof(err));
	if (!mx) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	for (pid = 100; pid < 100 + NR_PROCS; pid++)
		seed(m, pid, "w", pid); /* pid 129 the largest */
	seed(m, 7, "a\"b\\c\nd} 1\nx", 1); /* the smallest, until it grows */
	metrics__publish(mx, &h);
	/* pid 7 grows: the fastest grower of this tick */
	mt_brk(m, 7, 0x600000, 0x600000 + 64 * PG);
	exit_group(m, 129);
	memset(&r, 0, sizeof(r));
	s->args[1] = 1ULL << 40;
	s->ret = -ENOMEM;
	mt_hdr(&s->h, MS_MMAP, sizeof(*s), 100, 0);
	model__apply(m, &s->h);
	metrics__fn(mx, &s->h, &chg);
	metrics__publish(mx, &h);

	text = snapshot(mx, false);
	CHECK_EQ(stray_lines(text), 0);
	CHECK(strstr(text, "comm=\"a\\\"b\\\\c?d} 1?x\""));
	CHECK_EQ(process_series(text, pids, sizeof(pids)), TOP);
	CHECK(strstr(pids, "7 ")); /* the grower */
	CHECK(strstr(pids, "128 ")); /* the largest alive */
	CHECK(!strstr(pids, "129 ")); /* exited */
	/* no cgroup records: every process in the cgroup "" (as if unlabelled) */
	CHECK(strstr(text, "memsnoop_processes{cgroup=\"\"} 30\n"));
	CHECK(strstr(
		text,
		"memsnoop_memory_calls_total{cgroup=\"\",call=\"mmap\",result=\"ENOMEM\"} 1\n"));
	CHECK(strstr(text, "memsnoop_failed_allocations_total{cause=\""));
	CHECK(strstr(text, "# TYPE memsnoop_page_faults_total counter\n"));
	free(text);

	/* the ring's fill: a peak between two scrapes shows once, then restarts from now */
	metrics__ring(mx, 1024, 60000, 65536);
	metrics__ring(mx, 2048, 4096, 65536);
	text = snapshot(mx, false);
	CHECK(strstr(text, "memsnoop_ringbuf_peak_used_bytes 60000\n"));
	CHECK(strstr(text, "memsnoop_ringbuf_used_bytes 2048\n"));
	CHECK(strstr(text, "memsnoop_ringbuf_peak_fill_ratio 0.9155\n"));
	free(text);
	text = snapshot(mx, false);
	CHECK(strstr(text, "memsnoop_ringbuf_peak_used_bytes 2048\n"));
	CHECK_EQ(stray_lines(text), 0);
	free(text);

	text = snapshot(mx, true);
	CHECK(strstr(text, "# TYPE memsnoop_page_faults counter\n"));
	CHECK(strstr(text, "# TYPE memsnoop_ringbuf_fill_ratio gauge\n"));
	CHECK(strlen(text) > 6 && !strcmp(text + strlen(text) - 6, "# EOF\n"));
	free(text);

	metrics__free(mx);
	model__free(m);
	test_cgroups();
	if (check_failures)
		fprintf(stderr, "%d checks failed\n", check_failures);
	return check_failures ? 1 : 0;
}
