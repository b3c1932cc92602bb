"""One signed POST to one endpoint, bounded in time, to an address that was checked, never redirected.

Standard Webhooks (https://www.standardwebhooks.com/): the body is JSON; `webhook-id` is the event's id
(the same on every retry, so receivers deduplicate on it), `webhook-timestamp` the time of this attempt
in Unix seconds, and `webhook-signature` `v1,<base64 HMAC-SHA256>` of `id.timestamp.body` under the
endpoint's secret, made by the `standardwebhooks` package receivers verify with.

The standard library's http.client is used on purpose: it follows no redirects (a 3xx to an internal
address would otherwise walk round the address check) and lets the connection go to the very address
webhooks/targets.py checked while TLS still verifies the certificate for the host name.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from standardwebhooks.webhooks import Webhook

from webhooks.targets import Target, TargetRefused, target_check

USER_AGENT = "Stagegate-Webhooks/1"
# Enough of a refusing receiver's answer to say why in the attempt log; the rest is not read.
ERROR_BODY_BYTES = 500


@dataclass(frozen=True)
class SendResult:
    started_at: datetime
    duration_ms: int
    status_code: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


def body_encode(*, event_type: str, created_at: datetime, payload: dict) -> str:
    """The JSON body of an event: the same text on every attempt, so the receiver sees one message."""
    envelope = {"type": event_type, "timestamp": created_at.astimezone(UTC).isoformat(), "data": payload}
    return json.dumps(envelope, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def headers_sign(*, secret: str, msg_id: str, body: str, at: datetime) -> dict[str, str]:
    """The three Standard Webhooks headers for this attempt."""
    # Webhook.sign() replaces the tzinfo with UTC rather than converting: hand it UTC, or it signs another time.
    at = at.astimezone(UTC)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, at, body),
    }


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Plain HTTP to the checked address; the Host header still names the host."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """TLS to the checked address, with SNI and certificate verification for the host name."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._address = address
        self._tls = context

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self.host)


def _connection(target: Target, address: str, timeout: float) -> http.client.HTTPConnection:
    if target.scheme == "https":
        return _PinnedHTTPSConnection(
            target.host, target.port, address=address, timeout=timeout, context=ssl.create_default_context()
        )
    return _PinnedHTTPConnection(target.host, target.port, address=address, timeout=timeout)


def _cut_off(connection: http.client.HTTPConnection) -> None:
    # The socket timeout bounds each read, not the whole answer: a receiver dripping one byte a second
    # would hold the worker indefinitely. At the deadline the socket is shut, which wakes the reader.
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _connect(target: Target, timeout: float, deadline: float) -> http.client.HTTPConnection:
    """Connect to the first of the checked addresses that answers (IPv6 may be listed but unroutable here)."""
    failure: OSError = TimeoutError()
    for address in target.addresses:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        connection = _connection(target, address, min(timeout, remaining))
        try:
            connection.connect()
        except ssl.SSLError:
            connection.close()
            raise
        except OSError as exc:
            connection.close()
            failure = exc
            continue
        return connection
    raise failure


def _exchange(target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, str]:
    """POST once: the status code, and an error unless it is a 2xx."""
    deadline = time.monotonic() + timeout
    connection = _connect(target, timeout, deadline)
    cut_off = threading.Timer(max(deadline - time.monotonic(), 0), _cut_off, args=(connection,))
    cut_off.daemon = True
    cut_off.start()
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        status = response.status
        if 200 <= status < 300:
            return status, ""
        if 300 <= status < 400:
            where = response.getheader("Location", "")
            to = f" (to {where[:200]})" if where else ""
            return status, f"HTTP {status}: redirects are not followed{to}."
        answer = response.read(ERROR_BODY_BYTES).decode("utf-8", "replace").strip()
        return status, f"HTTP {status}" + (f": {answer}" if answer else "")
    finally:
        cut_off.cancel()
        connection.close()


def webhook_post(*, url: str, secret: str, msg_id: str, body: str, timeout: float | None = None) -> SendResult:
    """Send one signed attempt. Never raises for what a receiver or the network does; the result says it."""
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS if timeout is None else timeout)
    started_at = datetime.now(UTC)
    started = time.monotonic()

    def result(status_code: int | None = None, error: str = "") -> SendResult:
        duration = round((time.monotonic() - started) * 1000)
        return SendResult(started_at=started_at, duration_ms=duration, status_code=status_code, error=error)

    try:
        target = target_check(url)
    except TargetRefused as exc:
        return result(error=f"Not sent: {exc}")
    headers = {
        **headers_sign(secret=secret, msg_id=msg_id, body=body, at=started_at),
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
    }
    try:
        status, error = _exchange(target, body.encode("utf-8"), headers, timeout)
    except TimeoutError:
        return result(error=f"No answer within {timeout:g} seconds.")
    except ssl.SSLError as exc:
        return result(error=f"TLS failed: {exc}")
    except (OSError, http.client.HTTPException) as exc:
        if time.monotonic() - started >= timeout:
            # The cut-off shut the socket: the reader saw a reset or an empty answer.
            return result(error=f"No complete answer within {timeout:g} seconds.")
        return result(error=f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    return result(status_code=status, error=error)
