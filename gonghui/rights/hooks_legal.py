"""Registers this part of the rights area with the other apps (see hooks.py)."""
