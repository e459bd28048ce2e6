// SPDX-License-Identifier: GPL-2.0
/* The table of commands (command.h): one line per command. */
#include <string.h>
#include "commands/command.h"
#include "commands/list.h"
#include "commands/settings.h"
#include "view/top.h"

static const struct command *const commands[] = {
	&cmd_stream, &cmd_record, &cmd_maps,   &cmd_top,
	&cmd_layout, &cmd_info,	  &cmd_export, &cmd_report,
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

const struct command *command__find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++) {
		if (!name && !commands[i]->name)
			return commands[i];
		if (name && commands[i]->name && !strcmp(name, commands[i]->name))
			return commands[i];
	}
	return NULL;
}

void command__help(FILE *f)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i]->name ?: "(none)", commands[i]->help);
}

struct ui *command__ui(const struct run *r, const struct frame_view *fv)
{
	const struct settings *s = r->s;
	struct ui_opts o = {
		.screen = !s->batch && !s->once && !r->replay && !s->json && !s->output_file,
		.json = s->json,
		.iterations = s->iterations,
	};

	return ui__new(&o, fv, r->out);
}

int command__ui_tick(struct run *r, __u64 now)
{
	return ui__tick(r->ui, now);
}
