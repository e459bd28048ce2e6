// SPDX-License-Identifier: GPL-2.0
/*
 * The floor tracer's reader: load, attach, count records by type, print the
 * counts as one JSON line on stderr at exit. Nothing else, on purpose.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "floor.h"
#include "floor.skel.h"

static const char *const type_names[BF_NTYPES] = {
	"brk",	   "mmap",   "munmap", "mremap", "mprotect",
	"madvise", "faults", "forks",  "execs",	 "exits",
};

static volatile sig_atomic_t stop;
static unsigned long long counts[BF_NTYPES];
/* -P: also count the records of one process and its descendants */
static unsigned long long tree_counts[BF_NTYPES];
static unsigned char *tree; /* bitmap of pids */
#define TREE_PIDS (1u << 22) /* pid_max's ceiling */

static int in_tree(__u32 pid)
{
	return pid < TREE_PIDS && (tree[pid / 8] & (1u << (pid % 8)));
}

static void tree_add(__u32 pid)
{
	if (pid < TREE_PIDS)
		tree[pid / 8] |= 1u << (pid % 8);
}

static struct {
	int batch;
	unsigned long ring_mib;
	double duration;
	long tree_root;
	const char *ready_file;
	int verbose;
} opt = { .ring_mib = 16 };

static void on_signal(int sig)
{
	stop = 1;
}

static int on_record(void *ctx, void *data, size_t size)
{
	const struct bf_rec *r = data;

	if (r->type >= BF_NTYPES)
		return 0;
	counts[r->type]++;
	if (tree && in_tree(r->pid)) {
		tree_counts[r->type]++;
		if (r->type == BF_FORK)
			tree_add(r->a[0]);
	}
	return 0;
}

static int print_fn(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !opt.verbose)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void *destroy_link(void *link)
{
	bpf_link__destroy(link);
	return NULL;
}

/* Each detach waits for an RCU grace period: do them all at once. */
static void detach_all(struct floor_bpf *skel)
{
	struct bpf_object_skeleton *s = skel->skeleton;
	pthread_t tids[64];
	int n = 0;

	for (int i = 0; i < s->prog_cnt && i < 64; i++) {
		struct bpf_link **link = s->progs[i].link;

		if (!*link)
			continue;
		if (pthread_create(&tids[n], NULL, destroy_link, *link))
			destroy_link(*link);
		else
			n++;
		*link = NULL;
	}
	while (n-- > 0)
		pthread_join(tids[n], NULL);
}

static void usage(int code)
{
	fprintf(code ? stderr : stdout,
		"usage: floor [-b] [-s MiB] [-d SECONDS] [-P PID] [--ready-file PATH] [-v]\n"
		"  -b  wake the reader only when 256 KiB are waiting (default: every record)\n"
		"  -P  also count apart the records of PID and its descendants\n"
		"Counts memory events system-wide until SIGINT/SIGTERM or -d seconds.\n");
	exit(code);
}

static void parse(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "batch", no_argument, NULL, 'b' },
		{ "ringbuf-mib", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "ready-file", required_argument, NULL, 'R' },
		{ "tree", required_argument, NULL, 'P' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	int c;

	while ((c = getopt_long(argc, argv, "bs:d:P:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'b':
			opt.batch = 1;
			break;
		case 's':
			opt.ring_mib = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			opt.duration = strtod(optarg, NULL);
			break;
		case 'R':
			opt.ready_file = optarg;
			break;
		case 'P':
			opt.tree_root = strtol(optarg, NULL, 0);
			break;
		case 'v':
			opt.verbose = 1;
			break;
		case 'h':
			usage(0);
			break;
		default:
			usage(2);
		}
	}
	if (optind != argc || !opt.ring_mib || (opt.ring_mib & (opt.ring_mib - 1)))
		usage(2);
}

static int mark_ready(void)
{
	int fd;

	if (!opt.ready_file)
		return 0;
	fd = open(opt.ready_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "floor: %s: %s\n", opt.ready_file, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static void summary(struct floor_bpf *skel, double t0)
{
	unsigned long long total = 0;

	fprintf(stderr, "{\"tracer\":\"floor\",\"batch\":%d,\"seconds\":%.3f", opt.batch,
		now() - t0);
	for (int i = 0; i < BF_NTYPES; i++) {
		fprintf(stderr, ",\"%s\":%llu", type_names[i], counts[i]);
		total += counts[i];
	}
	fprintf(stderr, ",\"events\":%llu,\"drops\":%llu", total,
		(unsigned long long)skel->bss->drops);
	if (tree) {
		fprintf(stderr, ",\"tree\":{\"root\":%ld", opt.tree_root);
		for (int i = 0; i < BF_NTYPES; i++)
			fprintf(stderr, ",\"%s\":%llu", type_names[i], tree_counts[i]);
		fprintf(stderr, "}");
	}
	fprintf(stderr, "}\n");
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct floor_bpf *skel;
	double t0, deadline;
	int err;

	parse(argc, argv);
	if (opt.tree_root > 0) {
		tree = calloc(TREE_PIDS / 8, 1);
		if (!tree)
			return 1;
		tree_add(opt.tree_root);
	}
	libbpf_set_print(print_fn);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	skel = floor_bpf__open();
	if (!skel) {
		fprintf(stderr, "floor: open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->batch = opt.batch;
	bpf_map__set_max_entries(skel->maps.rb, opt.ring_mib << 20);
	err = floor_bpf__load(skel);
	if (!err)
		err = floor_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "floor: load/attach: %s\n", strerror(-err));
		goto out;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.rb), on_record, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "floor: ring buffer: %s\n", strerror(errno));
		goto out;
	}
	err = mark_ready();
	if (err)
		goto out;
	t0 = now();
	deadline = opt.duration > 0 ? t0 + opt.duration : 0;
	while (!stop && (!deadline || now() < deadline)) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "floor: poll: %s\n", strerror(-err));
			goto out;
		}
		/* poll only reads rings that woke it: batched records wait here */
		ring_buffer__consume(rb);
	}
	err = 0;
	detach_all(skel);
	ring_buffer__consume(rb);
	summary(skel, t0);
out:
	ring_buffer__free(rb);
	floor_bpf__destroy(skel);
	free(tree);
	return err ? 1 : 0;
}
