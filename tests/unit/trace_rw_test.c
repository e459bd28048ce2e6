// SPDX-License-Identifier: GPL-2.0
/* The trace file: round trips, truncation, damage, hostile input, file safety. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"
#include "trace/format.h"
#include "trace/trace.h"

static char dir[] = "/tmp/trace_rw_test.XXXXXX";
static char rec_buf[MS_REC_MAX] __attribute__((aligned(8)));

static __u64 mix(__u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ull;
	return x ^ (x >> 33);
}

/* Record i of a deterministic sequence: varied sizes, known and unknown types. */
static const struct ms_hdr *gen(__u64 i, __u64 ts_step)
{
	struct ms_hdr *h = (void *)rec_buf;
	__u64 r = mix(i + 1), words;
	static const __u16 types[] = { MS_MMAP, MS_FAULT, MS_FORK, MS_VMA, MS_LOST, 63, 99, 0xffff };

	words = r % 13 == 0 ? (r >> 8) % (MS_REC_MAX / 8 - 2) : (r >> 8) % 12;
	h->ts_ns = 1000 + i * ts_step;
	h->pid = i;
	h->tid = i ^ 0x5555;
	h->type = types[(r >> 4) % 8];
	h->size = sizeof(*h) + words * 8;
	h->flags = r >> 40;
	for (__u64 k = 0; k < words; k++)
		((__u64 *)(h + 1))[k] = k < 3 ? mix(i * 31 + k) : k; /* partly compressible */
	return h;
}

static bool same(const struct ms_hdr *a, const struct ms_hdr *b)
{
	return a->size == b->size && !memcmp(a, b, a->size);
}

static void fill_meta(struct trace_meta *m)
{
	memset(m, 0, sizeof(*m));
	trace_meta__fill_host(m);
	snprintf(m->version, sizeof(m->version), "0.1.0-test");
	memset(m->cmdline, 'c', sizeof(m->cmdline) - 1); /* the longest */
	snprintf(m->filters, sizeof(m->filters), "pid=1234,5678 comm=nginx children");
}

static char *path_of(const char *name)
{
	static char buf[4][256];
	static int n;
	char *p = buf[n++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

/* Write records [0, n) to path; returns 0 or the writer's error. */
static int write_trace(const char *path, __u64 n, __u64 ts_step, bool compress)
{
	struct trace_write_opts o = { .compress = compress };
	struct trace_meta m;
	struct trace_writer *w;
	char err[256];
	int e = 0;

	fill_meta(&m);
	w = trace_writer__open(path, &m, &o, err, sizeof(err));
	CHECK(w);
	if (!w) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	for (__u64 i = 0; i < n && !e; i++)
		e = trace_writer__stream_fn(w, gen(i, ts_step));
	CHECK_EQ(e, 0);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);
	return e;
}

static void *slurp(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size + 1);
	*len = read(fd, buf, st.st_size);
	close(fd);
	return buf;
}

/* Read every record, checking each against gen(first + k); returns the count. */
static long replay(struct trace_reader *r, __u64 first, __u64 ts_step)
{
	const struct ms_hdr *h;
	long n = 0;
	int ret;

	while ((ret = trace_reader__next(r, &h)) == 1) {
		if (!same(h, gen(first + n, ts_step))) {
			CHECK(!"record differs");
			return -1;
		}
		n++;
	}
	if (ret < 0)
		return -2;
	return n;
}

/* Read every record, checking it against gen(pid); none from [lo, hi). */
static long replay_skip(struct trace_reader *r, __u64 lo, __u64 hi, __u64 ts_step)
{
	const struct ms_hdr *h;
	long n = 0;
	int ret;

	while ((ret = trace_reader__next(r, &h)) == 1) {
		if (!same(h, gen(h->pid, ts_step)) || (h->pid >= lo && h->pid < hi)) {
			CHECK(!"unexpected record");
			return -1;
		}
		n++;
	}
	return ret < 0 ? -2 : n;
}

static void test_round_trip(bool compress)
{
	const char *path = path_of(compress ? "rt.z" : "rt.raw");
	const __u64 n = 100000;
	struct trace_meta want;
	const struct trace_meta *m;
	struct trace_reader *r;
	char err[256];

	write_trace(path, n, 1000, compress);
	r = trace_reader__open(path, err, sizeof(err));
	CHECK(r);
	if (!r)
		return;
	fill_meta(&want);
	m = trace_reader__meta(r);
	CHECK_STR(m->kernel, want.kernel);
	CHECK_STR(m->hostname, want.hostname);
	CHECK_STR(m->version, want.version);
	CHECK_STR(m->cmdline, want.cmdline);
	CHECK_STR(m->filters, want.filters);
	CHECK_EQ(m->page_size, want.page_size);
	CHECK_EQ(m->nr_cpus, want.nr_cpus);
	CHECK(m->start_ns && m->boot_to_wall_ns);
	CHECK_EQ(trace_reader__version(r), TRACE_FORMAT_VERSION);
	CHECK_EQ(replay(r, 0, 1000), n);
	CHECK_EQ(trace_reader__damage(r)->bad_blocks, 0);
	CHECK_EQ(trace_reader__damage(r)->truncated_bytes, 0);
	trace_reader__close(r);
}

/* A small trace of several blocks: a 1 s gap between records every few ones. */
static unsigned char *small_trace(bool compress, size_t *len)
{
	const char *path = path_of(compress ? "small.z" : "small.raw");

	unlink(path);
	write_trace(path, 40, 250000000, compress); /* 4 records per 1 s block */
	return slurp(path, len);
}

struct blocks {
	int n;
	size_t end[64]; /* file offset after each block */
	long recs[64]; /* records in the blocks up to and including this one */
	size_t hdr_len;
};

static void find_blocks(const unsigned char *buf, size_t len, struct blocks *b)
{
	size_t off = tf_get32(buf + 8);
	struct tf_blk blk;

	b->hdr_len = off;
	b->n = 0;
	while (off + TF_BLK_HDR <= len && b->n < 64 && !tf_blk_decode(buf + off, &blk)) {
		off += TF_BLK_HDR + blk.comp_len;
		b->end[b->n] = off;
		b->recs[b->n] = (b->n ? b->recs[b->n - 1] : 0) + blk.nr_records;
		b->n++;
	}
	CHECK_EQ(off, len);
	if (b->n) /* the end record (MS_TRACE_END) is the reader's, not replayed */
		b->recs[b->n - 1]--;
}

static void test_truncation(bool compress)
{
	size_t len;
	unsigned char *buf = small_trace(compress, &len);
	struct blocks b;
	char err[256];

	find_blocks(buf, len, &b);
	CHECK(b.n >= 5);
	for (size_t cut = 0; cut <= len; cut++) {
		struct trace_reader *r = trace_reader__open_mem(buf, cut, err, sizeof(err));
		long want = 0;
		size_t whole = b.hdr_len;

		if (cut < b.hdr_len) {
			CHECK(!r);
			CHECK(strstr(err, "cut short") || strstr(err, "too short") ||
			      strstr(err, "empty"));
			continue;
		}
		CHECK(r);
		if (!r)
			continue;
		for (int i = 0; i < b.n && b.end[i] <= cut; i++) {
			want = b.recs[i];
			whole = b.end[i];
		}
		CHECK_EQ(replay(r, 0, 250000000), want);
		CHECK_EQ(trace_reader__damage(r)->bad_blocks, 0);
		CHECK_EQ(trace_reader__damage(r)->truncated_bytes, cut - whole);
		/* only the whole file holds the end record */
		CHECK_EQ(trace_reader__damage(r)->not_closed, cut < len);
		CHECK_EQ(trace_reader__end(r)->seen, cut == len);
		if (cut == len)
			CHECK_EQ(trace_reader__end(r)->records, 40);
		trace_reader__close(r);
	}
	free(buf);
}

static int nr_warnings;

static void count_warn(void *ctx, __u64 off, const char *msg)
{
	nr_warnings++;
	if (ctx)
		fprintf(stderr, "warning at %llu: %s\n", (unsigned long long)off, msg);
}

static void test_bit_flips(bool compress)
{
	size_t len;
	unsigned char *buf = small_trace(compress, &len);
	struct blocks b;
	char err[256];

	find_blocks(buf, len, &b);
	for (size_t bit = 0; bit < len * 8; bit++) {
		struct trace_reader *r;
		size_t off = bit / 8;
		long want = b.recs[b.n - 1];

		buf[off] ^= 1u << (bit % 8);
		r = trace_reader__open_mem(buf, len, err, sizeof(err));
		if (off < b.hdr_len) {
			CHECK(!r); /* the header checksum catches it */
			CHECK(err[0]);
		} else if (r) {
			int i = 0;

			while (b.end[i] <= off)
				i++;
			want -= b.recs[i] - (i ? b.recs[i - 1] : 0);
			nr_warnings = 0;
			trace_reader__set_warn(r, count_warn, NULL);
			/* all but the damaged block's records read back */
			CHECK_EQ(replay_skip(r, i ? b.recs[i - 1] : 0, b.recs[i], 250000000), want);
			CHECK_EQ(trace_reader__damage(r)->bad_blocks, 1);
			CHECK_EQ(trace_reader__damage(r)->first_bad_offset,
				 i ? b.end[i - 1] : b.hdr_len);
			CHECK_EQ(nr_warnings, 1);
			trace_reader__close(r);
		} else {
			CHECK(r);
		}
		buf[off] ^= 1u << (bit % 8);
	}
	free(buf);
}

/* After a flip in block i, the records of later blocks still read back. */
static void test_resync(void)
{
	size_t len;
	unsigned char *buf = small_trace(true, &len);
	struct blocks b;
	const struct ms_hdr *h;
	char err[256];
	long n = 0;

	find_blocks(buf, len, &b);
	buf[b.end[1] + 3] ^= 0x40; /* block 2's magic */
	buf[b.end[3] + TF_BLK_HDR + 5] ^= 0x01; /* block 4's payload */
	struct trace_reader *r = trace_reader__open_mem(buf, len, err, sizeof(err));

	CHECK(r);
	while (trace_reader__next(r, &h) == 1) {
		__u64 i = h->pid;

		CHECK(same(h, gen(i, 250000000)));
		CHECK(i < (__u64)b.recs[1] || (i >= (__u64)b.recs[2] && i < (__u64)b.recs[3]) ||
		      i >= (__u64)b.recs[4]);
		n++;
	}
	CHECK_EQ(n, b.recs[b.n - 1] - (b.recs[2] - b.recs[1]) - (b.recs[4] - b.recs[3]));
	CHECK_EQ(trace_reader__damage(r)->bad_blocks, 2);
	CHECK_EQ(trace_reader__damage(r)->first_bad_offset, b.end[1]);
	CHECK_EQ(trace_reader__damage(r)->skipped_bytes, b.end[2] - b.end[1] + b.end[4] - b.end[3]);
	trace_damage__summary(trace_reader__damage(r), err, sizeof(err));
	CHECK(strstr(err, "2 damaged block(s)"));
	trace_reader__close(r);
	free(buf);
}

/* Resync through a file, across the reader's scan chunks; big raw blocks. */
static void test_resync_file(void)
{
	const char *path = path_of("big.raw");
	size_t len;
	unsigned char *buf;
	struct trace_reader *r;
	struct blocks b;
	char err[256];
	int fd;

	write_trace(path, 8000, 1000, false);
	buf = slurp(path, &len);
	find_blocks(buf, len, &b);
	CHECK(b.n >= 6);
	/* blocks 2 and 3: the scan for the next block crosses a chunk */
	CHECK(b.end[3] - b.end[1] > 256 << 10);
	fd = open(path, O_WRONLY);
	CHECK(pwrite(fd, "X", 1, b.end[1]) == 1);
	CHECK(pwrite(fd, "X", 1, b.end[2]) == 1);
	close(fd);
	r = trace_reader__open(path, err, sizeof(err));
	CHECK(r);
	if (r) {
		CHECK_EQ(replay_skip(r, b.recs[1], b.recs[3], 1000),
			 b.recs[b.n - 1] - (b.recs[3] - b.recs[1]));
		CHECK_EQ(trace_reader__damage(r)->bad_blocks, 1);
		CHECK_EQ(trace_reader__damage(r)->skipped_bytes, b.end[3] - b.end[1]);
	}
	trace_reader__close(r);
	free(buf);
}

/* tick() writes a block that has waited a second; nothing before. */
static void test_tick(void)
{
	const char *path = path_of("tick");
	struct trace_write_opts o = { .compress = true };
	struct trace_writer *w = trace_writer__open(path, NULL, &o, NULL, 0);
	struct stat st0, st1, st2;

	CHECK(w);
	if (!w)
		return;
	CHECK_EQ(trace_writer__write(w, gen(0, 1000)), 0);
	stat(path, &st0);
	CHECK_EQ(trace_writer__tick(w, 1000 + 999999999), 0);
	stat(path, &st1);
	CHECK_EQ(st1.st_size, st0.st_size);
	CHECK_EQ(trace_writer__tick(w, 1000 + 1000000000), 0);
	stat(path, &st2);
	CHECK(st2.st_size > st1.st_size);
	CHECK_EQ(trace_writer__close(w, NULL, 0), 0);
}

static struct trace_reader *open_expect_fail(const void *buf, size_t len, const char *msg)
{
	char err[256] = "";
	struct trace_reader *r = trace_reader__open_mem(buf, len, err, sizeof(err));

	CHECK(!r);
	if (!strstr(err, msg)) {
		fprintf(stderr, "error \"%s\", want \"%s\"\n", err, msg);
		CHECK(!"wrong error");
	}
	trace_reader__close(r);
	return r;
}

static void test_bad_headers(void)
{
	size_t len;
	unsigned char *buf = small_trace(true, &len);
	char err[256];

	open_expect_fail(buf, 0, "empty file");
	open_expect_fail("hello world, not a trace at all", 31, "bad magic");
	tf_put32(buf + 4, 3);
	open_expect_fail(buf, len,
			 "trace format version 3 is newer than this memsnoop (1): upgrade");
	tf_put32(buf + 4, 0);
	open_expect_fail(buf, len, "version 0");
	tf_put32(buf + 4, 1);
	tf_put32(buf + 8, 0xffffffff);
	open_expect_fail(buf, len, "bad trace header size");
	tf_put32(buf + 8, 20);
	open_expect_fail(buf, len, "bad trace header size");
	free(buf);

	/* a directory, /dev/zero, a missing file */
	CHECK(!trace_reader__open(dir, err, sizeof(err)));
	CHECK(strstr(err, "is a directory"));
	CHECK(!trace_reader__open("/dev/zero", err, sizeof(err)));
	CHECK(strstr(err, "not a regular file"));
	CHECK(!trace_reader__open(path_of("missing"), err, sizeof(err)));
	CHECK(strstr(err, "No such file"));
}

/* A header written by a newer writer of the same version: a longer header. */
static void test_header_grows(void)
{
	size_t len, hl;
	unsigned char *buf = small_trace(true, &len), *big;
	struct trace_reader *r;
	char err[256];

	hl = tf_get32(buf + 8);
	big = calloc(1, len + 100);
	memcpy(big, buf, hl - 4);
	memset(big + hl - 4, 0xab, 100); /* unknown fields */
	tf_put32(big + 8, hl + 100);
	tf_put32(big + hl + 96, tf_crc(big, hl + 96));
	memcpy(big + hl + 100, buf + hl, len - hl);
	r = trace_reader__open_mem(big, len + 100, err, sizeof(err));
	CHECK(r);
	if (r) {
		CHECK_STR(trace_reader__meta(r)->filters, "pid=1234,5678 comm=nginx children");
		CHECK_EQ(replay(r, 0, 250000000), 40);
	}
	trace_reader__close(r);
	free(big);
	free(buf);
}

/* Append one block with the given header fields and payload to buf at *off. */
static void put_block(unsigned char *buf, size_t *off, struct tf_blk *b, const void *payload)
{
	if (payload)
		memcpy(buf + *off + TF_BLK_HDR, payload, b->comp_len);
	b->payload_crc = tf_crc(buf + *off + TF_BLK_HDR, payload ? b->comp_len : 0);
	tf_blk_encode(buf + *off, b);
	*off += TF_BLK_HDR + (payload ? b->comp_len : 0);
}

static void test_hostile_blocks(void)
{
	size_t len, off;
	unsigned char *hdr = small_trace(false, &len);
	unsigned char *buf = calloc(1, 1 << 20);
	__u64 recs[16] = {};
	struct ms_hdr *h = (void *)recs;
	struct trace_reader *r;
	struct tf_blk b;
	char err[256];

	off = tf_get32(hdr + 8);
	memcpy(buf, hdr, off);
	/* a valid checksum on lengths over the cap: damage, then resync */
	b = (struct tf_blk){ .comp_len = 0xffffffff, .raw_len = 0xfffffff8, .flags = 0 };
	put_block(buf, &off, &b, NULL);
	b = (struct tf_blk){ .comp_len = 100, .raw_len = 1 << 24, .nr_records = 3, .flags = 1 };
	put_block(buf, &off, &b, recs); /* claims 16 MiB, garbage zstd */
	/* a record with a bad size ends its block; the ones before come through */
	h->size = 24;
	h->type = 1000;
	h[1].size = 12;
	b = (struct tf_blk){ .comp_len = 64, .raw_len = 64, .nr_records = 2 };
	put_block(buf, &off, &b, recs);
	/* a record larger than the block */
	h->size = 64;
	b = (struct tf_blk){ .comp_len = 32, .raw_len = 32, .nr_records = 1 };
	put_block(buf, &off, &b, recs);
	/* an empty block, then an unknown codec, then a valid one */
	b = (struct tf_blk){ .nr_records = 0 };
	put_block(buf, &off, &b, NULL);
	b = (struct tf_blk){ .comp_len = 8, .raw_len = 8, .flags = 7 };
	put_block(buf, &off, &b, recs);
	h->size = 24;
	h->type = 0;
	b = (struct tf_blk){ .comp_len = 24, .raw_len = 24, .nr_records = 1 };
	put_block(buf, &off, &b, recs);
	/* a block that claims more than is left: the file was cut */
	b = (struct tf_blk){ .comp_len = 4096, .raw_len = 4096, .nr_records = 1 };
	put_block(buf, &off, &b, NULL);
	off += 100;

	r = trace_reader__open_mem(buf, off, err, sizeof(err));
	CHECK(r);
	if (r) {
		const struct ms_hdr *rec;
		int types[4], n = 0, ret;

		trace_reader__set_warn(r, count_warn, getenv("V") ? r : NULL);
		nr_warnings = 0;
		while ((ret = trace_reader__next(r, &rec)) == 1 && n < 4)
			types[n++] = rec->type;
		CHECK_EQ(ret, 0);
		CHECK_EQ(n, 2);
		CHECK_EQ(types[0], 1000); /* unknown types pass through */
		CHECK_EQ(types[1], 0);
		CHECK_EQ(trace_reader__damage(r)->bad_blocks, 5);
		CHECK_EQ(trace_reader__damage(r)->truncated_bytes, TF_BLK_HDR + 100);
		CHECK_EQ(nr_warnings, 6);
	}
	trace_reader__close(r);
	free(buf);
	free(hdr);
}

static void test_file_safety(void)
{
	const char *path = path_of("safe"), *link = path_of("link"), *target = path_of("target");
	struct trace_write_opts o = { .compress = true };
	struct trace_writer *w;
	struct stat st;
	char err[256];
	mode_t old = umask(0);

	w = trace_writer__open(path, NULL, &o, err, sizeof(err));
	CHECK(w);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0600);
	CHECK(!trace_writer__open(path, NULL, &o, err, sizeof(err)));
	CHECK(strstr(err, "exists"));
	o.force = true;
	w = trace_writer__open(path, NULL, &o, err, sizeof(err));
	CHECK(w);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);

	/* a symlink at the target: refused even with force, its target untouched */
	close(open(target, O_CREAT | O_WRONLY, 0644));
	CHECK(!symlink(target, link));
	CHECK(!trace_writer__open(link, NULL, &o, err, sizeof(err)));
	CHECK(strstr(err, "symbolic link"));
	CHECK(!lstat(link, &st) && S_ISLNK(st.st_mode));
	CHECK(!stat(target, &st) && st.st_size == 0);
	/* a dangling one too */
	unlink(target);
	CHECK(!trace_writer__open(link, NULL, &o, err, sizeof(err)));
	CHECK(access(target, F_OK));
	o.force = false;
	CHECK(!trace_writer__open(link, NULL, &o, err, sizeof(err)));
	CHECK(access(target, F_OK));
	CHECK(!trace_writer__open(dir, NULL, &o, err, sizeof(err)));
	umask(old);
}

/* A full disk (here: RLIMIT_FSIZE): an error, and what came before reads back. */
static void test_short_write(void)
{
	const char *path = path_of("full");
	struct trace_write_opts o = { .compress = false };
	struct rlimit old, lim;
	struct trace_writer *w;
	struct trace_reader *r;
	char err[256];
	__u64 i;
	int e = 0;

	getrlimit(RLIMIT_FSIZE, &old);
	lim = old;
	lim.rlim_cur = 1 << 20;
	signal(SIGXFSZ, SIG_IGN);
	w = trace_writer__open(path, NULL, &o, err, sizeof(err));
	CHECK(w);
	if (!w)
		return;
	setrlimit(RLIMIT_FSIZE, &lim);
	for (i = 0; i < 1000000 && !e; i++)
		e = trace_writer__write(w, gen(i, 1000));
	CHECK(e < 0);
	CHECK(strstr(trace_writer__error(w), "writing a block"));
	CHECK(trace_writer__write(w, gen(i, 1000)) == e); /* stays failed */
	CHECK(trace_writer__close(w, err, sizeof(err)) < 0);
	setrlimit(RLIMIT_FSIZE, &old);
	r = trace_reader__open(path, err, sizeof(err));
	CHECK(r);
	if (r) {
		long n = replay(r, 0, 1000);

		CHECK(n > 1000 && n < (long)i);
		CHECK_EQ(trace_reader__damage(r)->bad_blocks, 0);
		CHECK(trace_reader__damage(r)->truncated_bytes > 0);
	}
	trace_reader__close(r);
}

static void check_ring_file(const char *path, __u64 last, __u64 ring_bytes)
{
	struct trace_reader *r;
	const struct ms_hdr *h;
	struct stat st;
	char err[256];
	__u64 first = 0, n = 0;

	r = trace_reader__open(path, err, sizeof(err));
	CHECK(r);
	if (!r)
		return;
	while (trace_reader__next(r, &h) == 1) {
		if (!n)
			first = h->pid;
		CHECK(same(h, gen(first + n, 1000)));
		n++;
	}
	CHECK(first > 0); /* the oldest were dropped */
	CHECK_EQ(first + n, last); /* ... and the newest kept */
	CHECK(!stat(path, &st) && (__u64)st.st_size <= ring_bytes + 4096);
	CHECK(st.st_size > 0 && (__u64)st.st_size > ring_bytes / 2);
	CHECK_EQ(st.st_mode & 0777, 0600);
	trace_reader__close(r);
}

static void test_flight_recorder(void)
{
	const char *path = path_of("ring");
	struct trace_write_opts o = { .compress = true, .ring_bytes = 256 << 10 };
	struct trace_writer *w;
	struct trace_reader *r;
	const struct ms_hdr *h;
	char err[256];
	__u64 i;

	w = trace_writer__open(path, NULL, &o, err, sizeof(err));
	CHECK(w);
	if (!w)
		return;
	/* before any flush the file is a valid, empty trace */
	r = trace_reader__open(path, err, sizeof(err));
	CHECK(r && trace_reader__next(r, &h) == 0);
	trace_reader__close(r);
	for (i = 0; i < 200000; i++)
		CHECK_EQ(trace_writer__write(w, gen(i, 1000)), 0);
	CHECK_EQ(trace_writer__flush_ring(w), 0);
	check_ring_file(path, i, o.ring_bytes);
	for (; i < 300000; i++)
		CHECK_EQ(trace_writer__write(w, gen(i, 1000)), 0);
	CHECK_EQ(trace_writer__close(w, err, sizeof(err)), 0);
	check_ring_file(path, i, o.ring_bytes);
}

static void test_bad_record_refused(void)
{
	struct trace_write_opts o = {};
	struct trace_writer *w = trace_writer__open(path_of("bad"), NULL, &o, NULL, 0);
	struct ms_hdr h = { .size = 12 };

	CHECK(w);
	if (!w)
		return;
	CHECK_EQ(trace_writer__write(w, &h), -EINVAL);
	h.size = MS_REC_MAX + 8;
	CHECK_EQ(trace_writer__write(w, &h), -EINVAL);
	CHECK_EQ(trace_writer__close(w, NULL, 0), 0);
	CHECK_EQ(trace_writer__close(NULL, NULL, 0), 0);
	trace_reader__close(NULL);
}

int main(void)
{
	char cmd[300];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_round_trip(true);
	test_round_trip(false);
	test_truncation(true);
	test_truncation(false);
	test_bit_flips(true);
	test_bit_flips(false);
	test_resync();
	test_resync_file();
	test_tick();
	test_bad_headers();
	test_header_grows();
	test_hostile_blocks();
	test_file_safety();
	test_short_write();
	test_flight_recorder();
	test_bad_record_refused();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
	CHECK_DONE();
}
