"""Pure-Python algorithms with no Django import.

Each subpackage takes plain data (dataclasses, numpy arrays, Arrow tables) and returns plain data,
so it can be unit-tested and benchmarked on its own and called from services, tasks and benchmarks.
"""
