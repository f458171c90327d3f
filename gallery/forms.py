from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from gallery.models import Record, ReviewTag
from gallery.queries import PAGE_SIZE
from gallery.validators import PlainText

RATING_CHOICES = [(n, f"{n} of 5") for n in range(1, 6)]
MAX_PAGE_SIZE = 100
MAX_FEEDBACK_CHARS = 10_000
# The dates a filter takes: the calendar's own ends (0001-01-01, 9999-12-31) overflow once a
# day is added or the time zone applied, so they are refused on their field instead.
FIRST_DATE, LAST_DATE = datetime.date(1970, 1, 1), datetime.date(9998, 12, 31)
_DATE_RANGE = f"Give a date from {FIRST_DATE.isoformat()} to {LAST_DATE.isoformat()}."


def date_field(label: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        validators=[
            MinValueValidator(FIRST_DATE, message=_DATE_RANGE),
            MaxValueValidator(LAST_DATE, message=_DATE_RANGE),
        ],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class RecordFilterForm(forms.Form):
    """The gallery's query string: every filter is optional and works without JavaScript."""

    SCOPE_CHOICES = [("mine", "My edits"), ("team", "Whole team")]
    FEEDBACK_CHOICES = [("", "Any"), ("yes", "With feedback"), ("no", "Without feedback")]

    scope = forms.ChoiceField(choices=SCOPE_CHOICES, required=False, label="Show")
    q = forms.CharField(
        required=False,
        max_length=200,
        validators=[PlainText(multiline=False)],
        label="Search",
        help_text="Text in the prompt or the feedback",
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    type = forms.ChoiceField(choices=[("", "Any")], required=False, label="Type")
    provider = forms.ChoiceField(choices=[("", "Any")], required=False, label="Provider")
    model = forms.ChoiceField(choices=[("", "Any")], required=False, label="Model")
    status = forms.ChoiceField(choices=[("", "Any")], required=False, label="Status")
    min_rating = forms.TypedChoiceField(
        choices=[("", "Any"), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        label="Rating at least",
    )
    date_from = date_field("From")
    date_to = date_field("To")
    has_feedback = forms.ChoiceField(choices=FEEDBACK_CHOICES, required=False, label="Feedback")
    # Paging, the same for the history page and GET /api/features: page N of `limit` records.
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )
    limit = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, widget=forms.HiddenInput
    )

    def __init__(
        self,
        data: dict | None,
        *,
        can_see_team: bool,
        providers: Iterable[str] = (),
        models: Iterable[str] = (),
    ) -> None:
        super().__init__(data)
        if not can_see_team:
            del self.fields["scope"]
        self.fields["type"].choices = [("", "Any"), *Record.Type.choices]
        self.fields["status"].choices = [("", "Any"), *Record.Status.choices]
        self.fields["provider"].choices = [("", "Any"), *((p, p) for p in sorted(providers))]
        self.fields["model"].choices = [("", "Any"), *((m, m) for m in sorted(models))]

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return cleaned

    @property
    def filters(self) -> dict:
        """The valid filters only: a bad value in one field does not empty the whole grid."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if k not in self.errors}

    @property
    def whole_team(self) -> bool:
        return self.filters.get("scope") == "team"

    @property
    def page_number(self) -> int:
        return self.filters.get("page") or 1

    @property
    def page_size(self) -> int:
        return self.filters.get("limit") or PAGE_SIZE

    @property
    def active_count(self) -> int:
        """How many filters narrow the list (the folded filter button says so)."""
        values = [v for k, v in self.filters.items() if k not in ("page", "limit", "scope")]
        return sum(v not in ("", None) for v in values) + (self.filters.get("scope") == "team")


class ReviewTagsField(forms.MultipleChoiceField):
    """Review tags; an empty value is dropped, so a form can send `tags=""` to mean "none"
    (a browser sends nothing at all for unticked checkboxes)."""

    def to_python(self, value):
        return [tag for tag in super().to_python(value) if tag != ""]


class RatingForm(forms.Form):
    """Rating, review tags and feedback of one record. The record page, the editor's job-card
    stars and PATCH /api/features/<uuid> all bind this form and save `changes()` through
    services.record_rating: a field not sent stays as it is (the stars send only `rating`)."""

    rating = forms.TypedChoiceField(
        choices=[("", "No rating"), *RATING_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
        label="Rating",
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose a rating from 1 to 5."},
    )
    tags = ReviewTagsField(
        choices=ReviewTag.choices,
        required=False,
        label="What you noticed",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Pick review tags from the list."},
    )
    feedback = forms.CharField(
        required=False,
        max_length=MAX_FEEDBACK_CHARS,
        validators=[PlainText()],
        label="Feedback",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What worked, what did not. Only your team sees it.",
    )

    def changes(self) -> dict:
        """The cleaned values of the fields that were sent (call after is_valid())."""
        return {name: self.cleaned_data[name] for name in self.fields if name in self.data}
