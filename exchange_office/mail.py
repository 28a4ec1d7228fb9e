"""A console e-mail backend for the demo: one line per message by default, so that `make run`'s
terminal stays readable while the worker sends hundreds; the whole message (as a person reads
it, attachments named and sized instead of dumped as base64) when EMAIL_CONSOLE_BODIES is on."""

from typing import Any

from django.conf import settings
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.message import EmailMessage


def _attachments(message: EmailMessage) -> list[str]:
    return [
        f"{filename}, {mimetype}, {len(content):,} bytes"
        for filename, content, mimetype in message.attachments
    ]


class ConsoleEmailBackend(DjangoConsoleBackend):
    def __init__(self, *args: Any, bodies: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.bodies = settings.EMAIL_CONSOLE_BODIES if bodies is None else bodies

    def write_message(self, message: EmailMessage) -> None:
        if not self.bodies:
            attached = "".join(f" [attached: {item}]" for item in _attachments(message))
            self.stream.write(f"E-mail to {', '.join(message.to)}: {message.subject}{attached}\n")
            return
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
            "",
        ]
        lines.extend(f"[attached: {item}]" for item in _attachments(message))
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
