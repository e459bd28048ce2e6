/* SPDX-License-Identifier: GPL-2.0 */
/* User-facing messages: one line each, on stderr; JSON objects in JSON mode. */
#ifndef MEMSNOOP_LOG_H
#define MEMSNOOP_LOG_H

#include <stdbool.h>

/* Once, at start, before any message: the modes do not change during a run. */
void log_init(bool json, bool verbose);
bool log_verbose(void);
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
