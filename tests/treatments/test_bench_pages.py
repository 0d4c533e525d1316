from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command


@pytest.mark.django_db
def test_bench_pages_prints_time_and_queries_for_every_page(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")

    call_command("bench_pages", runs=1)

    lines = capsys.readouterr().out.splitlines()
    table = lines[lines.index(next(line for line in lines if line.startswith("page"))) :]
    assert len(table) == 11
    assert any(row.startswith("Calendar, team day") for row in table)
    for row in table[1:]:
        assert row.endswith("200"), row


@pytest.mark.django_db
def test_bench_pages_asks_for_the_demo_data_first():
    with pytest.raises(CommandError, match="seed_demo"):
        call_command("bench_pages", runs=1)
