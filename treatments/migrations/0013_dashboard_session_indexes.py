"""The dashboard counts a period's sessions by status, and the sessions completed each week,
from indexes alone: the sessions' start index carries the status (on PostgreSQL; SQLite has no
covering indexes and keeps a plain one), and completed sessions get an index of their own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0012_series_session_tally")]

    operations = [
        migrations.RemoveIndex(model_name="session", name="session_starts_idx"),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                fields=["starts_at"], include=("status",), name="session_starts_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("status", "completed")),
                fields=["starts_at"],
                name="session_completed_idx",
            ),
        ),
    ]
