#!/bin/bash
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 trace/test_live_replay.py
