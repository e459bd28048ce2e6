#!/bin/bash
# Fault counts through per-CPU slots and the shared path (see test_fault_slots.py).
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 bpf/test_fault_slots.py
