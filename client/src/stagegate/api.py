"""Talking to the portal: one method per endpoint of docs/pipeline-api.md, and every way it can go wrong.

Whatever stops a command from getting its answer (no address, no connection,
not a Stagegate, an unknown token, a missing use case, a rate limit, a server
error) raises `Unanswered` (exit 2). A write the portal refused for what it
said (400, 403, 409, 413, 415) raises `Refused` (exit 1). Each carries a
message meant for the person reading the pipeline's log.
"""

from __future__ import annotations

import json
import mimetypes
import uuid
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit

import httpx

from stagegate import __version__
from stagegate.values import format_duration

API_PREFIX = "/api/v1"
DEFAULT_REQUEST_TIMEOUT = 30.0
CONNECT_TIMEOUT = 10.0
REFUSED_STATUSES = (400, 403, 409, 413, 415)


class StagegateError(Exception):
    """A command could not do what it was asked; `exit_code` says how the process ends."""

    exit_code = 2


class Unanswered(StagegateError):
    """No usable answer: configuration, network, authentication, a missing use case, a server error."""


class RateLimited(Unanswered):
    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Refused(StagegateError):
    """The portal understood the request and said no, saying why."""

    exit_code = 1

    def __init__(self, message: str, status: int, body: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: Mapping[str, str] = field(default_factory=dict)


def base_url_from(text: str | None) -> str:
    """The portal's address as people give it: with or without a trailing slash or `/api/v1`."""
    if not text or not text.strip():
        raise Unanswered("No Stagegate address: set STAGEGATE_URL (e.g. https://stagegate.example.com) or pass --url.")
    url = text.strip().rstrip("/")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Unanswered(f"{text!r} is not an http:// or https:// address of a Stagegate portal.")
    if url.endswith(API_PREFIX):
        url = url[: -len(API_PREFIX)]
    return url


def token_from(text: str | None) -> str:
    if not text or not text.strip():
        raise Unanswered(
            "No API token: set STAGEGATE_TOKEN or pass --token (an administrator issues one with "
            "`manage.py issue_token USERNAME`)."
        )
    token = text.strip()
    if not token.isprintable() or not token.isascii() or " " in token:
        raise Unanswered("The API token has spaces or characters a token never has; check STAGEGATE_TOKEN.")
    return token


def _detail(body: Any) -> str:
    """The portal's error body in words: `{"detail": ...}` or field errors, nested ones included."""
    if isinstance(body, dict):
        if set(body) == {"detail"}:
            return _detail(body["detail"])
        parts = []
        for key, value in body.items():
            text = _detail(value)
            parts.append(text if key in ("detail", "non_field_errors") else f"{key}: {text}")
        return "; ".join(parts)
    if isinstance(body, list):
        return "; ".join(_detail(item) for item in body if item not in ({}, [], None, ""))
    return str(body)


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "")))
    except ValueError:
        return None


class Client:
    """A session with one portal, as one token, for one invocation of the command."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        request_timeout: float = DEFAULT_REQUEST_TIMEOUT,
        idempotency_key: str | None = None,
    ) -> None:
        self.base_url = base_url
        self.request_timeout = request_timeout
        # One key per invocation: a pipeline that retries the step passes --idempotency-key to reuse its own.
        self.idempotency_key = idempotency_key or str(uuid.uuid4())
        self._http = httpx.Client(
            base_url=base_url,
            headers={
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": f"stagegate-client/{__version__}",
            },
            follow_redirects=False,
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # The endpoints.

    def gate(
        self,
        slug: str,
        stage: int,
        *,
        version: str | None = None,
        digest: str | None = None,
        request_timeout: float | None = None,
    ) -> dict[str, Any]:
        params: dict[str, str | int] = {"stage": stage}
        if version is not None:
            params["version"] = version
        if digest is not None:
            params["digest"] = digest
        answer = self._send(
            "GET",
            f"/use-cases/{_part(slug)}/gate/",
            params=params,
            not_found=f"No use case {slug!r} that this token may see: the slug does not exist or is not visible to it",
            refused_exit=2,
            request_timeout=request_timeout,
        )
        if not isinstance(answer.body, dict) or "allowed" not in answer.body:
            raise Unanswered(f"{self.base_url} answered the gate without saying whether it is allowed.")
        return answer.body

    def version_register(self, slug: str, version: dict[str, Any], evidence: Mapping[str, Path]) -> Answer:
        path = f"/use-cases/{_part(slug)}/versions/"
        not_found = _use_case_not_found(slug)
        if not evidence:
            return self._send("POST", path, json=version, not_found=not_found)
        with _opened(evidence) as files:
            return self._send("POST", path, data={"version": json.dumps(version)}, files=files, not_found=not_found)

    def artifact_upload(
        self, slug: str, file: Path, *, kind: str, version: str | None = None, title: str | None = None
    ) -> Answer:
        data = {"kind": kind}
        if version is not None:
            data["version"] = version
        if title is not None:
            data["title"] = title
        with _opened({"file": file}) as files:
            return self._send(
                "POST",
                f"/use-cases/{_part(slug)}/artifacts/",
                data=data,
                files=files,
                not_found=_use_case_not_found(slug),
            )

    def readiness_request_create(
        self, slug: str, *, target_stage: int, version: str | None, justification: str, submit: bool
    ) -> Answer:
        body: dict[str, Any] = {"use_case": slug, "target_stage": target_stage, "submit": submit}
        if version is not None:
            body["version"] = version
        if justification:
            body["justification"] = justification
        return self._send("POST", "/readiness-requests/", json=body, not_found=_use_case_not_found(slug))

    def readiness_answers_put(self, slug: str, answers: Mapping[str, Mapping[str, Any]]) -> Answer:
        return self._send(
            "PUT",
            f"/use-cases/{_part(slug)}/readiness/",
            json={"answers": answers},
            not_found=_use_case_not_found(slug),
        )

    def observations_push(self, slug: str, label: str, observations: list[dict[str, Any]]) -> Answer:
        return self._send(
            "POST",
            f"/use-cases/{_part(slug)}/versions/{_part(label)}/observations/",
            json={"observations": observations},
            not_found=(
                f"No use case {slug!r} with a version {label!r} that this token may see: "
                "the slug or the label does not exist, or the use case is not visible to it"
            ),
        )

    # One road for every call.

    def _send(
        self,
        method: str,
        path: str,
        *,
        not_found: str,
        refused_exit: int = 1,
        request_timeout: float | None = None,
        params: Mapping[str, str | int] | None = None,
        json: Any = None,
        data: Mapping[str, str] | None = None,
        files: list[tuple[str, tuple[str, IO[bytes], str]]] | None = None,
    ) -> Answer:
        seconds = request_timeout or self.request_timeout
        headers = {"Idempotency-Key": self.idempotency_key} if method == "POST" else {}
        url = f"{self.base_url}{API_PREFIX}{path}"
        try:
            response = self._http.request(
                method,
                f"{API_PREFIX}{path}",
                params=params,
                json=json,
                data=data,
                files=files,
                headers=headers,
                timeout=httpx.Timeout(seconds, connect=min(seconds, CONNECT_TIMEOUT)),
            )
        except httpx.ConnectTimeout:
            raise Unanswered(f"Could not connect to {self.base_url} within {format_duration(seconds)}.") from None
        except httpx.TimeoutException:
            waited = format_duration(seconds)
            raise Unanswered(f"{self.base_url} did not answer {method} {url} within {waited}.") from None
        except httpx.ConnectError as exc:
            raise Unanswered(f"Could not connect to {self.base_url}: {exc or 'connection refused'}.") from None
        except httpx.HTTPError as exc:
            raise Unanswered(f"Could not talk to {self.base_url}: {exc}.") from None
        return self._read(response, method=method, url=url, not_found=not_found, refused_exit=refused_exit)

    def _read(self, response: httpx.Response, *, method: str, url: str, not_found: str, refused_exit: int) -> Answer:
        status = response.status_code
        if 300 <= status < 400:
            where = response.headers.get("Location", "elsewhere")
            raise Unanswered(
                f"{self.base_url} sent {method} {url} on to {where} (HTTP {status}); "
                "set STAGEGATE_URL to the portal's own address (https:// where it uses TLS)."
            )
        if status >= 500:
            raise Unanswered(
                f"Stagegate at {self.base_url} failed with a server error (HTTP {status}) on {method} {url}; "
                "try again later, and tell its administrators if it goes on."
            )
        if status == 429:
            retry_after = _retry_after(response)
            later = f"retry after {format_duration(retry_after)}" if retry_after else "retry later"
            raise RateLimited(f"Stagegate is rate-limiting this client (HTTP 429): {later}.", retry_after)
        if status == 413:
            raise Refused(
                "The portal (or a proxy in front of it) refused the upload as too large (HTTP 413).", status, None
            )
        body = self._json(response, method=method, url=url)
        detail = _detail(body)
        if status == 401:
            raise Unanswered(
                f"Stagegate refused the token (HTTP 401): it is unknown, revoked or expired. The portal says: {detail}"
            )
        if status == 404:
            raise Unanswered(f"{not_found} (HTTP 404). The portal says: {detail}")
        if status in REFUSED_STATUSES:
            error: StagegateError = Refused(f"The portal refused this (HTTP {status}): {detail}", status, body)
            error.exit_code = refused_exit
            raise error
        if status >= 400:
            raise Unanswered(f"Stagegate answered HTTP {status} to {method} {url}: {detail}")
        return Answer(status, body, dict(response.headers))

    def _json(self, response: httpx.Response, *, method: str, url: str) -> Any:
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        not_stagegate = Unanswered(
            f"{self.base_url} is not a Stagegate portal, or not its address: {method} {url} answered "
            f"HTTP {response.status_code} with {content_type or 'no content type'} where JSON was expected. "
            "Set STAGEGATE_URL to the portal's address, without /api/v1."
        )
        if content_type != "application/json" and not content_type.endswith("+json"):
            raise not_stagegate
        try:
            return response.json()
        except ValueError:
            raise not_stagegate from None


def _part(text: str) -> str:
    """One path segment, with anything that would change the path escaped."""
    return quote(text, safe="")


def _use_case_not_found(slug: str) -> str:
    return f"No use case {slug!r} that this token may see: the slug does not exist or is not visible to it"


@contextmanager
def _opened(paths: Mapping[str, Path]) -> Iterator[list[tuple[str, tuple[str, IO[bytes], str]]]]:
    """Multipart file fields, each file open only for the call that streams it."""
    with ExitStack() as stack:
        files: list[tuple[str, tuple[str, IO[bytes], str]]] = []
        for name, path in paths.items():
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            files.append((name, (path.name, stack.enter_context(path.open("rb")), content_type)))
        yield files
