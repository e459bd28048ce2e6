/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The driver every refreshing view shares (top, layout): frames as plain
 * text (batch, --once, replay) or full screen with ncurses.
 */
#ifndef MEMSNOOP_SCREEN_H
#define MEMSNOOP_SCREEN_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

/* A refreshing view: renders a plain-text frame, may handle keys. */
struct frame_view {
	void *ctx;
	/* One frame at now_ns (kernel time; 0: the latest record's time). */
	void (*render)(void *ctx, __u64 now_ns, FILE *out);
	/* A key the view understands: true if it changed what render shows. */
	bool (*key)(void *ctx, int key);
	int header_lines; /* lines that stay put while the rest scrolls */
	const char *keys; /* the screen's last line: the keys it understands */
};

struct ui;

struct ui_opts {
	bool screen; /* full screen allowed (not -b, --once, -o, -j or a replay) */
	bool json; /* frames as JSON objects, one a line */
	int iterations; /* -n: frames to show, 0: until q or Ctrl-C */
};

/* Full screen if allowed and stdout is a terminal; else frames to out. */
struct ui *ui__new(const struct ui_opts *o, const struct frame_view *fv, FILE *out);
void ui__free(struct ui *u); /* restores the terminal; NULL-safe */
/* A frame; returns 1 when -n frames have been shown (time to stop). */
int ui__tick(struct ui *u, __u64 now_ns);
/* Between frames: keys and resizes (full screen). Returns 1 on q. */
int ui__poll(struct ui *u);
/* One plain-text frame to stdout (replay, --once), whatever the mode. */
void ui__once(struct ui *u, __u64 now_ns);

#endif
