from io import StringIO

from django.core.mail import EmailMessage

from exchange_office.mail import ConsoleEmailBackend


def test_console_mail_names_the_attachment_instead_of_dumping_it() -> None:
    stream = StringIO()
    message = EmailMessage("Your receipt", "Dear client,", "office@example.com", ["c@example.com"])
    message.attach("R1.pdf", b"%PDF-1.7 " + b"x" * 2000, "application/pdf")
    ConsoleEmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: Your receipt" in printed
    assert "[attached: R1.pdf, application/pdf, 2,009 bytes]" in printed
    assert "JVBER" not in printed  # no base64 of the PDF
