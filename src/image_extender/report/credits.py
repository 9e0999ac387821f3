"""CREDITS.md: who made every recording in the mix, under which licence, used for what.

Most sound licences (CC-BY, CC-BY-SA, GPL for game assets) require attribution; this file
is what makes a shared soundscape compliant. One section per distinct sound (a sound
serving two objects is credited once, listing both uses), in plan order. A recording whose
licence nobody stated (a user's folder without one; a few test recordings of the starter
library) is flagged, in its section and above them all: sharing it needs its rights checked.
"""

from __future__ import annotations

from pathlib import Path

from ..manifest import Sound, SoundChoice, Track


def credits_markdown(items: list[Track] | list[SoundChoice]) -> str:
    """The Markdown text for the tracks (or choices) given; choices without a sound are skipped."""
    sounds: dict[tuple[str, str], Sound] = {}
    uses: dict[tuple[str, str], list[str]] = {}
    for item in items:
        sound = item.sound
        if sound is None:
            continue
        label = item.label if isinstance(item, Track) else item.target
        key = (sound.provider, sound.id)
        sounds.setdefault(key, sound)
        use = f"{item.role} “{label}”"
        if use not in uses.setdefault(key, []):
            uses[key].append(use)

    lines = ["# Credits", "", "Recordings used in this soundscape.", ""]
    if not sounds:
        lines.append("No recordings were used.")
    unknown = [sound.name or sound.id for sound in sounds.values() if not licence_known(sound)]
    if unknown:
        lines += [f"**{len(unknown)} of {len(sounds)} recordings have no known licence** ({', '.join(_md(n) for n in unknown)}): "
                  "check their rights, or replace them, before sharing this soundscape.", ""]
    for key, sound in sounds.items():
        lines += [
            f"## {_md(sound.name or sound.id)}",
            "",
            f"- Author: {_md(sound.author) or 'unknown'}",
            f"- Licence: {_md(sound.licence) or 'unknown'}" + (f" <{sound.licence_url}>" if sound.licence_url else ""),
            f"- Source: {_md(sound.source) or '—'} (provider: {sound.provider}, id: {_md(sound.id)})",
            f"- URL: {f'<{sound.url}>' if sound.url else '—'}",
            f"- Used for: {', '.join(uses[key])}",
            *([] if licence_known(sound) else ["- Rights: no licence is known for this recording; check before sharing"]),
            "",
        ]
    return "\n".join(lines).rstrip() + "\n"


def licence_known(sound: Sound) -> bool:
    """False when nobody stated the recording's licence (empty, or the library's "unknown")."""
    return sound.licence.strip().lower() not in ("", "unknown")


def write_credits(items: list[Track] | list[SoundChoice], path: Path) -> Path:
    """Write ``credits_markdown(items)`` to ``path`` (UTF-8)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(credits_markdown(items), encoding="utf-8")
    return path


def _md(text: str) -> str:
    """Keep metadata on one line so it cannot break the list (names stay verbatim)."""
    return " ".join(str(text).split())
