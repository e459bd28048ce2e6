#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Install the benchmark's peers (strace, perf, bpftrace) with apt-get when
# missing. A peer that cannot be installed is only reported: bench/run skips it.
set -u
need=""
command -v strace >/dev/null 2>&1 || need="$need strace"
command -v perf >/dev/null 2>&1 || need="$need linux-perf"
command -v bpftrace >/dev/null 2>&1 || need="$need bpftrace"
[ -z "$need" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "bench: missing peers:$need (install them as root; bench/run skips them)" >&2
	exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1
for p in $need; do
	if apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1; then
		echo "bench: installed $p"
	else
		echo "bench: could not install $p: bench/run will skip it" >&2
	fi
done
exit 0
