"""Writes of the compute app, one module per part of the domain."""
