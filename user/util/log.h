/* SPDX-License-Identifier: GPL-2.0 */
/* User-facing messages: one line each, on stderr; JSON objects in JSON mode. */
#ifndef MEMSNOOP_LOG_H
#define MEMSNOOP_LOG_H

#include <stdbool.h>

void log_set_json(bool json);
void log_set_verbose(bool verbose);
bool log_verbose(void);
void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
