"""Fixtures of this app, loaded by the root conftest.py.

Real parts only: an aiosmtpd SMTP server and an HTTP SMS gateway on loopback, and the real db_worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from sotong.messaging.backends import sms as sms_backends

GATEWAY_API_KEY = "test-api-key"
GATEWAY_API_SECRET = "test-api-secret-with-enough-entropy"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# The real db_worker runs through the kernel's `run_worker` fixture (sotong/core/tests/fixtures.py).


@pytest.fixture
def sms_outbox() -> Iterator[list[dict[str, Any]]]:
    """What the locmem SMS backend sent during the test."""
    sms_backends.outbox.clear()
    yield sms_backends.outbox
    sms_backends.outbox.clear()


# --- SMTP ---------------------------------------------------------------------------------------------


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class SmtpServer:
    host: str
    port: int
    received: list[ReceivedMail] = field(default_factory=list)
    # Recipients the server refuses with 550 at RCPT TO.
    refuse: set[str] = field(default_factory=set)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.server.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.server.received.append(
            ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), parsed, envelope.original_content)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[SmtpServer]:
    """A real aiosmtpd server on 127.0.0.1 at a free port, with the outbox's e-mail going to it."""
    server = SmtpServer("127.0.0.1", free_port())
    controller = Controller(_Handler(server), hostname=server.host, port=server.port)
    controller.start()
    settings.SOTONG_EMAIL_BACKEND = "smtp"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        controller.stop()


# --- SMS gateway --------------------------------------------------------------------------------------


@dataclass
class SmsGateway:
    url: str
    api_key: str
    api_secret: str
    # Every request that passed the signature check, as parsed JSON bodies.
    requests: list[dict[str, Any]] = field(default_factory=list)
    # Requests whose Authorization header did not verify.
    rejected: list[str] = field(default_factory=list)
    # Answers to give, in order, as (status, body); once empty every request succeeds.
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    # Seconds to wait before answering (to provoke client timeouts).
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Answers already given under an Idempotency-Key: the same key is answered again, never sent twice.
    answered: dict[str, tuple[int, dict[str, Any]]] = field(default_factory=dict)
    replayed: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [item for body in self.requests for item in body.get("messages", [])]


def verify_authorization(header: str, api_key: str, api_secret: str) -> str | None:
    """None when the Solapi-style HMAC header is valid, else the reason it is not."""
    scheme, _, params = header.partition(" ")
    if scheme != "HMAC-SHA256":
        return f"scheme {scheme!r}"
    fields = dict(part.strip().split("=", 1) for part in params.split(",") if "=" in part)
    if fields.get("apiKey") != api_key:
        return "api key"
    try:
        date = datetime.strptime(fields.get("date", ""), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "date"
    if abs(datetime.now(UTC) - date) > timedelta(minutes=15):
        return "date too far"
    if not 12 <= len(fields.get("salt", "")) <= 64:
        return "salt"
    expected = hmac.new(
        api_secret.encode(), (fields["date"] + fields["salt"]).encode(), hashlib.sha256
    ).hexdigest()
    if not hmac.compare_digest(expected, fields.get("signature", "")):
        return "signature"
    return None


def _gateway_handler(gateway: SmsGateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            problem = verify_authorization(
                self.headers.get("Authorization", ""), gateway.api_key, gateway.api_secret
            )
            if problem:
                with gateway.lock:
                    gateway.rejected.append(problem)
                self._answer(401, {"errorCode": "SignatureDoesNotMatch", "errorMessage": problem})
                return
            body = json.loads(raw.decode("utf-8"))
            key = self.headers.get("Idempotency-Key", "")
            with gateway.lock:
                if key and key in gateway.answered:
                    gateway.replayed.append(key)
                    replay = gateway.answered[key]
                else:
                    replay = None
                    gateway.requests.append(body)
                    answer = gateway.answers.pop(0) if gateway.answers else None
            if replay is not None:
                self._answer(*replay)
                return
            if gateway.delay:
                time.sleep(gateway.delay)
            if answer is None:
                answer = (200, self._accepted(body))
            if key and answer[0] < 300:
                with gateway.lock:
                    gateway.answered[key] = answer
            self._answer(*answer)

        @staticmethod
        def _accepted(body: dict[str, Any]) -> dict[str, Any]:
            group = f"G{len(gateway.requests):04d}"
            return {
                "groupInfo": {"groupId": group, "count": {"total": len(body["messages"])}},
                "failedMessageList": [],
                "messageList": [
                    {
                        "messageId": f"M{group}{n:04d}",
                        "statusCode": "2000",
                        "customFields": item["customFields"],
                    }
                    for n, item in enumerate(body["messages"])
                ],
            }

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

    return Handler


@pytest.fixture
def sms_gateway(settings: Any) -> Iterator[SmsGateway]:
    """A loopback HTTP SMS gateway in a thread that checks the HMAC signature and records bodies."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    port = httpd.server_address[1]
    gateway = SmsGateway(
        f"http://127.0.0.1:{port}/messages/v4/send-many", GATEWAY_API_KEY, GATEWAY_API_SECRET
    )
    httpd.RequestHandlerClass = _gateway_handler(gateway)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    settings.SOTONG_SMS_BACKEND = "http"
    settings.SOTONG_SMS_GATEWAY_URL = gateway.url
    settings.SOTONG_SMS_API_KEY = gateway.api_key
    settings.SOTONG_SMS_API_SECRET = gateway.api_secret
    settings.SOTONG_SMS_TIMEOUT = 5
    try:
        yield gateway
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


# --- DKIM ---------------------------------------------------------------------------------------------


@dataclass
class DkimKey:
    """A signing key set in the settings, and the DNS TXT record that publishes its public half."""

    domain: str
    selector: str
    record: bytes

    def dnsfunc(self, name: bytes, timeout: int = 5) -> bytes:
        """dkimpy's DNS lookup, answering only the selector's own name (no network)."""
        return self.record if name == f"{self.selector}._domainkey.{self.domain}.".encode() else b""


@pytest.fixture
def dkim_key(tmp_path: Any, settings: Any) -> DkimKey:
    """A fresh 2048-bit RSA key in a PEM file, configured as SOTONG_DKIM_* for this test."""
    import base64

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path = tmp_path / "dkim.pem"
    path.write_bytes(pem)
    settings.SOTONG_DKIM_DOMAIN = "sotong.example.kr"
    settings.SOTONG_DKIM_SELECTOR = "s2026"
    settings.SOTONG_DKIM_PRIVATE_KEY_FILE = str(path)
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return DkimKey("sotong.example.kr", "s2026", b"v=DKIM1; k=rsa; p=" + base64.b64encode(public))
