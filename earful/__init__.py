"""earful: a self-hosted social brand-reputation monitor."""

__version__ = "0.1.0"
