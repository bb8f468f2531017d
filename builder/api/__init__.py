"""The REST API of the builder: validates requests and calls services."""
