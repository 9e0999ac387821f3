"""Bucklespring (Debian ``bucklespring-data``): every key of an IBM Model M buckling-spring
keyboard, recorded pressed and released — keyboard typing, key by key.

The package describes itself as the sound of "an old IBM Model-M space saver bucklespring
keyboard while typing". Upstream names each file ``<code>-<value>.wav``: the Linux evdev
key code in hex and the event value, 1 = press, 0 = release (``rec.c`` records from
``/dev/input/event*``). :data:`KEYS` names the codes as ``linux/input-event-codes.h``
does.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..debian import fetch_package
from ._common import Clip, dep5_licence, existing_count, write_clips

NAME = "bucklespring"
PACKAGE = "bucklespring-data"
FOLDER = "usr/share/buckle/wav"
COPYRIGHT = f"usr/share/doc/{PACKAGE}/copyright"
# linux/input-event-codes.h, KEY_* (the US layout's legends)
_ROWS = {
    1: ["Esc", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "minus", "equals", "Backspace", "Tab",
        "Q", "W", "E", "R", "T", "Y", "U", "I", "O", "P", "left bracket", "right bracket", "Enter", "left Ctrl",
        "A", "S", "D", "F", "G", "H", "J", "K", "L", "semicolon", "apostrophe", "grave", "left Shift", "backslash",
        "Z", "X", "C", "V", "B", "N", "M", "comma", "dot", "slash", "right Shift", "keypad asterisk", "left Alt",
        "space bar", "Caps Lock", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9", "F10", "Num Lock",
        "Scroll Lock", "keypad 7", "keypad 8", "keypad 9", "keypad minus", "keypad 4", "keypad 5", "keypad 6",
        "keypad plus", "keypad 1", "keypad 2", "keypad 3", "keypad 0", "keypad dot"],
    87: ["F11", "F12"],
    96: ["keypad Enter", "right Ctrl", "keypad slash", "SysRq", "right Alt", "line feed", "Home", "up arrow",
         "Page Up", "left arrow", "right arrow", "End", "down arrow", "Page Down", "Insert", "Delete"],
}  # fmt: skip
KEYS = {start + i: name for start, names in _ROWS.items() for i, name in enumerate(names)}


def describe(stem: str) -> tuple[str, str] | None:
    """'1e-1' -> ('A key press', 'A key pressed on an IBM Model M ... keyboard, typing')."""
    m = re.fullmatch(r"([0-9a-f]{2})-([01])", stem)
    if not m:
        return None
    key = KEYS.get(int(m.group(1), 16), f"key code {int(m.group(1), 16)}")
    action = "pressed" if m.group(2) == "1" else "released"
    name = f"{key} key {'press' if action == 'pressed' else 'release'}"
    return name, f"{key} key {action} on an IBM Model M buckling-spring keyboard, computer keyboard typing"


def materialize(data_dir: Path, out_dir: Path) -> int:
    count = existing_count(out_dir)
    if count is not None:
        return count
    root = fetch_package(PACKAGE, data_dir)
    licence, author, url = dep5_licence(root / COPYRIGHT, "wav/01-1.wav")
    clips = []
    for path in sorted((root / FOLDER).glob("*.wav")):
        described = describe(path.stem)
        if described is None:
            continue
        name, desc = described
        clips.append(Clip(rel=path.name, data=path.read_bytes(), name=name, description=desc, key=name,
                          tags=["keyboard", "typing", "computer", "key", "office"], licence=licence,
                          author=author, url=url, kind="one-shot"))  # fmt: skip
    return write_clips(out_dir, clips, rules=(), source=f"Debian {PACKAGE} (bucklespring)")
