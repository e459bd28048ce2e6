// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include "util/escape.h"
#include "util/log.h"
#include "util/json.h"

static bool json_mode; /* set once, by log_init */
static bool verbose_mode;

void log_init(bool json, bool verbose)
{
	json_mode = json;
	verbose_mode = verbose;
}

bool log_verbose(void)
{
	return verbose_mode;
}

static void vlog(const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (json_mode) {
		fprintf(stderr, "{\"%s\":", level);
		json_write_str(stderr, msg);
		fputs("}\n", stderr);
	} else {
		/* messages name files and processes: escaped as the views do */
		fputs("memsnoop: ", stderr);
		if (level[0] != 'e')
			fprintf(stderr, "%s: ", level);
		esc_fput(stderr, msg, sizeof(msg), ESC_TEXT);
		fputc('\n', stderr);
	}
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error", fmt, ap);
	va_end(ap);
}

void warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning", fmt, ap);
	va_end(ap);
}

void info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("info", fmt, ap);
	va_end(ap);
}
