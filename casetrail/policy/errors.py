"""Errors of policy files: each names the file, the dotted key and the reason (in Chinese)."""

from __future__ import annotations


class ProfileError(ValueError):
    """A profile file that cannot be used; ``reason`` is Chinese and names what to fix."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


class CatalogueError(ProfileError):
    """A document kind that cannot be used, in the catalogue or in a profile's own kinds."""
