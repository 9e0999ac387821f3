"""Freesound knobs as a user types them on the command line → :class:`FreesoundSettings`.

``image-extender freesound filters --min-rating 4 --duration 1-30 --licence cc0,cc-by``:
each flag is text, every one accepts ``any`` (no constraint), and a bad value is one
:class:`~...errors.SettingsError` line naming the flag — before anything is written.

The spellings follow what a Freesound user sees on the website: licences by their
Creative Commons short names (``cc0``, ``cc-by``, ``cc-by-nc``, ``sampling+``), the sort
preference as ``rating>downloads`` (rating first, downloads break ties) or the reverse.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any, get_args

from pydantic import ValidationError

from ...errors import SettingsError
from .filters import ANY, FileType, format_number, FreesoundFilters, FreesoundSettings, SortPreference

LICENCE_ALIASES: dict[str, str] = {
    "cc0": "cc0", "cc-0": "cc0", "zero": "cc0", "public-domain": "cc0",
    "by": "by", "cc-by": "by", "attribution": "by",
    "by-nc": "by-nc", "cc-by-nc": "by-nc", "noncommercial": "by-nc",
    "sampling+": "sampling+", "cc-sampling+": "sampling+",
}  # fmt: skip
"""What ``--licence`` accepts → our licence keys (see ``filters.LICENCE_FILTER_NAMES``)."""

SPELLING: dict[str, str] = {"by": "cc-by", "by-nc": "cc-by-nc"}
"""Licence keys as ``--licence`` spells them when shown back."""

FLAGS: dict[str, str] = {
    "--min-rating": "min_rating",
    "--min-downloads": "min_downloads",
    "--duration": "min_duration/max_duration",
    "--licence": "licences",
    "--samplerate": "sample_rates",
    "--channels": "channels",
    "--type": "file_types",
    "--sort": "sort",
    "--mode": "mode",
}
"""Command-line flag → the setting it changes (``[freesound]`` / ``[freesound.filters]``)."""

SAVED_KEYS = ("filters", "sort", "mode")
"""What ``--save`` writes into ``[freesound]``: exactly what these flags can change."""


def _is_any(text: str) -> bool:
    return text.strip().lower() == ANY


def _number(flag: str, text: str, cast: Callable[[str], Any], hint: str) -> Any:
    try:
        value = cast(text.strip())
    except ValueError:
        raise SettingsError(f"{flag}: '{text}' is not {hint} or 'any'") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SettingsError(f"{flag}: '{text}' is not {hint} or 'any'")
    return value


def _list(flag: str, text: str) -> list[str]:
    items = [p.strip().lower() for p in text.split(",")]
    if not all(items):
        raise SettingsError(f"{flag}: '{text}' has an empty item; give a comma-separated list or 'any'")
    return items


def parse_duration(text: str, flag: str = "--duration") -> tuple[float | str, float | str]:
    """``1-30`` → (1, 30); ``10-`` / ``10-any`` → (10, any); ``-30`` / ``any-30`` → (any, 30); ``any``."""
    if _is_any(text):
        return ANY, ANY
    lo, sep, hi = text.strip().partition("-")
    if not sep:
        raise SettingsError(f"{flag}: '{text}' is not a range MIN-MAX in seconds (e.g. 1-30, 10-any) or 'any'")

    def side(part: str) -> float | str:
        if not part.strip() or _is_any(part):
            return ANY
        return _number(flag, part, float, "a range MIN-MAX in seconds (e.g. 1-30, 10-any)")

    return side(lo), side(hi)


def parse_flags(flags: Mapping[str, str | None]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Flag texts (``None`` = not given) → (filter updates, settings updates), each value checked alone."""
    filters: dict[str, Any] = {}
    top: dict[str, Any] = {}
    unknown = set(flags) - set(FLAGS)
    if unknown:
        raise SettingsError(f"unknown Freesound flag(s): {', '.join(sorted(unknown))}")
    for flag, text in flags.items():
        if text is None:
            continue
        if not text.strip():
            raise SettingsError(f"{flag}: empty value; give a value or 'any'")
        if flag == "--duration":
            filters["min_duration"], filters["max_duration"] = parse_duration(text, flag)
        elif flag in ("--sort", "--mode"):
            top[FLAGS[flag]] = text.strip().lower()
        elif _is_any(text):
            filters[FLAGS[flag]] = ANY
        elif flag == "--min-rating":
            filters["min_rating"] = _number(flag, text, float, "a rating from 0 to 5")
        elif flag == "--min-downloads":
            filters["min_downloads"] = _number(flag, text, int, "a whole number of downloads")
        elif flag == "--channels":
            filters["channels"] = _number(flag, text, int, "a channel count (1 = mono, 2 = stereo)")
        elif flag == "--samplerate":
            filters["sample_rates"] = [_number(flag, r, int, "a list of sample rates in Hz") for r in _list(flag, text)]
        elif flag == "--licence":
            keys = []
            for name in _list(flag, text):
                if name not in LICENCE_ALIASES:
                    raise SettingsError(f"{flag}: unknown licence '{name}'; use cc0, cc-by, cc-by-nc, sampling+ or 'any'")
                keys.append(LICENCE_ALIASES[name])
            filters["licences"] = keys
        elif flag == "--type":
            types = _list(flag, text)
            bad = [t for t in types if t not in get_args(FileType)]
            if bad:
                raise SettingsError(f"{flag}: unknown file type '{bad[0]}'; use {', '.join(get_args(FileType))} or 'any'")
            filters["file_types"] = types
    if "sort" in top and top["sort"] not in get_args(SortPreference):
        raise SettingsError(f"--sort: '{flags['--sort']}' is not one of {', '.join(get_args(SortPreference))}")
    if "mode" in top and top["mode"] not in ("best", "random"):
        raise SettingsError(f"--mode: '{flags['--mode']}' is not 'best' or 'random'")
    return filters, top


def apply_flags(base: FreesoundSettings, flags: Mapping[str, str | None]) -> FreesoundSettings:
    """``base`` (defaults + settings file) with the given flags on top, validated as a whole.

    A value that is fine alone but not with the rest (a minimum duration above the saved
    maximum, a rating above 5) is reported against the flag that set it.
    """
    filters, top = parse_flags(flags)
    merged = {**base.filters.model_dump(), **filters}
    try:
        new_filters = FreesoundFilters.model_validate(merged)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        flag = _flag_for(field) or ("--duration" if "duration" in err["msg"] else "filters")
        raise SettingsError(f"{flag}: {_clean(err['msg'])}") from None
    return FreesoundSettings.model_validate({**base.model_dump(), "filters": new_filters.model_dump(), **top})


def _flag_for(field: str) -> str | None:
    for flag, name in FLAGS.items():
        if field and field in name.split("/"):
            return flag
    return None


def _clean(msg: str) -> str:
    return msg.removeprefix("Value error, ")


def describe_settings(settings: FreesoundSettings, given: set[str] = frozenset()) -> list[str]:
    """Lines for ``freesound filters``: each knob, then the exact ``filter`` / ``sort`` the searches send.

    The filter differs by role because beds and objects fill an open duration side
    (``ambience_min_duration`` / ``object_max_duration``), and random mode drops the
    quality thresholds; both are shown exactly as :mod:`.source` builds them.
    """
    from .source import api_sort, mode_filters, role_filters

    f = settings.filters

    def show(value: Any) -> str:
        if isinstance(value, list):
            return ",".join(str(v) for v in value)
        return format_number(value) if isinstance(value, int | float) else str(value)

    def duration() -> str:
        if f.min_duration == ANY and f.max_duration == ANY:
            return ANY
        return f"{show(f.min_duration)}-{show(f.max_duration)}"

    rows = [
        ("--min-rating", show(f.min_rating)),
        ("--min-downloads", show(f.min_downloads)),
        ("--duration", duration()),
        ("--licence", show(f.licences if f.licences == ANY else [SPELLING.get(k, k) for k in f.licences])),
        ("--samplerate", show(f.sample_rates)),
        ("--channels", show(f.channels)),
        ("--type", show(f.file_types)),
        ("--sort", settings.sort),
        ("--mode", settings.mode),
    ]
    lines = [f"{flag:<18}{value}{'   (flag)' if flag in given else ''}" for flag, value in rows]
    lines.append(f"{'filter':<18}{f.to_filter() or '(none)'}")
    base = mode_filters(settings, f)
    for role, label in (("ambience", "beds"), ("object", "objects")):
        sent = role_filters(settings, base, role).to_filter() or "(none)"
        lines.append(f"{'sent for ' + label:<18}filter={sent}")
    if settings.mode == "random":
        lines.append(f"{'sort':<18}sort=score, then a shuffle seeded with {settings.seed} (quality thresholds ignored)")
    else:
        lines.append(f"{'sort':<18}sort={api_sort(settings)}")
        if f.min_rating != ANY:
            steps = [s for s in settings.relaxation if s.min_rating < f.min_rating]
            if steps:
                ladder = " → ".join(f"rating≥{s.min_rating:g}, downloads≥{s.min_downloads}" for s in steps)
                lines.append(f"{'relaxes to':<18}{ladder}")
    return lines
