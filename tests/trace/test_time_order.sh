#!/bin/bash
# The stream is in kernel-time order: ts_ns never goes back (see test_time_order.py).
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 trace/test_time_order.py
