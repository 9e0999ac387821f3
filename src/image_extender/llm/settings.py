"""Settings for every LLM backend (scene analyzer, verifier, query regeneration).

A plain pydantic model so the main ``Settings`` can nest it (``settings.llm``) and it
inherits the usual sources (TOML, ``IMAGE_EXTENDER_*`` env, flags). The API key is
deliberately *not* here: it is read from ``OPENAI_API_KEY`` by :mod:`.client` only, so it
cannot end up in a manifest (see the secrets rule in ``settings.py``).
"""

from __future__ import annotations

import os
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

BASE_URL_ENV = "OPENAI_BASE_URL"
API_KEY_ENV = "OPENAI_API_KEY"


class LLMSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    model: str = "gpt-4.1"
    # None: use OPENAI_BASE_URL if set, else the SDK's default (api.openai.com).
    base_url: str | None = None

    # requests
    timeout: float = Field(default=60.0, gt=0.0, le=600.0)  # seconds per HTTP request
    connect_timeout: float = Field(default=5.0, gt=0.0, le=60.0)
    max_retries: int = Field(default=3, ge=0, le=10)  # on 429 / 5xx / timeouts, with backoff
    deadline: float = Field(default=300.0, gt=0.0, le=3600.0)  # seconds for a whole call, retries included
    max_response_mb: float = Field(default=8.0, gt=0.0, le=1024.0)  # largest reply read from the server
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    max_output_tokens: int = Field(default=1500, ge=64, le=32768)

    # image sent to the vision model
    max_image_side: int = Field(default=1024, ge=64, le=4096)
    image_format: Literal["jpeg", "png"] = "jpeg"
    jpeg_quality: int = Field(default=85, ge=30, le=100)
    image_detail: Literal["auto", "low", "high"] = "auto"

    # verifier / regeneration
    verify_cache: bool = True
    max_regenerations: int = Field(default=2, ge=0, le=10)  # per tag
    regeneration_timeout: float = Field(default=30.0, gt=0.0, le=600.0)  # seconds per tag, all attempts
    queries_per_regeneration: int = Field(default=3, ge=1, le=10)

    # optional cost accounting, USD per million tokens (None: report tokens only)
    price_input_per_mtok: float | None = Field(default=None, ge=0.0)
    price_output_per_mtok: float | None = Field(default=None, ge=0.0)

    def resolved_base_url(self) -> str | None:
        """The server to talk to: this setting, else ``OPENAI_BASE_URL``, else the SDK default."""
        return self.base_url or os.environ.get(BASE_URL_ENV) or None
