"""Tests of the benchmarks' pure parts: the strategy bench's simulated world and its checker."""
