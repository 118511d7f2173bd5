"""Who may see the off-site backup page: the runs and repairs of the whole deployment.

Backups are the archivist's duty (DESIGN: 档案管理专人 — backups, retention) and the head's
responsibility; the supervisor assesses them (Seed A art. 14; REFERENCE rule 13); the system
administrator runs them. The page shows no case content, only file hashes and case numbers of
the user's own agencies, so any of these roles in any agency may see it.
"""

from __future__ import annotations

from django.db.models import QuerySet

from casetrail.access import AnyUser, agencies_where
from casetrail.cases.models import Agency, Role

BACKUP_ROLES = frozenset({Role.ADMIN, Role.ARCHIVIST, Role.HEAD, Role.SUPERVISOR})


def backup_agencies(user: AnyUser) -> QuerySet[Agency]:
    """The agencies in which *user* holds a role that sees backups (empty: no access)."""
    return agencies_where(user, BACKUP_ROLES).order_by("pk")


def can_view_backups(user: AnyUser) -> bool:
    return backup_agencies(user).exists()
