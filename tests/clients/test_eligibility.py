"""The contraindication rules of docs/domain.md, boundary by boundary, then as properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clients.eligibility import (
    BLOCK,
    CAUTION,
    Finding,
    assess,
    assess_at,
    blocks,
    cautions,
    oldest_intake_in_date,
)
from clients.models import Intake

LONDON = ZoneInfo("Europe/London")
TODAY = dt.date(2026, 11, 21)


def intake(submitted_on: dt.date = TODAY, **answers: object) -> Intake:
    """An unsaved intake submitted at 10:00 spa time; every answer is "no" unless given."""
    submitted_at = dt.datetime.combine(submitted_on, dt.time(10), tzinfo=LONDON)
    return Intake(submitted_at=submitted_at, **answers)


def codes(findings: list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


# No intake, a clear intake --------------------------------------------------------------------


def test_no_intake_blocks_until_one_is_filled_in() -> None:
    assert assess(None, TODAY, today=TODAY) == [
        Finding(
            code="intake_missing",
            severity=BLOCK,
            message="No health intake on file: the client must fill one in before booking.",
            until=None,
        )
    ]


def test_a_clear_intake_has_no_findings() -> None:
    assert assess(intake(date_of_birth=dt.date(1985, 6, 15)), TODAY, today=TODAY) == []


# Intake expiry ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expired"),
    [
        pytest.param(dt.date(2026, 9, 1), False, id="day 0, the day it was filled in"),
        pytest.param(dt.date(2026, 11, 29), False, id="day 89, Sun 29 Nov"),
        pytest.param(dt.date(2026, 11, 30), False, id="day 90, Mon 30 Nov, last valid day"),
        pytest.param(dt.date(2026, 12, 1), True, id="day 91, Tue 1 Dec, expired"),
        pytest.param(dt.date(2027, 3, 1), True, id="months later"),
    ],
)
def test_intake_expires_after_90_days(today: dt.date, expired: bool) -> None:
    findings = assess(intake(submitted_on=dt.date(2026, 9, 1)), today, today=today)

    assert ("intake_expired" in codes(findings)) is expired


@pytest.mark.parametrize(
    ("today", "oldest"),
    [
        pytest.param(dt.date(2026, 11, 30), dt.date(2026, 9, 1), id="Mon 30 Nov: 1 Sep in date"),
        pytest.param(dt.date(2026, 12, 1), dt.date(2026, 9, 2), id="Tue 1 Dec: 1 Sep out of date"),
    ],
)
def test_the_oldest_intake_in_date_is_the_one_of_90_days_ago(
    today: dt.date, oldest: dt.date
) -> None:
    assert oldest_intake_in_date(today) == oldest
    assert "intake_expired" not in codes(assess(intake(submitted_on=oldest), today, today=today))
    day_before = intake(submitted_on=oldest - dt.timedelta(days=1))
    assert "intake_expired" in codes(assess(day_before, today, today=today))


def test_intake_expiry_depends_on_today_not_on_the_session_date() -> None:
    september_intake = intake(submitted_on=dt.date(2026, 9, 1))

    assert codes(assess(september_intake, dt.date(2027, 1, 5), today=dt.date(2026, 11, 30))) == []
    assert codes(assess(september_intake, dt.date(2026, 11, 1), today=dt.date(2026, 12, 1))) == [
        "intake_expired"
    ]


def test_intake_age_counts_from_the_spa_local_date_it_was_submitted() -> None:
    # 00:30 on 1 Sep in London (summer time) is still 31 Aug in UTC.
    submitted_at = dt.datetime(2026, 9, 1, 0, 30, tzinfo=LONDON).astimezone(dt.UTC)
    just_after_midnight = Intake(submitted_at=submitted_at)

    on_day_90 = dt.date(2026, 11, 30)
    assert assess(just_after_midnight, on_day_90, today=on_day_90) == []


def test_expired_intake_says_when_it_was_filled_in_and_that_it_needs_renewing() -> None:
    findings = assess(intake(submitted_on=dt.date(2026, 9, 1)), TODAY, today=dt.date(2026, 12, 1))

    assert findings == [
        Finding(
            code="intake_expired",
            severity=BLOCK,
            message="The health intake of Tue 1 Sep is more than 90 days old: "
            "the client must fill in a new one.",
            until=None,
        )
    ]


def test_expired_intake_still_reports_every_other_finding() -> None:
    old_intake = intake(
        submitted_on=dt.date(2026, 9, 1),
        has_pacemaker=True,
        last_injectable_on=dt.date(2026, 11, 25),
        epilepsy=True,
    )

    findings = assess(old_intake, dt.date(2026, 12, 2), today=dt.date(2026, 12, 1))

    assert codes(findings) == ["intake_expired", "pacemaker", "recent_injectable", "epilepsy"]


# Yes/no answers that always apply ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("answer", "code", "severity"),
    [
        pytest.param("has_pacemaker", "pacemaker", BLOCK, id="pacemaker blocks"),
        pytest.param("acute_acne", "acute_acne", BLOCK, id="acute acne blocks"),
        pytest.param("epilepsy", "epilepsy", CAUTION, id="epilepsy cautions"),
        pytest.param("cancer", "cancer", CAUTION, id="cancer cautions"),
        pytest.param("metal_implants", "metal_implants", CAUTION, id="metal implants caution"),
        pytest.param("heart_condition", "heart_condition", CAUTION, id="heart condition cautions"),
        pytest.param("skin_lesions", "skin_lesions", CAUTION, id="skin lesions caution"),
    ],
)
def test_a_yes_answer_applies_on_every_date_until_the_intake_changes(
    answer: str, code: str, severity: str
) -> None:
    yes = intake(**{answer: True})

    for on in [TODAY, TODAY + dt.timedelta(days=1), TODAY + dt.timedelta(days=365)]:
        [finding] = assess(yes, on, today=TODAY)
        assert (finding.code, finding.severity, finding.until) == (code, severity, None)
        assert finding.message.endswith(".")


@pytest.mark.parametrize(
    "answer",
    [
        "has_pacemaker",
        "acute_acne",
        "epilepsy",
        "cancer",
        "metal_implants",
        "heart_condition",
        "skin_lesions",
    ],
)
def test_a_no_answer_gives_no_finding(answer: str) -> None:
    assert assess(intake(**{answer: False}), TODAY, today=TODAY) == []


def test_pacemaker_message_says_never() -> None:
    [finding] = assess(intake(has_pacemaker=True), TODAY, today=TODAY)

    assert finding.message == (
        "Pacemaker or other implanted electronic device: microcurrent must never be used."
    )


def test_cautions_ask_for_a_staff_note() -> None:
    [finding] = assess(intake(epilepsy=True), TODAY, today=TODAY)

    assert finding.message == "Epilepsy: book only with a staff note acknowledging it."


# Pregnancy ------------------------------------------------------------------------------------

DUE = dt.date(2027, 6, 1)


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param(dt.date(2026, 11, 29), ["pregnancy_first_trimester"], id="Sun 29 Nov blocked"),
        pytest.param(
            dt.date(2026, 11, 30),
            ["pregnancy_first_trimester"],
            id="Mon 30 Nov, last day of the first trimester, blocked",
        ),
        pytest.param(dt.date(2026, 12, 1), ["pregnancy"], id="Tue 1 Dec allowed with a caution"),
        pytest.param(dt.date(2026, 12, 2), ["pregnancy"], id="Wed 2 Dec allowed with a caution"),
        pytest.param(DUE, ["pregnancy"], id="on the due date, a caution"),
    ],
)
def test_pregnancy_blocks_until_182_days_before_the_due_date(
    on: dt.date, expected: list[str]
) -> None:
    assert codes(assess(intake(pregnant=True, due_date=DUE), on, today=TODAY)) == expected


def test_first_trimester_block_says_the_due_date_and_when_treatment_can_start() -> None:
    findings = assess(intake(pregnant=True, due_date=DUE), dt.date(2026, 11, 30), today=TODAY)

    assert findings == [
        Finding(
            code="pregnancy_first_trimester",
            severity=BLOCK,
            message="First trimester of pregnancy (due Tue 1 Jun 2027): "
            "no treatment until Tue 1 Dec.",
            until=dt.date(2026, 12, 1),
        )
    ]


def test_pregnancy_after_the_first_trimester_is_a_caution_until_the_intake_changes() -> None:
    [finding] = assess(intake(pregnant=True, due_date=DUE), dt.date(2026, 12, 1), today=TODAY)

    assert (finding.severity, finding.until) == (CAUTION, None)
    assert "due Tue 1 Jun 2027" in finding.message


@pytest.mark.parametrize(
    "on",
    [pytest.param(TODAY, id="today"), pytest.param(dt.date(2027, 9, 1), id="a year on")],
)
def test_pregnant_without_a_due_date_blocks_until_the_intake_changes(on: dt.date) -> None:
    [finding] = assess(intake(pregnant=True), on, today=TODAY)

    assert (finding.code, finding.severity, finding.until) == (
        "pregnancy_due_date_missing",
        BLOCK,
        None,
    )


# Filler and botox -------------------------------------------------------------------------------

INJECTED = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("on", "blocked"),
    [
        pytest.param(INJECTED, True, id="injection day, Fri 20 Nov, blocked"),
        pytest.param(dt.date(2026, 12, 3), True, id="day 13, Thu 3 Dec, blocked"),
        pytest.param(dt.date(2026, 12, 4), False, id="day 14, Fri 4 Dec, allowed"),
        pytest.param(dt.date(2026, 12, 5), False, id="day 15, Sat 5 Dec, allowed"),
    ],
)
def test_filler_blocks_until_day_14(on: dt.date, blocked: bool) -> None:
    findings = assess(intake(last_injectable_on=INJECTED), on, today=TODAY)

    assert ("recent_injectable" in codes(findings)) is blocked


def test_filler_block_says_when_treatment_can_start() -> None:
    findings = assess(intake(last_injectable_on=INJECTED), dt.date(2026, 12, 3), today=TODAY)

    assert findings == [
        Finding(
            code="recent_injectable",
            severity=BLOCK,
            message="Filler or botox injected Fri 20 Nov: no treatment until Fri 4 Dec, "
            "14 days after.",
            until=dt.date(2026, 12, 4),
        )
    ]


# Age ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born", "on", "turns_18"),
    [
        pytest.param(
            dt.date(2008, 12, 15), dt.date(2026, 12, 14), dt.date(2026, 12, 15), id="day before 18"
        ),
        pytest.param(dt.date(2008, 12, 15), dt.date(2026, 12, 15), None, id="18th birthday"),
        pytest.param(dt.date(2008, 12, 15), dt.date(2026, 12, 16), None, id="day after 18"),
        pytest.param(
            dt.date(2008, 2, 29), dt.date(2026, 2, 28), dt.date(2026, 3, 1), id="29 Feb, 28 Feb"
        ),
        pytest.param(dt.date(2008, 2, 29), dt.date(2026, 3, 1), None, id="29 Feb, 18 on 1 Mar"),
        pytest.param(dt.date(1985, 6, 15), TODAY, None, id="adult"),
    ],
)
def test_under_18_is_a_caution_until_the_18th_birthday(
    born: dt.date, on: dt.date, turns_18: dt.date | None
) -> None:
    findings = assess(intake(date_of_birth=born), on, today=TODAY)

    if turns_18 is None:
        assert findings == []
    else:
        [finding] = findings
        assert (finding.code, finding.severity, finding.until) == ("under_18", CAUTION, turns_18)


def test_under_18_without_a_date_of_birth_gives_no_finding() -> None:
    assert assess(intake(date_of_birth=None), TODAY, today=TODAY) == []


# Order and filters --------------------------------------------------------------------------------


def test_findings_list_blocks_first_then_cautions_in_the_rule_table_order() -> None:
    everything = intake(
        submitted_on=dt.date(2026, 1, 5),
        has_pacemaker=True,
        acute_acne=True,
        pregnant=True,
        due_date=DUE,
        last_injectable_on=INJECTED,
        epilepsy=True,
        cancer=True,
        metal_implants=True,
        heart_condition=True,
        skin_lesions=True,
        date_of_birth=dt.date(2010, 1, 1),
    )

    findings = assess(everything, dt.date(2026, 11, 30), today=TODAY)

    assert codes(findings) == [
        "intake_expired",
        "pacemaker",
        "acute_acne",
        "pregnancy_first_trimester",
        "recent_injectable",
        "epilepsy",
        "cancer",
        "metal_implants",
        "heart_condition",
        "skin_lesions",
        "under_18",
    ]


def test_blocks_and_cautions_split_the_findings() -> None:
    findings = assess(intake(acute_acne=True, cancer=True), TODAY, today=TODAY)

    assert codes(blocks(findings)) == ["acute_acne"]
    assert codes(cautions(findings)) == ["cancer"]
    assert [finding.is_block for finding in findings] == [True, False]


# Settings -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "blocked"),
    [
        pytest.param(dt.date(2026, 12, 4), True, id="day 14 blocked when the wait is 21"),
        pytest.param(dt.date(2026, 12, 10), True, id="day 20 blocked"),
        pytest.param(dt.date(2026, 12, 11), False, id="day 21 allowed"),
    ],
)
def test_injectable_wait_follows_the_setting(settings, on: dt.date, blocked: bool) -> None:
    settings.INJECTABLE_WAIT_DAYS = 21

    findings = assess(intake(last_injectable_on=INJECTED), on, today=TODAY)

    assert ("recent_injectable" in codes(findings)) is blocked


def test_injectable_message_gives_the_configured_wait(settings) -> None:
    settings.INJECTABLE_WAIT_DAYS = 21

    [finding] = assess(intake(last_injectable_on=INJECTED), TODAY, today=TODAY)

    assert finding.message.endswith("no treatment until Fri 11 Dec, 21 days after.")
    assert finding.until == dt.date(2026, 12, 11)


@pytest.mark.parametrize(
    ("today", "expired"),
    [
        pytest.param(dt.date(2026, 10, 1), False, id="day 30 valid when intakes last 30 days"),
        pytest.param(dt.date(2026, 10, 2), True, id="day 31 expired"),
    ],
)
def test_intake_validity_follows_the_setting(settings, today: dt.date, expired: bool) -> None:
    settings.INTAKE_VALID_DAYS = 30

    findings = assess(intake(submitted_on=dt.date(2026, 9, 1)), today, today=today)

    assert ("intake_expired" in codes(findings)) is expired
    if expired:
        assert "is more than 30 days old" in findings[0].message


# Time zones ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "injected", "local_start", "blocked"),
    [
        pytest.param(
            "Europe/London",
            dt.date(2026, 6, 1),
            dt.datetime(2026, 6, 15, 0, 30),
            False,
            id="London summer: 00:30 on day 14 is allowed though UTC still says day 13",
        ),
        pytest.param(
            "Europe/London",
            dt.date(2026, 6, 1),
            dt.datetime(2026, 6, 14, 23, 30),
            True,
            id="London summer: 23:30 on day 13 is blocked",
        ),
        pytest.param(
            "America/New_York",
            INJECTED,
            dt.datetime(2026, 12, 3, 23, 30),
            True,
            id="New York: 23:30 on day 13 is blocked though UTC already says day 14",
        ),
        pytest.param(
            "America/New_York",
            INJECTED,
            dt.datetime(2026, 12, 4, 0, 30),
            False,
            id="New York: 00:30 on day 14 is allowed",
        ),
    ],
)
def test_a_session_counts_on_the_spa_local_date_whatever_the_time(
    settings, zone: str, injected: dt.date, local_start: dt.datetime, blocked: bool
) -> None:
    settings.TIME_ZONE = zone
    starts_at = local_start.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC)

    findings = assess_at(intake(last_injectable_on=injected), starts_at, today=injected)

    assert ("recent_injectable" in codes(findings)) is blocked


def test_a_zone_activated_for_a_request_does_not_move_the_session_date() -> None:
    starts_at = dt.datetime(2026, 12, 3, 23, 30, tzinfo=LONDON)

    with timezone.override(ZoneInfo("Asia/Tokyo")):
        findings = assess_at(intake(last_injectable_on=INJECTED), starts_at, today=TODAY)

    assert codes(findings) == ["recent_injectable"]


# Properties ---------------------------------------------------------------------------------------

PROPERTIES = hypothesis_settings(max_examples=200, deadline=None)
some_dates = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2029, 12, 31))


@st.composite
def intakes(draw: st.DrawFn) -> Intake:
    """Any intake a client could have on file."""
    pregnant = draw(st.booleans())
    return Intake(
        submitted_at=draw(
            st.datetimes(
                min_value=dt.datetime(2024, 1, 1),
                max_value=dt.datetime(2029, 12, 31),
                timezones=st.just(dt.UTC),
            )
        ),
        date_of_birth=draw(
            st.none() | st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2029, 12, 31))
        ),
        has_pacemaker=draw(st.booleans()),
        acute_acne=draw(st.booleans()),
        pregnant=pregnant,
        due_date=draw(st.none() | some_dates) if pregnant else None,
        last_injectable_on=draw(st.none() | some_dates),
        epilepsy=draw(st.booleans()),
        cancer=draw(st.booleans()),
        metal_implants=draw(st.booleans()),
        heart_condition=draw(st.booleans()),
        skin_lesions=draw(st.booleans()),
    )


def _last_sunday(year: int, month: int) -> dt.date:
    last = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() + 1) % 7)


# The days the clocks change in London, when a local day is 23 or 25 hours long.
LONDON_CLOCK_CHANGES = [
    _last_sunday(year, month) for year in range(2024, 2030) for month in (3, 10)
]
NEAR_MIDNIGHT_AND_CLOCK_CHANGES = [
    dt.time(0, 0),
    dt.time(0, 30),
    dt.time(0, 59, 59),
    dt.time(1, 0),
    dt.time(1, 30),
    dt.time(2, 0),
    dt.time(23, 0),
    dt.time(23, 30),
    dt.time(23, 59, 59, 999999),
]


@PROPERTIES
@given(intakes(), some_dates, some_dates, st.integers(min_value=0, max_value=400))
def test_no_block_applies_on_or_after_its_until_date(
    an_intake: Intake, on: dt.date, today: dt.date, days_after: int
) -> None:
    for block in blocks(assess(an_intake, on, today=today)):
        if block.until is not None:
            later = block.until + dt.timedelta(days=days_after)
            assert block.code not in codes(assess(an_intake, later, today=today))


@PROPERTIES
@given(intakes(), some_dates, some_dates)
def test_every_dated_block_ends_after_the_session_date(
    an_intake: Intake, on: dt.date, today: dt.date
) -> None:
    for block in blocks(assess(an_intake, on, today=today)):
        assert block.until is None or block.until > on


@PROPERTIES
@given(
    intakes(),
    some_dates | st.sampled_from(LONDON_CLOCK_CHANGES),
    st.times() | st.sampled_from(NEAR_MIDNIGHT_AND_CLOCK_CHANGES),
    st.sampled_from([0, 1]),
    some_dates,
)
def test_findings_never_depend_on_the_time_of_day(
    an_intake: Intake, day: dt.date, time: dt.time, fold: int, today: dt.date
) -> None:
    spa_zone = ZoneInfo(django_settings.TIME_ZONE)
    starts_at = dt.datetime.combine(day, time, tzinfo=spa_zone).replace(fold=fold)

    expected = assess(an_intake, starts_at.date(), today=today)
    assert assess_at(an_intake, starts_at, today=today) == expected
    assert assess_at(an_intake, starts_at.astimezone(dt.UTC), today=today) == expected
