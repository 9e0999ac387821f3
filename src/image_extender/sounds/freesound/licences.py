"""Freesound licences: the filter key, the name to credit and the deed to link.

Freesound reports a sound's licence as the Creative Commons deed URL
(``http://creativecommons.org/licenses/by-nc/3.0/``); some mirrors report the filter name
(``Attribution``). The CC licences ask a credit to give the licence *name* and a link to
the deed (CC BY 4.0 §3(a)(1)), so we keep both.
"""

from __future__ import annotations

import re

_CC_URL = re.compile(r"creativecommons\.org/(?:licenses|publicdomain)/(?P<kind>[a-z+-]+)/(?P<version>\d+(?:\.\d+)?)", re.I)

_KIND_KEY = {"zero": "cc0", "by": "by", "by-nc": "by-nc", "sampling+": "sampling+"}
_NAME_KEY = {
    "creative commons 0": "cc0",
    "cc0": "cc0",
    "attribution": "by",
    "attribution noncommercial": "by-nc",
    "attribution non-commercial": "by-nc",
    "sampling+": "sampling+",
}
_KEY_NAME = {"cc0": "CC0", "by": "CC BY", "by-nc": "CC BY-NC", "sampling+": "Sampling+"}
_KEY_URL = {
    "cc0": "https://creativecommons.org/publicdomain/zero/{v}/",
    "by": "https://creativecommons.org/licenses/by/{v}/",
    "by-nc": "https://creativecommons.org/licenses/by-nc/{v}/",
    "sampling+": "https://creativecommons.org/licenses/sampling+/{v}/",
}


def _parse(licence: str) -> tuple[str | None, str | None]:
    text = licence.strip()
    m = _CC_URL.search(text)
    if m:
        return _KIND_KEY.get(m["kind"].lower()), m["version"]
    low = re.sub(r"\s+", " ", text.lower())
    for name, key in _NAME_KEY.items():
        if low == name or low.startswith(name + " "):
            rest = low[len(name):].strip()
            return key, rest if re.fullmatch(r"\d+(\.\d+)?", rest) else None
    return None, None


def licence_key(licence: str) -> str | None:
    """``cc0`` / ``by`` / ``by-nc`` / ``sampling+`` for a record's licence, ``None`` if unknown."""
    return _parse(licence)[0]


def licence_name(licence: str) -> str:
    """The name a credit must give: ``CC0 1.0``, ``CC BY 4.0``, ``CC BY-NC 3.0``.

    Unknown licences come back unchanged and a missing version is left out rather than guessed.
    """
    key, version = _parse(licence)
    if key is None:
        return licence.strip()
    return f"{_KEY_NAME[key]} {version}" if version else _KEY_NAME[key]


def licence_url(licence: str) -> str:
    """The deed URL to link in a credit ("" if the licence is unknown)."""
    key, version = _parse(licence)
    if key is None:
        return licence.strip() if licence.strip().startswith("http") else ""
    return _KEY_URL[key].format(v=version) if version else ""
