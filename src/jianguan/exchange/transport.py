"""How the outbox reaches the national system. Pluggable: JIANGUAN_NATIONAL_TRANSPORT names a class.

A transport sends a list of messages and returns the message ids the receiver acknowledged and
those it refused (with reasons). Any exception means "not delivered, try again later".
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


class TransportError(Exception):
    """The receiver could not be reached or did not answer properly: retry later."""


class Transport(Protocol):
    def send(self, messages: list[dict[str, Any]]) -> Delivery: ...


class HttpTransport:
    """POST {"messages": [...]} as JSON to the national endpoint; the answer lists accepted and refused ids."""

    def __init__(self, url: str | None = None, timeout: int | None = None):
        self.url = url or settings.NATIONAL_URL
        self.timeout = timeout or settings.NATIONAL_TIMEOUT_SECONDS
        if not self.url:
            raise TransportError("JIANGUAN_NATIONAL_URL is not set")
        if not self.url.startswith(("http://", "https://")):
            raise TransportError("JIANGUAN_NATIONAL_URL must be an http(s) URL")

    def send(self, messages: list[dict[str, Any]]) -> Delivery:
        body = json.dumps({"messages": messages}, ensure_ascii=False).encode()
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url, data=body, headers={"Content-Type": "application/json; charset=utf-8"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except urllib.error.HTTPError as exc:
            raise TransportError(f"HTTP {exc.code}: {exc.read()[:300].decode(errors='replace')}") from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, json.JSONDecodeError) as exc:
            raise TransportError(str(exc)[:300]) from None
        if not isinstance(answer, dict) or not isinstance(answer.get("accepted"), list):
            raise TransportError("the receiver's answer has no list of accepted messages")
        refused = {str(item.get("message_id")): str(item.get("reason", ""))[:500] for item in answer.get("refused", [])}
        return Delivery([str(x) for x in answer["accepted"]], refused)


def configured_transport() -> Transport:
    return import_string(settings.NATIONAL_TRANSPORT)()
