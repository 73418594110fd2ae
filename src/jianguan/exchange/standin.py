"""A stand-in for the national system's receiving end, for tests and demos. It is NOT the national system.

It speaks the push format of `exchange.national` over HTTP: POST /push with {"messages": [...]}.
Each message is validated against the same schema the outbox uses; valid messages are stored in
a SQLite file keyed by message id, so a repeated message is acknowledged again but stored once.
The answer is {"accepted": [ids], "refused": [{"message_id", "reason"}]}. A push may carry the
province's audit chain head ({"seq", "hash"}): the stand-in keeps each head it is sent and echoes
it in its answer; GET /audit-heads lists them. GET /stats reports what it holds. `fail_next` makes
it answer 503 to that many pushes, to exercise retries.

A message with "message_type": "warning_feedback" is the province's feedback on a national risk
warning (`exchange.national.FeedbackMessage`, our format: no national text is available); it is
checked against that schema and kept in its own table, keyed by message id as records are, so a
repeat is acknowledged and stored once. GET /feedback lists them (?warning=<id> for one warning's).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pydantic import ValidationError

from jianguan.exchange.national import AuditHead, FeedbackMessage, NationalMessage

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    message_id TEXT PRIMARY KEY,
    cd_id TEXT NOT NULL,
    cd_batch TEXT NOT NULL,
    cd_operation TEXT NOT NULL,
    record_type TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS feedback (
    message_id TEXT PRIMARY KEY,
    warning_id TEXT NOT NULL,
    alert_number TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS audit_heads (
    seq INTEGER PRIMARY KEY,
    hash TEXT NOT NULL,
    received_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
"""


class StandinStore:
    def __init__(self, path: str):
        self.path = path
        self.lock = threading.Lock()
        with self._connect() as db:
            db.executescript(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=30)

    def receive(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
            raise ValueError('expected {"messages": [...]}')
        head = None
        if body.get("audit_head") is not None:
            try:
                head = AuditHead.model_validate(body["audit_head"])
            except ValidationError as exc:
                raise ValueError(f"audit_head: {exc.errors(include_url=False)}") from None
        accepted, refused, rows, notes = [], [], [], []
        for raw in body["messages"]:
            message_id = str(raw.get("message_id", "")) if isinstance(raw, dict) else ""
            if isinstance(raw, dict) and raw.get("message_type") == "warning_feedback":
                try:
                    note = FeedbackMessage.model_validate(raw)
                except ValidationError as exc:
                    refused.append({"message_id": message_id, "reason": str(exc.errors(include_url=False))[:500]})
                    continue
                notes.append(
                    (
                        note.message_id,
                        note.feedback.warningId,
                        note.feedback.alertNumber,
                        note.feedback.event,
                        json.dumps(raw, ensure_ascii=False),
                    )
                )
                accepted.append(note.message_id)
                continue
            try:
                message = NationalMessage.model_validate(raw)
            except ValidationError as exc:
                refused.append({"message_id": message_id, "reason": str(exc.errors(include_url=False))[:500]})
                continue
            rows.append(
                (
                    message.message_id,
                    message.cd_id,
                    message.cd_batch,
                    message.cd_operation,
                    message.record_type,
                    json.dumps(raw, ensure_ascii=False),
                )
            )
            accepted.append(message.message_id)
        with self.lock, self._connect() as db:
            db.executemany(
                "INSERT OR IGNORE INTO messages (message_id, cd_id, cd_batch, cd_operation, record_type, body) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                rows,
            )
            db.executemany(
                "INSERT OR IGNORE INTO feedback (message_id, warning_id, alert_number, event, body) "
                "VALUES (?, ?, ?, ?, ?)",
                notes,
            )
            if head is not None:
                db.execute("INSERT OR IGNORE INTO audit_heads (seq, hash) VALUES (?, ?)", (head.seq, head.hash))
        answer: dict[str, Any] = {"accepted": accepted, "refused": refused}
        if head is not None:
            answer["audit_head"] = head.model_dump()
        return answer

    def audit_heads(self) -> list[dict[str, Any]]:
        with self._connect() as db:
            rows = db.execute("SELECT seq, hash, received_at FROM audit_heads ORDER BY seq").fetchall()
        return [{"seq": seq, "hash": digest, "received_at": at} for seq, digest, at in rows]

    def stats(self) -> dict[str, Any]:
        with self._connect() as db:
            total = db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]
            by_op = dict(db.execute("SELECT cd_operation, COUNT(*) FROM messages GROUP BY cd_operation").fetchall())
            records = db.execute("SELECT COUNT(DISTINCT cd_id) FROM messages").fetchone()[0]
            feedback = db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0]
        return {"messages": total, "records": records, "by_operation": by_op, "feedback": feedback}

    def feedback(self, warning: str | None = None) -> list[dict[str, Any]]:
        """The feedback messages kept, in the order received (one warning's, when named)."""
        sql = "SELECT message_id, body, received_at FROM feedback"
        args: tuple = ()
        if warning:
            sql, args = sql + " WHERE warning_id = ?", (warning,)
        with self._connect() as db:
            rows = db.execute(sql + " ORDER BY rowid", args).fetchall()
        return [{"message_id": mid, "received_at": at, **json.loads(body)} for mid, body, at in rows]

    def message_ids(self) -> list[str]:
        with self._connect() as db:
            return [row[0] for row in db.execute("SELECT message_id FROM messages ORDER BY message_id")]


class StandinServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], store: StandinStore, fail_next: int = 0):
        super().__init__(address, _Handler)
        self.store = store
        self.fail_next = fail_next
        self.pushes = 0

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/push"


class _Handler(BaseHTTPRequestHandler):
    server: StandinServer

    def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - the stdlib's name
        if self.path.rstrip("/") == "/stats":
            self._answer(200, {"standin": True, **self.server.store.stats()})
        elif self.path.split("?", 1)[0].rstrip("/") == "/feedback":
            query = parse_qs(urlsplit(self.path).query)
            self._answer(200, {"feedback": self.server.store.feedback((query.get("warning") or [None])[0])})
        elif self.path.rstrip("/") == "/audit-heads":
            self._answer(200, {"audit_heads": self.server.store.audit_heads()})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self):  # noqa: N802
        if self.path.rstrip("/") != "/push":
            self._answer(404, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length)
        self.server.pushes += 1
        if self.server.fail_next > 0:
            self.server.fail_next -= 1
            self._answer(503, {"error": "stand-in told to fail"})
            return
        try:
            self._answer(200, self.server.store.receive(json.loads(payload)))
        except (ValueError, json.JSONDecodeError) as exc:
            self._answer(400, {"error": str(exc)[:300]})


def serve(host: str, port: int, db_path: str, fail_next: int = 0) -> StandinServer:
    return StandinServer((host, port), StandinStore(db_path), fail_next)
