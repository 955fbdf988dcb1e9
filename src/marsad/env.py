"""Switches marsad reads from the environment (so that Dask workers and servers share them)."""

from __future__ import annotations

import os

TRUE_WORDS = ("1", "true", "on", "yes")
FALSE_WORDS = ("0", "false", "off", "no")


def env_flag(name: str, default: bool = False) -> bool:
    """The switch ``name``: ``default`` when unset or empty; an on-by-default switch is turned off
    only by 0/false/off/no, an off-by-default one turned on only by 1/true/on/yes."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    return value not in FALSE_WORDS if default else value in TRUE_WORDS
