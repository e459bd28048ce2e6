#!/bin/bash
# Capability mode: as nobody with CAP_BPF, CAP_PERFMON and CAP_DAC_READ_SEARCH only, memsnoop
# traces the capture workload with exact counts (test_capture.py); missing one, it says which.
source "$(dirname "$0")/../lib.sh"
need_root
command -v setpriv >/dev/null || fail "setpriv (util-linux) is missing"
as_nobody() { # CAPS CMD...: as nobody with these capabilities (e.g. +bpf,+perfmon)
	local caps=$1
	shift
	setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps="$caps" \
		--ambient-caps="$caps" "$@"
}
cd "$TMP" || fail "no temporary directory"

as_nobody +bpf,+perfmon "$MEMSNOOP" -- true >out 2>err
rc=$?
[ $rc -eq 1 ] && grep -q "CAP_DAC_READ_SEARCH" err || { cat err; fail "no tracefs access: exit $rc"; }
ok "without CAP_DAC_READ_SEARCH: $(cat err)"
as_nobody -all "$MEMSNOOP" -- true >out 2>err
rc=$?
[ $rc -eq 1 ] && grep -q "CAP_BPF and CAP_PERFMON" err || { cat err; fail "no capabilities: exit $rc"; }
ok "without capabilities: $(cat err)"

cd "$ROOT/tests" || fail "no tests directory"
MEMSNOOP_WRAP="setpriv --reuid=nobody --regid=nogroup --clear-groups
	--inh-caps=+bpf,+perfmon,+dac_read_search --ambient-caps=+bpf,+perfmon,+dac_read_search" \
	PYTHONPATH=. python3 bpf/test_capture.py || fail "capture in capability mode"
ok "capability mode traces the capture workload exactly"
