"""graft: virtual environments as link farms over a content-addressed wheel store.

The package root stays import-light on purpose: ``graft --help`` and every
command pay only for the modules they use.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
