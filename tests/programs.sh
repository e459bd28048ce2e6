# Sourced by tests/run and tests/lib.sh: memsnoop's BPF programs loaded now
# (all of their names start with ms_), whoever loaded them.
loaded_programs() { bpftool prog show 2>/dev/null | grep -c ' name ms_'; }
