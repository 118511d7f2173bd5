"""What the actions write beside a copied case (bench/pages.py's bulk): its ledger entries and
its deadline rows, made by the same functions the actions' own writes go through.

- **Ledger entries.** For each entry of the sample case it copies (``case.open``, each
  ``case.filing_decision``): the same action, facts and ``previous``, the copy's actor of the
  same role, its time shifted as the case's, and the references (table, id, SHA-256) of the
  copy's rows in the state that act left them (the case before filing until the head's
  approval, then as filed) — built by ``ledger.append._new_row``, the row ``append_entry``
  inserts (canonical JSON, RFC 9162 leaf hash, tag). Not integrated: the worker does that.
- **Deadline rows.** ``case_deadlines`` (the rules) on the sample case's facts with the copy's
  identity, parties, dates and approvals, turned into rows as ``refresh_obligations`` does.

`check_copies` then runs ``verify`` on an agency made only of copies and recomputes the deadline
rows of some copies from their own rows (`obligation_rows.case_values`), which must agree.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

ENTRY_ACTIONS = ("case.open", "case.filing_decision")


def copy_row(row: Any, **changes: Any) -> Any:
    """A new row of *row*'s model with its columns (not its id), *changes* applied."""
    values = {
        f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields if not f.primary_key
    }
    values.update(changes)
    return type(row)(**values)


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    """The application's clock stopped at *moment* (as the tests travel in time)."""
    from casetrail import clock

    real = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real


class Templates:
    """The sample cases' entries and facts, read once."""

    def __init__(self, sample: list[Any], people: dict[str, Any]) -> None:
        from casetrail.cases.facts import case_facts
        from casetrail.cases.selectors import working_calendar
        from casetrail.ledger.models import LedgerEntry

        self.calendar = working_calendar()
        self.entries: dict[int, list[tuple[Any, dict[str, Any]]]] = {}
        for entry in LedgerEntry.objects.filter(case__in=sample).order_by("id"):
            if entry.action not in ENTRY_ACTIONS:
                raise RuntimeError(f"a sample case has an act the copies lack: {entry.action}")
            assert entry.case_id is not None
            self.entries.setdefault(entry.case_id, []).append((entry, json.loads(entry.payload)))
        self.facts = {case.pk: case_facts(case, calendar=self.calendar) for case in sample}
        self.role_of_user = {
            people[who].user_id: who for who in ("officer", "officer2", "reviewer", "head")
        }


def _state_at(copy: Any, payload: dict[str, Any]) -> Any:
    """The copied case as the act of *payload* left it."""
    facts, previous = payload["facts"], payload["previous"]
    if payload["action"] == "case.filing_decision" and facts.get("outcome") == "approved":
        return copy
    stage = facts["stage"] if payload["action"] == "case.open" else previous["stage"]
    state = copy_row(copy, stage=stage, filed_at=None)
    state.pk = copy.pk
    return state


def entries_of(
    templates: Templates,
    template: Any,
    copy: Any,
    rows: dict[tuple[str, int], Any],
    people: dict[str, Any],
) -> list[Any]:
    """The ledger entries of *copy*; *rows*: the copy's row of each of the template's rows."""
    from casetrail.ledger.append import _new_row
    from casetrail.ledger.models import LedgerEntry

    made = []
    for entry, payload in templates.entries[template.pk]:
        records = [
            _state_at(copy, payload)
            if ref["table"] == "cases_case"
            else rows[(ref["table"], int(ref["id"]))]
            for ref in payload["records"]
        ]
        actor = people[templates.role_of_user[entry.actor_id]].user
        with clock_at(copy.opened_at + (entry.recorded_at - template.opened_at)):
            row = _new_row(
                people["agency"],
                entry.action,
                actor,
                copy,
                records,
                payload["facts"],
                payload["previous"],
            )
        made.append(LedgerEntry(id=None, **row._asdict()))
    return made


def obligations_of(
    templates: Templates, template: Any, copy: Any, party: Any, approvals: list[Any]
) -> list[Any]:
    """The deadline rows the acts would have left on *copy* (`obligation_rows.case_values`)."""
    from casetrail import clock
    from casetrail.cases.obligation_rows import OPEN_STAGES, _from_deadline
    from casetrail.cases.obligations import Obligation
    from casetrail.procedure.deadlines import case_deadlines
    from casetrail.procedure.facts import PartyFacts

    if copy.stage not in OPEN_STAGES and copy.start_type != "emergency":
        return []
    facts = templates.facts[template.pk]
    chains = tuple(
        dataclasses.replace(
            chain,
            approved_on=clock.localdate(
                max(a.acted_at for a in approvals if a.subject == chain.subject)
            ),
        )
        if chain.approved_on is not None
        else chain
        for chain in facts.chains
    )
    party_facts = PartyFacts(
        party.pk, party.kind, party.name, party.address, party.individual_business
    )
    facts = dataclasses.replace(
        facts,
        case_id=copy.pk,
        case_number=copy.case_number,
        opened_on=clock.localdate(copy.opened_at),
        filed_on=clock.localdate(copy.filed_at) if copy.filed_at else None,
        parties=(party_facts,),
        chains=chains,
    )
    return [
        Obligation(**_from_deadline(copy, d)._asdict())
        for d in case_deadlines(facts)
        if copy.stage in OPEN_STAGES or d.kind == "emergency_backfill"
    ]


def check_copies(agency: Any, sample_size: int = 50) -> dict[str, int]:
    """``verify`` of *agency* (copies only) once its log is integrated and a checkpoint signed
    (their entries are up to three years old: unsigned, verify reports them overdue), and the
    deadline rows of
    *sample_size* of its cases recomputed from their rows; raises on any difference."""
    from casetrail.cases.models import Case
    from casetrail.cases.obligation_rows import _sync, case_values
    from casetrail.cases.obligations import Obligation
    from casetrail.cases.selectors import working_calendar
    from casetrail.ledger.checkpoints import publish
    from casetrail.ledger.selectors import agency_log
    from casetrail.ledger.verify import verify

    publish(agency_log(agency))  # integrates its log, then signs a checkpoint, as the worker
    report = verify(agency_codes=[agency.code])
    if not report.ok() or report.findings:
        shown = "; ".join(str(f) for f in list(report.findings)[:5])
        raise RuntimeError(f"verify of the copies found {len(report.findings)}: {shown}")
    calendar = working_calendar()
    rows = 0
    for case in Case.objects.filter(agency=agency).order_by("?")[:sample_size]:
        existing = list(Obligation.objects.filter(case=case))
        rows += len(existing)
        found = _sync(existing, case_values(case, calendar), write=False)
        if found:
            raise RuntimeError(f"{case.case_number}: deadline rows differ: {found[:3]}")
    return {"copies_entries_verified": report.entries_checked, "copies_obligations_checked": rows}
