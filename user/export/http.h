/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The metrics endpoint's HTTP server: libmicrohttpd on a thread of its own,
 * non-blocking sockets, so one slow client delays nobody. It serves GET
 * /metrics with what body() returns; it knows nothing of memsnoop's data.
 */
#ifndef MEMSNOOP_HTTP_H
#define MEMSNOOP_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/*
 * The body of a scrape: a malloc'ed copy (freed by the server) and its
 * length; NULL when out of memory. Called on the server's thread.
 */
typedef char *(*http_body_fn)(void *ctx, bool openmetrics, size_t *len);

struct http_server;

/* Whether this build has the server (a static one has not: no static libmicrohttpd). */
bool http__available(void);
/* Listens on addr (HOST:PORT or [V6]:PORT) and serves. NULL after a message in err. */
struct http_server *http__start(const char *addr, http_body_fn body, void *ctx, char *err,
				size_t len);
/* Stops the thread, closes every connection. NULL-safe. */
void http__stop(struct http_server *h);

#endif
