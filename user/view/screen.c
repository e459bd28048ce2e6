// SPDX-License-Identifier: GPL-2.0
/* The driver every refreshing view shares: see screen.h. */
#include <langinfo.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <curses.h>
#include "util/escape.h"
#include "view/screen.h"

struct ui {
	struct ui_opts o;
	FILE *out; /* batch frames */
	struct frame_view fv;
	bool screen;
	int frames;
	int scroll;
	__u64 last_now;
	char *text; /* the last frame */
	size_t len;
	const char *ellipsis; /* ends a line cut to the screen's width */
};

struct ui *ui__new(const struct ui_opts *o, const struct frame_view *fv, FILE *out)
{
	struct ui *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->o = *o;
	u->fv = *fv;
	u->out = out;
	u->screen = o->screen && isatty(STDOUT_FILENO);
	if (u->screen) {
		setlocale(LC_CTYPE, "");
		u->ellipsis = strcmp(nl_langinfo(CODESET), "UTF-8") ? ">" : "\u2026";
		if (!initscr()) {
			free(u);
			return NULL;
		}
		cbreak();
		noecho();
		keypad(stdscr, TRUE);
		nodelay(stdscr, TRUE);
		curs_set(0);
	}
	return u;
}

void ui__free(struct ui *u)
{
	if (!u)
		return;
	if (u->screen)
		endwin();
	free(u->text);
	free(u);
}

static void render(struct ui *u, __u64 now_ns)
{
	FILE *f;

	free(u->text);
	u->text = NULL;
	u->len = 0;
	f = open_memstream(&u->text, &u->len);
	if (!f)
		return;
	u->fv.render(u->fv.ctx, now_ns, f);
	fclose(f);
	u->last_now = now_ns;
}

/* A line cut to the screen's width says so: its last column is an ellipsis. */
static void draw_line(int y, const char *s, int n, const char *ellipsis)
{
	int len = utf8_fit(s, n, COLS);

	if (len == n || COLS < 2) {
		mvaddnstr(y, 0, s, len);
		return;
	}
	mvaddnstr(y, 0, s, utf8_fit(s, n, COLS - 1));
	addstr(ellipsis);
}

static void draw(struct ui *u)
{
	const char *p = u->text ? u->text : "", *e;
	int y = 0, line = 0, body = LINES - 1 - u->fv.header_lines, nlines = 0;
	const char *q;

	for (q = p; *q; q++)
		nlines += *q == '\n';
	if (u->scroll > nlines - u->fv.header_lines - body)
		u->scroll = nlines - u->fv.header_lines - body;
	if (u->scroll < 0)
		u->scroll = 0;
	erase();
	for (; *p && y < LINES - 1; p = *e ? e + 1 : e, line++) {
		e = strchr(p, '\n');
		if (!e)
			e = p + strlen(p);
		if (line >= u->fv.header_lines && line < u->fv.header_lines + u->scroll)
			continue;
		if (line < u->fv.header_lines)
			attron(A_BOLD);
		draw_line(y++, p, e - p, u->ellipsis);
		attroff(A_BOLD);
	}
	attron(A_REVERSE);
	mvaddnstr(LINES - 1, 0, u->fv.keys ? u->fv.keys : "q quit", COLS);
	attroff(A_REVERSE);
	refresh();
}

int ui__tick(struct ui *u, __u64 now_ns)
{
	if (!u)
		return 0;
	render(u, now_ns);
	if (u->screen) {
		draw(u);
	} else {
		if (u->frames && !u->o.json) /* JSON: a frame a line */
			fputc('\n', u->out);
		fwrite(u->text, 1, u->len, u->out);
		fflush(u->out);
	}
	u->frames++;
	return u->o.iterations && u->frames >= u->o.iterations;
}

void ui__once(struct ui *u, __u64 now_ns)
{
	if (!u)
		return;
	render(u, now_ns);
	fwrite(u->text, 1, u->len, u->out);
	fflush(u->out);
}

int ui__poll(struct ui *u)
{
	bool redraw = false;
	int ch;

	if (!u || !u->screen)
		return 0;
	while ((ch = getch()) != ERR) {
		switch (ch) {
		case 'q':
		case 'Q':
			return 1;
		case KEY_RESIZE:
			redraw = true;
			break;
		case KEY_UP:
			u->scroll--;
			redraw = true;
			break;
		case KEY_DOWN:
			u->scroll++;
			redraw = true;
			break;
		case KEY_PPAGE:
			u->scroll -= LINES / 2;
			redraw = true;
			break;
		case KEY_NPAGE:
		case ' ':
			u->scroll += LINES / 2;
			redraw = true;
			break;
		case KEY_HOME:
			u->scroll = 0;
			redraw = true;
			break;
		default:
			if (u->fv.key && u->fv.key(u->fv.ctx, ch)) {
				render(u, u->last_now);
				redraw = true;
			}
		}
	}
	if (redraw)
		draw(u);
	return 0;
}
