"""The admin's positions feed between the preview and *Confirm import*: django-import-export
keeps the uploaded file in a "temporary storage" and names it in the confirm form.

Its default keeps the file in the temporary folder of the machine that served the preview,
so that behind a balancer the confirmation could reach another machine and find nothing, and
its name is a path that a forged form could point at another file. Here the file is a row of
the database (`PendingImport`): every web server shares the database, in the SQLite set-up
too, whereas the cache is shared only when CACHE_URL points at Redis (each process's own
memory otherwise), and a cache may also drop an entry under memory pressure.

The name is unguessable (`secrets`), and the row is bound to the user who uploaded it: another
user's confirmation naming it, or a name that is no pending upload, reads nothing and finds
"no such upload" (`PendingImportMissing`, a `FileNotFoundError` as the default storage raises).
"""

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from import_export.tmp_storages import BaseStorage

from exchange_office import clock
from tenders.positions.models import PendingImport

# A preview not confirmed within a day is deleted by the sweep (tenders/sweep.py).
PENDING_IMPORT_MAX_AGE = timedelta(days=1)


class PendingImportMissing(FileNotFoundError):
    """No pending upload of this user has this name: imported already (its confirmation
    removed it), deleted by the sweep, another user's, or never an upload."""


def pending_import_save(*, data: bytes, by: User) -> str:
    """Keeps the uploaded file for `by`; returns its new, unguessable name."""
    name = secrets.token_urlsafe(32)  # 256 random bits, 43 characters
    PendingImport.objects.create(
        name=name, uploaded_by=by, data=bytes(data), uploaded_at=clock.wall_now()
    )
    return name


def pending_import_read(*, name: str, by: User) -> bytes:
    """The bytes `by` uploaded under `name`; PendingImportMissing if there are none."""
    data = (
        PendingImport.objects.filter(name=name, uploaded_by=by)
        .values_list("data", flat=True)
        .first()
    )
    if data is None:
        raise PendingImportMissing(name)
    return bytes(data)


def pending_import_remove(*, name: str, by: User) -> None:
    """Removes `by`'s upload `name` once imported (nothing if it is gone already)."""
    PendingImport.objects.filter(name=name, uploaded_by=by).delete()


def pending_imports_delete_expired(*, now: datetime) -> int:
    """Deletes the uploads older than PENDING_IMPORT_MAX_AGE, never confirmed; the sweep runs
    it. Returns how many went."""
    deleted, _ = PendingImport.objects.filter(uploaded_at__lt=now - PENDING_IMPORT_MAX_AGE).delete()
    return deleted


class PendingImportStorage(BaseStorage):
    """django-import-export's temporary storage on `PendingImport`, for the user given as
    `by` (the admin passes the request's user: `get_tmp_storage_class_kwargs`)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        by = kwargs.get("by")
        if not isinstance(by, User):  # none, or anonymous: nobody's upload to keep or read
            raise PendingImportMissing("an upload is kept only for a signed-in user")
        self.by = by

    def save(self, data: bytes) -> None:
        self.name = pending_import_save(data=data, by=self.by)

    def read(self) -> bytes | str:
        data = pending_import_read(name=self.name or "", by=self.by)
        if "b" in self.read_mode:
            return data
        return data.decode(self.encoding or "utf-8")

    def remove(self) -> None:
        pending_import_remove(name=self.name or "", by=self.by)
