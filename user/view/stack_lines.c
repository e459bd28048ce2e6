// SPDX-License-Identifier: GPL-2.0
#include <string.h>
#include "util/sbuf.h"
#include "view/stack_lines.h"

static void frame_text(FILE *out, const struct frame *f, unsigned i, const char *indent,
		       const char *tag)
{
	char line[1024];
	struct sbuf b;

	sb_init(&b, line, sizeof(line));
	sb_puts(&b, indent);
	sb_putc(&b, '#');
	sb_dec(&b, i);
	sb_puts(&b, " 0x");
	sb_hex(&b, f->ip, 1);
	sb_putc(&b, ' ');
	sb_puts(&b, f->sym ? f->sym : "?");
	if (f->sym) {
		sb_puts(&b, "+0x");
		sb_hex(&b, f->off, 1);
	}
	if (f->module) {
		sb_puts(&b, " (");
		sb_puts(&b, f->module);
		sb_putc(&b, ')');
	}
	if (f->file) {
		sb_putc(&b, ' ');
		sb_puts(&b, f->file);
		sb_putc(&b, ':');
		sb_dec(&b, f->line);
	}
	if (tag) {
		sb_puts(&b, " [");
		sb_puts(&b, tag);
		sb_putc(&b, ']');
	}
	sb_putc(&b, '\n');
	fwrite(line, 1, b.len, out);
}

void stack_lines__text(FILE *out, const struct stack *s, unsigned depth, const char *indent)
{
	unsigned i;

	for (i = 0; s && i < s->nr && i < depth; i++)
		frame_text(out, &s->frames[i], i, indent, i ? NULL : stack__unwind(s));
}

void stack_lines__json(struct json_obj *o, const struct stack *s, unsigned depth)
{
	unsigned i;

	if (!s)
		return;
	json_u64(o, "stack_id", s->id);
	json_str(o, "unwind", stack__unwind(s));
	json_array_begin(o, "stack");
	for (i = 0; i < s->nr && i < depth; i++) {
		const struct frame *f = &s->frames[i];

		json_object_begin(o, NULL);
		json_hex(o, "ip", f->ip);
		if (f->sym) {
			json_str(o, "sym", f->sym);
			json_u64(o, "off", f->off);
		}
		if (f->module)
			json_str(o, "module", f->module);
		if (f->file) {
			json_str(o, "file", f->file);
			json_u64(o, "line", f->line);
		}
		json_object_end(o);
	}
	json_array_end(o);
}

void stack_lines__site(char *buf, size_t size, const struct stack *s)
{
	const struct frame *f = stack__site_frame(s);
	const char *slash;

	buf[0] = 0;
	if (!f)
		return;
	slash = f->module ? strrchr(f->module, '/') : NULL;
	if (f->sym)
		snprintf(buf, size, "  [by %s]", f->sym);
	else if (f->module)
		snprintf(buf, size, "  [by %s+0x%llx]", slash ? slash + 1 : f->module,
			 (unsigned long long)f->ip);
	else
		snprintf(buf, size, "  [by 0x%llx]", (unsigned long long)f->ip);
}

void stack_lines__site_json(struct json_obj *o, const struct stack *s)
{
	const struct frame *f = stack__site_frame(s);

	if (!f)
		return;
	json_u64(o, "stack_id", s->id);
	json_object_begin(o, "site");
	json_hex(o, "ip", f->ip);
	if (f->sym) {
		json_str(o, "sym", f->sym);
		json_u64(o, "off", f->off);
	}
	if (f->module)
		json_str(o, "module", f->module);
	json_object_end(o);
}
