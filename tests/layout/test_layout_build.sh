#!/bin/bash
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 layout/test_layout_build.py
