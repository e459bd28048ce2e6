/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run of memsnoop: a source (live or replay) feeding the model, the
 * views the command asks for and, with -w, the trace writer.
 */
#ifndef MEMSNOOP_SESSION_H
#define MEMSNOOP_SESSION_H

#include "commands/settings.h"

/* Returns the process exit status. */
int session_run(struct settings *s);

#endif
