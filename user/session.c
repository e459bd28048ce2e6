// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <malloc.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "util/clock.h"
#include "util/log.h"
#include "session.h"
#include "stream.h"
#include "model/model.h"
#include "source/launch.h"
#include "source/live.h"
#include "source/replay.h"
#include "trace/trace.h"
#include "util/outfile.h"
#include "view/event_view.h"
#include "view/maps_view.h"
#include "view/layout_view.h"
#include "view/summary.h"
#include "view/info.h"
#include "export/perfetto.h"
#include "view/top.h"

static volatile sig_atomic_t stop_signal, dump_requested, child_exited, ring_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		dump_requested = 1;
	else if (sig == SIGUSR2)
		ring_requested = 1;
	else if (sig == SIGCHLD)
		child_exited = 1;
	else
		stop_signal = sig;
}

/*
 * SA_RESTART: a write to a full pipe must not fail half-way when the traced
 * child exits (stdio would lose the bytes). poll and epoll_wait are never
 * restarted, so a signal still wakes the loop at once.
 */
static void install_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	int sigs[] = { SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD, SIGHUP };
	size_t i;

	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

struct session {
	struct settings *s;
	struct stream *stream;
	struct model *model;
	struct event_view *events;
	struct summary summary;
	struct trace_writer *writer;
	struct info_view *info;
	struct perfetto *perfetto;
	FILE *export_file;
	struct outfile export_of; /* export_file's, renamed into place when complete */
	struct outfile ready_of; /* --ready-file, renamed into place once attached */
	FILE *out; /* the views' output: stdout or -o FILE, in whole lines */
	unsigned long dumps; /* SIGUSR1 dumps begun (DIR/dumps) */
	int dump_dirfd; /* --dump DIR, checked at start; -1 */
	bool write_failed; /* the recording can take no more: stop */
	struct top *top; /* memsnoop top */
	struct layout_view *layout; /* memsnoop layout */
	struct ui *ui; /* refreshing views: top, layout */
	__u64 start_ns;
	bool started; /* the source opened: worth a summary */
};

static int model_fn(void *ctx, const struct ms_hdr *h)
{
	return model__apply(ctx, h);
}

static void filters_string(const struct settings *s, char *buf, size_t len)
{
	size_t off = 0;
	int i;

	buf[0] = 0;
	for (i = 0; i < s->nr_pids && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? "," : "pid=", s->pids[i]);
	if (s->comm[0] && off < len)
		off += snprintf(buf + off, len - off, "%scomm=%s", off ? " " : "", s->comm);
	if ((s->children || s->argc) && off < len)
		off += snprintf(buf + off, len - off, "%schildren", off ? " " : "");
	if (s->argc && off < len)
		snprintf(buf + off, len - off, " command=%s", s->argv[0]);
}

static int open_writer(struct session *ss)
{
	struct trace_write_opts o = { .compress = !ss->s->no_compress,
				      .force = ss->s->force,
				      .ring_bytes = ss->s->ring_bytes,
				      .publish_later = true };
	struct trace_meta meta = {};
	char err[512];

	trace_meta__fill_host(&meta);
	meta.start_ns = ss->start_ns;
	snprintf(meta.version, sizeof(meta.version), "%s", MEMSNOOP_VERSION);
	snprintf(meta.cmdline, sizeof(meta.cmdline), "%s", ss->s->cmdline);
	filters_string(ss->s, meta.filters, sizeof(meta.filters));
	ss->writer = trace_writer__open(ss->s->write_file, &meta, &o, err, sizeof(err));
	if (!ss->writer) {
		error("%s", err);
		return -1;
	}
	return 0;
}

/* A full disk or an I/O error: tracing on with nowhere to write would lie. */
static void writer_failed(struct session *ss)
{
	error("recording stopped: %s", trace_writer__error(ss->writer));
	trace_writer__close(ss->writer, NULL, 0);
	ss->writer = NULL;
	ss->write_failed = true;
}

static int writer_fn(void *ctx, const struct ms_hdr *h)
{
	struct session *ss = ctx;

	if (ss->writer && trace_writer__write(ss->writer, h))
		writer_failed(ss);
	return 0;
}

/* The export: a temporary file renamed to its name once complete (outfile.h). */
static int open_export(struct session *ss)
{
	char err[512];

	if (outfile__open(&ss->export_of, ss->s->write_file, ss->s->force, err, sizeof(err))) {
		error("%s", err);
		return -1;
	}
	ss->export_file = fdopen(ss->export_of.fd, "w");
	if (!ss->export_file) {
		error("%s: %s", ss->s->write_file, strerror(errno));
		return -1;
	}
	ss->export_of.fd = -1; /* export_file owns it */
	/* time zero is set when the recording's header is read */
	ss->perfetto = perfetto__new(ss->model, 0, ss->export_file);
	if (!ss->perfetto)
		return -1;
	return stream__add(ss->stream, perfetto__fn, ss->perfetto);
}

/* Model first (views ask it about each record), then views, then the file. */
static int build_pipeline(struct session *ss)
{
	struct settings *s = ss->s;

	ss->stream = stream__new();
	ss->model = model__new(4096);
	if (!ss->stream || !ss->model)
		return -1;
	if (s->cmd == CMD_LAYOUT) { /* before the model: snapshots of the state before */
		ss->layout = layout_view__new(s, ss->model);
		if (!ss->layout)
			return -1;
		stream__add(ss->stream, layout_view__pre_fn, ss->layout);
	}
	stream__add(ss->stream, model_fn, ss->model);
	ss->summary.m = ss->model;
	stream__add(ss->stream, summary__fn, &ss->summary);
	if (s->cmd == CMD_EVENTS) {
		ss->events = event_view__new(s, ss->model, ss->start_ns, ss->out);
		if (!ss->events)
			return -1;
		stream__add(ss->stream, event_view__fn, ss->events);
	}
	if (s->cmd == CMD_TOP) {
		ss->top = top__new(s, ss->model);
		if (!ss->top)
			return -1;
		stream__add(ss->stream, top__fn, ss->top);
	}
	if (s->cmd == CMD_TOP || s->cmd == CMD_LAYOUT) {
		struct frame_view fv = ss->top ? top__view(ss->top) : layout_view__view(ss->layout);

		ss->ui = ui__new(s, &fv, ss->out);
		if (!ss->ui)
			return -1;
	}
	if (s->cmd == CMD_INFO) {
		ss->info = info_view__new();
		if (!ss->info)
			return -1;
		stream__add(ss->stream, info_view__fn, ss->info);
	}
	if (s->cmd == CMD_EXPORT)
		return open_export(ss);
	if (s->write_file) {
		if (open_writer(ss))
			return -1;
		stream__add_writer(ss->stream, writer_fn, ss);
	}
	return 0;
}

/*
 * Made the safe way, checked before attaching and renamed into place once
 * attached: a script waiting for it must not wait forever.
 */
static int open_ready_file(struct session *ss)
{
	char err[512];

	if (!ss->s->ready_file)
		return 0;
	if (outfile__open(&ss->ready_of, ss->s->ready_file, ss->s->force, err, sizeof(err))) {
		error("--ready-file: %s", err);
		return -1;
	}
	return 0;
}

static int publish_ready_file(struct session *ss)
{
	char err[512];

	if (!ss->s->ready_file)
		return 0;
	if (outfile__publish(&ss->ready_of, false, err, sizeof(err))) {
		error("--ready-file: %s", err);
		return -1;
	}
	return 0;
}

/* Where the views write: stdout or -o FILE, whole lines per write (outfile.h). */
static int open_output(struct session *ss)
{
	struct outfile of;
	char err[512];

	if (!ss->s->output_file) {
		ss->out = lines_fdopen(STDOUT_FILENO, false);
		return ss->out ? 0 : -1;
	}
	if (outfile__open(&of, ss->s->output_file, ss->s->force, err, sizeof(err)) ||
	    outfile__publish(&of, false, err, sizeof(err))) {
		outfile__close(&of);
		error("%s", err);
		return -1;
	}
	ss->out = lines_fdopen(of.fd, true);
	if (ss->out)
		of.fd = -1;
	outfile__close(&of);
	return ss->out ? 0 : -1;
}

static int open_dump_dir(struct session *ss)
{
	char err[512];

	ss->dump_dirfd = -1;
	if (!ss->s->dump_dir)
		return 0;
	ss->dump_dirfd = outdir__open(ss->s->dump_dir, err, sizeof(err));
	if (ss->dump_dirfd < 0) {
		error("--dump: %s", err);
		return -1;
	}
	return 0;
}

static void handle_dump(struct session *ss)
{
	unsigned long dumps = ss->dumps++;

	dump_requested = 0;
	maps_view__dump_mark(ss->model, ss->dump_dirfd, ss->s->dump_dir, dumps + 1, dumps);
	maps_view__dump(ss->model, ss->dump_dirfd, ss->s->dump_dir, ss->s->json, ss->out);
	maps_view__dump_mark(ss->model, ss->dump_dirfd, ss->s->dump_dir, dumps + 1, dumps + 1);
}

/*
 * Exited processes leave free memory in the middle of the heap, where free()
 * cannot return it: hand it back to the kernel now and then, so a run left
 * going holds what its live processes need, not what a past burst needed.
 */
static void trim_heap(__u64 now, __u64 *next_trim)
{
	if (now < *next_trim)
		return;
	malloc_trim(0);
	*next_trim = now + 1000000000ULL;
}

static int live_loop(struct session *ss, struct live *l, struct launch *child)
{
	struct settings *s = ss->s;
	__u64 interval = s->interval * 1e9, next_tick = now_ns() + interval;
	__u64 deadline = s->duration ? now_ns() + s->duration * 1e9 : ~0ULL;
	__u64 next_trim = 0;
	int status = 0, wstatus;

	while (!stop_signal) {
		__u64 now = now_ns();
		int timeout = next_tick > now ? (next_tick - now) / 1000000 + 1 : 0;

		if (timeout > 100)
			timeout = 100;
		if (live__poll(l, timeout) < 0 && errno != EINTR)
			break;
		if (ui__poll(ss->ui))
			break;
		now = now_ns();
		if (dump_requested) {
			live__drain(l);
			handle_dump(ss);
		}
		if (ring_requested) {
			ring_requested = 0;
			live__drain(l);
			if (ss->writer && trace_writer__flush_ring(ss->writer))
				warn("cannot write the flight recorder: %s",
				     trace_writer__error(ss->writer));
		}
		if (now >= next_tick) {
			live__tick(l);
			if (ss->writer && trace_writer__tick(ss->writer, now))
				writer_failed(ss);
			if (s->cmd == CMD_MAPS && !s->once) {
				if (!s->json) /* JSON: a stream of objects, no screen */
					fputs("\033[H\033[2J", ss->out);
				maps_view__print(ss->model, s, ss->out);
			}
			if (ui__tick(ss->ui, now))
				break;
			trim_heap(now, &next_trim);
			next_tick = now + interval;
		}
		if (child->pid > 0 && child_exited &&
		    waitpid(child->pid, &wstatus, WNOHANG) == child->pid) {
			status = launch_exit_status(wstatus);
			child->pid = 0;
			break;
		}
		if (now >= deadline || ss->write_failed || live__selection_gone(l))
			break;
	}
	return status;
}

/* --at beyond the last record: there is no such moment to show. */
static void past_the_end(const struct trace_meta *m, __u64 until, __u64 last)
{
	error("--at is past the recording's end: it ends %.3f s in (kernel time %llu), "
	      "--at asks for %.3f s",
	      last > m->start_ns ? (last - m->start_ns) / 1e9 : 0.0, (unsigned long long)last,
	      until > m->start_ns ? (until - m->start_ns) / 1e9 : 0.0);
}

/* maps and layout of processes that are not there: say so (they print nothing else). */
static bool views_have_their_process(struct session *ss)
{
	if (ss->s->cmd == CMD_MAPS)
		return !maps_view__check(ss->model, ss->s);
	if (ss->layout)
		return !layout_view__check(ss->layout);
	return true;
}

static int run_live(struct session *ss)
{
	struct settings *s = ss->s;
	struct launch child = { .pid = 0, .go_fd = -1, .err_fd = -1 };
	struct live *l = NULL;
	int status = 1, err;

	if (live__open(&l, s, ss->stream))
		goto out;
	if (s->argc) {
		err = launch_prepare(&child, s->argv);
		if (err) {
			error("cannot start '%s': %s", s->argv[0], strerror(-err));
			goto out;
		}
	}
	live__seed(l);
	if (child.pid > 0)
		live__add_pid(l, child.pid); /* after seeding: its layout comes at exec */
	if (child.pid > 0)
		layout_view__set_pid(ss->layout, child.pid);
	/* no dump of this run yet */
	maps_view__dump_mark(ss->model, ss->dump_dirfd, s->dump_dir, 0, 0);
	if (s->argc) {
		err = launch_start(&child);
		if (err) {
			child.pid = 0;
			error("cannot run '%s': %s", s->argv[0], strerror(-err));
			goto out;
		}
	}
	/* started: the recording appears under its name (a failed start leaves none) */
	if (ss->writer && trace_writer__publish(ss->writer)) {
		error("%s", trace_writer__error(ss->writer));
		goto out;
	}
	if (publish_ready_file(ss))
		goto out;
	ss->started = true;
	if (s->once && (s->cmd == CMD_MAPS || s->cmd == CMD_LAYOUT)) {
		live__tick(l);
		live__drain(l);
		status = views_have_their_process(ss) ? 0 : 1;
		if (s->cmd == CMD_MAPS) /* those that are there */
			maps_view__print(ss->model, s, ss->out);
		else if (!status)
			ui__once(ss->ui, now_ns());
		goto out;
	}
	status = live_loop(ss, l, &child);
	live__finish(l);
	if (ss->write_failed)
		status = 1;
	if (s->cmd == CMD_MAPS && !s->once)
		maps_view__print(ss->model, s, ss->out);
out:
	launch_abort(&child);
	live__close(l);
	return status;
}

static int run_replay(struct session *ss)
{
	struct replay *r = NULL;
	__u64 until = ~0ULL;
	int status = 1, n;
	bool shown;

	if (replay__open(&r, ss->s, ss->stream))
		goto out;
	replay__set_stop(r, &stop_signal);
	ss->started = true;
	if (ss->events)
		event_view__set_start(ss->events, replay__meta(r)->start_ns);
	if (ss->perfetto)
		perfetto__set_start(ss->perfetto, replay__meta(r)->start_ns);
	if (ss->s->at_ns)
		until = ss->s->at_ns;
	else if (ss->s->at)
		until = replay__meta(r)->start_ns + (__u64)(ss->s->at * 1e9);
	n = replay__run(r, until);
	status = n < 0 ? 1 : 0;
	if (stop_signal) {
		warn("replay interrupted by %s: what follows stops before the end of the trace",
		     strsignal(stop_signal));
		status = 1;
	} else if (n == 0 && until != ~0ULL && until > replay__last_ns(r)) {
		past_the_end(replay__meta(r), until, replay__last_ns(r));
		status = 1;
		goto out;
	}
	shown = views_have_their_process(ss);
	if (!shown)
		status = 1;
	if (ss->s->cmd == CMD_MAPS) /* those that are there */
		maps_view__print(ss->model, ss->s, ss->out);
	if (ss->info)
		info_view__print(ss->info, replay__meta(r), replay__size(r), replay__damage(r),
				 replay__end(r), &ss->summary, ss->s->json, ss->out);
	if (ss->perfetto && perfetto__finish(ss->perfetto)) {
		error("cannot write %s: %s", ss->s->write_file, strerror(errno));
		status = 1;
	}
	ss->perfetto = NULL;
	if (shown)
		ui__once(ss->ui, until == ~0ULL ? 0 : until);
out:
	replay__close(r);
	return status;
}

/* A complete export is renamed into place; a failed one leaves nothing. */
static int close_export(struct session *ss, int status)
{
	char err[512];

	if (ss->export_file && (fflush(ss->export_file) || fsync(fileno(ss->export_file))) &&
	    !status) {
		error("cannot write %s: %s", ss->s->write_file, strerror(errno));
		status = 1;
	}
	if (ss->export_file && fclose(ss->export_file) && !status) {
		error("cannot write %s: %s", ss->s->write_file, strerror(errno));
		status = 1;
	}
	if (ss->export_file && !status &&
	    outfile__publish(&ss->export_of, false, err, sizeof(err))) {
		error("%s", err);
		status = 1;
	}
	ss->export_file = NULL;
	outfile__close(&ss->export_of);
	return status;
}

int session_run(struct settings *s)
{
	struct session ss = { .s = s, .start_ns = now_ns() };
	char err[512];
	int status = 1;

	install_signals();
	ss.export_of.fd = ss.export_of.dirfd = -1;
	ss.ready_of.fd = ss.ready_of.dirfd = -1;
	if (open_dump_dir(&ss) || open_ready_file(&ss) || open_output(&ss) || build_pipeline(&ss))
		goto out;
	status = s->read_file ? run_replay(&ss) : run_live(&ss);
	if (stream__late(ss.stream))
		warn("%llu records came after newer ones were delivered (beyond the reorder "
		     "window): delivered out of time order",
		     (unsigned long long)stream__late(ss.stream));
	ui__free(ss.ui); /* the terminal back before anything else is printed */
	ss.ui = NULL;
	fflush(ss.out);
	if ((s->cmd == CMD_EVENTS || s->cmd == CMD_RECORD) && ss.started)
		summary__print(&ss.summary, s->json, stderr);
	if (ss.model && model__over_budget(ss.model))
		warn("%llu forked processes have no layout (marked uncertain): copying their "
		     "parents' would have taken the model past its budget of regions",
		     (unsigned long long)model__over_budget(ss.model));
out:
	if (ss.writer && trace_writer__close(ss.writer, err, sizeof(err))) {
		error("%s", err);
		status = status ? status : 1;
	}
	ui__free(ss.ui);
	perfetto__finish(ss.perfetto);
	status = close_export(&ss, status);
	if (ss.out && fclose(ss.out) && !status) {
		error("cannot write the output: %s", strerror(errno));
		status = 1;
	}
	if (ss.dump_dirfd >= 0)
		close(ss.dump_dirfd);
	outfile__close(&ss.ready_of);
	info_view__free(ss.info);
	top__free(ss.top);
	layout_view__free(ss.layout);
	event_view__free(ss.events);
	model__free(ss.model);
	stream__free(ss.stream);
	return status;
}
