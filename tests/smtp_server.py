"""A real SMTP server for mail tests: aiosmtpd on 127.0.0.1, a free port, optional STARTTLS/TLS and login.

tests/conftest.py loads this module as a pytest plugin, so every test can ask for `smtp_server` and `tls_cert`.
"""

from __future__ import annotations

import asyncio
import email
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes = b""  # the DATA exactly as it arrived

    @property
    def raw_headers(self) -> list[str]:
        """The header lines of the raw DATA, unfolded: what any mail reader would take as headers."""
        head = self.raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
        return head.decode("ascii", "replace").split("\r\n")

    @property
    def text(self) -> str:
        return self.message.get_body(("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(("html",)).get_content()


@dataclass
class Collector:
    """aiosmtpd handler keeping every message that arrived; `delay` holds each DATA to make runs overlap."""

    delay: float = 0.0
    refuse: tuple[str, ...] = ()  # recipients answered with 550
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=default_policy)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw)
            )
        return "250 OK"


@dataclass
class Server:
    port: int
    handler: Collector
    logins: list[tuple[str, str]]

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    def env(self, tls: str = "none", **extra: str) -> dict[str, str]:
        """SALESCTL_SMTP_* pointing at this server."""
        return {
            "SALESCTL_SMTP_HOST": "127.0.0.1",
            "SALESCTL_SMTP_PORT": str(self.port),
            "SALESCTL_SMTP_TLS": tls,
            "SALESCTL_SMTP_FROM": "Sales Robot <robot@example.com>",
            **extra,
        }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    """Factory: smtp_server(starttls=cert, implicit_tls=cert, password="…", delay=0.2, refuse=[addr]) → a Server."""
    controllers = []

    def start(*, starttls=None, implicit_tls=None, password=None, delay=0.0, refuse=()) -> Server:
        handler = Collector(delay=delay, refuse=tuple(refuse))
        logins: list[tuple[str, str]] = []
        kwargs = {}
        if starttls is not None:
            kwargs.update(tls_context=starttls.server_context(), require_starttls=True)
        if implicit_tls is not None:
            kwargs.update(ssl_context=implicit_tls.server_context(), server_hostname="localhost")
        if password is not None:

            def authenticator(server, session, envelope, mechanism, auth_data):
                login, given = auth_data.login.decode(), auth_data.password.decode()
                logins.append((login, given))
                return AuthResult(success=given == password, handled=False)

            kwargs.update(authenticator=authenticator, auth_required=True)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        controllers.append(controller)
        return Server(port, handler, logins)

    yield start
    for controller in controllers:
        controller.stop()


@dataclass
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert, self.key)
        return context


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory) -> Cert:
    """A self-signed certificate for 127.0.0.1 and localhost, made here (no file from the repository)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=salesctl test relay",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,digitalSignature,keyCertSign",
        ],
        check=True,
        capture_output=True,
    )
    return Cert(cert, key)
