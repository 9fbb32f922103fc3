"""Benchmarks: each writes JSON and prints ratios against a baseline from the same run."""
