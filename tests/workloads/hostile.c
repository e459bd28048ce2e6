// SPDX-License-Identifier: GPL-2.0
/*
 * A process that names things the way an attacker would: files whose names
 * hold a newline, terminal escapes, a tab, invalid UTF-8 and a forged
 * /proc/PID/maps line, mapped; command names with escapes and invalid
 * UTF-8; an exec through a symlink named with escapes. The views must print
 * all of it escaped (tests/security/test_names).
 *
 * Usage: hostile DIR [ARG...]: makes the files in DIR, re-executes itself
 * through DIR/<hostile link>, then maps them, forks two children with hostile
 * names that map and exit, writes its pid to DIR/ready and holds its mappings until
 * DIR/done exists (20 s at most). ARGs are only there to be recorded.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define LINK_NAME "exe\x1b]0;PWN\x07\n"
#define COMM_ESC "\x1b[2J\x1b]0;PWN\x07"

static const char *const names[] = {
	"nl\nname",
	"esc\x1b[31mred",
	"tab\there",
	"sur\xed\xa0\x80",
	"over\xe0\x80\x80",
	"big\xf4\x90\x80\x80",
	"slash\xc0\xaf",
	"lone\x80",
	"c1\xc2\x9b",
	"del\x7f",
	"bs\\x1b",
	"utf8-\xc3\xa9",
	"x\n55d0-55d1 r-xp 00000000 00:00 0 [forged]",
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void path_in(char *buf, const char *dir, const char *name)
{
	if (snprintf(buf, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
		die("path too long");
}

static void make_files(const char *dir)
{
	char path[PATH_MAX], exe[PATH_MAX];
	ssize_t n;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd;

		path_in(path, dir, names[i]);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "x", 1) != 1 || close(fd))
			die("create");
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		die("readlink");
	exe[n] = 0;
	path_in(path, dir, LINK_NAME);
	unlink(path);
	if (symlink(exe, path))
		die("symlink");
}

/* A child with its own name makes one mapping and exits. */
static void child_named(const char *comm)
{
	pid_t pid = fork();

	if (pid < 0)
		die("fork");
	if (pid == 0) {
		prctl(PR_SET_NAME, comm);
		if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
			_exit(1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static void map_files(const char *dir)
{
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int fd;

		path_in(path, dir, names[i]);
		fd = open(path, O_RDONLY);
		if (fd < 0 || mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			die("map");
		close(fd);
	}
}

static void hold(const char *dir)
{
	char path[PATH_MAX], link[PATH_MAX];
	FILE *f;

	path_in(path, dir, ".ready");
	f = fopen(path, "w");
	if (!f || fprintf(f, "%d\n", getpid()) < 0 || fclose(f))
		die("ready");
	path_in(link, dir, "ready");
	if (rename(path, link))
		die("ready");
	path_in(path, dir, "done");
	for (int i = 0; i < 2000 && access(path, F_OK); i++)
		usleep(10000);
}

int main(int argc, char **argv)
{
	char link[PATH_MAX];

	if (argc < 2) {
		fprintf(stderr, "usage: hostile DIR [ARG...]\n");
		return 2;
	}
	path_in(link, argv[1], LINK_NAME);
	if (strcmp(argv[0], link)) {
		make_files(argv[1]);
		argv[0] = link;
		execv(link, argv);
		die("exec");
	}
	prctl(PR_SET_NAME, COMM_ESC);
	map_files(argv[1]);
	child_named("\xed\xa0\x80\xe0\x80\x80\xc0\xaf\x80\xf4\x90\x80\x80");
	child_named("a\nb\tc\xc2\x9b\xc3\xa9");
	child_named("aaaaaaaaaaaaaa\xc3\xa9"); /* the kernel cuts the é in half */
	hold(argv[1]);
	return 0;
}
