// SPDX-License-Identifier: GPL-2.0
/* memsnoop report -r FILE -o report.html: one page to look at (export/report.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/list.h"
#include "commands/settings.h"
#include "export/report.h"
#include "source/replay.h"
#include "stream.h"
#include "util/log.h"
#include "util/outfile.h"
#include "view/info.h"

struct report_cmd {
	FILE *file;
	struct outfile of; /* file's, renamed into place when complete */
	struct report *report;
	struct info_view *info; /* the recording's facts, as `info` prints them */
};

static int report_check(const struct settings *s)
{
	if (!s->write_file) {
		fprintf(stderr, "memsnoop: report needs -o FILE (the page to write)\n");
		return -1;
	}
	return 0;
}

static int open_page(struct report_cmd *rc, const struct settings *s)
{
	char err[512];

	if (outfile__open(&rc->of, s->write_file, s->force, err, sizeof(err))) {
		error("%s", err);
		return -1;
	}
	rc->file = fdopen(rc->of.fd, "w");
	if (!rc->file) {
		error("%s: %s", s->write_file, strerror(errno));
		return -1;
	}
	rc->of.fd = -1; /* file owns it */
	return 0;
}

static int report_start(struct run *r)
{
	struct report_cmd *rc = calloc(1, sizeof(*rc));
	struct report_opts o = { .start_ns = r->start_ns,
				 .every_process = r->s->sel.nr_pids > 0,
				 .title = r->s->read_file,
				 .stacks = r->stacks,
				 .oom = r->oom };

	r->priv = rc;
	if (!rc)
		return -1;
	rc->of.fd = rc->of.dirfd = -1;
	if (open_page(rc, r->s))
		return -1;
	rc->report = report__new(r->model, &o);
	rc->info = info_view__new();
	if (!rc->report || !rc->info)
		return -1;
	if (stream__add_before(r->stream, report__pre_fn, rc->report) ||
	    stream__add_after(r->stream, info_view__fn, rc->info))
		return -1;
	return stream__add_after(r->stream, report__fn, rc->report);
}

/* What `memsnoop info` prints, as text for the page. */
static char *recording_facts(struct run *r, struct report_cmd *rc)
{
	const struct replay *rp = r->replay;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	info_view__print(rc->info, replay__meta(rp), replay__size(rp), replay__damage(rp),
			 replay__end(rp), r->summary, false, f);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static int report_show(struct run *r, bool present, __u64 at)
{
	struct report_cmd *rc = r->priv;
	char *facts = recording_facts(r, rc);
	int err;

	if (!facts) {
		error("report: out of memory");
		return 1;
	}
	err = report__write(rc->report, facts, rc->file);
	free(facts);
	if (err) {
		error("cannot write %s: %s", r->s->write_file, strerror(errno));
		return 1;
	}
	return 0;
}

/* A complete page is renamed into place; a failed one leaves nothing. */
static int close_page(struct report_cmd *rc, const char *path, int status)
{
	char err[512];

	if (rc->file && (fflush(rc->file) || fsync(fileno(rc->file))) && !status) {
		error("cannot write %s: %s", path, strerror(errno));
		status = 1;
	}
	if (rc->file && fclose(rc->file) && !status) {
		error("cannot write %s: %s", path, strerror(errno));
		status = 1;
	}
	if (rc->file && !status && outfile__publish(&rc->of, false, err, sizeof(err))) {
		error("%s", err);
		status = 1;
	}
	rc->file = NULL;
	outfile__close(&rc->of);
	return status;
}

static int report_stop(struct run *r, int status)
{
	struct report_cmd *rc = r->priv;

	if (!rc)
		return status;
	status = close_page(rc, r->s->write_file, status);
	report__free(rc->report);
	info_view__free(rc->info);
	free(rc);
	return status;
}

const struct command cmd_report = {
	.name = "report",
	.help = "one HTML page of a recording (-r FILE -o report.html)",
	.makes = "report",
	.exports = true,
	.needs_recording = true,
	.filters = true,
	.check = report_check,
	.start = report_start,
	.show = report_show,
	.stop = report_stop,
};
