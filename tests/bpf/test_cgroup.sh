#!/bin/bash
# --cgroup, the cgroup of each record, top --by cgroup against the controller (test_cgroup.py).
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 bpf/test_cgroup.py
