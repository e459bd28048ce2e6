#!/bin/bash
# Exact event counts for a workload and its child (see test_capture.py).
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 bpf/test_capture.py
