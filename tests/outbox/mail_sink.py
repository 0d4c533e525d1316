"""A small SMTP server for tests: it takes every email, a little slowly, and keeps it.

Workers in other processes send to it over a real socket, as they would to a mail server. It
can also hold one email: take it, then keep the worker waiting for the answer, the moment a
killed worker leaves an email sent but not recorded as sent.
"""

from __future__ import annotations

import contextlib
import email
import socketserver
import threading
import time
from collections import Counter
from types import TracebackType


class MailSink:
    """An SMTP server on 127.0.0.1; `mailbox` collects the emails of every sink sharing it."""

    def __init__(
        self,
        mailbox: list[email.message.Message],
        *,
        seconds_per_email: float = 0.01,
        hold_email_number: int | None = None,
    ) -> None:
        self.mailbox = mailbox
        self.seconds_per_email = seconds_per_email
        self.hold_email_number = hold_email_number
        self.taken = 0
        self.held: email.message.Message | None = None
        self.holding = threading.Event()
        self.released = threading.Event()
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Conversation)
        self.server.sink = self

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> MailSink:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    def take(self, data: bytes) -> bool:
        """Keep an email; True when it is the one to hold."""
        message = email.message_from_bytes(data)
        with self.lock:
            self.mailbox.append(message)
            self.taken += 1
            hold = self.taken == self.hold_email_number
            if hold:
                self.held = message
        return hold


def message_ids(mailbox: list[email.message.Message]) -> Counter[str]:
    """How many emails came with each Message-ID."""
    return Counter(message["Message-ID"] for message in mailbox)


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
    sink: MailSink


class _Conversation(socketserver.StreamRequestHandler):
    """Just enough SMTP for Django's SMTP backend (smtplib) without TLS or login."""

    server: _Server

    def handle(self) -> None:
        sink = self.server.sink
        self.reply("220 sink ready")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").strip().upper()
            if command.startswith(("EHLO", "HELO")):
                self.reply("250 sink")
            elif command.startswith(("MAIL", "RCPT", "RSET", "NOOP")):
                self.reply("250 OK")
            elif command == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                data = self.read_data()
                if data is None:
                    return  # the sender went away before the end: nothing was taken
                if sink.take(data):
                    sink.holding.set()
                    sink.released.wait(timeout=60)
                time.sleep(sink.seconds_per_email)
                self.reply("250 OK taken")
            elif command == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 not implemented")

    def read_data(self) -> bytes | None:
        lines = []
        while (line := self.rfile.readline()) != b".\r\n":
            if not line:
                return None
            # SMTP doubles a leading dot so a line of one dot cannot end the email early.
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def reply(self, text: str) -> None:
        with contextlib.suppress(OSError):  # a killed worker's socket: nobody listens
            self.wfile.write(f"{text}\r\n".encode("ascii"))
