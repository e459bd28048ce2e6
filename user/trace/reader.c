// SPDX-License-Identifier: GPL-2.0
/*
 * The trace reader: a replay source. Nothing read from the file is trusted:
 * lengths are checked against the file and against hard caps before use,
 * damage is counted and passed over (resynchronising on the next block whose
 * header checksum verifies), a file cut short replays its whole blocks.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>
#include "format.h"
#include "trace.h"
#include "util/outfile.h"

#define TR_SCAN_CHUNK (256u << 10)

struct trace_reader {
	int fd; /* -1: reading mem */
	const unsigned char *mem;
	__u64 size;
	char *name; /* for messages */
	__u32 version;
	struct trace_meta meta;
	__u64 off; /* the next block */
	bool fatal;
	char err[512];
	/* the current block */
	bool in_block;
	__u64 blk_off;
	size_t pos, len;
	__u32 nr_done, nr_want;
	unsigned char *raw, *comp, *scan;
	size_t raw_cap, comp_cap;
	unsigned char blk_hdr[TF_BLK_HDR];
	ZSTD_DCtx *dctx;
	struct trace_damage dmg;
	bool expect_end; /* the header's TF_FEAT_END_RECORD */
	struct trace_end end;
	__u64 last_ts;
	trace_warn_fn warn;
	void *warn_ctx;
};

static int fatal(struct trace_reader *r, const char *fmt, ...)
{
	int n;
	va_list ap;

	n = snprintf(r->err, sizeof(r->err), "%s: ", r->name);
	if (n < 0 || (size_t)n >= sizeof(r->err))
		n = 0; /* no room for the name: the message matters more */
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - n, fmt, ap);
	va_end(ap);
	r->fatal = true;
	return -EIO;
}

static void warn(struct trace_reader *r, __u64 off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	if (!r->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->warn(r->warn_ctx, off, msg);
}

static void damage(struct trace_reader *r, __u64 off, __u64 skipped)
{
	if (!r->dmg.bad_blocks)
		r->dmg.first_bad_offset = off;
	r->dmg.bad_blocks++;
	r->dmg.skipped_bytes += skipped;
}

/* Bytes [off, off + len) of the source, which the caller knows exist. */
static const unsigned char *src(struct trace_reader *r, __u64 off, size_t len, unsigned char *buf)
{
	size_t done = 0;

	if (r->mem)
		return r->mem + off;
	while (done < len) {
		ssize_t n = pread(r->fd, buf + done, len - done, off + done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fatal(r, "read error at offset %llu: %s", (__u64)(off + done),
			      n ? strerror(errno) : "the file shrank");
			return NULL;
		}
		done += n;
	}
	return buf;
}

static bool grow(unsigned char **buf, size_t *cap, size_t need)
{
	unsigned char *p;

	if (need <= *cap)
		return true;
	p = malloc(need);
	if (!p)
		return false;
	free(*buf);
	*buf = p;
	*cap = need;
	return true;
}

static const unsigned char *get_str(const unsigned char *p, const unsigned char *end, char *dst,
				    size_t dst_size)
{
	size_t n, keep;

	if (!p || end - p < 2)
		return NULL;
	n = tf_get16(p);
	p += 2;
	if ((size_t)(end - p) < n)
		return NULL;
	keep = n < dst_size - 1 ? n : dst_size - 1;
	memcpy(dst, p, keep);
	dst[keep] = 0;
	return p + n;
}

static int parse_meta(struct trace_reader *r, const unsigned char *h, __u32 len)
{
	const unsigned char *end = h + len - 4, *p = h + TF_HDR_FIXED;
	struct trace_meta *m = &r->meta;

	m->page_size = tf_get32(h + 16);
	m->nr_cpus = tf_get32(h + 20);
	m->start_ns = tf_get64(h + 24);
	m->boot_to_wall_ns = (__s64)tf_get64(h + 32);
	p = get_str(p, end, m->kernel, sizeof(m->kernel));
	p = get_str(p, end, m->hostname, sizeof(m->hostname));
	p = get_str(p, end, m->version, sizeof(m->version));
	p = get_str(p, end, m->cmdline, sizeof(m->cmdline));
	p = get_str(p, end, m->filters, sizeof(m->filters));
	if (!p)
		return fatal(r, "trace header fields overrun the header: the file is damaged");
	if (end - p >= 4)
		r->expect_end = tf_get32(p) & TF_FEAT_END_RECORD;
	/* anything after is a newer writer's: skipped */
	return 0;
}

static int read_header(struct trace_reader *r)
{
	unsigned char fixed[12];
	const unsigned char *p;
	__u32 len, flags;

	if (r->size == 0)
		return fatal(r, "empty file: not a memsnoop trace");
	if (r->size < 4)
		return fatal(r, "not a memsnoop trace (too short)");
	p = src(r, 0, r->size < 12 ? 4 : 12, fixed);
	if (!p)
		return -EIO;
	if (memcmp(p, TF_MAGIC, 4))
		return fatal(r, "not a memsnoop trace (bad magic)");
	if (r->size < 12)
		return fatal(r, "trace header is cut short (%llu bytes)", r->size);
	r->version = tf_get32(p + 4);
	len = tf_get32(p + 8);
	if (r->version == 0)
		return fatal(r, "bad trace format version 0: the file is damaged");
	if (r->version > TRACE_FORMAT_VERSION)
		return fatal(r, "trace format version %u is newer than this memsnoop (%u): upgrade",
			     r->version, TRACE_FORMAT_VERSION);
	if (len < TF_HDR_MIN || len > TF_HDR_MAX)
		return fatal(r, "bad trace header size %u: the file is damaged", len);
	if (r->size < len)
		return fatal(r, "trace header is cut short (%llu of %u bytes)", r->size, len);
	if (!grow(&r->comp, &r->comp_cap, len))
		return fatal(r, "out of memory");
	p = src(r, 0, len, r->comp);
	if (!p)
		return -EIO;
	if (!tf_crc_ok(tf_get32(p + len - 4), p, len - 4))
		return fatal(r, "trace header checksum mismatch: the file is damaged");
	flags = tf_get32(p + 12);
	if (!!(flags & TF_F_BIG_ENDIAN) != tf_host_big_endian())
		return fatal(r, "trace written on a %s-endian host: cannot replay it here",
			     tf_host_big_endian() ? "little" : "big");
	r->off = len;
	return parse_meta(r, p, len);
}

/* Messages name the file by at most its last TR_NAME_MAX bytes: the error still fits. */
#define TR_NAME_MAX 160

static struct trace_reader *reader_new(const char *name)
{
	struct trace_reader *r = calloc(1, sizeof(*r));
	size_t len = strlen(name);

	if (!r)
		return NULL;
	r->fd = -1;
	if (len > TR_NAME_MAX && asprintf(&r->name, "...%s", name + len - TR_NAME_MAX) < 0)
		r->name = NULL;
	else if (len <= TR_NAME_MAX)
		r->name = strdup(name);
	if (!r->name) {
		trace_reader__close(r);
		return NULL;
	}
	return r;
}

static struct trace_reader *reader_start(struct trace_reader *r, char *err, size_t errlen)
{
	if (read_header(r) < 0) {
		trace_set_err(err, errlen, "%s", r->err);
		trace_reader__close(r);
		return NULL;
	}
	return r;
}

struct trace_reader *trace_reader__open(const char *path, char *err, size_t errlen)
{
	struct trace_reader *r;
	struct stat st;
	int e;

	r = reader_new(path);
	if (!r) {
		trace_set_err(err, errlen, "out of memory");
		return NULL;
	}
	/* O_NONBLOCK: a FIFO must not block the open; it is refused below */
	r->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (r->fd < 0 || fstat(r->fd, &st)) {
		e = errno;
		trace_set_err(err, errlen, "cannot open %s: %s", r->name, strerror(e));
		goto fail;
	}
	if (S_ISDIR(st.st_mode)) {
		trace_set_err(err, errlen, "%s is a directory, not a trace file", r->name);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		trace_set_err(err, errlen, "%s is not a regular file (%s): cannot replay it",
			      r->name, file_type_name(st.st_mode));
		goto fail;
	}
	if (fcntl(r->fd, F_SETFL, fcntl(r->fd, F_GETFL) & ~O_NONBLOCK)) {
		trace_set_err(err, errlen, "cannot open %s: %s", r->name, strerror(errno));
		goto fail;
	}
	r->size = st.st_size;
	return reader_start(r, err, errlen);
fail:
	trace_reader__close(r);
	return NULL;
}

struct trace_reader *trace_reader__open_mem(const void *buf, size_t len, char *err, size_t errlen)
{
	struct trace_reader *r = reader_new("(memory)");

	if (!r) {
		trace_set_err(err, errlen, "out of memory");
		return NULL;
	}
	r->mem = buf ? buf : (const void *)"";
	r->size = buf ? len : 0;
	return reader_start(r, err, errlen);
}

void trace_reader__set_warn(struct trace_reader *r, trace_warn_fn fn, void *ctx)
{
	r->warn = fn;
	r->warn_ctx = ctx;
}

const struct trace_meta *trace_reader__meta(const struct trace_reader *r)
{
	return &r->meta;
}

__u32 trace_reader__version(const struct trace_reader *r)
{
	return r->version;
}

__u64 trace_reader__size(const struct trace_reader *r)
{
	return r->size;
}

const char *trace_reader__error(const struct trace_reader *r)
{
	return r->err;
}

const struct trace_damage *trace_reader__damage(const struct trace_reader *r)
{
	return &r->dmg;
}

const struct trace_end *trace_reader__end(const struct trace_reader *r)
{
	return &r->end;
}

/* The end record is the format's own: kept here, not replayed. 1: rec is another record. */
static int note_record(struct trace_reader *r, const struct ms_hdr *rec)
{
	const struct ms_trace_end *e = (const void *)rec;

	if (rec->type == MS_TRACE_END && rec->size >= sizeof(*e)) {
		r->end.seen = true;
		r->end.records = e->records;
		r->end.lost = e->lost;
		return 0;
	}
	r->end.seen = false; /* records after an end record: not the end after all */
	if (rec->ts_ns > r->last_ts)
		r->last_ts = rec->ts_ns;
	return 1;
}

/* At the end of the file: was it closed cleanly? */
static void check_end(struct trace_reader *r)
{
	if (!r->expect_end || r->end.seen || r->dmg.not_closed)
		return;
	r->dmg.not_closed = 1;
	r->dmg.missing_after_ns = r->last_ts > r->meta.start_ns ? r->last_ts - r->meta.start_ns : 0;
}

/* The offset of the next valid block header at or after from; r->size if none. */
static int resync(struct trace_reader *r, __u64 from, __u64 *found)
{
	struct tf_blk b;

	if (!r->mem && !r->scan && !(r->scan = malloc(TR_SCAN_CHUNK)))
		return fatal(r, "out of memory");
	while (from + TF_BLK_HDR <= r->size) {
		size_t n = r->size - from < TR_SCAN_CHUNK ? r->size - from : TR_SCAN_CHUNK;
		const unsigned char *p = src(r, from, n, r->scan);

		if (!p)
			return -EIO;
		for (size_t i = 0; i + TF_BLK_HDR <= n; i++) {
			const unsigned char *q =
				memchr(p + i, TF_BLK_MAGIC[0], n - TF_BLK_HDR + 1 - i);

			if (!q)
				break;
			i = q - p;
			if (!tf_blk_decode(q, &b)) {
				*found = from + i;
				return 0;
			}
		}
		from += n - TF_BLK_HDR + 1;
	}
	*found = r->size;
	return 0;
}

/* Damage at r->off: skip to the next valid block header after skip_from. */
static int skip_damage(struct trace_reader *r, __u64 skip_from, const char *why)
{
	__u64 next = 0;

	if (resync(r, skip_from, &next))
		return -EIO;
	damage(r, r->off, next - r->off);
	if (next < r->size)
		warn(r, r->off,
		     "damaged trace at offset %llu: %s; skipped %llu"
		     " bytes to the next block",
		     r->off, why, next - r->off);
	else
		warn(r, r->off,
		     "damaged trace at offset %llu: %s; no valid block in the last %llu"
		     " bytes",
		     r->off, why, next - r->off);
	r->off = next;
	return 0;
}

static void truncated(struct trace_reader *r)
{
	__u64 left = r->size - r->off;

	r->dmg.truncated_bytes += left;
	warn(r, r->off,
	     "trace cut short at offset %llu: the last %llu"
	     " bytes hold an incomplete block (ignored)",
	     r->off, left);
	r->off = r->size;
}

/* Decode the payload of block b (at r->off) into r->raw; NULL or why not. */
static const char *unpack(struct trace_reader *r, const struct tf_blk *b, const unsigned char *p)
{
	size_t n;

	if (!tf_crc_ok(b->payload_crc, p, b->comp_len))
		return "block payload checksum mismatch";
	if (!grow(&r->raw, &r->raw_cap, b->raw_len ? b->raw_len : 8))
		return "out of memory for a block";
	if ((b->flags & TF_BLK_CODEC_MASK) == TF_CODEC_RAW) {
		memcpy(r->raw, p, b->raw_len);
		return NULL;
	}
	if (!r->dctx && !(r->dctx = ZSTD_createDCtx()))
		return "out of memory for a block";
	n = ZSTD_decompressDCtx(r->dctx, r->raw, b->raw_len, p, b->comp_len);
	if (ZSTD_isError(n))
		return ZSTD_getErrorName(n);
	return n == b->raw_len ? NULL : "block decompresses to the wrong length";
}

/* 1: a block is loaded, 0: the end, <0: fatal. */
static int load_block(struct trace_reader *r)
{
	const unsigned char *p;
	const char *why;
	struct tf_blk b;

	while (r->off < r->size) {
		__u64 left = r->size - r->off;

		if (left < TF_BLK_HDR) {
			truncated(r);
			break;
		}
		p = src(r, r->off, TF_BLK_HDR, r->blk_hdr);
		if (!p)
			return -EIO;
		why = tf_blk_decode(p, &b);
		if (why) {
			if (skip_damage(r, r->off + 1, why))
				return -EIO;
			continue;
		}
		if (b.comp_len > left - TF_BLK_HDR) {
			truncated(r);
			break;
		}
		if (!r->mem && !grow(&r->comp, &r->comp_cap, b.comp_len ? b.comp_len : 8))
			return fatal(r, "out of memory");
		p = src(r, r->off + TF_BLK_HDR, b.comp_len, r->comp);
		if (!p)
			return -EIO;
		why = unpack(r, &b, p);
		if (why) {
			if (skip_damage(r, r->off + TF_BLK_HDR + b.comp_len, why))
				return -EIO;
			continue;
		}
		r->blk_off = r->off;
		r->off += TF_BLK_HDR + b.comp_len;
		r->in_block = true;
		r->pos = 0;
		r->len = b.raw_len;
		r->nr_done = 0;
		r->nr_want = b.nr_records;
		return 1;
	}
	return 0;
}

/* The next record of the current block: 1, or 0 at the block's end. */
static int block_next(struct trace_reader *r, const struct ms_hdr **rec)
{
	size_t left = r->len - r->pos;
	const struct ms_hdr *h = (const void *)(r->raw + r->pos);

	if (!left) {
		r->in_block = false;
		if (r->nr_done != r->nr_want) {
			damage(r, r->blk_off, 0);
			warn(r, r->blk_off,
			     "damaged block at offset %llu"
			     ": holds %u records, its header says %u",
			     r->blk_off, r->nr_done, r->nr_want);
		}
		return 0;
	}
	if (left < sizeof(*h) || h->size < sizeof(*h) || h->size > MS_REC_MAX || h->size % 8 ||
	    h->size > left) {
		r->in_block = false;
		damage(r, r->blk_off, left);
		warn(r, r->blk_off,
		     "damaged block at offset %llu: record %u has a bad size %u; "
		     "skipped the block's last %zu bytes of records",
		     r->blk_off, r->nr_done, left < sizeof(*h) ? 0 : h->size, left);
		return 0;
	}
	r->pos += h->size;
	r->nr_done++;
	*rec = h;
	return 1;
}

int trace_reader__next(struct trace_reader *r, const struct ms_hdr **rec)
{
	int ret;

	for (;;) {
		if (r->fatal)
			return -EIO;
		if (r->in_block && block_next(r, rec)) {
			if (note_record(r, *rec))
				return 1;
			continue;
		}
		if (r->in_block)
			continue;
		ret = load_block(r);
		if (ret == 0 && !r->fatal)
			check_end(r);
		if (ret <= 0)
			return r->fatal ? -EIO : ret;
	}
}

void trace_damage__summary(const struct trace_damage *d, char *buf, size_t len)
{
	int n = 0;

	if (!len)
		return;
	buf[0] = 0;
	if (d->bad_blocks)
		n = snprintf(buf, len,
			     "%llu damaged block(s), %llu"
			     " bytes skipped, the first at offset %llu",
			     (__u64)d->bad_blocks, (__u64)d->skipped_bytes,
			     (__u64)d->first_bad_offset);
	if (d->truncated_bytes && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n,
			      "%sfile cut short: %llu bytes of an incomplete block", n ? "; " : "",
			      (__u64)d->truncated_bytes);
	if (d->not_closed && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n,
			 "%sthe recording was not closed cleanly; events after %.3f s are missing",
			 n ? "; " : "", d->missing_after_ns / 1e9);
}

void trace_reader__close(struct trace_reader *r)
{
	if (!r)
		return;
	if (r->fd >= 0)
		close(r->fd);
	ZSTD_freeDCtx(r->dctx);
	free(r->raw);
	free(r->comp);
	free(r->scan);
	free(r->name);
	free(r);
}
