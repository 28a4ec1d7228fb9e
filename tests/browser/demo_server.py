"""`manage.py runserver` for the browser tests, on a port the system picks as the server binds:

    python -m tests.browser.demo_server --noreload 127.0.0.1:0

Django's runserver reports the port it bound ("Starting development server at
http://127.0.0.1:PORT/") once it listens: the tests wait for that line, and no other process can
take the port between its choice and the bind. The links the server writes in letters and
e-mails (PUBLIC_BASE_URL) then name that port too.
"""

import os
import sys


def main(argv: list[str]) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "exchange_office.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import get_commands, load_command_class

    runserver = load_command_class(get_commands()["runserver"], "runserver")
    report = runserver.on_bind

    def on_bind(server_port: int) -> None:
        settings.PUBLIC_BASE_URL = f"http://127.0.0.1:{server_port}"
        report(server_port)
        sys.stdout.flush()

    runserver.on_bind = on_bind  # type: ignore[method-assign]  # this server's own port
    runserver.run_from_argv(["manage.py", "runserver", *argv])


if __name__ == "__main__":
    main(sys.argv[1:])
