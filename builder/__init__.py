"""Workflows, their versions and runs, the engine that executes them, and the REST API."""
