#!/bin/bash
cd "$(dirname "$0")/.." && PYTHONPATH=. exec python3 views/test_stack_symbols.py
