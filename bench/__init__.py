"""Benchmarks of the engine against loopback fakes, each reported as a ratio to bare httpx."""
