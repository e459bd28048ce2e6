/* SPDX-License-Identifier: GPL-2.0 */
/*
 * `memsnoop -- prog args`: the command is forked first and held until the
 * tracer is attached and knows its pid, then released to exec.
 */
#ifndef MEMSNOOP_LAUNCH_H
#define MEMSNOOP_LAUNCH_H

#include <sys/types.h>

struct launch {
	pid_t pid;
	int go_fd; /* write a byte: the child may exec */
	int err_fd; /* the child writes errno here if exec fails */
};

int launch_prepare(struct launch *l, char **argv);
/* Releases the child; -errno (with the child reaped) if exec failed. */
int launch_start(struct launch *l);
/* Kills and reaps a child that was never released. */
void launch_abort(struct launch *l);
/* Exit status to hand back: the child's code, or 128 + signal. */
int launch_exit_status(int wstatus);

#endif
