// SPDX-License-Identifier: GPL-2.0
/*
 * The trace writer: records are gathered into blocks (~256 KiB or 1 s), each
 * block compressed with zstd and written with one write(), so a file cut
 * short holds whole blocks up to the cut, and a clean close ends it with
 * an end record. The file is written under a temporary name and renamed
 * into place (util/outfile.h). The flight recorder keeps the newest blocks
 * in memory and writes them out on close or on request.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zstd.h>
#include "format.h"
#include "trace.h"
#include "util/outfile.h"

#define TW_ZSTD_LEVEL 1

struct ring_blk {
	struct ring_blk *next;
	size_t len;
	unsigned char data[]; /* block header + payload */
};

struct trace_writer {
	char *path;
	struct outfile of; /* of.fd: -1 in flight-recorder mode after open */
	bool compress;
	bool opened; /* the (temporary) file holds the header */
	bool published; /* renamed to path */
	bool publish_at_close;
	__u64 records, lost; /* for the end record */
	int failed; /* -errno once the file can take no more */
	char err[256];
	ZSTD_CCtx *cctx;
	unsigned char *hdr; /* the encoded file header */
	size_t hdr_len;
	/* the pending block */
	unsigned char *raw;
	size_t raw_len, raw_cap; /* raw_cap: flush when the next record would not fit */
	__u32 nr;
	__u64 ts_first, ts_min, ts_max;
	/* the encoded block */
	unsigned char *out;
	size_t out_cap;
	/* flight recorder */
	__u64 ring_bytes, ring_used;
	struct ring_blk *ring_head, *ring_tail;
	__u64 ring_nr;
};

void trace_meta__fill_host(struct trace_meta *m)
{
	struct utsname u;
	struct timespec mono, real;
	long v;

	if (!uname(&u)) {
		snprintf(m->kernel, sizeof(m->kernel), "%s", u.release);
		snprintf(m->hostname, sizeof(m->hostname), "%s", u.nodename);
	}
	v = sysconf(_SC_PAGESIZE);
	m->page_size = v > 0 ? v : 4096;
	v = sysconf(_SC_NPROCESSORS_CONF);
	m->nr_cpus = v > 0 ? v : 1;
	clock_gettime(CLOCK_MONOTONIC, &mono);
	clock_gettime(CLOCK_REALTIME, &real);
	m->start_ns = mono.tv_sec * 1000000000ull + mono.tv_nsec;
	m->boot_to_wall_ns =
		(real.tv_sec - mono.tv_sec) * 1000000000ll + real.tv_nsec - mono.tv_nsec;
}

static unsigned char *put_str(unsigned char *p, const char *s, size_t field_size)
{
	size_t n = strnlen(s, field_size - 1);

	tf_put16(p, n);
	memcpy(p + 2, s, n);
	return p + 2 + n;
}

/* The file header: see FORMAT.md. */
static int encode_header(struct trace_writer *w, const struct trace_meta *m)
{
	unsigned char *p;

	w->hdr = calloc(1, TF_HDR_FIXED + 2 * 5 + sizeof(*m) + 4 + 4);
	if (!w->hdr)
		return -ENOMEM;
	p = w->hdr;
	memcpy(p, TF_MAGIC, 4);
	tf_put32(p + 4, TRACE_FORMAT_VERSION);
	tf_put32(p + 12, tf_host_big_endian() ? TF_F_BIG_ENDIAN : 0);
	tf_put32(p + 16, m->page_size);
	tf_put32(p + 20, m->nr_cpus);
	tf_put64(p + 24, m->start_ns);
	tf_put64(p + 32, (__u64)m->boot_to_wall_ns);
	p += TF_HDR_FIXED;
	p = put_str(p, m->kernel, sizeof(m->kernel));
	p = put_str(p, m->hostname, sizeof(m->hostname));
	p = put_str(p, m->version, sizeof(m->version));
	p = put_str(p, m->cmdline, sizeof(m->cmdline));
	p = put_str(p, m->filters, sizeof(m->filters));
	tf_put32(p, TF_FEAT_END_RECORD);
	p += 4;
	w->hdr_len = p - w->hdr + 4;
	tf_put32(w->hdr + 8, w->hdr_len);
	tf_put32(p, tf_crc(w->hdr, w->hdr_len - 4));
	return 0;
}

static int writer_fail(struct trace_writer *w, int e, const char *what)
{
	w->failed = e;
	if (e == -ENOSPC)
		trace_set_err(w->err, sizeof(w->err),
			      "%s: %s: no space left on device; "
			      "the trace holds everything before",
			      w->path, what);
	else
		trace_set_err(w->err, sizeof(w->err), "%s: %s: %s", w->path, what, strerror(-e));
	return e;
}

struct trace_writer *trace_writer__open(const char *path, const struct trace_meta *meta,
					const struct trace_write_opts *o, char *err, size_t errlen)
{
	static const struct trace_meta no_meta;
	struct trace_writer *w;
	int e;

	w = calloc(1, sizeof(*w));
	if (!w || !(w->path = strdup(path)))
		goto enomem;
	w->of.fd = w->of.dirfd = -1;
	w->compress = o && o->compress;
	w->ring_bytes = o ? o->ring_bytes : 0;
	w->raw_cap = TF_BLK_TARGET;
	/* a flight recorder keeps several blocks, however small the ring */
	if (w->ring_bytes && w->ring_bytes / 4 < w->raw_cap)
		w->raw_cap = w->ring_bytes / 4 > 4 * MS_REC_MAX ? w->ring_bytes / 4 :
								  4 * MS_REC_MAX;
	w->raw = malloc(w->raw_cap);
	w->out_cap = TF_BLK_HDR + ZSTD_compressBound(w->raw_cap);
	w->out = malloc(w->out_cap);
	if (!w->raw || !w->out || encode_header(w, meta ? meta : &no_meta))
		goto enomem;
	if (w->compress && !(w->cctx = ZSTD_createCCtx()))
		goto enomem;
	w->publish_at_close = o && o->publish_at_close;
	if (o && o->in_dir ? outfile__open_at(&w->of, o->dirfd, ".", path, o->force, err, errlen) :
			     outfile__open(&w->of, path, o && o->force, err, errlen))
		goto fail;
	e = write_full(w->of.fd, w->hdr, w->hdr_len);
	if (e) {
		trace_set_err(err, errlen, "%s: writing the header: %s", path, strerror(-e));
		goto fail;
	}
	w->opened = true;
	if (!(o && (o->publish_later || o->publish_at_close)) && trace_writer__publish(w)) {
		trace_set_err(err, errlen, "%s", w->err);
		goto fail;
	}
	return w;
enomem:
	trace_set_err(err, errlen, "out of memory");
fail:
	if (w)
		w->opened = false; /* nothing to finish: the temporary file goes */
	trace_writer__close(w, NULL, 0);
	return NULL;
}

int trace_writer__publish(struct trace_writer *w)
{
	int e;

	if (w->published)
		return 0;
	e = outfile__publish(&w->of, false, w->err, sizeof(w->err));
	if (e)
		return e;
	w->published = true;
	if (w->ring_bytes) { /* the file stays a valid, empty trace until a ring flush */
		close(w->of.fd);
		w->of.fd = -1;
	}
	return 0;
}

bool trace_writer__at_path(const struct trace_writer *w)
{
	struct stat ours, there;

	if (w->of.fd < 0 || fstat(w->of.fd, &ours))
		return true;
	if (fstatat(w->of.dirfd, w->of.name, &there, AT_SYMLINK_NOFOLLOW))
		return false;
	return ours.st_dev == there.st_dev && ours.st_ino == there.st_ino;
}

const char *trace_writer__error(const struct trace_writer *w)
{
	return w->err;
}

/* Encode the pending records as one block into w->out; returns its length. */
static size_t encode_block(struct trace_writer *w)
{
	struct tf_blk b = {
		.raw_len = w->raw_len,
		.nr_records = w->nr,
		.ts_min = w->ts_min,
		.ts_max = w->ts_max,
		.flags = TF_CODEC_RAW,
	};
	unsigned char *payload = w->out + TF_BLK_HDR;

	if (w->compress) {
		size_t n = ZSTD_compressCCtx(w->cctx, payload, w->out_cap - TF_BLK_HDR, w->raw,
					     w->raw_len, TW_ZSTD_LEVEL);

		if (!ZSTD_isError(n) && n < w->raw_len) {
			b.comp_len = n;
			b.flags = TF_CODEC_ZSTD;
		}
	}
	if (b.flags == TF_CODEC_RAW) {
		memcpy(payload, w->raw, w->raw_len);
		b.comp_len = w->raw_len;
	}
	b.payload_crc = tf_crc(payload, b.comp_len);
	tf_blk_encode(w->out, &b);
	return TF_BLK_HDR + b.comp_len;
}

static void ring_drop_oldest(struct trace_writer *w)
{
	struct ring_blk *rb = w->ring_head;

	w->ring_head = rb->next;
	if (!w->ring_head)
		w->ring_tail = NULL;
	w->ring_used -= rb->len;
	w->ring_nr--;
	free(rb);
}

static int ring_push(struct trace_writer *w, size_t len)
{
	struct ring_blk *rb = malloc(sizeof(*rb) + len);

	if (!rb)
		return writer_fail(w, -ENOMEM, "flight recorder");
	rb->next = NULL;
	rb->len = len;
	memcpy(rb->data, w->out, len);
	if (w->ring_tail)
		w->ring_tail->next = rb;
	else
		w->ring_head = rb;
	w->ring_tail = rb;
	w->ring_used += len;
	w->ring_nr++;
	while (w->ring_nr > 1 && w->ring_used > w->ring_bytes)
		ring_drop_oldest(w);
	return 0;
}

int trace_writer__flush(struct trace_writer *w)
{
	size_t len;
	int e;

	if (w->failed)
		return w->failed;
	if (!w->nr)
		return 0;
	len = encode_block(w);
	w->raw_len = 0;
	w->nr = 0;
	if (w->ring_bytes)
		return ring_push(w, len);
	e = write_full(w->of.fd, w->out, len);
	return e ? writer_fail(w, e, "writing a block") : 0;
}

int trace_writer__tick(struct trace_writer *w, __u64 now_ns)
{
	if (w->nr && now_ns > w->ts_first && now_ns - w->ts_first >= TF_BLK_NS)
		return trace_writer__flush(w);
	return w->failed;
}

int trace_writer__write(struct trace_writer *w, const struct ms_hdr *rec)
{
	size_t size = rec->size;
	int e;

	if (w->failed)
		return w->failed;
	if (size < sizeof(*rec) || size > MS_REC_MAX || size % 8) {
		trace_set_err(w->err, sizeof(w->err), "record of type %u has a bad size %zu",
			      rec->type, size);
		return -EINVAL;
	}
	if (w->nr && (w->raw_len + size > w->raw_cap ||
		      (rec->ts_ns > w->ts_first && rec->ts_ns - w->ts_first >= TF_BLK_NS))) {
		e = trace_writer__flush(w);
		if (e)
			return e;
	}
	if (!w->nr) {
		w->ts_first = w->ts_min = w->ts_max = rec->ts_ns;
	} else {
		if (rec->ts_ns < w->ts_min)
			w->ts_min = rec->ts_ns;
		if (rec->ts_ns > w->ts_max)
			w->ts_max = rec->ts_ns;
	}
	memcpy(w->raw + w->raw_len, rec, size);
	w->raw_len += size;
	w->nr++;
	w->records++;
	if (rec->type == MS_LOST && size >= sizeof(struct ms_lost))
		w->lost += ((const struct ms_lost *)rec)->count;
	return 0;
}

int trace_writer__stream_fn(void *w, const struct ms_hdr *rec)
{
	return trace_writer__write(w, rec);
}

/* Write header + ring into a new temporary file beside the trace, fsync, rename. */
int trace_writer__flush_ring(struct trace_writer *w)
{
	const char *slash = strrchr(w->path, '/');
	char err[sizeof(w->err)], dir[4096];
	struct outfile of;
	int e;

	if (!w->ring_bytes)
		return trace_writer__flush(w);
	e = trace_writer__flush(w);
	if (e || !w->published)
		return e;
	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - w->path) : 1,
		 slash ? w->path : ".");
	e = outfile__open_at(&of, w->of.dirfd, dir, w->of.name, true, err, sizeof(err));
	if (!e) {
		e = outfile__write(&of, w->hdr, w->hdr_len);
		for (struct ring_blk *rb = w->ring_head; rb && !e; rb = rb->next)
			e = outfile__write(&of, rb->data, rb->len);
		if (e)
			snprintf(err, sizeof(err), "%s", strerror(-e));
		else
			e = outfile__publish(&of, true, err, sizeof(err));
		outfile__close(&of);
	}
	/* the old content stays; a later flush may succeed */
	if (e)
		trace_set_err(w->err, sizeof(w->err), "%s: writing the flight recorder: %s",
			      w->path, err);
	return e;
}

void trace_writer__abandon(struct trace_writer *w)
{
	w->publish_at_close = false;
}

/* The end record: the file was closed, not cut short. */
static int write_end(struct trace_writer *w)
{
	struct ms_trace_end end = { .records = w->records, .lost = w->lost };
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	end.h.ts_ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
	if (end.h.ts_ns < w->ts_max)
		end.h.ts_ns = w->ts_max;
	end.h.type = MS_TRACE_END;
	end.h.size = sizeof(end);
	return trace_writer__write(w, &end.h);
}

int trace_writer__close(struct trace_writer *w, char *err, size_t errlen)
{
	int e = 0;

	if (!w)
		return 0;
	if (w->opened && (w->published || w->publish_at_close)) {
		e = write_end(w);
		if (!e)
			e = w->ring_bytes ? trace_writer__flush_ring(w) : trace_writer__flush(w);
		if (!e && w->of.fd >= 0 && fsync(w->of.fd))
			e = writer_fail(w, -errno, "fsync");
		if (!e && !w->published) /* whole and on disk: now under its name */
			e = trace_writer__publish(w);
		if (e)
			trace_set_err(err, errlen, "%s", w->err);
	}
	if (w->of.fd >= 0 && close(w->of.fd) && !e) {
		e = -errno;
		trace_set_err(err, errlen, "%s: close: %s", w->path, strerror(-e));
	}
	w->of.fd = -1;
	outfile__close(&w->of); /* an unpublished file (a failed start) is removed */
	while (w->ring_head)
		ring_drop_oldest(w);
	ZSTD_freeCCtx(w->cctx);
	free(w->out);
	free(w->raw);
	free(w->hdr);
	free(w->path);
	free(w);
	return e;
}
