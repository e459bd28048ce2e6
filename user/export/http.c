// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint's HTTP server (http.h). We bind the socket ourselves,
 * for a clear message when the port is taken, and hand it to libmicrohttpd,
 * which polls it and every connection on its own thread.
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/socket.h>
#include "export/http.h"

#ifdef MEMSNOOP_NO_METRICS

bool http__available(void)
{
	return false;
}

struct http_server *http__start(const char *addr, http_body_fn body, void *ctx, char *err,
				size_t len)
{
	snprintf(err, len, "--metrics: this build has no HTTP server (a static build: see README)");
	return NULL;
}

void http__stop(struct http_server *h)
{
}

#else

#include <microhttpd.h>

#define CONNECTION_TIMEOUT_S 10 /* a client that stops reading or writing goes */
#define CONNECTION_LIMIT 32

#define CT_TEXT "text/plain; version=0.0.4; charset=utf-8"
#define CT_OPENMETRICS "application/openmetrics-text; version=1.0.0; charset=utf-8"

struct http_server {
	struct MHD_Daemon *daemon;
	http_body_fn body;
	void *ctx;
};

bool http__available(void)
{
	return true;
}

static bool wants_openmetrics(struct MHD_Connection *c)
{
	const char *accept =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);

	return accept && strstr(accept, "application/openmetrics-text");
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	char *body = strdup(text);

	return body ? reply(c, status, "text/plain; charset=utf-8", body, strlen(text)) : MHD_NO;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
			     const char *method, const char *version, const char *upload,
			     size_t *upload_size, void **con_cls)
{
	struct http_server *h = cls;
	bool om;
	size_t len;
	char *body;

	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
	if (!strcmp(url, "/"))
		return reply_text(c, MHD_HTTP_OK, "memsnoop: metrics at /metrics\n");
	if (strcmp(url, "/metrics"))
		return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: metrics at /metrics\n");
	om = wants_openmetrics(c);
	body = h->body(h->ctx, om, &len);
	if (!body)
		return MHD_NO;
	return reply(c, MHD_HTTP_OK, om ? CT_OPENMETRICS : CT_TEXT, body, len);
}

/* HOST:PORT or [HOST]:PORT into host and port; false when malformed. */
static bool split_addr(const char *addr, char *host, size_t hlen, const char **port)
{
	const char *colon = strrchr(addr, ':'), *h = addr;
	size_t n;

	if (!colon || !colon[1])
		return false;
	n = colon - addr;
	if (addr[0] == '[') {
		if (n < 2 || addr[n - 1] != ']')
			return false;
		h = addr + 1;
		n -= 2;
	}
	if (!n || n >= hlen)
		return false;
	memcpy(host, h, n);
	host[n] = 0;
	*port = colon + 1;
	return true;
}

/* A listening socket on addr; -1 after a message in err. */
static int listen_on(const char *addr, char *err, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE | AI_NUMERICSERV },
			*ai;
	const char *port;
	char host[256];
	int fd, one = 1, rc;

	if (!split_addr(addr, host, sizeof(host), &port)) {
		snprintf(err, len, "--metrics: '%s' is not HOST:PORT (e.g. 127.0.0.1:9710)", addr);
		return -1;
	}
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc) {
		snprintf(err, len, "--metrics: cannot resolve '%s': %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 64)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(ai);
	if (fd < 0)
		snprintf(err, len, "--metrics: cannot listen on %s: %s%s", addr, strerror(errno),
			 errno == EADDRINUSE ? " (another program has this port: pick another)" :
					       "");
	return fd;
}

/* Its thread takes no signal: they wake the event loop, which handles them. */
static struct MHD_Daemon *start_daemon(struct http_server *h, int fd)
{
	sigset_t all, old;
	struct MHD_Daemon *d;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO, 0, NULL, NULL, serve,
			     h, MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_TIMEOUT,
			     (unsigned)CONNECTION_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
			     (unsigned)CONNECTION_LIMIT, MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

struct http_server *http__start(const char *addr, http_body_fn body, void *ctx, char *err,
				size_t len)
{
	struct http_server *h = calloc(1, sizeof(*h));
	int fd;

	if (!h) {
		snprintf(err, len, "--metrics: out of memory");
		return NULL;
	}
	h->body = body;
	h->ctx = ctx;
	fd = listen_on(addr, err, len);
	if (fd < 0) {
		free(h);
		return NULL;
	}
	h->daemon = start_daemon(h, fd);
	if (!h->daemon) {
		snprintf(err, len, "--metrics: cannot start the HTTP server on %s", addr);
		close(fd);
		free(h);
		return NULL;
	}
	return h;
}

void http__stop(struct http_server *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->daemon); /* closes the listening socket too */
	free(h);
}

#endif
