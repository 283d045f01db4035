"""Keepword: keep the promises a software services team makes to its clients."""

__version__ = "0.1.0"
