#!/usr/bin/env bash
# The syscall hooks compared inside Debian 12's 6.1 kernel under qemu, the
# kernel this project's tests boot (tests/kernels/): this host's kernel
# refuses fentry/fexit, so the fentry path is measured there. Interleaved
# pairs (untraced, then memsnoop system-wide), per case and per hook; prints
# the median ratio of each and its range. Everything runs in one guest, so
# the ratios compare like with like, but the guest's clock is the host's:
# run it on a quiet host (TCG: absolute times mean nothing). qemu -icount,
# which would count instructions instead, hangs this kernel's boot.
#
#   bench/guest.sh [PAIRS] [CASES] [HOOKS]   defaults: 7, "other syscall threads procs",
#                                            "fentry tp"; SCALE=0.1 (workload -n)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${1:-7} CASES=${2:-other syscall threads procs} HOOKS=${3:-fentry tp}
K=$ROOT/tests/kernels
out=$(mktemp -d /tmp/msbench-guest.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$out"' EXIT

kernel=$("$K/fetch.sh") || { echo "bench/guest.sh: cannot fetch the 6.1 kernel" >&2; exit 1; }
make -C "$ROOT" --no-print-directory -j"$(nproc)" STATIC=1 OUTPUT=.output/static \
	BIN=.output/static/memsnoop .output/static/memsnoop >&2
gcc -static -O2 -D_GNU_SOURCE -o "$out/workload" "$ROOT/bench/workload.c" -pthread
cp "$ROOT/.output/static/memsnoop" "$out/memsnoop"
# the guest script, with its settings
{
	echo "PAIRS=$PAIRS CASES='$CASES' HOOKS='$HOOKS' SCALE=${SCALE:-0.1}"
	cat "$ROOT/bench/guest_run.sh"
} >"$out/run.sh"
BOOT_TIMEOUT=${BOOT_TIMEOUT:-3600} BOOT_SMP=${BOOT_SMP:-2} \
	"$K/boot.sh" "$kernel" "$out/run.sh" "$out/memsnoop" "$out/workload" | tee "$out/guest.out" |
	grep -v '^@@run' >&2 || true
python3 - "$out/guest.out" "$(basename "$kernel")" <<'PY'
import statistics, sys
runs, prev = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) != 4 or f[0] != "@@run" or not f[3]:
        continue
    case, cfg, t = f[1], f[2], float(f[3])
    if cfg == "untraced":
        prev[case] = t
    elif case in prev:
        runs.setdefault((case, cfg), []).append(t / prev.pop(case))
print(f"memsnoop system-wide vs untraced, interleaved pairs inside {sys.argv[2]} (qemu TCG)")
print("| case | hook | ratio (median) | range | pairs |")
print("| --- | --- | --- | --- | --- |")
for (case, cfg), r in runs.items():
    print(f"| {case} | {cfg} | **{statistics.median(r):.2f}×** | {min(r):.2f}–{max(r):.2f} | {len(r)} |")
PY
