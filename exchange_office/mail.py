"""A console e-mail backend for the demo that prints each message as a person reads it: the
attachments are named and sized instead of dumped as base64."""

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.message import EmailMessage


class ConsoleEmailBackend(DjangoConsoleBackend):
    def write_message(self, message: EmailMessage) -> None:
        lines = [
            f"From: {message.from_email}",
            f"To: {', '.join(message.to)}",
            f"Subject: {message.subject}",
            "",
            message.body.rstrip(),
            "",
        ]
        for attachment in message.attachments:
            filename, content, mimetype = attachment
            lines.append(f"[attached: {filename}, {mimetype}, {len(content):,} bytes]")
        self.stream.write("\n".join(lines) + "\n" + "-" * 79 + "\n")
