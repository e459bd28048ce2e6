// SPDX-License-Identifier: GPL-2.0
/* memsnoop record: the events to a file, as -w does, without the event stream. */
#include <stdio.h>
#include "commands/list.h"
#include "commands/settings.h"

static int record_check(const struct settings *s)
{
	if (!s->write_file) {
		fprintf(stderr, "memsnoop: record needs -o FILE\n");
		return -1;
	}
	return 0;
}

const struct command cmd_record = {
	.name = "record",
	.help = "record events to a file (-o FILE), as -w does",
	.makes = "recording",
	.filters = true,
	.summary = true,
	.check = record_check,
};
