"""One settings object: defaults → ``image-extender.toml`` → ``IMAGE_EXTENDER_*`` env → CLI flags.

Secrets (``FREESOUND_API_KEY``, ``OPENAI_API_KEY``) are *not* settings: backends read them
from the environment themselves, so they can never end up in a manifest or a log line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from .errors import SettingsError
from .llm.settings import LLMSettings
from .sounds.freesound.filters import FreesoundSettings

CONFIG_FILE_ENV = "IMAGE_EXTENDER_CONFIG"
DEFAULT_CONFIG_FILE = "image-extender.toml"


CHECKOUT_DATA = Path(__file__).resolve().parents[2] / "data"  # src/image_extender/settings.py -> <checkout>/data


def default_data_dir() -> Path:
    """Where models, the sound library and caches live.

    ``IMAGE_EXTENDER_DATA`` wins; else ``./data`` when run from a checkout that has one
    (what ``make demo`` builds); else the ``data/`` of the checkout this package is installed
    from (``make install`` installs it editable), so the command works from any folder after
    ``make demo``; else the XDG data home.
    """
    env = os.environ.get("IMAGE_EXTENDER_DATA")
    if env:
        return Path(env).expanduser()
    for local in (Path.cwd() / "data", CHECKOUT_DATA):
        if (local / "library").is_dir():
            return local
    xdg = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share"))
    return xdg / "image-extender"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="IMAGE_EXTENDER_", env_nested_delimiter="__", extra="forbid",
                                      validate_assignment=True, allow_inf_nan=False)

    data_dir: Path = Field(default_factory=default_data_dir)

    # stages
    analyzer: Literal["offline", "openai", "hybrid"] = "offline"
    source: Literal["library", "freesound"] = "library"
    offline: bool = False  # online sources answer from their cache only
    verifier: Literal["embedding", "llm"] = "embedding"  # how candidates are checked
    mode: Literal["best", "random"] = "best"

    # vision / language models (key from OPENAI_API_KEY only)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    # Freesound search filters, sort preference and budgets (key from FREESOUND_API_KEY only)
    freesound: FreesoundSettings = Field(default_factory=FreesoundSettings)

    # scene analysis
    min_confidence: float = Field(default=0.4, ge=0.0, le=1.0)
    max_objects: int = Field(default=6, ge=0)

    # retrieval
    hierarchy_file: Path | None = None  # user table, extends the built-in one
    candidates_per_query: int = Field(default=10, ge=1, le=100)
    regenerate_queries: bool = False  # last fallback: ask the LLM for other queries (needs OPENAI_API_KEY)

    # mix
    duration: float = Field(default=30.0, gt=0.0, le=3600.0)
    sample_rate: int = Field(default=44100, ge=8000, le=192000)
    seed: int = Field(default=0, ge=0, le=2**32 - 1)  # numpy's seed range
    object_db_min: float = Field(default=-30.0, ge=-100.0, le=0.0)  # level of an importance-0 object
    object_db_max: float = Field(default=-20.0, ge=-100.0, le=0.0)  # level of an importance-1 object
    ambience_db: float = Field(default=-30.0, ge=-100.0, le=0.0)
    # unit of the three levels above: active RMS dBFS, or integrated loudness LUFS (ITU-R BS.1770-4)
    level_unit: Literal["dbfs", "lufs"] = "dbfs"
    ceiling_dbfs: float = Field(default=-1.0, ge=-60.0, le=0.0)  # master true-peak ceiling (dBTP)
    dynamic_eq: bool = True  # cut maskers in the clashing Bark band, only while they clash
    eq_max_cut_db: float = Field(default=6.0, gt=0.0, le=24.0)  # deepest dynamic cut
    eq_q: float = Field(default=1.0, gt=0.0, le=20.0)
    optimize: bool = False  # refine gains and EQ depths (Liu et al. 2024); implies dynamic_eq
    optimize_seconds: float = Field(default=10.0, gt=0.0, le=600.0)
    optimize_gain_bound_db: float = Field(default=3.0, ge=0.0, le=12.0)  # soft level targets ± this

    @model_validator(mode="after")
    def _ranges(self) -> Settings:
        if self.object_db_min > self.object_db_max:
            raise ValueError("object_db_min must not exceed object_db_max")
        return self

    @property
    def library_dir(self) -> Path:
        return self.data_dir / "library"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        config = Path(os.environ.get(CONFIG_FILE_ENV, DEFAULT_CONFIG_FILE))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config))

    def public_dict(self) -> dict:
        """What goes into a manifest: every setting, paths as strings."""
        return self.model_dump(mode="json")


def load_settings(**overrides) -> Settings:
    """Build settings, turning validation errors into one line that blames the right source.

    A value given as a flag is blamed on the flag, one from the environment on its
    ``IMAGE_EXTENDER_*`` variable, anything else on the settings file. A settings file named
    by ``IMAGE_EXTENDER_CONFIG`` must exist (a typo there would otherwise be ignored silently).
    """
    clean = {k: v for k, v in overrides.items() if v is not None}
    named = os.environ.get(CONFIG_FILE_ENV)
    if named and not Path(named).expanduser().is_file():
        raise SettingsError(f"{CONFIG_FILE_ENV}={named}: settings file not found")
    source = named or DEFAULT_CONFIG_FILE
    try:
        return Settings(**clean)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = [str(p) for p in err["loc"]]
        where = ".".join(loc) or "settings"
        got = f" (got {err['input']!r})" if "input" in err and not isinstance(err["input"], dict) else ""
        raise SettingsError(f"setting '{where}': {err['msg']}{got} ({_blame(loc, clean, source)})") from exc
    except Exception as exc:  # malformed TOML, or an env value that is not JSON for a nested setting
        text = str(exc)
        field = re.search(r'field "(\w+)" from source "EnvSettingsSource"', text)
        if field:
            var = f"IMAGE_EXTENDER_{field.group(1).upper()}"
            raise SettingsError(f"{var}: not valid JSON for the '{field.group(1)}' settings "
                                f"(e.g. {var}='{{\"model\": \"gpt-4.1\"}}', or set {var}__KEY=value)") from exc
        raise SettingsError(f"{source}: cannot read settings ({text.splitlines()[0] if text else type(exc).__name__})") from exc


def _blame(loc: list[str], flags: dict, config_file: str) -> str:
    """Which source gave the value at ``loc``: a flag, an environment variable, or the settings file."""
    if loc and loc[0] in flags:
        return f"from --{loc[0].replace('_', '-')}"
    for depth in range(len(loc), 0, -1):
        var = "IMAGE_EXTENDER_" + "__".join(loc[:depth]).upper()
        if var in os.environ:
            return f"from {var}"
    return f"from {config_file}"
