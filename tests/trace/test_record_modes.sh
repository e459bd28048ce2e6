#!/bin/bash
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 trace/test_record_modes.py
