"""Freesound search filters and the user settings that choose them.

Every knob a Freesound user knows from the website's search page is here, each with an
``"any"`` option (TOML has no null, so "no constraint" is spelled ``"any"``):

* ``min_rating``     → ``avg_rating:[4.0 TO *]``
* ``min_downloads``  → ``num_downloads:[500 TO *]``
* ``min_duration`` / ``max_duration`` → ``duration:[1 TO 30]`` (``*`` for an open end)
* ``licences``       → ``license:("Creative Commons 0" OR "Attribution")``
* ``sample_rates``   → ``samplerate:(44100 OR 48000)``
* ``channels``       → ``channels:2``
* ``file_types``     → ``type:(wav OR flac)``

The syntax is the one the Freesound API v2 documents for the ``filter`` parameter (Solr
``field:value``, numeric ranges ``[a TO b]`` with ``*`` for an open end, parenthesised
``OR`` groups, clauses separated by spaces and all required).

There is deliberately **no bit-depth filter**: the API documents its ``bitdepth`` field as
unreliable (it is read from file headers at upload; compressed uploads report 0 or 16
whatever their source was), so filtering on it silently drops good recordings while
letting mislabelled ones through. Sample rate and file type are the dependable proxies.

:class:`FreesoundFilters.accepts` applies the same constraints to a record on our side,
with exactly the values the filter string carries (numbers are rounded on validation so
the text form and the in-memory form can never disagree); the source uses it to re-check
what a server (or a mirror that ignores filters) returns.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ...errors import SettingsError
from .licences import licence_key

Any_ = Literal["any"]
ANY: Any_ = "any"

LicenceKey = Literal["cc0", "by", "by-nc", "sampling+"]
FileType = Literal["wav", "aiff", "aif", "flac", "ogg", "mp3", "m4a"]

LICENCE_FILTER_NAMES: dict[str, str] = {
    "cc0": "Creative Commons 0",
    "by": "Attribution",
    "by-nc": "Attribution NonCommercial",
    "sampling+": "Sampling+",
}
"""Our short licence keys → the values the API's ``license`` filter takes."""

RATING_DECIMALS = 2
DURATION_DECIMALS = 3


def format_number(value: float) -> str:
    """Plain decimal text (never ``1e-05``): what a Solr range expects."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.6f}".rstrip("0").rstrip(".")


class FreesoundFilters(BaseModel):
    """What a recording must be to come back from a search. ``"any"`` = no constraint."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    min_rating: float | Any_ = Field(default=4.0, description="average rating 0–5, or 'any'")
    min_downloads: int | Any_ = Field(default=500, description="download count, or 'any'")
    min_duration: float | Any_ = Field(default=ANY, description="seconds, or 'any'")
    max_duration: float | Any_ = Field(default=ANY, description="seconds, or 'any'")
    licences: list[LicenceKey] | Any_ = Field(default=ANY, description="e.g. ['cc0'] for commercial use")
    sample_rates: list[int] | Any_ = Field(default=ANY, description="Hz, e.g. [44100, 48000]")
    channels: int | Any_ = Field(default=ANY, description="1 = mono, 2 = stereo")
    file_types: list[FileType] | Any_ = Field(default=ANY, description="original file type")

    @field_validator("min_rating")
    @classmethod
    def _rating(cls, v: float | str) -> float | str:
        if v == ANY:
            return v
        if not (0.0 <= v <= 5.0) or math.isnan(v):
            raise ValueError("min_rating must be between 0 and 5 or 'any'")
        return round(float(v), RATING_DECIMALS)

    @field_validator("min_downloads")
    @classmethod
    def _downloads(cls, v: int | str) -> int | str:
        if v != ANY and v < 0:
            raise ValueError("min_downloads must be >= 0 or 'any'")
        return v

    @field_validator("min_duration", "max_duration")
    @classmethod
    def _duration(cls, v: float | str) -> float | str:
        if v == ANY:
            return v
        if not (0.0 <= v < 1e6) or math.isnan(v):
            raise ValueError("durations must be >= 0 seconds or 'any'")
        return round(float(v), DURATION_DECIMALS)

    @field_validator("licences", "sample_rates", "file_types")
    @classmethod
    def _non_empty(cls, v: list | str) -> list | str:
        if v == ANY:
            return v
        if not v:
            raise ValueError("an empty list would match nothing: use 'any' instead")
        return sorted(set(v))

    @field_validator("sample_rates")
    @classmethod
    def _rates(cls, v: list[int] | str) -> list[int] | str:
        if v != ANY and any(r <= 0 for r in v):
            raise ValueError("sample rates must be positive (Hz)")
        return v

    @field_validator("channels")
    @classmethod
    def _channels(cls, v: int | str) -> int | str:
        if v != ANY and v < 1:
            raise ValueError("channels must be >= 1 or 'any'")
        return v

    @model_validator(mode="after")
    def _duration_order(self) -> FreesoundFilters:
        if self.min_duration != ANY and self.max_duration != ANY and self.min_duration > self.max_duration:
            raise ValueError("min_duration must not exceed max_duration")
        return self

    # ------------------------------------------------------------------ outputs

    def clauses(self) -> list[tuple[str, str]]:
        """``(field, value)`` pairs in API filter syntax, in a fixed order."""
        out: list[tuple[str, str]] = []
        if self.min_rating != ANY:
            out.append(("avg_rating", f"[{format_number(self.min_rating)} TO *]"))
        if self.min_downloads != ANY:
            out.append(("num_downloads", f"[{self.min_downloads} TO *]"))
        if self.min_duration != ANY or self.max_duration != ANY:
            lo = "*" if self.min_duration == ANY else format_number(self.min_duration)
            hi = "*" if self.max_duration == ANY else format_number(self.max_duration)
            out.append(("duration", f"[{lo} TO {hi}]"))
        if self.licences != ANY:
            out.append(("license", _one_or_group([f'"{LICENCE_FILTER_NAMES[k]}"' for k in self.licences])))
        if self.sample_rates != ANY:
            out.append(("samplerate", _one_or_group([str(r) for r in self.sample_rates])))
        if self.channels != ANY:
            out.append(("channels", str(self.channels)))
        if self.file_types != ANY:
            out.append(("type", _one_or_group(list(self.file_types))))
        return out

    def to_filter(self) -> str:
        """The ``filter`` parameter for a search request ("" when everything is "any")."""
        return " ".join(f"{field}:{value}" for field, value in self.clauses())

    def describe(self) -> str:
        """Short human text for trails and logs, e.g. ``rating≥4, downloads≥500, CC0``."""
        parts = []
        parts.append("rating any" if self.min_rating == ANY else f"rating≥{format_number(self.min_rating)}")
        parts.append("downloads any" if self.min_downloads == ANY else f"downloads≥{self.min_downloads}")
        if self.min_duration != ANY or self.max_duration != ANY:
            lo = "0" if self.min_duration == ANY else format_number(self.min_duration)
            hi = "∞" if self.max_duration == ANY else format_number(self.max_duration)
            parts.append(f"duration {lo}–{hi} s")
        if self.licences != ANY:
            parts.append("licence " + "/".join(self.licences))
        if self.sample_rates != ANY:
            parts.append("rate " + "/".join(str(r) for r in self.sample_rates))
        if self.channels != ANY:
            parts.append(f"{self.channels} ch")
        if self.file_types != ANY:
            parts.append("type " + "/".join(self.file_types))
        return ", ".join(parts)

    def accepts(self, record: Mapping[str, Any]) -> bool:
        """Does a search-result record (API field names) satisfy every constraint?"""
        if self.min_rating != ANY and float(record.get("avg_rating") or 0.0) < self.min_rating:
            return False
        if self.min_downloads != ANY and int(record.get("num_downloads") or 0) < self.min_downloads:
            return False
        duration = float(record.get("duration") or 0.0)
        if self.min_duration != ANY and duration < self.min_duration:
            return False
        if self.max_duration != ANY and duration > self.max_duration:
            return False
        if self.licences != ANY and licence_key(str(record.get("license", ""))) not in self.licences:
            return False
        if self.sample_rates != ANY and int(record.get("samplerate") or 0) not in self.sample_rates:
            return False
        if self.channels != ANY and int(record.get("channels") or 0) != self.channels:
            return False
        if self.file_types != ANY and str(record.get("type", "")).lower() not in self.file_types:
            return False
        return True

    def with_quality(self, min_rating: float | Any_, min_downloads: int | Any_) -> FreesoundFilters:
        """A copy with other quality thresholds (what a relaxation step changes)."""
        return FreesoundFilters.model_validate(
            {**self.model_dump(), "min_rating": min_rating, "min_downloads": min_downloads}
        )


def _one_or_group(values: list[str]) -> str:
    return values[0] if len(values) == 1 else "(" + " OR ".join(values) + ")"


# --------------------------------------------------------------------------- settings

SortPreference = Literal["rating>downloads", "downloads>rating"]
SECTION = "freesound"


class QualityStep(BaseModel):
    """One rung of progressive relaxation: both thresholds drop together."""

    model_config = ConfigDict(extra="forbid")

    min_rating: float = Field(ge=0.0, le=5.0)
    min_downloads: int = Field(ge=0)


DEFAULT_RELAXATION: tuple[tuple[float, int], ...] = ((4.0, 500), (3.5, 200), (3.0, 50), (2.5, 10))
"""Rating 4.0 → 3.5 → 3.0 → 2.5 as the Image Extender design describes; the download
thresholds fall with them (roughly a factor 2.5–4 a step) so a well-rated but rarely
downloaded sound is reached before a badly rated popular one."""


class FreesoundSettings(BaseModel):
    """Everything a user can set for the Freesound source; lives in ``[freesound]`` of the TOML file.

    Secrets are not settings: the API key is read from ``FREESOUND_API_KEY`` only.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    filters: FreesoundFilters = Field(default_factory=FreesoundFilters)
    sort: SortPreference = "rating>downloads"
    relaxation: list[QualityStep] = Field(
        default_factory=lambda: [QualityStep(min_rating=r, min_downloads=d) for r, d in DEFAULT_RELAXATION]
    )
    mode: Literal["best", "random"] = "best"
    seed: int = 0
    ambience_min_duration: float | Any_ = Field(default=10.0, description="beds shorter than this loop audibly")
    object_max_duration: float | Any_ = Field(default=60.0, description="objects longer than this are scenes")
    preload: int = Field(default=10, ge=1, le=150, description="candidates handed out per round")
    page_size: int = Field(default=150, ge=1, le=150, description="results per request (API maximum 150)")
    max_pages: int = Field(default=3, ge=1, le=20, description="pages read in the loosest step")
    preview: Literal["ogg", "mp3"] = "ogg"
    cache_ttl_days: float = Field(default=30.0, gt=0.0)
    requests_per_minute: int = Field(default=60, ge=1)
    requests_per_day: int = Field(default=2000, ge=1)
    timeout: float = Field(default=20.0, gt=0.0, description="seconds per HTTP request")
    max_attempts: int = Field(default=5, ge=1, le=10, description="tries per request (429, 5xx, timeouts)")
    deadline: float = Field(default=120.0, gt=0.0, le=3600.0, description="seconds for a whole request, however slowly it trickles")
    max_response_mb: float = Field(default=16.0, gt=0.0, le=1024.0, description="largest JSON reply read")
    max_download_mb: float = Field(default=200.0, gt=0.0, le=10240.0, description="largest preview / original downloaded")
    download_originals: bool = Field(
        default=False, description="original files instead of HQ previews; needs FREESOUND_OAUTH_TOKEN (see client.py)"
    )

    @field_validator("relaxation")
    @classmethod
    def _descending(cls, steps: list[QualityStep]) -> list[QualityStep]:
        ratings = [s.min_rating for s in steps]
        if ratings != sorted(ratings, reverse=True):
            raise ValueError("relaxation steps must go from strict to loose (ratings descending)")
        return steps

    @classmethod
    def load_from_toml(cls, path: Path | str) -> FreesoundSettings:
        """Read the ``[freesound]`` table; a missing file or section gives the defaults."""
        path = Path(path)
        doc = _read_toml(path)
        table = doc.get(SECTION, {})
        if not isinstance(table, dict):
            raise SettingsError(f"{path}: [{SECTION}] must be a table")
        try:
            return cls.model_validate(table)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = ".".join(str(p) for p in err["loc"]) or SECTION
            raise SettingsError(f"{path}: setting '{SECTION}.{where}': {err['msg']}") from exc

    def save_to_toml(self, path: Path | str, keys: Iterable[str] | None = None) -> None:
        """Write these settings (or only ``keys`` of them) into ``[freesound]``, keeping the rest.

        Every other table and key of the file stays, and so do the user's comments and
        layout (``tomlkit`` edits the document in place). The new text is checked to load
        back before it replaces the file, so a failed save leaves the file untouched.
        """
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        path = Path(path)
        try:
            doc = tomlkit.parse(path.read_text(encoding="utf-8")) if path.exists() else tomlkit.document()
        except (OSError, TOMLKitError) as exc:
            raise SettingsError(f"{path}: cannot read settings ({exc})") from exc
        section = doc.get(SECTION)
        if section is None:
            section = tomlkit.table()
            doc[SECTION] = section
        elif not isinstance(section, dict):
            raise SettingsError(f"{path}: [{SECTION}] must be a table")
        values = self.model_dump(mode="json")
        for key in keys if keys is not None else values:
            if key not in values:
                raise SettingsError(f"{path}: '{SECTION}.{key}' is not a Freesound setting")
            _set(section, key, values[key])
        text = tomlkit.dumps(doc)
        try:
            FreesoundSettings.model_validate(tomllib.loads(text).get(SECTION, {}))
        except (ValidationError, tomllib.TOMLDecodeError) as exc:  # e.g. an unknown key already in the file
            raise SettingsError(f"{path}: [{SECTION}] would not load after saving ({str(exc).splitlines()[0]})") from exc
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)


def _set(table: Any, key: str, value: Any) -> None:
    """Set ``table[key]``; a sub-table that exists is updated key by key, so its comments stay."""
    current = table.get(key)
    if isinstance(value, dict) and isinstance(current, dict):
        for k, v in value.items():
            _set(current, k, v)
    else:
        table[key] = _toml_item(value)


def _toml_item(value: Any) -> Any:
    """Nested settings as a sub-table (``[freesound.filters]``), lists of tables as arrays of inline tables."""
    import tomlkit

    if isinstance(value, dict):
        table = tomlkit.table()
        for k, v in value.items():
            table[k] = _toml_item(v)
        return table
    if isinstance(value, list) and value and isinstance(value[0], dict):
        array = tomlkit.array()
        for item in value:
            inline = tomlkit.inline_table()
            inline.update(item)
            array.append(inline)
        return array
    return value


def _read_toml(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"{path}: cannot read settings ({exc})") from exc
