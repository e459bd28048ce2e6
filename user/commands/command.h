/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A command: what `memsnoop NAME` adds to the one pipeline, as bpftool's
 * cmds[] table. session.c runs what every command shares (the source, the
 * model, the trace writer, signals, the loop, SIGUSR1 dumps); a command adds
 * its consumers once the source is open and says what it shows, and when.
 *
 * Adding a command: a file in this folder with its struct command, and a
 * line in commands.c's table.
 */
#ifndef MEMSNOOP_COMMAND_H
#define MEMSNOOP_COMMAND_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

struct settings;
struct stream;
struct model;
struct summary;
struct replay;
struct ui;
struct stacks;
struct oom_history;

/* One run, as the session gives it to the command. */
struct run {
	const struct settings *s;
	struct stream *stream;
	const struct model *model;
	const struct summary *summary; /* events by type, for info */
	const struct stacks *stacks; /* the call stacks records carry (--stacks) */
	const struct oom_history *oom; /* what grew before an OOM kill (analysis/oom.h) */
	FILE *out; /* the views' output: stdout or -o FILE */
	__u64 start_ns; /* time zero: the recording's start, or when tracing began */
	__u32 pid; /* the launched command's, else the first -p; 0: none */
	const struct replay *replay; /* the source, when a recording; NULL live */
	struct ui *ui; /* a refreshing view's screen (top.h), made by start */
	void *priv; /* the command's own state */
};

struct command {
	const char *name; /* NULL: the default command (no name given) */
	const char *help; /* its lines in --help's COMMANDS */
	const char *makes; /* what -o names when not the output: "recording", "export" */
	bool exports; /* its file is not a recording: -w names it too, -r goes with it */
	bool needs_recording; /* reads a recording only: -r FILE */
	bool filters; /* replay applies -p/-c/--children to the records (else it selects) */
	bool summary; /* the closing summary of events, on stderr */
	bool once; /* live --once: shown once right after seeding, then the run ends */
	/* Its own checks of the command line; -1 after a one-line message. */
	int (*check)(const struct settings *s);
	/* The source is open: adds its consumers to run->stream. -1 after a message. */
	int (*start)(struct run *r);
	/* Live, every interval (-i): refreshes what it shows. 1: time to stop. */
	int (*tick)(struct run *r, __u64 now);
	/* Whether its processes are there; if not, says which on stderr. */
	bool (*present)(struct run *r);
	/* The end of a replay (at: --at, 0: the end), or live --once. Returns a status. */
	int (*show)(struct run *r, bool present, __u64 at);
	/* The end of a live run that ran until stopped. */
	void (*finish)(struct run *r);
	/* Frees what start made (also after a failed start). Returns the status. */
	int (*stop)(struct run *r, int status);
};

/* The screen of a refreshing command (top, layout): full screen or frames to run->out. */
struct frame_view;
struct ui *command__ui(const struct run *r, const struct frame_view *fv);
/* Their tick: a frame. */
int command__ui_tick(struct run *r, __u64 now);

/* The command named name (NULL: the default); NULL when there is none. */
const struct command *command__find(const char *name);
/* --help's COMMANDS lines, from the table. */
void command__help(FILE *f);

#endif
