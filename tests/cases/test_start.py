"""Opening a case and its filing approval (Seed A art. 5–6; Seed B art. 33; 行政处罚法 第42条)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from casetrail import clock
from casetrail.cases.actions.start import ApplicationInput, do_decide_filing
from casetrail.cases.identifiers import IdentifierError
from casetrail.cases.models import Approval, Case, CaseHandler, Party
from casetrail.cases.selectors import emergency_backfill
from casetrail.ledger.models import LedgerEntry
from casetrail.procedure.errors import RuleViolation
from tests.personas import World, company, open_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


def travel_to(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    monkeypatch.setattr(clock, "now", lambda: moment.astimezone(UTC))


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def test_opening_numbers_the_case_from_the_profile(world: World) -> None:
    first = open_case(world)
    second = open_case(world)
    year = clock.today().year
    assert first.case_number == f"栾统立〔{year}〕1号"
    assert second.case_number == f"栾统立〔{year}〕2号"
    assert first.stage == "filing_review"


def test_every_action_leaves_exactly_one_ledger_entry(world: World) -> None:
    before = LedgerEntry.objects.filter(agency=world.lc).count()
    case = open_case(world)
    assert LedgerEntry.objects.filter(agency=world.lc).count() == before + 1
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    assert LedgerEntry.objects.filter(agency=world.lc).count() == before + 2
    do_decide_filing(
        acting_user=world.head.user,
        case=case,
        step="approver",
        decision="approve",
        opinion="同意立案",
    )
    assert LedgerEntry.objects.filter(agency=world.lc).count() == before + 3
    assert LedgerEntry.objects.filter(case=case).count() == 3
    case.refresh_from_db()
    assert case.stage == "investigation"
    assert case.filed_at is not None


def test_the_entry_commits_to_every_row_the_act_wrote(world: World) -> None:
    case = open_case(world)
    entry = LedgerEntry.objects.get(case=case)
    payload = json.loads(entry.payload)
    tables = sorted(ref["table"] for ref in payload["records"])
    assert tables == sorted(
        ["cases_case", "cases_party", "cases_casehandler", "cases_casehandler", "cases_approval"]
    )
    assert payload["actor"]["username"] == "zhang"
    assert payload["case_number"] == case.case_number


def test_a_refused_act_writes_nothing(world: World) -> None:
    """GIVEN an invalid party ID WHEN a case is opened THEN nothing is written, no number used."""
    counts = (Case.objects.count(), Party.objects.count(), LedgerEntry.objects.count())
    bad = company(uscc="91410324MA3K2L5P56")
    with pytest.raises(IdentifierError) as refused:
        open_case(world, parties=[bad])
    assert refused.value.field == "party_uscc"
    assert (Case.objects.count(), Party.objects.count(), LedgerEntry.objects.count()) == counts
    assert open_case(world).seq == 1


def test_fewer_than_two_handlers_is_refused(world: World) -> None:
    with pytest.raises(RuleViolation, match="不得少于2人") as refused:
        open_case(world, co_handlers=[])
    assert "第四十二条" in str(refused.value)


def test_a_handler_without_a_valid_certificate_is_refused(world: World) -> None:
    with pytest.raises(RuleViolation, match="过期证 没有当日有效的执法证件"):
        open_case(world, co_handlers=[world.expired])


def test_on_application_requires_the_registration(world: World) -> None:
    with pytest.raises(IdentifierError, match="申请人"):
        open_case(world, start_type="on_application")
    case = open_case(
        world,
        start_type="on_application",
        application=ApplicationInput("某街道办", date(2026, 11, 20), "反映迟报"),
    )
    assert case.application.applicant == "某街道办"


def test_no_self_approval(world: World) -> None:
    """Seed B art. 33: the handler who proposed cannot also review, even with the role."""
    from casetrail.cases.actions.setup import do_grant_role

    do_grant_role(acting_user=None, officer=world.zhang, agency=world.lc, role="reviewer")
    case = open_case(world)
    with pytest.raises(RuleViolation, match="不得自行审批"):
        do_decide_filing(
            acting_user=world.zhang.user,
            case=case,
            step="reviewer",
            decision="approve",
            opinion="同意",
        )
    assert Approval.objects.filter(case=case).count() == 1


def test_no_skipped_step(world: World) -> None:
    case = open_case(world)
    with pytest.raises(RuleViolation, match="不得越级审批：当前应由审核人签署意见"):
        do_decide_filing(
            acting_user=world.head.user,
            case=case,
            step="approver",
            decision="approve",
            opinion="同意",
        )


def test_approving_needs_the_role(world: World) -> None:
    case = open_case(world)
    with pytest.raises(RuleViolation, match="不是本案的审核人"):
        do_decide_filing(
            acting_user=world.li.user,
            case=case,
            step="reviewer",
            decision="approve",
            opinion="同意",
        )


def test_a_rejection_closes_the_case_as_not_filed(world: World) -> None:
    case = open_case(world)
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="reject",
        opinion="证据不足",
    )
    case.refresh_from_db()
    assert case.stage == "not_filed"
    with pytest.raises(RuleViolation, match="已经结束"):
        do_decide_filing(
            acting_user=world.head.user,
            case=case,
            step="approver",
            decision="approve",
            opinion="同意",
        )


def test_emergency_backfill_across_national_day_with_makeup_workday(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GIVEN an emergency start on Thu 2026-10-08 (after the 10-01..10-07 holiday)
    WHEN the 2-working-day backfill deadline is computed
    THEN it is Sat 2026-10-10, a make-up workday; on 10-11 it is overdue; approval clears it."""
    travel_to(monkeypatch, at(date(2026, 10, 8)))
    case = open_case(world, start_type="emergency")
    assert case.stage == "investigation"
    backfill = emergency_backfill(case)
    assert backfill is not None
    assert backfill.due.due_on == date(2026, 10, 10)
    assert not backfill.due.provisional
    assert backfill.status == "pending"

    travel_to(monkeypatch, at(date(2026, 10, 11)))
    late = emergency_backfill(case)
    assert late is not None
    assert late.status == "overdue"

    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    do_decide_filing(
        acting_user=world.head.user, case=case, step="approver", decision="approve", opinion="补办"
    )
    case.refresh_from_db()
    done = emergency_backfill(case)
    assert done is not None
    assert done.status == "done_late"


def test_emergency_backfill_before_the_holiday_skips_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(date(2026, 9, 30)))
    case = open_case(world, start_type="emergency")
    backfill = emergency_backfill(case)
    assert backfill is not None
    assert backfill.due.due_on == date(2026, 10, 9)


def test_backfill_beyond_the_calendar_is_provisional(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A deadline that reaches into a year without an official schedule is marked, not guessed."""
    travel_to(monkeypatch, at(date(2026, 12, 31)))
    case = open_case(world, start_type="emergency")
    backfill = emergency_backfill(case)
    assert backfill is not None
    assert backfill.due.provisional
    assert "2027" in backfill.due.reason


def test_the_calendar_table_extends_the_known_years(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from casetrail.cases.actions.calendar import CalendarEntry, do_set_calendar_year

    do_set_calendar_year(
        acting_user=None,
        year=2027,
        source="国办发明电〔2026〕X号（测试）",
        days=[CalendarEntry(date(2027, 1, 1), False, "元旦")],
    )
    travel_to(monkeypatch, at(date(2026, 12, 31)))
    case = open_case(world, start_type="emergency")
    backfill = emergency_backfill(case)
    assert backfill is not None
    assert not backfill.due.provisional
    assert backfill.due.due_on == date(2027, 1, 5)


def test_handlers_are_snapshotted(world: World) -> None:
    case = open_case(world)
    names = sorted(CaseHandler.objects.filter(case=case).values_list("officer_name", flat=True))
    assert names == ["张伟", "李娜"]


@pytest.mark.parametrize(
    ("violation_on", "discovered_on", "five_years", "warned"),
    [
        (date(2024, 3, 1), date(2026, 3, 1), False, False),  # exactly two years: in time
        (date(2024, 3, 1), date(2026, 3, 2), False, True),
        (date(2022, 3, 1), date(2026, 3, 2), True, False),  # 五年 for life, health, finance
        (date(2021, 3, 1), date(2026, 3, 2), True, True),
        (date(2024, 2, 29), date(2026, 3, 1), False, True),
    ],
)
def test_the_limitation_check_at_filing(
    violation_on: date, discovered_on: date, five_years: bool, warned: bool
) -> None:
    """Rule 7: 行政处罚法 第36条 — two years (five in the listed categories) before discovery."""
    from casetrail.procedure.rules.start import limitation_warning

    warning = limitation_warning(violation_on, discovered_on, five_years=five_years)
    assert bool(warning) is warned
    if warned:
        assert "第三十六条" in warning
