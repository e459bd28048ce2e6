// SPDX-License-Identifier: GPL-2.0
/*
 * Cgroups in the model: MS_CGROUP paths and usage by (hierarchy, id), the
 * ids that fork, seed and move records carry (and older, shorter records
 * without them), the cgroup a process is shown in; and the resolver against
 * this machine's hierarchies.
 */
#include <errno.h>
#include <stddef.h>
#include <sys/stat.h>
#include "model_util.h"
#include "source/cgroup.h"
#include "util/record.h"

static void cgroup_rec(struct model *m, unsigned hierarchy, __u64 id, const char *path, __u32 flags,
		       __u64 limit, __u64 usage)
{
	union mt_rec r = {};
	struct ms_cgroup *c = (void *)&r;
	size_t len = strlen(path);

	c->id = id;
	c->hierarchy = hierarchy;
	c->limit = limit;
	c->usage = usage;
	c->path_len = len;
	memcpy(c->path, path, len + 1);
	mt_hdr(&c->h, MS_CGROUP, sizeof(*c) + MS_ALIGN8(len + 1), 0, flags);
	CHECK(record_ok(&c->h));
	model__apply(m, &c->h);
}

static void seed(struct model *m, __u32 pid, __u64 dfl, __u64 mem, bool old)
{
	struct ms_seed_begin b = { .cg = { dfl, mem } };

	strcpy(b.comm, "w");
	mt_hdr(&b.h, MS_SEED_BEGIN, old ? offsetof(struct ms_seed_begin, cg) : sizeof(b), pid,
	       MS_SEED_AT_START);
	CHECK(record_ok(&b.h));
	model__apply(m, &b.h);
	mt_seed_end(m, pid);
}

static void fork_rec(struct model *m, __u32 parent, __u32 child, __u64 dfl, __u64 mem, bool old)
{
	struct ms_fork f = { .child_pid = child, .child_tid = child, .cg = { dfl, mem } };

	strcpy(f.comm, "w");
	mt_hdr(&f.h, MS_FORK, old ? offsetof(struct ms_fork, cg) : sizeof(f), parent, 0);
	CHECK(record_ok(&f.h));
	model__apply(m, &f.h);
}

static void move(struct model *m, __u32 pid, __u64 dfl, __u64 mem)
{
	struct ms_cgroup_move mv = { .cg = { dfl, mem } };

	mt_hdr(&mv.h, MS_CGROUP_MOVE, sizeof(mv), pid, 0);
	model__apply(m, &mv.h);
}

static const char *shown(const struct model *m, __u32 pid)
{
	const struct mcgroup *c = model__cgroup_of(m, model__process(m, pid));

	return c ? c->path : "-";
}

static void test_model(void)
{
	struct model *m = model__new(4096);
	const struct mcgroup *c;

	/* one id in two hierarchies: two cgroups */
	cgroup_rec(m, MS_CG_V1_MEMORY, 7, "/a", MS_CG_HAS_USAGE | MS_CG_HAS_LIMIT, 200, 100);
	cgroup_rec(m, MS_CG_V2, 7, "/b", 0, 0, 0);
	seed(m, 10, 7, 7, false);
	CHECK_STR(shown(m, 10), "/a"); /* the memory controller's v1 cgroup first */
	c = model__cgroup_of(m, model__process(m, 10));
	CHECK(c && c->has_limit && c->limit == 200 && c->usage == 100);
	seed(m, 11, 7, 7, true); /* an older recording's seed: no ids */
	CHECK(model__process(m, 11) != NULL);
	CHECK_STR(shown(m, 11), "-");
	fork_rec(m, 10, 12, 7, 0, false); /* CLONE_INTO_CGROUP: the child's own */
	CHECK_STR(shown(m, 12), "/b");
	fork_rec(m, 10, 13, 0, 0, true); /* older: the parent's */
	CHECK_STR(shown(m, 13), "/a");
	move(m, 13, 7, 9); /* a memory cgroup no record named yet: v2's */
	CHECK_STR(shown(m, 13), "/b");
	cgroup_rec(m, MS_CG_V1_MEMORY, 9, "/c", 0, 0, 0);
	CHECK_STR(shown(m, 13), "/c");
	c = model__cgroup_of(m, model__process(m, 13));
	CHECK(c && !c->has_usage && !c->has_limit);
	cgroup_rec(m, MS_CG_V1_MEMORY, 9, "/c2", MS_CG_HAS_USAGE, 0, 4096); /* renamed, sampled */
	c = model__cgroup_of(m, model__process(m, 13));
	CHECK(c && c->has_usage && c->usage == 4096 && !c->has_limit);
	CHECK_STR(shown(m, 13), "/c2");
	move(m, 14, 7, 7); /* a process first seen moving in (--cgroup) */
	CHECK_STR(shown(m, 14), "/a");
	model__free(m);
}

static void test_record_checks(void)
{
	union mt_rec r = {};
	struct ms_cgroup *c = (void *)&r;

	c->path_len = 3;
	memcpy(c->path, "/ab", 4);
	mt_hdr(&c->h, MS_CGROUP, sizeof(*c) + 8, 0, 0);
	CHECK(record_ok(&c->h));
	c->path_len = 9; /* past the record */
	CHECK(!record_ok(&c->h));
	c->path_len = 2; /* no NUL where it says */
	CHECK(!record_ok(&c->h));
}

/* The resolver on this machine: a hierarchy's root is "/", a made-up id is no cgroup. */
static void test_resolver(void)
{
	unsigned h[] = { MS_CG_V2, MS_CG_V1_MEMORY };
	struct memcg_usage u;
	char path[256];
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		const char *mnt = cgroup__mount(h[i]);

		if (!mnt || stat(mnt, &st))
			continue;
		CHECK_EQ(cgroup__path_in(h[i], st.st_ino, path, sizeof(path)), 0);
		CHECK_STR(path, "/");
		CHECK_EQ(cgroup__path_in(h[i], ~0ULL, path, sizeof(path)), -ENOENT);
		/* cached: a second miss does not walk again at once, and still misses */
		CHECK_EQ(cgroup__path_in(h[i], ~0ULL, path, sizeof(path)), -ENOENT);
		CHECK(memcg__read_in(h[i], "/no-such-cgroup-here", &u) < 0);
	}
	CHECK_EQ(cgroup__path_in(0, 1, path, sizeof(path)), -EINVAL);
	cgroup__reset();
}

int main(void)
{
	test_model();
	test_record_checks();
	test_resolver();
	if (check_failures)
		fprintf(stderr, "%d checks failed\n", check_failures);
	return check_failures ? 1 : 0;
}
