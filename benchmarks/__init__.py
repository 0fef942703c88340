"""Benchmarks: a data generator (`benchmarks.generate`) and the timed scenarios (`benchmarks/run.py`)."""
