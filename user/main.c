// SPDX-License-Identifier: GPL-2.0
/* memsnoop: see how processes use memory, live, with eBPF. */
#include <stdio.h>
#include "cli.h"
#include "util/log.h"
#include "session.h"

int main(int argc, char **argv)
{
	static struct settings s;

	if (cli_parse(argc, argv, &s))
		return 1;
	log_init(s.json, s.verbose);
	return session_run(&s);
}
