/* SPDX-License-Identifier: GPL-2.0 */
/* The on-disk layout shared by the trace writer and reader: see FORMAT.md. */
#ifndef MEMSNOOP_TRACE_FORMAT_H
#define MEMSNOOP_TRACE_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include "events.h"

#define TF_MAGIC "MSNP"
#define TF_HDR_FIXED 40 /* magic .. boot_to_wall_ns */
#define TF_HDR_MIN (TF_HDR_FIXED + 5 * 2 + 4) /* empty strings + crc */
#define TF_HDR_MAX (64 * 1024)
#define TF_F_BIG_ENDIAN (1u << 0) /* records are in the writer's byte order */
/* features, a u32 after the header's strings (absent in older files) */
#define TF_FEAT_END_RECORD (1u << 0) /* a clean close ends the file with MS_TRACE_END */

#define TF_BLK_MAGIC "MSBK"
#define TF_BLK_HDR 48
#define TF_BLK_RAW_MAX (16u << 20) /* hard cap on a block's records */
#define TF_BLK_COMP_MAX (TF_BLK_RAW_MAX + (TF_BLK_RAW_MAX >> 7) + 4096)
#define TF_BLK_TARGET (256u << 10) /* the writer's block size */
#define TF_BLK_NS 1000000000ull /* ... or one second of records */

enum tf_codec {
	TF_CODEC_RAW = 0,
	TF_CODEC_ZSTD = 1,
};
#define TF_BLK_CODEC_MASK 0xfu

struct tf_blk {
	__u32 comp_len; /* payload bytes in the file */
	__u32 raw_len; /* bytes of records */
	__u32 nr_records;
	__u64 ts_min, ts_max;
	__u32 flags; /* codec in the low 4 bits */
	__u32 payload_crc;
};

static inline void tf_put16(unsigned char *p, __u16 v)
{
	p[0] = v;
	p[1] = v >> 8;
}

static inline void tf_put32(unsigned char *p, __u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = v >> (8 * i);
}

static inline void tf_put64(unsigned char *p, __u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = v >> (8 * i);
}

static inline __u16 tf_get16(const unsigned char *p)
{
	return p[0] | (__u16)p[1] << 8;
}

static inline __u32 tf_get32(const unsigned char *p)
{
	return p[0] | (__u32)p[1] << 8 | (__u32)p[2] << 16 | (__u32)p[3] << 24;
}

static inline __u64 tf_get64(const unsigned char *p)
{
	return tf_get32(p) | (__u64)tf_get32(p + 4) << 32;
}

static inline bool tf_host_big_endian(void)
{
	return __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
}

/* The 48-byte block header; crcs from zlib's crc32(). */
void tf_blk_encode(unsigned char *p, const struct tf_blk *b);
/* NULL if p holds a valid block header (decoded into b), else why not. */
const char *tf_blk_decode(const unsigned char *p, struct tf_blk *b);
__u32 tf_crc(const void *buf, size_t len);

/*
 * Does a stored checksum match? Fuzzing builds (OSS-Fuzz's macro) accept any,
 * so that the fuzzer reaches the lengths, codecs and records behind them.
 */
static inline bool tf_crc_ok(__u32 stored, const void *buf, size_t len)
{
#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
	return true;
#else
	return stored == tf_crc(buf, len);
#endif
}

/* An error message into the caller's buffer (either may be NULL/0). */
void trace_set_err(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif /* MEMSNOOP_TRACE_FORMAT_H */
