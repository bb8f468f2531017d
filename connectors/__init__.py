"""Connectors: the SDK (sdk.py, http.py, errors.py), the registry, and one package per service.

Nothing here imports builder or the ORM: an operation is a pure function of its context and
validated inputs that returns JSON.
"""
