"""`do_import_officers`: a planned file of officers applied by the officers' own acts, in one
transaction (`officer_import.py` reads and checks it)."""

from __future__ import annotations

from dataclasses import replace

from django.contrib.auth.models import User
from django.db import transaction

from casetrail.cases.actions.officers import do_change_officer, do_enrol_officer
from casetrail.cases.actions.setup import do_grant_role, do_set_legal_review
from casetrail.cases.models import Agency
from casetrail.cases.officer_import import ImportPlan, PlannedRow, existing_officer, plan_import


def _apply_row(
    acting_user: User | None, agency: Agency, row: PlannedRow, legal: bool
) -> str | None:
    """Apply one row; a new account's activation code is returned."""
    if row.kind == "create":
        return do_enrol_officer(
            acting_user=acting_user, agency=agency, data=row.data
        ).activation_code
    officer = existing_officer(agency, row.data.username)
    assert officer is not None  # planned in this transaction
    data = row.data
    if not legal:  # the file says nothing of the qualification: it stays as it is
        data = replace(
            data, legal_review_certificate_number=officer.legal_review_certificate_number
        )
    if any(not change.startswith("授予角色") for change in row.changes):
        officer = do_change_officer(
            acting_user=acting_user, agency=agency, officer=officer, data=data
        )
    for role in row.new_roles:
        do_grant_role(acting_user=acting_user, officer=officer, agency=agency, role=role)
    qualified = bool(data.legal_review_certificate_number)
    if legal and qualified != officer.legal_review_qualified:
        do_set_legal_review(
            acting_user=acting_user, officer=officer, agency=agency, qualified=qualified
        )
    return None


def do_import_officers(
    *, acting_user: User | None, agency: Agency, filename: str, content: bytes, dry_run: bool
) -> ImportPlan:
    """Plan the file and, unless *dry_run* or any row is bad, apply it: every officer created
    or changed by their own acts, all in one transaction or none at all; the new accounts'
    activation codes are in the plan. Raises `ImportUnreadable` when the file is unreadable."""
    with transaction.atomic():
        plan = plan_import(agency, filename, content)
        if dry_run or not plan.ok:
            return plan
        for row in plan.rows:
            if row.kind != "unchanged":
                code = _apply_row(acting_user, agency, row, plan.has_legal_review_column)
                if code is not None:
                    plan.activation_codes[row.data.username] = code
    return plan
