// SPDX-License-Identifier: GPL-2.0
/*
 * loadobj: load (and attach) every program of a BPF object file, printing
 * libbpf's messages, then detach. A static helper for the kernel tests: it
 * tells whether an object's CO-RE relocations resolve and its programs pass
 * the verifier on the kernel it runs on, independently of memsnoop's loader.
 *   loadobj [-a] OBJ...      -a: also attach each program
 */
#include <bpf/libbpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	int attach = 0, bad = 0;
	libbpf_set_print(print);
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-a")) {
			attach = 1;
			continue;
		}
		struct bpf_object *obj = bpf_object__open_file(argv[i], NULL);
		if (!obj) {
			printf("loadobj: %s: open failed\n", argv[i]);
			bad++;
			continue;
		}
		int err = bpf_object__load(obj);
		printf("loadobj: %s: load %s (%d)\n", argv[i], err ? "FAILED" : "ok", err);
		if (err)
			bad++;
		struct bpf_program *p;
		bpf_object__for_each_program(p, obj) {
			if (err || !attach || !bpf_program__autoload(p))
				continue;
			struct bpf_link *l = bpf_program__attach(p);
			printf("loadobj:   attach %-28s %s\n", bpf_program__name(p),
			       l ? "ok" : "FAILED");
			if (!l)
				bad++;
			bpf_link__destroy(l);
		}
		bpf_object__close(obj);
	}
	return bad ? 1 : 0;
}
