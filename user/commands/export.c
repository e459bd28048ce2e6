// SPDX-License-Identifier: GPL-2.0
/* memsnoop export: a recording in another format (export/perfetto.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "commands/list.h"
#include "commands/settings.h"
#include "export/folded.h"
#include "export/perfetto.h"
#include "util/log.h"
#include "stream.h"
#include "util/outfile.h"

struct export
{
	FILE *file;
	struct outfile of; /* file's, renamed into place when complete */
	struct perfetto *perfetto;
	struct folded *folded;
};

static int export_check(const struct settings *s)
{
	if (s->perfetto == s->folded || !s->write_file) {
		fprintf(stderr,
			"memsnoop: export needs one format (--perfetto or --folded) and -o FILE\n");
		return -1;
	}
	return 0;
}

/* A temporary file renamed to its name once complete (outfile.h). */
static int open_file(struct export *e, const struct settings *s)
{
	char err[512];

	if (outfile__open(&e->of, s->write_file, s->force, err, sizeof(err))) {
		error("%s", err);
		return -1;
	}
	e->file = fdopen(e->of.fd, "w");
	if (!e->file) {
		error("%s: %s", s->write_file, strerror(errno));
		return -1;
	}
	e->of.fd = -1; /* file owns it */
	return 0;
}

static int export_start(struct run *r)
{
	struct export *e = calloc(1, sizeof(*e));

	r->priv = e;
	if (!e)
		return -1;
	e->of.fd = e->of.dirfd = -1;
	if (open_file(e, r->s))
		return -1;
	if (r->s->folded) {
		e->folded = folded__new(r->model, r->stacks, r->s->weight, e->file);
		return e->folded ? stream__add_after(r->stream, folded__fn, e->folded) : -1;
	}
	e->perfetto = perfetto__new(r->model, r->start_ns, e->file);
	if (!e->perfetto)
		return -1;
	return stream__add_after(r->stream, perfetto__fn, e->perfetto);
}

static int export_show(struct run *r, bool present, __u64 at)
{
	struct export *e = r->priv;
	int err = e->folded ? folded__finish(e->folded) : perfetto__finish(e->perfetto);

	e->perfetto = NULL;
	e->folded = NULL;
	if (err) {
		error("cannot write %s: %s", r->s->write_file, strerror(errno));
		return 1;
	}
	return 0;
}

/* A complete export is renamed into place; a failed one leaves nothing. */
static int close_file(struct export *e, const char *path, int status)
{
	char err[512];

	if (e->file && (fflush(e->file) || fsync(fileno(e->file))) && !status) {
		error("cannot write %s: %s", path, strerror(errno));
		status = 1;
	}
	if (e->file && fclose(e->file) && !status) {
		error("cannot write %s: %s", path, strerror(errno));
		status = 1;
	}
	if (e->file && !status && outfile__publish(&e->of, false, err, sizeof(err))) {
		error("%s", err);
		status = 1;
	}
	e->file = NULL;
	outfile__close(&e->of);
	return status;
}

static int export_stop(struct run *r, int status)
{
	struct export *e = r->priv;

	if (!e)
		return status;
	perfetto__finish(e->perfetto); /* stopped early: balanced, then removed */
	folded__finish(e->folded);
	status = close_file(e, r->s->write_file, status);
	free(e);
	return status;
}

const struct command cmd_export = {
	.name = "export",
	.help = "a recording for ui.perfetto.dev (--perfetto -r FILE -o OUT),\n"
		"           or as folded stacks for flame graphs (--folded)",
	.makes = "export",
	.exports = true,
	.needs_recording = true,
	.filters = true,
	.check = export_check,
	.start = export_start,
	.show = export_show,
	.stop = export_stop,
};
