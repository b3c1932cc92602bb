"""The Stagegate pipeline client: `stagegate gate check`, `version push`, `evidence push`, `request`, ..."""

__version__ = "0.1.0"
