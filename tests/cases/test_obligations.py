"""Deadlines as data (issue 24 item 1): every act keeps the case's `Obligation` rows current, in
its transaction, and `casetrail deadlines --check / --rebuild` finds and repairs a wrong row.

GIVEN 栾统's cases driven through the real actions, WHEN a case is opened, its filing approved,
its decision served, the fine paid or a calendar year entered, THEN its rows appear, settle and
move exactly as the deadline rules compute them from the ledgered facts.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from casetrail.cases.actions.calendar import CalendarEntry, do_set_calendar_year
from casetrail.cases.actions.setup import do_load_agency_profile
from casetrail.cases.actions.start import do_decide_filing
from casetrail.cases.models import Case, Obligation
from casetrail.cases.obligation_rows import check_obligations
from casetrail.policy.profiles import builtin_profile_text
from tests.cases.test_procedure_end_to_end import Clock, decide
from tests.evidence.av import at, travel_to
from tests.personas import World, open_case
from tests.procedure_world import issue, serve


def rows(case: Case) -> dict[str, Obligation]:
    found = {row.kind: row for row in Obligation.objects.filter(case=case)}
    assert len(found) == Obligation.objects.filter(case=case).count()  # one row per kind here
    return found


def approve_filing(world: World, case: Case) -> None:
    do_decide_filing(
        acting_user=world.reviewer.user,
        case=case,
        step="reviewer",
        decision="approve",
        opinion="同意",
    )
    do_decide_filing(
        acting_user=world.head.user,
        case=case,
        step="approver",
        decision="approve",
        opinion="同意立案",
    )


def test_an_emergency_start_opens_its_backfill_and_a_late_approval_settles_it_late(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    case = open_case(world, start_type="emergency")
    [backfill] = Obligation.objects.filter(case=case)
    assert (backfill.kind, backfill.due_on, backfill.settled_on) == (
        "emergency_backfill",
        date(2026, 11, 4),  # 2 working days (Seed A art. 6)
        None,
    )
    assert backfill.on_list
    assert (backfill.agency_id, backfill.case_number) == (world.lc.pk, case.case_number)

    travel_to(monkeypatch, at(2026, 11, 6, 9))
    approve_filing(world, case)
    now = rows(case)
    assert now["emergency_backfill"].settled_on == date(2026, 11, 6)
    assert now["emergency_backfill"].settled_late  # stays listed as 逾期完成
    assert now["emergency_backfill"].on_list
    assert now["decision_limit"].settled_on is None  # filed: 行政处罚法 第60条 starts
    assert now["decision_limit"].due_on > date(2026, 11, 6)


def test_service_payment_and_the_calendar_move_the_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    time = Clock(monkeypatch)
    case, decision = decide(world, time)  # decided on 2026-12-15
    decided = rows(case)
    assert decided["decision_limit"].settled_on == date(2026, 12, 15)
    assert not decided["decision_limit"].on_list  # decided in time: off the list
    assert decided["decision_service"].settled_on is None
    assert "fine_payment" not in decided  # not served yet

    time.to(date(2026, 12, 18))
    serve(world, decision, date(2026, 12, 17))
    served = rows(case)
    assert served["decision_service"].settled_on == date(2026, 12, 17)
    fine = served["fine_payment"]
    assert (fine.due_on, fine.provisional, fine.settled_on) == (date(2027, 1, 1), True, None)

    do_set_calendar_year(
        acting_user=None,
        year=2027,
        source="国办发明电〔2026〕X号（测试）",
        days=[CalendarEntry(date(2027, 1, 1), False, "元旦")],
    )
    moved = rows(case)["fine_payment"]
    assert (moved.due_on, moved.provisional) == (date(2027, 1, 4), False)  # past 元旦 and a weekend

    time.to(date(2027, 1, 5))
    issue(
        world,
        case,
        "performance_record",
        {
            "decision": decision.pk,
            "performance": "paid_late",
            "amount_paid": "50000",
            "paid_on": "2027-01-05",
            "payment_proof": "回单 0001",
            "surcharge": "3000",
            "details": "当事人逾期后缴纳罚款及加处罚款",
            "recorded_on": "2027-01-05",
            "handler": world.zhang.pk,
        },
    )
    paid = rows(case)["fine_payment"]
    assert (paid.settled_on, paid.settled_late) == (date(2027, 1, 5), True)
    assert check_obligations(repair=False) == []


def test_a_failed_act_leaves_the_rows_as_they_were(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    case = open_case(world, start_type="emergency")
    before = list(Obligation.objects.filter(case=case).values_list("kind", "settled_on"))

    def approved_then_rolled_back() -> None:
        with transaction.atomic():
            approve_filing(world, case)
            raise RuntimeError("the act's transaction rolls back")

    with pytest.raises(RuntimeError):
        approved_then_rolled_back()
    after = list(Obligation.objects.filter(case=case).values_list("kind", "settled_on"))
    assert after == before


def deadlines(*arguments: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("deadlines", *arguments, stdout=out, stderr=err)
    except SystemExit as exit:
        return int(str(exit.code)), out.getvalue()
    return 0, out.getvalue()


def test_check_reports_a_damaged_row_and_rebuild_repairs_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    moved = open_case(world, start_type="emergency")
    lost = open_case(world, start_type="emergency")
    assert deadlines("--check") == (0, "期限表与按已记账事实推算的结果一致\n")
    # A derived row, not a record: damaged directly, as a bug or a hand would.
    Obligation.objects.filter(case=moved).update(due_on=date(2026, 12, 31))
    Obligation.objects.filter(case=lost).delete()

    code, report = deadlines("--check")
    assert code == 1
    assert f"{moved.case_number} emergency_backfill（期限 2026-12-31）：多出或已过时" in report
    assert f"{moved.case_number} emergency_backfill（期限 2026-11-04）：缺少" in report
    assert f"{lost.case_number} emergency_backfill（期限 2026-11-04）：缺少" in report
    assert "发现 3 处差异（未修改" in report
    assert not Obligation.objects.filter(case=lost).exists()  # --check changes nothing

    code, report = deadlines("--rebuild")
    assert code == 0
    assert "发现 3 处差异，已按推算结果改正" in report
    assert [row.due_on for row in Obligation.objects.filter(case__in=[moved, lost])] == [
        date(2026, 11, 4),
        date(2026, 11, 4),
    ]
    assert deadlines("--check")[0] == 0


def test_rebuild_fills_an_empty_table(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the migration that adds the table, `--rebuild` computes every row."""
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    case = open_case(world, start_type="emergency")
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Obligation._meta.db_table}")
    code, report = deadlines("--rebuild")
    assert code == 0
    assert f"{case.case_number} emergency_backfill（期限 2026-11-04）：缺少" in report
    assert Obligation.objects.filter(case=case).count() == 1


def test_loading_another_profile_moves_the_agencys_rows(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The periods are the profile's: 4 working days instead of 2 moves the backfill."""
    travel_to(monkeypatch, at(2026, 11, 2, 9))
    case = open_case(world, start_type="emergency")
    text = builtin_profile_text("luanchuan-2020").replace(
        'emergency_backfill = { days = 2, unit = "working_days" }',
        'emergency_backfill = { days = 4, unit = "working_days" }',
    )
    do_load_agency_profile(acting_user=None, agency=world.lc, text=text, source="本局修订")
    assert rows(case)["emergency_backfill"].due_on == date(2026, 11, 6)
