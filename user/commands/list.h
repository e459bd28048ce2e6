/* SPDX-License-Identifier: GPL-2.0 */
/* Every command's descriptor, one per file in this folder (commands.c's table). */
#ifndef MEMSNOOP_COMMANDS_LIST_H
#define MEMSNOOP_COMMANDS_LIST_H

#include "commands/command.h"

extern const struct command cmd_stream; /* no name: the event stream */
extern const struct command cmd_record;
extern const struct command cmd_maps;
extern const struct command cmd_top;
extern const struct command cmd_layout;
extern const struct command cmd_info;
extern const struct command cmd_export;
extern const struct command cmd_report;

#endif
