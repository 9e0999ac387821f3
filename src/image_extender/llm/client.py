"""One door to any OpenAI-compatible chat-completions server: key, retries, JSON, accounting.

Everything that talks to an LLM (scene analyzer, verifier, query regeneration) goes
through :class:`LLMClient.chat_json`, so the rules live in one place:

- The key comes from ``OPENAI_API_KEY`` only and is never logged, never put in an
  exception message (server error texts are redacted and the SDK exception is not chained:
  some servers echo the key back in a 401 body).
- The base URL comes from the ``base_url`` setting or ``OPENAI_BASE_URL``, so the same code
  talks to OpenAI, Ollama, vLLM or LM Studio.
- Replies are bounded: at most ``max_response_mb`` are read (uncompressed: we ask for
  ``identity`` and refuse anything else) and a whole call — SDK retries included — ends by
  its ``deadline`` however slowly a server trickles; past either limit the call fails at
  once with one line (no retry of a size bomb).
- Transport robustness is the official SDK's: it retries 408/409/429/5xx and timeouts with
  exponential backoff (0.5 s doubling to 8 s, with jitter) and honours ``Retry-After``.
- Replies are requested as strict JSON-schema structured output, then checked by the
  caller's ``parse``; a reply that fails is retried *once* with the problem spelled out,
  then becomes a one-line :class:`LLMError` — never a crash, never a silent empty result.
- Every request (also failed ones) appends one entry to :attr:`LLMClient.usage`: purpose,
  model, tokens in/out, seconds, SDK retries, and cost when prices are configured.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx2
import openai
from pydantic import ValidationError

from ..errors import ImageExtenderError, SettingsError
from .settings import API_KEY_ENV, LLMSettings

log = logging.getLogger(__name__)

T = TypeVar("T")

_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n?(.*?)\n?\s*```\s*$", re.DOTALL)
_KEYLIKE = re.compile(r"\b(sk-[A-Za-z0-9_\-*]{6,}|Bearer\s+\S+)")


class LLMError(ImageExtenderError):
    """The language-model server failed or kept answering something unusable."""

    exit_code = 8


class _LimitExceeded(openai.OpenAIError):
    """A reply over the size cap or past the deadline. An ``OpenAIError`` so the SDK passes
    it through at once instead of retrying (what it does with any other transport error)."""


@dataclass
class _CallLimits:
    deadline: float  # time.monotonic() by which the whole call must be done
    max_bytes: int
    failure: _LimitExceeded | None = None  # once set, every retry of this call fails at once

    def fail(self, text: str) -> _LimitExceeded:
        self.failure = _LimitExceeded(text)
        return self.failure


_LIMITS: contextvars.ContextVar[_CallLimits | None] = contextvars.ContextVar("llm_call_limits", default=None)


class _BoundedStream(httpx2.SyncByteStream):
    def __init__(self, inner: httpx2.SyncByteStream, limits: _CallLimits) -> None:
        self._inner = inner
        self._limits = limits

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._inner:
            seen += len(chunk)
            if seen > self._limits.max_bytes:
                raise self._limits.fail(f"reply is larger than the {self._limits.max_bytes / 2**20:g} MB limit "
                                        f"(llm.max_response_mb); stopped reading")
            if time.monotonic() > self._limits.deadline:
                raise self._limits.fail(f"reply not complete when the deadline passed ({seen} bytes so far; "
                                        f"the server is trickling; llm.deadline)")
            yield chunk

    def close(self) -> None:
        self._inner.close()


class _BoundedTransport(httpx2.BaseTransport):
    """Wraps the HTTP transport: size cap and deadline of the current call (see ``_LIMITS``)."""

    def __init__(self) -> None:
        self._inner = httpx2.HTTPTransport()

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        limits = _LIMITS.get()
        if limits is None:
            return self._inner.handle_request(request)
        if limits.failure is not None:
            raise limits.failure
        if time.monotonic() >= limits.deadline:
            raise limits.fail("the call's deadline passed before this attempt (llm.deadline)")
        request.headers["Accept-Encoding"] = "identity"  # so the bytes counted are the bytes parsed
        response = self._inner.handle_request(request)
        encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
        declared = response.headers.get("Content-Length", "")
        problem = None
        if encoding not in ("", "identity"):
            problem = f"the server sent a {encoding}-compressed reply though none was asked for; not decompressing it"
        elif declared.isdigit() and int(declared) > limits.max_bytes:
            problem = (f"the server announces a {int(declared) / 2**20:,.1f} MB reply, over the "
                       f"{limits.max_bytes / 2**20:g} MB limit (llm.max_response_mb)")
        if problem:
            response.close()
            raise limits.fail(problem)
        response.stream = _BoundedStream(response.stream, limits)
        return response

    def close(self) -> None:
        self._inner.close()


class ReplyError(ValueError):
    """A reply that parsed but does not say what we asked for; the message goes back to the model."""


def extract_json(text: str) -> Any:
    """The JSON value in a model reply.

    Repairs only what is unambiguous: Markdown code fences around the JSON, and prose
    around a single ``{...}`` object (``Here is the JSON: {...}``). Anything else raises
    :class:`ReplyError` with the start of the reply, for the retry message.
    """
    body = text.strip()
    fenced = _FENCE.match(body)
    if fenced:
        body = fenced.group(1).strip()
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        first_error = exc
    start, end = body.find("{"), body.rfind("}")
    if 0 <= start < end:
        try:
            return json.loads(body[start : end + 1])
        except json.JSONDecodeError:
            pass
    snippet = " ".join(body.split())[:60]
    raise ReplyError(f"reply is not valid JSON ({first_error.msg} at char {first_error.pos}; starts {snippet!r})")


def strict_schema(name: str, schema: dict) -> dict:
    """The ``response_format`` for OpenAI structured outputs (strict JSON schema)."""
    return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}


class LLMClient:
    """Structured-output chat completions against an OpenAI-compatible server."""

    def __init__(self, settings: LLMSettings | None = None) -> None:
        self.settings = settings or LLMSettings()
        key = os.environ.get(API_KEY_ENV, "").strip()
        if not key:
            raise SettingsError(
                f"{API_KEY_ENV} is not set: export your OpenAI key (for a local OpenAI-compatible "
                "server set OPENAI_BASE_URL and any non-empty OPENAI_API_KEY)"
            )
        self._secret = key
        self.usage: list[dict] = []
        base_url = self.settings.resolved_base_url()
        self.server = _describe_server(base_url)
        self._sdk = openai.OpenAI(
            api_key=key,
            base_url=base_url,
            timeout=openai.Timeout(self.settings.timeout, connect=self.settings.connect_timeout),
            max_retries=self.settings.max_retries,
            http_client=openai.DefaultHttpxClient(transport=_BoundedTransport()),
        )

    def __repr__(self) -> str:  # never show the key, even in a debugger or a traceback's locals
        return f"LLMClient(model={self.settings.model!r}, server={self.server!r})"

    @property
    def model(self) -> str:
        return self.settings.model

    # ------------------------------------------------------------------ public

    def chat_json(
        self,
        messages: list[dict],
        *,
        schema: dict,
        schema_name: str,
        purpose: str,
        parse: Callable[[Any], T],
        timeout: float | None = None,
        deadline: float | None = None,
    ) -> T:
        """Ask for JSON matching ``schema`` and return ``parse(json)``.

        ``parse`` raises :class:`ReplyError` (or a pydantic ``ValidationError``) for a reply it
        cannot use; the model then gets one more chance with the problem stated. ``timeout``
        caps each HTTP request (default: the ``timeout`` setting). ``deadline`` (a
        ``time.monotonic()`` value) caps the whole call: requests are cut to the time left and
        the SDK does not retry, so the call never outlives it.
        """
        convo = list(messages)
        max_tokens = self.settings.max_output_tokens
        own = time.monotonic() + self.settings.deadline
        retry = deadline is None
        deadline = own if deadline is None else min(deadline, own)
        problem = ""
        for attempt in (1, 2):
            left = deadline - time.monotonic()
            if left <= 0.01:
                raise LLMError(f"{self.model} at {self.server}: {purpose} ran out of time")
            limit = min(timeout or self.settings.timeout, left)
            content, finish = self._complete(convo, schema, schema_name, purpose, max_tokens, limit,
                                             retry=retry, deadline=deadline)
            try:
                if finish == "length":
                    raise ReplyError(f"reply was cut off at {max_tokens} tokens")
                return parse(extract_json(content))
            except (ReplyError, ValidationError) as exc:
                problem = _problem_text(exc)
                log.warning("%s: %s reply %d unusable: %s", self.server, purpose, attempt, problem)
                if finish == "length":
                    max_tokens *= 2
                convo = [
                    *messages,
                    {"role": "assistant", "content": content[:4000]},
                    {
                        "role": "user",
                        "content": f"That reply was not usable: {problem}. Answer again with only one JSON "
                        f"object that matches the schema '{schema_name}' exactly, no prose, no code fences.",
                    },
                ]
        raise LLMError(f"{self.model} at {self.server}: {purpose} reply still unusable after one retry ({problem})")

    def total_tokens(self) -> tuple[int, int]:
        """(input, output) tokens over every request so far."""
        return (
            sum(u["input_tokens"] or 0 for u in self.usage),
            sum(u["output_tokens"] or 0 for u in self.usage),
        )

    # ------------------------------------------------------------------ internals

    def _complete(
        self,
        messages: list[dict],
        schema: dict,
        schema_name: str,
        purpose: str,
        max_tokens: int,
        timeout: float | None,
        retry: bool = True,
        deadline: float | None = None,
    ) -> tuple[str, str | None]:
        """One request (the SDK may retry it); returns (content, finish_reason)."""
        started = time.monotonic()
        entry: dict = {
            "purpose": purpose,
            "model": self.model,
            "input_tokens": None,
            "output_tokens": None,
            "seconds": 0.0,
            "retries": 0,
            "ok": False,
        }
        self.usage.append(entry)
        kwargs: dict = {}
        if timeout is not None:
            kwargs["timeout"] = openai.Timeout(timeout, connect=min(timeout, self.settings.connect_timeout))
        sdk = self._sdk if retry else self._sdk.with_options(max_retries=0)
        limits = _CallLimits(deadline=deadline if deadline is not None else started + self.settings.deadline,
                             max_bytes=int(self.settings.max_response_mb * 2**20))
        token = _LIMITS.set(limits)
        try:
            raw = sdk.chat.completions.with_raw_response.create(
                model=self.model,
                messages=messages,
                response_format=strict_schema(schema_name, schema),
                temperature=self.settings.temperature,
                max_tokens=max_tokens,
                **kwargs,
            )
            entry["retries"] = int(getattr(raw, "retries_taken", 0) or 0)
            completion = raw.parse()
        except _LimitExceeded as exc:
            raise LLMError(f"{self.model} at {self.server}: {purpose}: {exc}") from None
        except openai.APIError as exc:
            raise self._translate(exc, purpose, timeout, retry) from None
        finally:
            _LIMITS.reset(token)
            entry["seconds"] = round(time.monotonic() - started, 3)

        usage = getattr(completion, "usage", None)
        entry["input_tokens"] = getattr(usage, "prompt_tokens", None)
        entry["output_tokens"] = getattr(usage, "completion_tokens", None)
        entry["cost_usd"] = self._cost(entry["input_tokens"], entry["output_tokens"])
        log.info(
            "%s %s: %s tokens in, %s out, %.2f s",
            self.server, purpose, entry["input_tokens"], entry["output_tokens"], entry["seconds"],
        )
        if not completion.choices:
            raise LLMError(f"{self.model} at {self.server}: {purpose} reply had no choices")
        choice = completion.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal:
            raise LLMError(f"{self.model} at {self.server} refused the {purpose} request: {self._redact(refusal)[:200]}")
        entry["ok"] = True
        return message.content or "", choice.finish_reason

    def _translate(self, exc: openai.APIError, purpose: str, timeout: float | None, retry: bool) -> ImageExtenderError:
        where = f"{self.model} at {self.server}"
        tries = self.settings.max_retries + 1 if retry else 1
        if isinstance(exc, openai.APITimeoutError):
            limit = timeout if timeout is not None else self.settings.timeout
            return LLMError(f"{where}: {purpose} request timed out after {limit:.3g} s ({_attempts(tries)})")
        if isinstance(exc, openai.APIConnectionError):
            return LLMError(f"{where}: cannot connect for {purpose} ({_attempts(tries)}); is the server running?")
        if isinstance(exc, openai.APIStatusError):
            status = exc.status_code
            detail = self._redact(_server_message(exc))[:200]
            if status in (401, 403):
                return SettingsError(f"{self.server} rejected {API_KEY_ENV} (HTTP {status}): check the key")
            if status == 404:
                return SettingsError(f"{where}: model or endpoint not found (HTTP 404): check the llm model setting")
            if status == 429:
                return LLMError(f"{where}: still rate limited (HTTP 429) after {_attempts(tries)}; try again later")
            return LLMError(f"{where}: {purpose} request failed with HTTP {status}" + (f" ({detail})" if detail else ""))
        return LLMError(f"{where}: {purpose} request failed ({type(exc).__name__})")

    def _redact(self, text: str) -> str:
        text = text.replace(self._secret, "[redacted]")
        return _KEYLIKE.sub("[redacted]", text)

    def _cost(self, tokens_in: int | None, tokens_out: int | None) -> float | None:
        pin, pout = self.settings.price_input_per_mtok, self.settings.price_output_per_mtok
        if pin is None or pout is None or tokens_in is None or tokens_out is None:
            return None
        return round((tokens_in * pin + tokens_out * pout) / 1e6, 6)



class LLMBacked:
    """What every part that talks to a model shares: its settings and one lazily built client.

    The client is built on first use, not in ``__init__``, so an analyzer, verifier or
    regenerator can be constructed and configured without ``OPENAI_API_KEY``; a client passed
    in is shared, so one run's requests are counted in one :attr:`usage` list.
    """

    def __init__(self, llm: LLMSettings | None = None, client: LLMClient | None = None) -> None:
        self.llm = llm or LLMSettings()
        self.client = client

    def load(self) -> None:
        """Build the client; raises ``SettingsError`` naming OPENAI_API_KEY when it is missing."""
        if self.client is None:
            self.client = LLMClient(self.llm)

    @property
    def usage(self) -> list[dict]:
        """Tokens in/out per request so far (see :class:`LLMClient`)."""
        return self.client.usage if self.client else []

def _describe_server(base_url: str | None) -> str:
    """Host (and port) of the server, without any user:password part, for messages."""
    if not base_url:
        return "api.openai.com"
    parts = urlsplit(base_url)
    return parts.hostname and (f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname) or "the LLM server"


def _attempts(n: int) -> str:
    return f"{n} attempt" + ("s" if n != 1 else "")


def _server_message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return inner["message"]
        if isinstance(inner, str):
            return inner
    return ""


def _problem_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        errors = exc.errors()
        parts = [f"{'.'.join(str(p) for p in e['loc']) or 'reply'}: {e['msg']}" for e in errors[:3]]
        more = f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""
        return "; ".join(parts) + more
    return str(exc)
