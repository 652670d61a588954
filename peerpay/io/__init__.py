"""Loaders and writers: the only modules that touch files."""
