// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the whole replay pipeline over records. The input is
 * decoded into records of the ABI (records.h), written with the project's
 * writer into a trace with valid checksums, and replayed by every command
 * as memsnoop's command line runs it: the event view (text, JSON,
 * timestamps, faults: explanations and exit summaries), maps, layout, top,
 * info and the Perfetto export. Output goes to /dev/null and a scratch file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "session.h"
#include "trace/trace.h"
#include "records.h"

static char dir[64], trace_path[96], out_path[96];

#define CMD(...)                              \
	{                                     \
		"memsnoop", __VA_ARGS__, NULL \
	}
static const char *const commands[][12] = {
	CMD("-r", trace_path),
	CMD("-r", trace_path, "-j"),
	CMD("-r", trace_path, "-T", "--faults"),
	CMD("-r", trace_path, "-j", "--faults", "-p", "101"),
	CMD("maps", "-r", trace_path),
	CMD("maps", "-r", trace_path, "-j", "--at", "0.5"),
	CMD("maps", "-r", trace_path, "--format", "maps"),
	CMD("layout", "-r", trace_path, "-p", "100", "--once"),
	CMD("layout", "-r", trace_path, "-p", "101", "--once", "-j", "-i", "0.01"),
	CMD("top", "-r", trace_path, "-b"),
	CMD("top", "-r", trace_path, "-b", "-j"),
	CMD("top", "-r", trace_path, "-b", "--by", "cgroup"),
	CMD("-r", trace_path, "-v"),
	CMD("-r", trace_path, "-j", "--stacks"),
	CMD("info", "-r", trace_path),
	CMD("info", "-r", trace_path, "-j"),
	CMD("export", "--perfetto", "-r", trace_path, "-o", out_path, "--force"),
};

static void remove_dir(void)
{
	unlink(trace_path);
	unlink(out_path);
	rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int null = open("/dev/null", O_WRONLY);

	snprintf(dir, sizeof(dir), "%s/pipeline_fuzz.XXXXXX",
		 access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir) || null < 0) {
		perror("pipeline_fuzz");
		exit(1);
	}
	snprintf(trace_path, sizeof(trace_path), "%s/t.msnp", dir);
	snprintf(out_path, sizeof(out_path), "%s/out.json", dir);
	atexit(remove_dir);
	/*
	 * memsnoop's output and messages to /dev/null: stdout's descriptor, and
	 * the stderr stream (libFuzzer and the sanitizers keep writing to fd 2).
	 */
	dup2(null, STDOUT_FILENO);
	stderr = fdopen(null, "w");
	return 0;
}

static void write_trace(const uint8_t *data, size_t size)
{
	struct trace_meta m = { .page_size = 4096, .nr_cpus = 2, .start_ns = 1000000000 };
	struct trace_write_opts o = { .compress = size & 1 };
	static __u64 buf[MS_REC_MAX / 8];
	struct rec_decoder d;
	struct trace_writer *w;
	char err[256];

	snprintf(m.version, sizeof(m.version), "fuzz");
	unlink(trace_path);
	w = trace_writer__open(trace_path, &m, &o, err, sizeof(err));
	if (!w) {
		fprintf(stdout, "%s\n", err);
		abort();
	}
	rd_init(&d, data, size);
	while (rd_next(&d, buf))
		if (trace_writer__write(w, (void *)buf))
			abort();
	if (trace_writer__close(w, err, sizeof(err)))
		abort();
}

static void run(const char *const *args)
{
	struct settings s = {};
	char *argv[12];
	int argc;

	for (argc = 0; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	if (cli_parse(argc, argv, &s))
		abort(); /* the fuzzer's own command line is wrong */
	session_run(&s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	write_trace(data, size);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		run(commands[i]);
	return 0;
}
