#!/bin/bash
# Hostile comm and file names through every output mode (see test_names.py).
source "$(dirname "$0")/../lib.sh"
need_root
[ -x "$WL/hostile" ] || fail "build the workloads first (make check-tests)"
cd "$ROOT/tests" && TEST_TMP=$TMP PYTHONPATH=. python3 security/test_names.py || exit $?
assert_detached
