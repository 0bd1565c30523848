"""Benchmarks: each prints figures measured in one process run (no pass/fail)."""
