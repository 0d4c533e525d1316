"""The health intake form, in the order a client thinks, and the client details form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from clients.models import Client, Intake
from clients.pretreatment import CheckAnswers
from spa.dates import day_label

EMAIL_TAKEN = (
    "Another client already has this email address. Search the client list for them, "
    "or give a different address."
)
YES_NO = [("yes", "Yes"), ("no", "No")]
MAX_YEARS_OLD = 120
DUE_DATE_PAST_DAYS = 14
DUE_DATE_AHEAD_WEEKS = 42
FULL_TERM_DAYS = 280


def yes_no(label: str, help_text: str = "") -> forms.TypedChoiceField:
    """A question the client must answer Yes or No (no default: every answer is a choice)."""
    return forms.TypedChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        coerce=lambda answer: answer == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Please answer Yes or No."},
    )


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (29 Feb falls back to 28 Feb)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def checked_date_of_birth(born: dt.date, *, today: dt.date) -> dt.date:
    """A date of birth that is neither in the future nor more than 120 years ago."""
    if born > today:
        raise ValidationError("The date of birth can't be in the future.")
    if born < years_before(today, MAX_YEARS_OLD):
        raise ValidationError(
            f"That is more than {MAX_YEARS_OLD} years ago: please check the year."
        )
    return born


# The health answers an intake version stores, in the form's order.
BLOCK_QUESTIONS = ("has_pacemaker", "acute_acne", "pregnant", "had_injectable")
CAUTION_QUESTIONS = ("epilepsy", "cancer", "metal_implants", "heart_condition", "skin_lesions")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "date_of_birth")


class BlockQuestionsForm(forms.Form):
    """The questions a Yes to which can refuse a treatment, with their follow-ups.

    Asked on the intake and again at check-in (the pre-treatment check). `today` is the
    spa-local date the answers are given on; dates are checked against it.
    """

    has_pacemaker = yes_no(
        "Do you have a pacemaker, an implanted defibrillator or any other implanted "
        "electronic device?"
    )
    acute_acne = yes_no(
        "Do you have an acne flare-up or inflamed skin on your face or neck right now?"
    )
    pregnant = yes_no("Are you pregnant?")
    due_date = forms.DateField(label="Your due date", required=False, widget=DateInput())
    weeks_pregnant = forms.IntegerField(
        label="Or: how many weeks pregnant are you today?",
        required=False,
        min_value=0,
        max_value=42,
        error_messages={
            "min_value": "Weeks pregnant is a number from 0 to 42.",
            "max_value": "Weeks pregnant is a number from 0 to 42.",
        },
    )
    had_injectable = yes_no("Have you had dermal filler or botox injections?")
    last_injectable_on = forms.DateField(
        label="Date of your most recent injection",
        help_text="An approximate date is fine if it was more than a month ago.",
        required=False,
        widget=DateInput(),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_due_date(self) -> dt.date | None:
        due = self.cleaned_data["due_date"]
        if due is None:
            return None
        if due < self.today - dt.timedelta(days=DUE_DATE_PAST_DAYS):
            raise ValidationError(
                f"That due date is more than {DUE_DATE_PAST_DAYS} days ago. If your baby has "
                "been born, answer No to “Are you pregnant?”."
            )
        if due > self.today + dt.timedelta(weeks=DUE_DATE_AHEAD_WEEKS):
            raise ValidationError(
                f"A due date can't be more than {DUE_DATE_AHEAD_WEEKS} weeks away: please check it."
            )
        return due

    def clean_last_injectable_on(self) -> dt.date | None:
        injected = self.cleaned_data["last_injectable_on"]
        if injected is not None and injected > self.today:
            raise ValidationError("The injection date can't be in the future.")
        return injected

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("pregnant"):
            self._clean_pregnancy(data)
        elif data.get("pregnant") is False:
            self._drop_follow_ups(data, "due_date", "weeks_pregnant")
        if data.get("had_injectable"):
            if data.get("last_injectable_on") is None and "last_injectable_on" not in self.errors:
                self.add_error(
                    "last_injectable_on", "Please give the date of your most recent injection."
                )
        elif data.get("had_injectable") is False:
            self._drop_follow_ups(data, "last_injectable_on")
        return data

    def _drop_follow_ups(self, data: dict[str, Any], *names: str) -> None:
        # A follow-up of a No answer is no answer: a date left in it (typed before changing
        # the answer to No, then hidden) must neither be stored nor refuse the form.
        for name in names:
            data[name] = None
            self.errors.pop(name, None)

    def _clean_pregnancy(self, data: dict[str, Any]) -> None:
        if "due_date" in self.errors or "weeks_pregnant" in self.errors:
            return
        due, weeks = data.get("due_date"), data.get("weeks_pregnant")
        if due is None and weeks is None:
            self.add_error(
                "due_date", "Please give your due date, or how many weeks pregnant you are."
            )
        elif due is None:
            data["due_date"] = self.today + dt.timedelta(days=FULL_TERM_DAYS - 7 * weeks)

    def block_answers(self) -> dict[str, Any]:
        """The block answers as an intake version stores them (a due date only if pregnant)."""
        data = self.cleaned_data
        return {
            "has_pacemaker": data["has_pacemaker"],
            "acute_acne": data["acute_acne"],
            "pregnant": data["pregnant"],
            "due_date": data["due_date"] if data["pregnant"] else None,
            "last_injectable_on": data["last_injectable_on"],
        }


STILL_DUE = "same"


class PreTreatmentCheckForm(BlockQuestionsForm):
    """The block questions asked again at check-in, each beside what is on file.

    Dated answers are asked as changes ("Any filler or botox since Thu 26 Nov?", "Still
    pregnant, due 7 Jul 2027?"), so no answer drops what the record knows: `check_answers()`
    says only what changed, and `clients.pretreatment` writes the new version from it.
    """

    def __init__(self, *args: Any, on_file: Intake | None, today: dt.date, **kwargs: Any):
        super().__init__(*args, today=today, **kwargs)
        self.on_file = on_file
        self.keeps_due_date = False
        if on_file is not None:
            self._ask_against(on_file)

    def _ask_against(self, on_file: Intake) -> None:
        for name in ("has_pacemaker", "acute_acne"):
            self.fields[name].help_text = f"On file: {'Yes' if getattr(on_file, name) else 'No'}."
        if on_file.pregnant:
            self.fields["pregnant"] = self._still_pregnant(on_file.due_date)
        else:
            self.fields["pregnant"].help_text = "On file: not pregnant."
        since = on_file.last_injectable_on or timezone.localdate(on_file.submitted_at)
        said = self._day(since)
        self.fields["had_injectable"] = forms.TypedChoiceField(
            label=f"Any filler or botox injections since {said}?",
            help_text=(
                f"On file: the most recent injection was on {said}."
                if on_file.last_injectable_on
                else f"On file: none, as of the intake on {said}."
            ),
            choices=[("yes", "Yes"), ("no", f"No, none since {said}")],
            coerce=lambda answer: answer == "yes",
            widget=forms.RadioSelect,
            error_messages={"required": "Please answer Yes or No."},
        )
        self.fields["last_injectable_on"].label = "Date of the new injection"

    def _still_pregnant(self, due: dt.date | None) -> forms.TypedChoiceField:
        if due is None:
            return forms.TypedChoiceField(
                label="Still pregnant? No due date is on file.",
                choices=[("yes", "Yes: give the due date"), ("no", "No, not pregnant now")],
                widget=forms.RadioSelect,
                error_messages={"required": "Please choose an answer."},
            )
        said = self._day(due)
        return forms.TypedChoiceField(
            label=f"Still pregnant, due {said}?",
            choices=[
                (STILL_DUE, f"Yes, still due {said}"),
                ("yes", "Yes, with a new due date"),
                ("no", "No, not pregnant now"),
            ],
            widget=forms.RadioSelect,
            error_messages={"required": "Please choose an answer."},
        )

    def _day(self, day: dt.date) -> str:
        return day_label(day, today=self.today)

    def clean(self) -> dict[str, Any]:
        answer = self.cleaned_data.get("pregnant")
        if isinstance(answer, str):
            self.keeps_due_date = answer == STILL_DUE
            self.cleaned_data["pregnant"] = answer != "no"
        data = super().clean()
        on_file = self.on_file and self.on_file.last_injectable_on
        injected = data.get("last_injectable_on")
        if data.get("had_injectable") and on_file and injected and injected <= on_file:
            self.add_error(
                "last_injectable_on",
                f"{self._day(on_file)} is on file already: give the date of an injection "
                "after it, or answer No. To correct the date on file, record a new intake.",
            )
        return data

    def _clean_pregnancy(self, data: dict[str, Any]) -> None:
        if self.keeps_due_date:
            self._drop_follow_ups(data, "due_date", "weeks_pregnant")
            return
        super()._clean_pregnancy(data)

    def check_answers(self) -> CheckAnswers:
        """What the client said: a due date or injection only when it is new."""
        data = self.cleaned_data
        new_due_date = data["pregnant"] and not self.keeps_due_date
        return CheckAnswers(
            has_pacemaker=data["has_pacemaker"],
            acute_acne=data["acute_acne"],
            pregnant=data["pregnant"],
            due_date=data["due_date"] if new_due_date else None,
            injected_on=data["last_injectable_on"] if data["had_injectable"] else None,
        )


class IntakeForm(BlockQuestionsForm):
    """The health intake: contact details, block questions, caution questions, consent.

    `today` is the spa-local date the answers are given on; dates are checked against it.
    """

    field_order = [
        *CONTACT_FIELDS,
        *BlockQuestionsForm.base_fields,
        *CAUTION_QUESTIONS,
        "consent",
        "signature",
    ]

    first_name = forms.CharField(
        max_length=100, error_messages={"required": "Please give your first name."}
    )
    last_name = forms.CharField(
        max_length=100, error_messages={"required": "Please give your last name."}
    )
    email = forms.EmailField(
        required=False, error_messages={"invalid": "Please check the email address."}
    )
    phone = forms.CharField(max_length=30, required=False)
    date_of_birth = forms.DateField(
        widget=DateInput(),
        error_messages={
            "required": "Please give your date of birth.",
            "invalid": "Please give your date of birth as a date, e.g. 15/06/1985.",
        },
    )

    epilepsy = yes_no("Do you have epilepsy?")
    cancer = yes_no("Do you have cancer, or are you being treated for it?")
    metal_implants = yes_no("Do you have metal plates, pins or screws in your face or neck?")
    heart_condition = yes_no(
        "Do you have a heart condition, or have you had heart surgery in the last 12 months?"
    )
    skin_lesions = yes_no(
        "Do you have open wounds, cold sores or an infection on your face or neck?"
    )

    consent = forms.BooleanField(
        label="I confirm these answers are true and complete, and I will tell the spa if "
        "anything changes before a treatment.",
        error_messages={"required": "Please tick the box to confirm your answers."},
    )
    signature = forms.CharField(
        label="Type your full name to sign",
        max_length=200,
        error_messages={"required": "Please type your full name to sign."},
    )

    def __init__(self, *args: Any, today: dt.date, client: Client | None = None, **kwargs: Any):
        super().__init__(*args, today=today, **kwargs)
        self.client = client

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        others = Client.objects.with_email(email)
        if self.client is not None:
            others = others.exclude(pk=self.client.pk)
        if email and others.exists():
            raise ValidationError(
                "Another client already uses this email address. Please give your own, "
                "or ask the spa to help."
            )
        return email

    def clean_date_of_birth(self) -> dt.date:
        return checked_date_of_birth(self.cleaned_data["date_of_birth"], today=self.today)

    def health_answers(self) -> dict[str, Any]:
        """The answers an intake version stores."""
        data = self.cleaned_data
        return {
            **self.block_answers(),
            **{name: data[name] for name in CAUTION_QUESTIONS},
            "date_of_birth": data["date_of_birth"],
        }

    def contact(self) -> dict[str, Any]:
        """The contact details as given, to keep the client's record up to date."""
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


class ClientForm(forms.ModelForm):
    """A client's contact details, as staff create and edit them."""

    class Meta:
        model = Client
        fields = ["first_name", "last_name", "email", "phone", "date_of_birth", "notes"]
        widgets = {"date_of_birth": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}

    def clean_date_of_birth(self) -> dt.date | None:
        born = self.cleaned_data["date_of_birth"]
        return born and checked_date_of_birth(born, today=timezone.localdate())

    def clean_email(self) -> str:
        # Said beside the field; the database's unique rule would report it for the whole form.
        email = self.cleaned_data["email"].strip()
        others = Client.objects.with_email(email).exclude(pk=self.instance.pk)
        if email and others.exists():
            raise ValidationError(EMAIL_TAKEN)
        return email
