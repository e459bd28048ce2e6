/* SPDX-License-Identifier: GPL-2.0 */
/* A tiny unit-test harness: CHECK and CHECK_EQ report and count failures. */
#ifndef MEMSNOOP_CHECK_H
#define MEMSNOOP_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			check_failures++;                                                        \
		}                                                                                \
	} while (0)

#define CHECK_EQ(a, b)                                                                    \
	do {                                                                              \
		long long _a = (long long)(a), _b = (long long)(b);                       \
		if (_a != _b) {                                                           \
			fprintf(stderr, "%s:%d: %s == %lld, want %s == %lld\n", __FILE__, \
				__LINE__, #a, _a, #b, _b);                                \
			check_failures++;                                                 \
		}                                                                         \
	} while (0)

#define CHECK_STR(a, b)                                                                       \
	do {                                                                                  \
		const char *_a = (a), *_b = (b);                                              \
		if (strcmp(_a, _b)) {                                                         \
			fprintf(stderr, "%s:%d: %s is\n  \"%s\"\nwant\n  \"%s\"\n", __FILE__, \
				__LINE__, #a, _a, _b);                                        \
			check_failures++;                                                     \
		}                                                                             \
	} while (0)

#define CHECK_DONE()                                                             \
	do {                                                                     \
		if (check_failures)                                              \
			fprintf(stderr, "%d check(s) failed\n", check_failures); \
		return check_failures ? 1 : 0;                                   \
	} while (0)

#endif
