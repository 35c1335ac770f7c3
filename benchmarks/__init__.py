"""The benchmarks behind `make bench` and `make bench-http`: tooling, not the product.

They may import every app; no app imports them (the import-linter contract in pyproject.toml).
They are a Django app only so that their management commands exist.
"""
