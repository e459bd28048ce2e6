// SPDX-License-Identifier: GPL-2.0
/* Block header encoding, shared by the writer and the reader. */
#include <stdarg.h>
#include <stdio.h>
#include <zlib.h>
#include "format.h"

__u32 tf_crc(const void *buf, size_t len)
{
	uLong c = crc32(0L, Z_NULL, 0);
	const unsigned char *p = buf;

	/* crc32() takes a uInt length */
	while (len) {
		uInt n = len > (1u << 30) ? (1u << 30) : (uInt)len;

		c = crc32(c, p, n);
		p += n;
		len -= n;
	}
	return (__u32)c;
}

void tf_blk_encode(unsigned char *p, const struct tf_blk *b)
{
	memcpy(p, TF_BLK_MAGIC, 4);
	tf_put32(p + 4, b->comp_len);
	tf_put32(p + 8, b->raw_len);
	tf_put32(p + 12, b->nr_records);
	tf_put64(p + 16, b->ts_min);
	tf_put64(p + 24, b->ts_max);
	tf_put32(p + 32, b->flags);
	tf_put32(p + 36, b->payload_crc);
	tf_put32(p + 40, 0);
	tf_put32(p + 44, tf_crc(p, 44));
}

const char *tf_blk_decode(const unsigned char *p, struct tf_blk *b)
{
	if (memcmp(p, TF_BLK_MAGIC, 4))
		return "no block magic";
	if (!tf_crc_ok(tf_get32(p + 44), p, 44))
		return "block header checksum mismatch";
	b->comp_len = tf_get32(p + 4);
	b->raw_len = tf_get32(p + 8);
	b->nr_records = tf_get32(p + 12);
	b->ts_min = tf_get64(p + 16);
	b->ts_max = tf_get64(p + 24);
	b->flags = tf_get32(p + 32);
	b->payload_crc = tf_get32(p + 36);
	if (b->raw_len > TF_BLK_RAW_MAX || b->comp_len > TF_BLK_COMP_MAX)
		return "block length over the 16 MiB cap";
	if (b->raw_len % 8 || b->nr_records > b->raw_len / sizeof(struct ms_hdr))
		return "block lengths inconsistent";
	switch (b->flags & TF_BLK_CODEC_MASK) {
	case TF_CODEC_RAW:
		if (b->comp_len != b->raw_len)
			return "raw block lengths differ";
		break;
	case TF_CODEC_ZSTD:
		break;
	default:
		return "unknown block codec";
	}
	return NULL;
}

void trace_set_err(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!buf || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}
