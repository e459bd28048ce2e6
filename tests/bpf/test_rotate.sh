#!/bin/bash
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 bpf/test_rotate.py
