// SPDX-License-Identifier: GPL-2.0
/*
 * Short-lived processes, fast: N children, W at a time; every K-th of them
 * execs /bin/true (--exec-every K, default 1; 0: none), the others just exit. Prints "done N" on stdout after each
 * batch of --every children (default: only at the end).
 *   churn N [--workers W] [--every K] [--exec-every K]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int spawn(int exec)
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
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long n, every = 0, done = 0, running = 0, workers = 1;
	unsigned long exec_every = 1;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: churn N [--workers W] [--every K] [--exec-every K]\n");
		return 2;
	}
	n = strtoul(argv[1], NULL, 0);
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--exec-every") && i + 1 < argc)
			exec_every = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--workers") && i + 1 < argc)
			workers = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--every") && i + 1 < argc)
			every = strtoul(argv[++i], NULL, 0);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (unsigned long started = 0; done < n;) {
		while (running < workers && started < n) {
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
		if (every && done % every == 0)
			printf("done %lu\n", done);
	}
	printf("done %lu\n", done);
	return 0;
}
