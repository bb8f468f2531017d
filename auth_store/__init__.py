"""Authentications: users' credentials for connectors, encrypted at rest, never returned in clear."""
