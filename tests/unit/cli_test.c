// SPDX-License-Identifier: GPL-2.0
/* Flag parsing, number parsing, formatting and the JSON writer. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "check.h"
#include "cli.h"
#include "commands/command.h"
#include "util/fmt.h"
#include "util/json.h"

static int parse(struct settings *s, const char *line)
{
	char buf[512], *argv[32], *save = NULL, *tok;
	int argc = 0;

	memset(s, 0, sizeof(*s));
	snprintf(buf, sizeof(buf), "memsnoop %s", line);
	for (tok = strtok_r(buf, " ", &save); tok && argc < 31; tok = strtok_r(NULL, " ", &save))
		argv[argc++] = strdup(tok);
	argv[argc] = NULL;
	return cli_parse(argc, argv, s);
}

static void test_flags(void)
{
	struct settings s;

	CHECK_EQ(parse(&s, "-p 12 -p 13,14 -c nginx --children -T -j -d 2.5 -i 0.5"), 0);
	CHECK_EQ(s.sel.nr_pids, 3);
	CHECK_EQ(s.sel.pids[0], 12);
	CHECK_EQ(s.sel.pids[2], 14);
	CHECK_STR(s.sel.comm, "nginx");
	CHECK(s.sel.children && s.timestamps && s.json);
	CHECK(s.duration == 2.5 && s.interval == 0.5);
	CHECK(s.cmd == command__find(NULL));
	CHECK_EQ(s.ringbuf_size, 8 << 20);

	CHECK_EQ(parse(&s, "--faults --ringbuf-size 64K -w out.msnp -- ./prog a -p b"), 0);
	CHECK(s.faults);
	CHECK_EQ(s.ringbuf_size, 65536);
	CHECK_STR(s.write_file, "out.msnp");
	CHECK_EQ(s.argc, 4);
	CHECK_STR(s.argv[0], "./prog");
	CHECK_STR(s.argv[3], "b"); /* flags after -- belong to the command */
	CHECK_EQ(s.sel.nr_pids, 0);

	CHECK_EQ(parse(&s, "maps -p 1 --once --format=maps"), 0);
	CHECK_STR(s.cmd->name, "maps");
	CHECK(s.once);
	CHECK_EQ(s.format, MAPS_PROC);

	CHECK_EQ(parse(&s, "record -o t.msnp --no-compress --force"), 0);
	CHECK_STR(s.cmd->name, "record");
	CHECK(s.no_compress && s.force);

	CHECK_EQ(parse(&s, "record"), -1); /* needs -o */
	CHECK_EQ(parse(&s, "-r a -w b"), -1);
	CHECK_EQ(parse(&s, "-p 1 -- prog"), -1);
}

static void test_numbers(void)
{
	struct settings s = {};
	__u64 v;
	double d;

	CHECK_EQ(parse_size("4096", &v), 0);
	CHECK_EQ(v, 4096);
	CHECK_EQ(parse_size("8M", &v), 0);
	CHECK_EQ(v, 8 << 20);
	CHECK_EQ(parse_size("1GiB", &v), 0);
	CHECK_EQ(v, 1 << 30);
	CHECK(parse_size("", &v) < 0);
	CHECK(parse_size("-1", &v) < 0);
	CHECK(parse_size("12Q", &v) < 0);
	CHECK(parse_size("99999999999999999999", &v) < 0);
	CHECK(parse_size("17179869184G", &v) < 0); /* overflows 64 bits */
	CHECK_EQ(parse_seconds("0.25", &d), 0);
	CHECK(d == 0.25);
	CHECK(parse_seconds("0", &d) < 0);
	CHECK(parse_seconds("nan", &d) < 0);
	CHECK(parse_seconds("1s", &d) < 0);
	CHECK_EQ(parse_pids("1,2,3", &s.sel), 0);
	CHECK_EQ(s.sel.nr_pids, 3);
	CHECK(parse_pids("1,,x", &s.sel) < 0);
	CHECK(parse_pids("-5", &s.sel) < 0);
}

static void test_fmt(void)
{
	char buf[256];

	CHECK_STR(fmt_size(buf, sizeof(buf), 512), "512B");
	CHECK_STR(fmt_size(buf, sizeof(buf), 132 << 10), "132K");
	CHECK_STR(fmt_size(buf, sizeof(buf), 3 << 19), "1.5M");
	CHECK_STR(fmt_size(buf, sizeof(buf), 8ULL << 30), "8G");
	CHECK_STR(fmt_prot(buf, sizeof(buf), 3), "rw-");
	CHECK_STR(fmt_prot(buf, sizeof(buf), 0), "---");
	CHECK_STR(fmt_mmap_flags(buf, sizeof(buf), 0x22), "MAP_PRIVATE|MAP_ANONYMOUS");
	CHECK_STR(fmt_mmap_flags(buf, sizeof(buf), 0x3), "MAP_SHARED_VALIDATE");
	CHECK_STR(fmt_mmap_flags(buf, sizeof(buf), 0x80000002), "MAP_PRIVATE|0x80000000");
	CHECK_STR(fmt_mremap_flags(buf, sizeof(buf), 1), "MREMAP_MAYMOVE");
	CHECK_STR(madvise_name(4), "MADV_DONTNEED");
	CHECK(madvise_name(999) == NULL);
	CHECK_STR(errno_name(12), "ENOMEM");
}

/* memsnoop --help as argp prints it with this right margin (0: its default). */
static char *help_text(int rmargin)
{
	static char buf[3][16384];
	static int next;
	char *out = buf[next++ % 3], fmt[32];
	size_t len = 0;
	ssize_t n;
	int fd[2];
	pid_t pid;

	if (pipe(fd))
		return strcpy(out, "pipe failed");
	pid = fork();
	if (pid == 0) {
		struct settings s;

		dup2(fd[1], STDOUT_FILENO);
		if (rmargin) {
			snprintf(fmt, sizeof(fmt), "rmargin=%d", rmargin);
			setenv("ARGP_HELP_FMT", fmt, 1);
		}
		parse(&s, "--help"); /* exits */
		_exit(1);
	}
	close(fd[1]);
	while ((n = read(fd[0], out + len, sizeof(buf[0]) - 1 - len)) > 0)
		len += n;
	out[len] = 0;
	close(fd[0]);
	waitpid(pid, NULL, 0);
	/* argp's own closing note is its business */
	if (strstr(out, "\nMandatory or optional"))
		*strstr(out, "\nMandatory or optional") = 0;
	return out;
}

/* No line of our help is wrapped: a wide margin prints the same text. */
static void test_help_fits(void)
{
	char *narrow = help_text(0), *wide = help_text(1000);

	CHECK(strlen(narrow) > 1000);
	CHECK_STR(narrow, wide);
}

/* Every command is found by its name, has its line in --help, and checks its own flags. */
static void test_commands(void)
{
	static const char *const names[] = { "record", "maps",	 "top",	  "layout",
					     "info",   "export", "report" };
	const char *help = help_text(0);
	struct settings s;
	char line[32];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		CHECK(command__find(names[i]) && !strcmp(command__find(names[i])->name, names[i]));
		snprintf(line, sizeof(line), "\n  %-8s ", names[i]);
		CHECK(strstr(help, line) != NULL);
	}
	CHECK(command__find(NULL) && !command__find(NULL)->name); /* the event stream */
	CHECK(strstr(help, "\n  (none)   stream memory events") != NULL);
	CHECK(command__find("nope") == NULL);
	CHECK_EQ(parse(&s, "layout"), -1); /* one process */
	CHECK_EQ(parse(&s, "layout -p 1"), 0);
	CHECK_EQ(parse(&s, "info"), -1); /* a recording */
	CHECK_EQ(parse(&s, "export -r a -o b"), -1); /* a format */
	CHECK_EQ(parse(&s, "export --perfetto -r a -o b"), 0);
	CHECK_STR(s.write_file, "b"); /* -o names the export */
	CHECK_EQ(parse(&s, "maps -r a -w b"), -1);
}

/* The writer nests, puts commas between values only, and balances what it opens. */
static void test_json_nesting(void)
{
	char out[256] = "";
	FILE *f = fmemopen(out, sizeof(out), "w");
	struct json_obj o;

	json_begin(&o, f);
	json_u64(&o, "a", 1);
	json_object_begin(&o, "b");
	json_hex(&o, "start", 0x7f00);
	json_array_begin(&o, "list");
	json_u64(&o, NULL, 2);
	json_object_begin(&o, NULL);
	json_null(&o, "n");
	json_object_end(&o);
	json_str(&o, NULL, "x");
	json_array_end(&o);
	json_array_begin(&o, "empty");
	json_array_end(&o);
	json_object_end(&o);
	json_fixed(&o, "t", 1.25, 3);
	json_bool(&o, "ok", true);
	json_end(&o);
	fclose(f);
	CHECK_STR(out, "{\"a\":1,\"b\":{\"start\":\"0x7f00\",\"list\":[2,{\"n\":null},\"x\"],"
		       "\"empty\":[]},\"t\":1.250,\"ok\":true}\n");

	/* one element a line, as perfetto's file */
	f = fmemopen(out, sizeof(out), "w");
	json_begin(&o, f);
	o.break_depth = 2;
	json_array_begin(&o, "ev");
	json_u64(&o, NULL, 1);
	json_u64(&o, NULL, 2);
	json_array_end(&o);
	json_end(&o);
	fclose(f);
	CHECK_STR(out, "{\"ev\":[\n1,\n2\n]}\n");
}

static void json_of(const char *in, size_t n, char *out, size_t len)
{
	FILE *f = fmemopen(out, len, "w");

	json_write_strn(f, in, n);
	fclose(f);
}

static void test_json(void)
{
	char out[256];

	json_of("plain", 5, out, sizeof(out));
	CHECK_STR(out, "\"plain\"");
	json_of("a\"b\\c\n\t\x01", 8, out, sizeof(out));
	CHECK_STR(out, "\"a\\\"b\\\\c\\n\\t\\u0001\"");
	/* a comm is 16 bytes that may lack a NUL */
	json_of("0123456789abcdefXYZ", 16, out, sizeof(out));
	CHECK_STR(out, "\"0123456789abcdef\"");
	/* valid UTF-8 passes, stray bytes are escaped: always valid JSON */
	json_of("caf\xc3\xa9", 5, out, sizeof(out));
	CHECK_STR(out, "\"caf\xc3\xa9\"");
	json_of("x\xff\xc3", 3, out, sizeof(out));
	CHECK_STR(out, "\"x\\u00ff\\u00c3\"");
}

int main(void)
{
	test_flags();
	test_numbers();
	test_json_nesting();
	test_help_fits();
	test_commands();
	test_fmt();
	test_json();
	CHECK_DONE();
}
