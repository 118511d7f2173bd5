"""The working-day calendar page (/calendar/<year>/): a system administrator enters one year's
days off and make-up workdays from the State Council's notice, through `do_set_calendar_year`
(each entry a ledgered act; issue 14, item 5). Everyone else gets 403."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from casetrail import access
from casetrail.cases.actions.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    CalendarEntry,
    check_calendar_year,
    do_set_calendar_year,
)
from casetrail.cases.models import CalendarYear
from casetrail.cases.selectors import calendar_years
from casetrail.procedure.errors import RuleViolation

OFF = "休"
WORK = "班"
DAYS_HELP = (
    f"每行一天：日期 {OFF}或{WORK} 说明，例如“2027-01-01 {OFF} 元旦”“2027-02-07 {WORK} 春节调休”"
)


def parse_days(text: str) -> list[CalendarEntry]:
    """The days typed on the page; a bad line is refused with its number and what is wrong."""
    entries = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split(maxsplit=2)
        if not parts:
            continue
        if len(parts) < 3 or parts[1] not in (OFF, WORK):
            raise forms.ValidationError(f"放假与调休：第 {number} 行应为“日期 {OFF}/{WORK} 说明”")
        try:
            day = date.fromisoformat(parts[0])
        except ValueError:
            raise forms.ValidationError(
                f"放假与调休：第 {number} 行的日期“{parts[0]}”应写作 YYYY-MM-DD"
            ) from None
        entries.append(CalendarEntry(day, parts[1] == WORK, parts[2].strip()))
    return entries


class CalendarForm(forms.Form):
    source = forms.CharField(label="依据（国务院办公厅通知文号）", max_length=200)
    days = forms.CharField(
        label="放假与调休", widget=forms.Textarea(attrs={"rows": 16}), help_text=DAYS_HELP
    )

    def __init__(self, *args: object, year: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.year = year

    def clean_days(self) -> list[CalendarEntry]:
        return parse_days(self.cleaned_data["days"])

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if "source" in data and "days" in data:
            try:
                check_calendar_year(self.year, str(data["source"]), data["days"])
            except RuleViolation as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return data


def _initial(current: CalendarYear | None) -> dict[str, str]:
    if current is None:
        return {}
    lines = [
        f"{d.day.isoformat()} {WORK if d.is_working_day else OFF} {d.name}"
        for d in current.days.order_by("day")
    ]
    return {"source": current.source, "days": "\n".join(lines)}


@login_required
def calendar_year(request: HttpRequest, year: int) -> HttpResponse:
    access.require_calendar_admin(request.user)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return render(
            request, "web/calendar.html", {"year": year, "out_of_range": True}, status=404
        )
    current = calendar_years().get(year)
    if request.method == "POST":
        form = CalendarForm(request.POST, year=year)
        if form.is_valid():
            assert isinstance(request.user, User)
            try:
                do_set_calendar_year(
                    acting_user=request.user,
                    year=year,
                    source=form.cleaned_data["source"],
                    days=form.cleaned_data["days"],
                )
            except RuleViolation as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, f"{year} 年的工作日历已录入并记入账本。")
                return redirect("calendar-year", year=year)
    else:
        form = CalendarForm(initial=_initial(current), year=year)
    versions = CalendarYear.objects.filter(year=year).order_by("-id").select_related("entered_by")
    context = {"year": year, "form": form, "current": current, "versions": versions}
    return render(request, "web/calendar.html", context)
