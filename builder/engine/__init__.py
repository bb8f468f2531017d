"""The workflow engine: validates definitions, compiles them into plans and executes plans.

It knows nothing of HTTP requests, DRF or the ORM: the services give it clients and a recorder.
"""
