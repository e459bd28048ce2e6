/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Trace files: a recording is a sink of the pipeline, a replay is a source.
 * Records are opaque here except for struct ms_hdr (type, size, ts_ns).
 * The on-disk layout is described in user/trace/FORMAT.md.
 */
#ifndef MEMSNOOP_TRACE_H
#define MEMSNOOP_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include "events.h"

#define TRACE_FORMAT_VERSION 1

/* Host facts, stored in the file header. Strings are NUL-terminated. */
struct trace_meta {
	char kernel[65]; /* uname -r */
	char hostname[65];
	char version[32]; /* memsnoop version */
	char cmdline[1024]; /* memsnoop's command line */
	char filters[256]; /* e.g. "pid=1234,5678 comm=nginx children" */
	__u32 page_size, nr_cpus;
	__u64 start_ns; /* CLOCK_MONOTONIC at start */
	__s64 boot_to_wall_ns; /* CLOCK_REALTIME - CLOCK_MONOTONIC at start */
};

/* Fill kernel, hostname, page_size, nr_cpus, start_ns, boot_to_wall_ns. */
void trace_meta__fill_host(struct trace_meta *m);

struct trace_write_opts {
	bool compress; /* zstd; false stores blocks raw */
	bool force; /* replace an existing file (never a symlink) */
	__u64 ring_bytes; /* 0, or flight recorder: keep the newest ring_bytes of blocks */
	bool publish_later; /* the file appears at path on trace_writer__publish() only */
	bool publish_at_close; /* it appears whole, at trace_writer__close() (implies later) */
	int dirfd; /* with in_dir: path is a name in this directory (never a symlink's) */
	bool in_dir;
};

struct trace_writer;

/*
 * Write the header to a new temporary file beside path (0600, never through
 * a symlink) and rename it to path, unless publish_later. An existing path is
 * replaced only when forced, and only if it is a regular file.
 */
struct trace_writer *trace_writer__open(const char *path, const struct trace_meta *meta,
					const struct trace_write_opts *o, char *err, size_t errlen);
/* Rename the file to its path (once started): 0 or -errno (trace_writer__error()). */
int trace_writer__publish(struct trace_writer *w);
/*
 * Buffer one record; a block is written when ~256 KiB of records are pending or
 * the record is 1 s newer than the block's first one. 0, or -errno: the file
 * can take no more (message in trace_writer__error()); what was written before
 * stays readable.
 */
int trace_writer__write(struct trace_writer *w, const struct ms_hdr *rec);
/* Write the pending block if its first record is 1 s older than now_ns. */
int trace_writer__tick(struct trace_writer *w, __u64 now_ns);
/* Write the pending block now (flight recorder: into the ring). */
int trace_writer__flush(struct trace_writer *w);
/* Flight recorder: replace the file's content with the ring (temp + rename). */
int trace_writer__flush_ring(struct trace_writer *w);
/*
 * Whether the file being written is still the one at its path (not renamed
 * away, as log rotation does before SIGHUP). A flight recorder's: true.
 */
bool trace_writer__at_path(const struct trace_writer *w);
/* The last error, "" if none. */
const char *trace_writer__error(const struct trace_writer *w);
/*
 * Write the end record (MS_TRACE_END), flush, fsync, close and free; a file
 * never published is removed. NULL-safe. 0 or -errno (message in err).
 */
int trace_writer__close(struct trace_writer *w, char *err, size_t errlen);
/* publish_at_close: the file will not be published; close removes it. */
void trace_writer__abandon(struct trace_writer *w);
/* A stream_fn (see stream.h): ctx is the writer. */
int trace_writer__stream_fn(void *w, const struct ms_hdr *rec);

struct trace_reader;

/* Damage found so far; offsets are file offsets. */
struct trace_damage {
	__u64 bad_blocks; /* blocks (or parts of blocks) not replayed */
	__u64 skipped_bytes; /* bytes passed over: bad blocks, resync gaps, bad records */
	__u64 truncated_bytes; /* an incomplete last block: the file was cut short */
	__u64 first_bad_offset; /* of the first damage; 0 if none */
	__u64 not_closed; /* 1: the writer promised an end record and none came */
	__u64 missing_after_ns; /* then: the last record's time, from the recording's start */
};

/* The end record's totals: seen is false for a file not closed cleanly (or older). */
struct trace_end {
	bool seen;
	__u64 records, lost;
};

/* Called for every piece of damage as it is found; msg has no newline. */
typedef void (*trace_warn_fn)(void *ctx, __u64 offset, const char *msg);

struct trace_reader *trace_reader__open(const char *path, char *err, size_t errlen);
/* The same reader over a memory buffer (not copied: keep it until close). */
struct trace_reader *trace_reader__open_mem(const void *buf, size_t len, char *err, size_t errlen);
void trace_reader__set_warn(struct trace_reader *r, trace_warn_fn fn, void *ctx);
const struct trace_meta *trace_reader__meta(const struct trace_reader *r);
/* The file's format version and size. */
__u32 trace_reader__version(const struct trace_reader *r);
__u64 trace_reader__size(const struct trace_reader *r);
/*
 * 1: a record in *rec, 8-byte aligned, valid until the next call; 0: end;
 * <0: fatal error (message via trace_reader__error). Damage is not fatal:
 * it is counted, reported to the warn callback and passed over.
 */
int trace_reader__next(struct trace_reader *r, const struct ms_hdr **rec);
const char *trace_reader__error(const struct trace_reader *r);
const struct trace_damage *trace_reader__damage(const struct trace_reader *r);
const struct trace_end *trace_reader__end(const struct trace_reader *r);
/* One line summarising the damage, "" if none. */
void trace_damage__summary(const struct trace_damage *d, char *buf, size_t len);
void trace_reader__close(struct trace_reader *r);

#endif /* MEMSNOOP_TRACE_H */
