# Sourced by tests/run and tests/lib.sh (tests/programs.py): memsnoop's BPF
# programs (names ms_*) loaded and held by no running memsnoop.
programs_py="$(dirname "${BASH_SOURCE[0]}")/programs.py"
# The ids unheld now: someone else's, not ours to report.
unheld_programs() { python3 "$programs_py"; }
# Succeeds unless an unheld program, not among the ids given, stays loaded.
no_leftovers() { python3 "$programs_py" --leftovers "$@" >/dev/null; }
