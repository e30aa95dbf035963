"""JSON Schemas of the archive's stored objects (package data, read with importlib.resources)."""
