// SPDX-License-Identifier: GPL-2.0
/*
 * Names others control, escaped (user/util/escape.c): the UTF-8 decoder against
 * a second decoder written from the definition (every 1- and 2-byte input,
 * every lead and first continuation byte of longer ones), the exact forms
 * of the tricky sequences, and on random hostile strings: JSON output is
 * strict UTF-8 JSON that decodes to the input (stray bytes as U+00XX),
 * text output gives the input back byte for byte, and nothing carries a
 * control character. Also: a result of INT64_MIN is no errno (issue 21.5).
 */
#include <stdint.h>
#include <stdlib.h>
#include "check.h"
#include "util/escape.h"
#include "cli.h"
#include "export/perfetto.h"
#include "model_util.h"
#include "view/event_view.h"
#include "util/fmt.h"
#include "util/json.h"
#include "util/sbuf.h"

/* UTF-8 as defined: the bit patterns, then no overlong, surrogate or beyond U+10FFFF. */
static size_t ref_char(const unsigned char *s, size_t n, unsigned *cp)
{
	static const unsigned min[] = { 0, 0, 0x80, 0x800, 0x10000 };
	unsigned v;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0)
		len = 2, v = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		len = 3, v = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		len = 4, v = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3f);
	}
	if (v < min[len] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return len;
}

static int decoder_mismatches;

static void same_decoding(const unsigned char *s, size_t n)
{
	unsigned a = 0, b = 0;
	size_t la = utf8_char((const char *)s, n, &a), lb = ref_char(s, n, &b);

	if (la != lb || (la && a != b)) {
		if (decoder_mismatches++ < 5)
			fprintf(stderr,
				"utf8_char(%02x %02x %02x %02x, %zu) = %zu U+%04X, want %zu U+%04X\n",
				s[0], n > 1 ? s[1] : 0, n > 2 ? s[2] : 0, n > 3 ? s[3] : 0, n, la,
				a, lb, b);
	}
}

static void test_decoder(void)
{
	static const unsigned char tails[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90,
					       0x9f, 0xa0, 0xbf, 0xc0, 0xf4, 0xff };
	unsigned char s[4];
	size_t n, i, j;
	unsigned a, b;

	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			s[0] = a;
			s[1] = b;
			for (i = 0; i < sizeof(tails); i++) {
				for (j = 0; j < sizeof(tails); j++) {
					s[2] = tails[i];
					s[3] = tails[j];
					for (n = 1; n <= 4; n++) /* truncated at every length */
						same_decoding(s, n);
				}
			}
		}
	}
	CHECK_EQ(decoder_mismatches, 0);
}

static const char *esc(const char *s, size_t n, enum esc_style style)
{
	static char buf[65536];
	struct sbuf b;

	sb_init(&b, buf, sizeof(buf));
	CHECK_EQ(esc_put(&b, s, n, style, 0, NULL), strnlen(s, n));
	return buf;
}

#define T(s) esc(s, sizeof(s) - 1, ESC_TEXT)
#define P(s) esc(s, sizeof(s) - 1, ESC_PROC)
#define J(s) esc(s, sizeof(s) - 1, ESC_JSON)
#define H(s) esc(s, sizeof(s) - 1, ESC_HTML)

/* The body of the string json_write_strn writes (the writer every JSON output uses). */
static const char *json_body(const char *in, size_t n)
{
	static char out[65536];
	FILE *f = fmemopen(out, sizeof(out), "w");
	size_t len;

	json_write_strn(f, in, n);
	fclose(f);
	len = strlen(out);
	CHECK(len >= 2 && out[0] == '"' && out[len - 1] == '"');
	out[len - 1] = 0;
	return out + 1;
}

static void test_forms(void)
{
	CHECK_STR(T("\x1b[2J\x1b]0;PWN\x07"), "\\x1b[2J\\x1b]0;PWN\\x07");
	CHECK_STR(T("a\nb\tc\rd\\e\"f"), "a\\nb\\tc\\rd\\\\e\"f");
	CHECK_STR(T("\xed\xa0\x80"), "\\xed\\xa0\\x80"); /* a surrogate */
	CHECK_STR(T("\xe0\x80\x80"), "\\xe0\\x80\\x80"); /* overlong */
	CHECK_STR(T("\xc0\xaf"), "\\xc0\\xaf"); /* overlong '/' */
	CHECK_STR(T("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80"); /* above U+10FFFF */
	CHECK_STR(T("\x80x"), "\\x80x"); /* a lone continuation byte */
	CHECK_STR(T("ab\xe2\x82"), "ab\\xe2\\x82"); /* cut at the end */
	CHECK_STR(T("\xc2\x9b\x7f"), "\\xc2\\x9b\\x7f"); /* C1 CSI, DEL */
	CHECK_STR(T("\xe2\x80\xae"), "\\xe2\\x80\\xae"); /* right-to-left override */
	CHECK_STR(T("\xe2\x80\xa8"), "\\xe2\\x80\\xa8"); /* line separator */
	CHECK_STR(T("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"),
		  "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80"); /* printable UTF-8 stays */
	CHECK_STR(P("x\n55d0-55d1 r-xp"), "x\\01255d0-55d1 r-xp"); /* as the kernel */
	CHECK_STR(P("\x1b\t\\\xed\xa0\x80\xc2\x9b\xc3\xa9"),
		  "\\033\\011\\\\355\\240\\200\\302\\233\xc3\xa9");
	CHECK_STR(J("a\"b\\c\n\t\x01\x7f"), "a\\\"b\\\\c\\n\\t\\u0001\\u007f");
	CHECK_STR(json_body("\xed\xa0\x80", 3), "\\u00ed\\u00a0\\u0080");
	CHECK_STR(json_body("\xe0\x80\x80", 3), "\\u00e0\\u0080\\u0080");
	CHECK_STR(json_body("\xf4\x90\x80\x80", 4), "\\u00f4\\u0090\\u0080\\u0080");
	CHECK_STR(J("\xc2\x9b\xe2\x80\xae"), "\\u009b\\u202e");
	CHECK_STR(J("\xf0\x9f\x98\x80\xf3\xa0\x80\x80"), "\xf0\x9f\x98\x80\\udb40\\udc00");
	/* a report's names: no markup, no attribute's end, control bytes as text */
	CHECK_STR(H("<script>&\"x'"), "&lt;script&gt;&amp;&quot;x&#39;");
	CHECK_STR(H("a\nb\\\x1b\xc3\xa9"), "a\\nb\\\\\\x1b\xc3\xa9");
	/* a comm is 16 bytes that may lack a NUL; a NUL ends a name */
	CHECK_STR(esc("0123456789abcdefXYZ", 16, ESC_TEXT), "0123456789abcdef");
	CHECK_STR(esc("ab\0\x1b", 4, ESC_TEXT), "ab");
}

static void test_cells(void)
{
	char buf[128];
	struct sbuf b;

	sb_init(&b, buf, sizeof(buf));
	CHECK_EQ(esc_cell(&b, "\x1b[2J\x1b]0;PWN\x07", 16, 16), 16);
	CHECK_STR(buf, "\\x1b[2J\\x1b]0;P+"); /* an escape is never cut */
	sb_init(&b, buf, sizeof(buf));
	CHECK_EQ(esc_cell(&b, "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad", 16, 5), 5);
	CHECK_STR(buf, "\xe4\xb8\xad\xe4\xb8\xad+"); /* wide characters: 2 columns each */
	sb_init(&b, buf, sizeof(buf));
	CHECK_EQ(esc_cell(&b, "caf\xc3\xa9", 16, 16), 4);
	CHECK_EQ(utf8_fit("\xe4\xb8\xad\xe4\xb8\xad"
			  "ab",
			  8, 3),
		 3);
	CHECK_EQ(utf8_fit("caf\xc3\xa9!", 6, 4), 5);
}

/* The JSON string body s as code points; -1 if it is not strict UTF-8 JSON. */
static int json_decode(const char *str, unsigned *out, size_t max)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k = 0, len;
	unsigned cp, lo;

	while (s[i]) {
		if (k == max || s[i] < 0x20 || s[i] == '"')
			return -1;
		if (s[i] != '\\') {
			len = ref_char(s + i, strlen(str + i), &cp);
			if (!len)
				return -1;
			out[k++] = cp;
			i += len;
			continue;
		}
		i++;
		if (s[i] && strchr("\"\\/bfnrt", s[i])) {
			out[k++] = strchr("\"\\/", s[i]) ? s[i] :
				   s[i] == 'b'		 ? '\b' :
				   s[i] == 'f'		 ? '\f' :
				   s[i] == 'n'		 ? '\n' :
				   s[i] == 'r'		 ? '\r' :
							   '\t';
			i++;
			continue;
		}
		if (s[i] != 'u' || sscanf(str + i + 1, "%4x", &cp) != 1)
			return -1;
		i += 5;
		if (cp >= 0xdc00 && cp <= 0xdfff)
			return -1; /* a low surrogate alone */
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (s[i] != '\\' || s[i + 1] != 'u' ||
			    sscanf(str + i + 2, "%4x", &lo) != 1 || lo < 0xdc00 || lo > 0xdfff)
				return -1;
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			i += 6;
		}
		out[k++] = cp;
	}
	return k;
}

/* Text back to bytes: \n \t \r \\ \xNN. */
static size_t text_decode(const char *s, char *out)
{
	size_t k = 0;
	unsigned v;

	while (*s) {
		if (*s != '\\') {
			out[k++] = *s++;
		} else if (s[1] == 'x' && sscanf(s + 2, "%2x", &v) == 1) {
			out[k++] = v;
			s += 4;
		} else {
			out[k++] = s[1] == 'n' ? '\n' :
				   s[1] == 't' ? '\t' :
				   s[1] == 'r' ? '\r' :
						 s[1];
			s += 2;
		}
	}
	return k;
}

/* Valid UTF-8 with no C0, DEL or C1 control: what a terminal can be shown. */
static bool clean(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t len;
	unsigned cp;

	while (*s) {
		len = ref_char(s, strlen((const char *)s), &cp);
		if (!len || cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
			return false;
		s += len;
	}
	return true;
}

static void random_name(char *s, size_t *n)
{
	static const char *const pieces[] = {
		"a",
		"/",
		"\\",
		"\"",
		"\n",
		"\t",
		"\x1b",
		"\x01",
		"\x7f",
		"\x80",
		"\x9b",
		"\xbf",
		"\xc0",
		"\xc1",
		"\xc2",
		"\xc3\xa9",
		"\xc2\x9b",
		"\xe0",
		"\xe0\xa0\x80",
		"\xed",
		"\xed\xa0\x80",
		"\xef\xbf",
		"\xf0",
		"\xf0\x90",
		"\xf4\x8f",
		"\xf4\x90\x80",
		"\xf5",
		"\xff",
		"\xe4\xb8\xad",
		"\xf0\x9f\x98\x80",
		"\xe2\x80\xae",
		"\xe2\x80\xa8",
	};
	size_t i, k = 0, count = rand() % 24;

	for (i = 0; i < count; i++) {
		const char *p = pieces[rand() % (sizeof(pieces) / sizeof(pieces[0]))];

		memcpy(s + k, p, strlen(p));
		k += strlen(p);
	}
	s[k] = 0;
	*n = k;
}

static void test_random(void)
{
	static unsigned cps[4096], want[4096];
	char in[256], back[256];
	int round, bad_json = 0, bad_text = 0, bad_proc = 0;

	srand(21);
	for (round = 0; round < 20000; round++) {
		size_t n, i = 0, k = 0, len;
		int got;

		random_name(in, &n);
		/* what JSON must say: each character, each stray byte as U+00XX */
		while (i < n) {
			len = ref_char((const unsigned char *)in + i, n - i, &want[k]);
			if (!len) {
				want[k] = (unsigned char)in[i];
				len = 1;
			}
			k++;
			i += len;
		}
		got = json_decode(json_body(in, n), cps, 4096);
		if (got != (int)k || memcmp(cps, want, k * sizeof(*cps)))
			bad_json++;
		if (!clean(esc(in, n, ESC_TEXT)) || text_decode(esc(in, n, ESC_TEXT), back) != n ||
		    memcmp(back, in, n))
			bad_text++;
		if (!clean(esc(in, n, ESC_PROC)) || strchr(esc(in, n, ESC_PROC), '\n'))
			bad_proc++;
	}
	CHECK_EQ(bad_json, 0);
	CHECK_EQ(bad_text, 0);
	CHECK_EQ(bad_proc, 0);
}

/* esc_fput writes in pieces: the same bytes as one big buffer. */
static void test_long(void)
{
	static char in[MS_PATH_MAX], out[MS_PATH_MAX * 8];
	FILE *f = fmemopen(out, sizeof(out), "w");
	size_t i;

	for (i = 0; i < sizeof(in) - 1; i++)
		in[i] = i % 3 ? '\x1b' : 'a';
	esc_fput(f, in, sizeof(in), ESC_TEXT);
	fclose(f);
	CHECK_STR(out, esc(in, sizeof(in), ESC_TEXT));
	CHECK_EQ(strlen(out), 1365 + 2730 * 4);
}

/* A result of INT64_MIN is no -errno: printed as the number it is. */
static char *view_of(struct model *m, const struct ms_hdr *h, bool json)
{
	struct event_view_opts o = { .json = json };
	struct model_change chg = { .region = model__event_region(m) };
	struct event_view *v;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	v = event_view__new(&o, m, f);
	event_view__fn(v, h, &chg);
	event_view__free(v);
	fclose(f);
	return text;
}

static void test_int64_min(void)
{
	struct model *m = model__new(PG);
	union mt_rec r = {};
	struct ms_syscall *s = (void *)&r;
	char *text, *pf = NULL;
	size_t len = 0;
	FILE *f;
	struct perfetto *p;

	CHECK_EQ(ret_errno(INT64_MIN), 0);
	CHECK_EQ(ret_errno(-1), 1);
	CHECK_EQ(ret_errno(-4095), 4095);
	CHECK_EQ(ret_errno(-4096), 0);
	CHECK_EQ(ret_errno(0), 0);
	mt_mmap(m, 7, 0x10000, PG, PROT_READ, MAP_PRIVATE);
	mt_hdr(&s->h, MS_MUNMAP, sizeof(*s), 7, 0);
	strcpy(s->comm, "t");
	s->args[0] = 0x10000;
	s->args[1] = PG;
	s->ret = INT64_MIN;
	model__apply(m, &s->h);
	text = view_of(m, &s->h, false);
	CHECK(strstr(text, "= -9223372036854775808") != NULL);
	free(text);
	text = view_of(m, &s->h, true);
	CHECK(strstr(text, "\"ret\":-9223372036854775808") && !strstr(text, "errno"));
	free(text);
	s->h.type = MS_MMAP;
	s->args[3] = MAP_PRIVATE | MAP_ANONYMOUS;
	text = view_of(m, &s->h, false);
	CHECK(strstr(text, "= 0x8000000000000000") != NULL);
	free(text);
	f = open_memstream(&pf, &len);
	p = perfetto__new(m, 0, f);
	perfetto__fn(p, &s->h, &(struct model_change){ .region = model__event_region(m) });
	perfetto__finish(p);
	fclose(f);
	CHECK(strstr(pf, "\"ret\":\"0x8000000000000000\"") != NULL);
	free(pf);
	model__free(m);
}

int main(void)
{
	test_decoder();
	test_forms();
	test_cells();
	test_random();
	test_long();
	test_int64_min();
	CHECK_DONE();
}
