// SPDX-License-Identifier: GPL-2.0
/*
 * Short-lived processes, fast: N children, W at a time; every K-th of them
 * execs /bin/true (--exec-every K, default 1; 0: none), the others just exit.
 * --pause-at K (repeatable, K = 0 before the first): once K children are
 * done, wait --settle S seconds (default 0), make one more child (a tracer's
 * record time moves on), print "paused K" and wait for a line on stdin.
 * Prints "done N" at the end.
 *   churn N [--workers W] [--exec-every K] [--pause-at K]... [--settle S]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define MAX_PAUSES 8

static void spawn(int exec)
{
	pid_t pid = fork();

	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		if (exec)
			execl("/bin/true", "true", (char *)NULL);
		_exit(0);
	}
}

static void pause_at(unsigned long done, unsigned settle)
{
	char line[16];

	sleep(settle);
	spawn(0);
	wait(NULL);
	printf("paused %lu\n", done);
	if (!fgets(line, sizeof(line), stdin))
		exit(0);
}

int main(int argc, char **argv)
{
	unsigned long n, done = 0, started = 0, running = 0, workers = 1, exec_every = 1;
	unsigned long pauses[MAX_PAUSES];
	unsigned nr_pauses = 0, settle = 0, i, k;

	if (argc < 2) {
		fprintf(stderr, "usage: churn N [--workers W] [--exec-every K] [--pause-at K]... "
				"[--settle S]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	for (i = 2; i + 1 < (unsigned)argc; i += 2) {
		if (!strcmp(argv[i], "--exec-every"))
			exec_every = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--workers"))
			workers = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--settle"))
			settle = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--pause-at") && nr_pauses < MAX_PAUSES)
			pauses[nr_pauses++] = strtoul(argv[i + 1], NULL, 0);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (k = 0;;) {
		for (; k < nr_pauses && pauses[k] <= done && !running; k++)
			pause_at(done, settle);
		if (done == n)
			break;
		while (running < workers && started < n &&
		       (k == nr_pauses || started < pauses[k])) {
			spawn(exec_every && started % exec_every == 0);
			started++;
			running++;
		}
		if (wait(NULL) < 0) {
			perror("wait");
			return 1;
		}
		running--;
		done++;
	}
	printf("done %lu\n", done);
	return 0;
}
