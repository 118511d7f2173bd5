"""Template context shared by every page: which navigation links the user may follow."""

from __future__ import annotations

from django.http import HttpRequest

from casetrail.access.backups import can_view_backups


def navigation(request: HttpRequest) -> dict[str, bool]:
    user = request.user
    return {"nav_backups": user.is_authenticated and can_view_backups(user)}
