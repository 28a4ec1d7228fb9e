"""The positions feed kept between the admin's preview and its confirmation."""

from django.conf import settings
from django.db import models


class PendingImport(models.Model):
    """A feed uploaded in the admin (Positions > Import) and previewed, kept until *Confirm
    import* reads and removes it, or the sweep deletes it a day later. In the database, which
    every web server shares (the confirmation may reach another server than the preview),
    under an unguessable name and for the operator who uploaded it only."""

    name = models.CharField(max_length=64, unique=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    data = models.BinaryField(help_text="The file's bytes, as uploaded.")
    uploaded_at = models.DateTimeField(help_text="Wall clock.")

    class Meta:
        verbose_name = "pending positions import"

    def __str__(self) -> str:
        return f"Positions feed uploaded by {self.uploaded_by_id} at {self.uploaded_at}"
