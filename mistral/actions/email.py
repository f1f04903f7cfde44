"""std.email: send a mail through an SMTP server (``host[:port]``), like Mistral's."""

from __future__ import annotations

import smtplib
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate
from typing import Any

from mistral.actions.base import Action, ActionContext
from mistral.exceptions import ActionError


def _as_list(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


class SendEmailAction(Action):
    description = "Sends an email through 'smtp_server' (host:port); STARTTLS and login when a password is given."

    def __init__(
        self,
        from_addr: str,
        to_addrs: Any,
        smtp_server: str,
        reply_to: Any = None,
        cc_addrs: Any = None,
        bcc_addrs: Any = None,
        smtp_password: str | None = None,
        subject: str | None = None,
        body: str | None = None,
        html_body: str | None = None,
    ) -> None:
        super().__init__()
        self.sender = from_addr
        self.to = _as_list(to_addrs)
        if not self.to:
            raise ActionError("std.email: 'to_addrs' must name at least one recipient")
        self.cc = _as_list(cc_addrs)
        self.bcc = _as_list(bcc_addrs)
        self.reply_to = _as_list(reply_to)
        self.smtp_server = smtp_server
        self.password = smtp_password
        self.subject = subject or "<No subject>"
        self.body = body or "<No body>"
        self.html_body = html_body

    def _message(self) -> str:
        if self.html_body:
            message: Any = MIMEMultipart("alternative")
            message.attach(MIMEText(self.body, "plain", "utf-8"))
            message.attach(MIMEText(self.html_body, "html", "utf-8"))
        else:
            message = MIMEText(self.body, "plain", "utf-8")
        message["Subject"] = self.subject
        message["From"] = self.sender
        message["To"] = ", ".join(self.to)
        message["Date"] = formatdate(localtime=False, usegmt=True)
        if self.cc:
            message["Cc"] = ", ".join(self.cc)
        if self.reply_to:
            message["Reply-To"] = ", ".join(self.reply_to)
        return message.as_string()

    def run(self, context: ActionContext) -> None:
        try:
            with smtplib.SMTP(self.smtp_server, timeout=30) as smtp:
                if self.password is not None:
                    smtp.ehlo()
                    smtp.starttls()
                    smtp.ehlo()
                    smtp.login(self.sender, self.password)
                smtp.sendmail(self.sender, self.to + self.cc + self.bcc, self._message())
        except (OSError, smtplib.SMTPException) as e:
            raise ActionError(f"std.email: cannot send through {self.smtp_server}: {e}") from None
        return None
