"""The version of bpr, in one place (read by the package, the CLI and the writers)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
