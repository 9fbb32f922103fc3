"""Reminders by e-mail: a digest as a message (text and HTML, from Jinja2 templates), sent
through the mail server ``RECLEDGER_SMTP_URL`` names (the standard library's smtplib:
STARTTLS and login where the URL asks). No secret goes into a message: only what the person
may read of their own items, and links to the pages."""

from __future__ import annotations

import smtplib
import ssl
from contextlib import suppress
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from domain.errors import InvalidCommand
from projections.views import RecommendationView
from service.reminders import Digest

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).with_name("mail_templates")),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def message(digest: Digest, *, sender: str, base_url: str | None) -> EmailMessage:
    """The digest as a message to its person: a text body, and the same as HTML."""
    base = base_url.rstrip("/") if base_url else None

    def link(item: RecommendationView) -> str:
        return f"{base}/plans/{quote(item.plan)}/r/{quote(item.ref)}"

    context = {
        "digest": digest, "person": digest.person, "day": digest.day,
        "base_url": base, "link": link,
    }  # fmt: skip
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = f"{digest.person.name} <{digest.person.email}>"
    mail["Subject"] = f"What awaits you in the action plans, {digest.day.isoformat()}"
    mail["Date"] = formatdate(localtime=True)
    mail["Message-ID"] = make_msgid(
        "reminder", domain=sender.rpartition("@")[2].strip("> ") or None
    )
    mail.set_content(_TEMPLATES.get_template("digest.txt").render(context))
    mail.add_alternative(_TEMPLATES.get_template("digest.html").render(context), subtype="html")
    return mail


class Mailer:
    """A connection to the mail server ``url`` names, opened on first use."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise InvalidCommand(
                "RECLEDGER_SMTP_URL: give smtp://[USER:PASSWORD@]HOST[:PORT][?starttls=true] "
                "or smtps://..."
            )
        self.tls = parts.scheme == "smtps"
        self.starttls = parse_qs(parts.query).get("starttls", ["false"])[0] == "true"
        self.host, self.port = parts.hostname, parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self._smtp: smtplib.SMTP | None = None

    def send(self, mail: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(mail)
        except (smtplib.SMTPServerDisconnected, OSError):
            self._smtp = None  # the next message connects again
            raise

    def close(self) -> None:
        if self._smtp is not None:
            with suppress(smtplib.SMTPException, OSError):  # gone already: no goodbye
                self._smtp.quit()
            self._smtp = None

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=30, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
            if self.starttls:
                smtp.starttls(context=context)
        if self.user is not None:
            smtp.login(self.user, self.password or "")
        return smtp
