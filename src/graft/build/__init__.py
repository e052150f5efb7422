"""PEP 517 builds (empty until builds land)."""
