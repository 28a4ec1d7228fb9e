from io import StringIO

import pytest
from django.core.mail import EmailMessage

from exchange_office.mail import ConsoleEmailBackend


def _receipt() -> EmailMessage:
    message = EmailMessage("Your receipt", "Dear client,", "office@example.com", ["c@example.com"])
    message.attach("R1.pdf", b"%PDF-1.7 " + b"x" * 2000, "application/pdf")
    return message


def test_console_mail_prints_one_line_per_message_by_default(settings) -> None:
    settings.EMAIL_CONSOLE_BODIES = False
    stream = StringIO()
    ConsoleEmailBackend(stream=stream).send_messages([_receipt(), _receipt()])
    assert (
        stream.getvalue().splitlines()
        == [
            "E-mail to c@example.com: Your receipt [attached: R1.pdf, application/pdf, 2,009 bytes]"
        ]
        * 2
    )


@pytest.mark.parametrize("bodies", [False, True])
def test_console_mail_names_the_attachment_instead_of_dumping_it(settings, bodies) -> None:
    settings.EMAIL_CONSOLE_BODIES = bodies
    stream = StringIO()
    ConsoleEmailBackend(stream=stream).send_messages([_receipt()])
    printed = stream.getvalue()
    assert "[attached: R1.pdf, application/pdf, 2,009 bytes]" in printed
    assert "JVBER" not in printed  # no base64 of the PDF


def test_console_mail_prints_the_whole_message_when_asked(settings) -> None:
    settings.EMAIL_CONSOLE_BODIES = True
    stream = StringIO()
    ConsoleEmailBackend(stream=stream).send_messages([_receipt()])
    printed = stream.getvalue()
    assert "Subject: Your receipt\n\nDear client,\n" in printed
