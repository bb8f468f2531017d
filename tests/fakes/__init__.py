"""Loopback fake vendor servers (Totango, Slack) for tests and benchmarks."""
