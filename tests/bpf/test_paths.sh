#!/bin/bash
# Hostile and over-long file paths: seed = BPF, cuts marked, nothing forged (see test_paths.py).
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 bpf/test_paths.py
