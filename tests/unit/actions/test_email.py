"""std.email against a minimal SMTP server on loopback (a real SMTP conversation)."""

from __future__ import annotations

import email
import socketserver
import threading
from collections.abc import Iterator

import pytest

from mistral import exceptions as exc
from mistral.actions import ActionContext, ActionRegistry

RECEIVED: list[dict] = []


class _SMTPHandler(socketserver.StreamRequestHandler):
    def _say(self, line: str) -> None:
        self.wfile.write((line + "\r\n").encode())

    def handle(self) -> None:
        self._say("220 test ESMTP")
        mail: dict = {"rcpt": []}
        while True:
            line = self.rfile.readline().decode().rstrip("\r\n")
            if not line:
                return
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self._say("250 test")
            elif verb == "MAIL":
                mail["from"] = line.split(":", 1)[1].strip(" <>")
                self._say("250 OK")
            elif verb == "RCPT":
                mail["rcpt"].append(line.split(":", 1)[1].strip(" <>"))
                self._say("250 OK")
            elif verb == "DATA":
                self._say("354 go on")
                data = []
                while (chunk := self.rfile.readline().decode()) not in (".\r\n", ""):
                    data.append(chunk)
                mail["data"] = "".join(data)
                RECEIVED.append(mail)
                mail = {"rcpt": []}
                self._say("250 queued")
            elif verb == "QUIT":
                self._say("221 bye")
                return
            else:
                self._say("250 OK")


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[str]:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(5)


def test_email_reaches_every_recipient_with_headers(smtp_server: str) -> None:
    RECEIVED.clear()
    action = ActionRegistry.load().build("std.email", {
        "from_addr": "bot@example.org", "to_addrs": ["a@example.org"], "cc_addrs": "c@example.org",
        "bcc_addrs": ["b@example.org"], "smtp_server": smtp_server, "subject": "Done",
        "body": "It worked.", "html_body": "<b>It worked.</b>",
    })
    assert action.run(ActionContext()) is None
    [mail] = RECEIVED
    assert mail["from"] == "bot@example.org"
    assert mail["rcpt"] == ["a@example.org", "c@example.org", "b@example.org"]
    msg = email.message_from_string(mail["data"])
    assert msg["Subject"] == "Done" and msg["Cc"] == "c@example.org" and msg["Bcc"] is None
    assert [p.get_content_type() for p in msg.get_payload()] == ["text/plain", "text/html"]


def test_email_errors_are_action_errors() -> None:
    reg = ActionRegistry.load()
    with pytest.raises(exc.InputError, match="missing parameters: smtp_server"):
        reg.build("std.email", {"from_addr": "x@y", "to_addrs": ["z@y"]})
    with pytest.raises(exc.ActionError, match="to_addrs"):
        reg.build("std.email", {"from_addr": "x@y", "to_addrs": [], "smtp_server": "h"})
    action = reg.build("std.email", {"from_addr": "x@y", "to_addrs": "z@y", "smtp_server": "127.0.0.1:9"})
    with pytest.raises(exc.ActionError, match="cannot send through 127.0.0.1:9"):
        action.run(ActionContext())
