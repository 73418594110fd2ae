"""How the outbox reaches the national system. Pluggable: JIANGUAN_NATIONAL_TRANSPORT names a class.

A transport sends a list of messages, with the audit chain's head, and returns the message ids the
receiver acknowledged and those it refused (with reasons), and the head it acknowledged keeping.
Any exception means "not delivered, try again later".
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass
class Delivery:
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # message id → reason
    audit_head: dict[str, Any] | None = None  # the chain head the receiver acknowledged keeping


class TransportError(Exception):
    """The receiver could not be reached or did not answer properly: retry later."""


class Transport(Protocol):
    def send(self, messages: list[dict[str, Any]], audit_head: dict[str, Any] | None = None) -> Delivery: ...


class HttpTransport:
    """POST {"messages": [...], "audit_head": {...}} as JSON to the national endpoint; the answer lists
    accepted and refused ids and echoes the head. GET …/audit-heads (beside …/push) lists the heads
    the receiver kept: the stand-in's interface, as no national interface text is available."""

    def __init__(self, url: str | None = None, timeout: int | None = None):
        self.url = url or settings.NATIONAL_URL
        self.timeout = timeout or settings.NATIONAL_TIMEOUT_SECONDS
        if not self.url:
            raise TransportError("JIANGUAN_NATIONAL_URL is not set")
        if not self.url.startswith(("http://", "https://")):
            raise TransportError("JIANGUAN_NATIONAL_URL must be an http(s) URL")

    def _call(self, url: str, body: bytes | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url,
            data=body,
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST" if body is not None else "GET",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise TransportError(f"HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as exc:
            raise TransportError(str(exc)[:300]) from None

    def send(self, messages: list[dict[str, Any]], audit_head: dict[str, Any] | None = None) -> Delivery:
        push: dict[str, Any] = {"messages": messages}
        if audit_head:
            push["audit_head"] = audit_head
        answer = self._call(self.url, json.dumps(push, ensure_ascii=False).encode())
        if not isinstance(answer, dict) or not isinstance(answer.get("accepted"), list):
            raise TransportError("the receiver's answer has no list of accepted messages")
        refused = {str(item.get("message_id")): str(item.get("reason", ""))[:500] for item in answer.get("refused", [])}
        head = answer.get("audit_head")
        return Delivery([str(x) for x in answer["accepted"]], refused, head if isinstance(head, dict) else None)

    def audit_heads(self) -> list[tuple[int, str]]:
        """The chain heads the receiver acknowledged keeping, as (seq, hash)."""
        answer = self._call(self.url.rstrip("/").rsplit("/", 1)[0] + "/audit-heads")
        heads = answer.get("audit_heads") if isinstance(answer, dict) else None
        if not isinstance(heads, list):
            raise TransportError("the receiver's answer has no list of audit heads")
        try:
            return [(int(head["seq"]), str(head["hash"])) for head in heads]
        except (TypeError, KeyError, ValueError):
            raise TransportError("the receiver's list of audit heads is malformed") from None


def configured_transport() -> Transport:
    return import_string(settings.NATIONAL_TRANSPORT)()


def national_audit_heads() -> list[tuple[int, str]]:
    """The audit chain heads the national receiver acknowledged keeping (settings.AUDIT_NATIONAL_HEADS)."""
    transport = configured_transport()
    if not hasattr(transport, "audit_heads"):
        raise TransportError(f"{settings.NATIONAL_TRANSPORT} cannot list the audit heads it kept")
    return transport.audit_heads()
