"""The dashboard counts a period's sessions and series by status from indexes alone: the
sessions' start index and the series' end index carry the status (on PostgreSQL; SQLite has
no covering indexes and keeps plain ones), and completed sessions get an index of their own."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("treatments", "0014_series_session_tally")]

    operations = [
        migrations.RemoveIndex(model_name="series", name="series_ended_idx"),
        migrations.AddIndex(
            model_name="series",
            index=models.Index(fields=["ended_on"], include=("status",), name="series_ended_idx"),
        ),
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
