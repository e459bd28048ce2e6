// SPDX-License-Identifier: GPL-2.0
/*
 * A replay of a recording made with --symbols (symbols/stacks.h): the
 * frames come from MS_FRAMES, not from unwinding; a frame in a file that is
 * not here is named from the MS_SYMBOL records of its build-id, a JIT frame
 * from the process's JIT symbols, their names escaped; a frame outside every
 * stored function stays unnamed, and a recording without symbols names none.
 */
#include "model_util.h"
#include "symbols/stacks.h"
#include "util/record.h"

#define P 100
#define EXE "/nonexistent/memsnoop-test/bin"
#define JIT 0x7f0000000000ull

static void feed(struct stacks *st, struct ms_hdr *h)
{
	CHECK(record_ok(h));
	stacks__fn(st, h);
}

static void module_rec(struct stacks *st, __u32 flags)
{
	union mt_rec r = {};
	struct ms_module *m = (void *)&r;

	m->base = 0x400000;
	m->build_id[0] = 0xab;
	m->build_id[1] = 0x01;
	m->build_id_len = 2;
	m->path_len = strlen(EXE);
	strcpy(m->path, EXE);
	mt_hdr(&m->h, MS_MODULE, sizeof(*m) + MS_ALIGN8(m->path_len + 1), P, flags);
	feed(st, &m->h);
}

static void symbol_rec(struct stacks *st, __u64 start, __u64 size, const char *name, bool jit)
{
	union mt_rec r = {};
	struct ms_symbol *y = (void *)&r;

	y->start = start;
	y->size = size;
	if (!jit) {
		y->build_id[0] = 0xab;
		y->build_id[1] = 0x01;
		y->build_id_len = 2;
	}
	y->name_len = strlen(name);
	strcpy(y->name, name);
	mt_hdr(&y->h, MS_SYMBOL, sizeof(*y) + MS_ALIGN8(y->name_len + 1), P,
	       jit ? MS_SYMBOL_JIT : 0);
	feed(st, &y->h);
}

/* MS_FRAMES, MS_USTACK and the mmap they belong to: the stack the mmap got. */
static const struct stack *call(struct stacks *st, const __u64 *ips, unsigned nr)
{
	union mt_rec fr_rec = {}, us_rec = {}, sys_rec = {};
	struct ms_frames *fr = (void *)&fr_rec;
	struct ms_ustack *us = (void *)&us_rec;
	struct ms_syscall *s = (void *)&sys_rec;

	fr->nr = nr;
	memcpy(fr->ips, ips, nr * sizeof(__u64));
	mt_hdr(&fr->h, MS_FRAMES, sizeof(*fr) + nr * sizeof(__u64), P, MS_MMAP);
	us->regs[MS_UREG_IP] = ips[0];
	us->h = fr->h;
	us->h.type = MS_USTACK;
	us->h.size = sizeof(*us);
	s->dur_ns = 100;
	s->ret = 0x10000000;
	mt_hdr(&s->h, MS_MMAP, sizeof(*s), P, 0);
	s->h.ts_ns = us->h.ts_ns + s->dur_ns;
	feed(st, &fr->h);
	feed(st, &us->h);
	feed(st, &s->h);
	return stacks__of(st, &s->h);
}

int main(void)
{
	const __u64 ips[] = { JIT + 0x14, 0x401010, 0x402200 };
	struct model *m = model__new(64);
	struct stacks *st = stacks__new(m);
	const struct stack *s;

	mt_seed_begin(m, P, 0, "test");
	mt_vma(m, P, 0x400000, 0x403000, MS_VMA_READ | MS_VMA_EXEC, 0, 8, 1, EXE);
	mt_vma(m, P, JIT, JIT + PG, MS_VMA_READ | MS_VMA_EXEC, 0, 0, 0, NULL);
	mt_seed_end(m, P);

	/* a recording without symbols: its frames, unnamed */
	module_rec(st, 0);
	s = call(st, ips, 3);
	CHECK(s && s->nr == 3);
	CHECK(s && !s->frames[0].sym && !s->frames[1].sym);
	CHECK_STR(s ? s->frames[0].module : "", "[jit]");
	CHECK_STR(s ? s->frames[1].module : "", EXE);

	/* with them: the file's and the JIT code's names; 0x402200 is in none */
	stacks__free(st);
	st = stacks__new(m);
	module_rec(st, MS_MODULE_SYMBOLS);
	symbol_rec(st, 0x1000, 0x100, "alpha", false);
	symbol_rec(st, 0x2000, 0x100, "main", false);
	symbol_rec(st, JIT + 0x10, 0x10, "jit\x1b[31m", true);
	s = call(st, ips, 3);
	CHECK(s && s->nr == 3);
	CHECK_STR(s && s->frames[0].sym ? s->frames[0].sym : "", "jit\\x1b[31m");
	CHECK_EQ(s ? s->frames[0].off : 0, 4);
	CHECK_STR(s && s->frames[1].sym ? s->frames[1].sym : "", "alpha");
	CHECK_EQ(s ? s->frames[1].off : 0, 0x10);
	CHECK(s && !s->frames[2].sym);

	/* another process's JIT code is not this one's */
	stacks__free(st);
	st = stacks__new(m);
	module_rec(st, MS_MODULE_SYMBOLS);
	symbol_rec(st, 0x1000, 0x100, "alpha", false);
	{
		union mt_rec r = {};
		struct ms_symbol *y = (void *)&r;

		y->start = JIT + 0x10;
		y->size = 0x10;
		y->name_len = 3;
		strcpy(y->name, "bad");
		mt_hdr(&y->h, MS_SYMBOL, sizeof(*y) + 8, P + 1, MS_SYMBOL_JIT);
		feed(st, &y->h);
	}
	s = call(st, ips, 2);
	CHECK(s && !s->frames[0].sym);
	CHECK_STR(s && s->frames[1].sym ? s->frames[1].sym : "", "alpha");

	stacks__free(st);
	model__free(m);
	return check_failures != 0;
}
