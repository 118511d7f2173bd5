from collections.abc import Iterable

from django.apps import AppConfig


def agency_directory() -> Iterable[tuple[int, str, str]]:
    """Every agency as the ledger lists it: id, code, short name."""
    from casetrail.cases.models import Agency

    return Agency.objects.values_list("pk", "code", "short_name")


class CasesConfig(AppConfig):
    name = "casetrail.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from casetrail.cases.obligation_rows import refresh_obligations
        from casetrail.ledger.append import on_case_entry
        from casetrail.ledger.subjects import register_agencies

        # Every act on a case keeps its deadline rows current, in the act's transaction.
        on_case_entry(refresh_obligations)
        # The ledger knows no agency table: it lists the agencies through this directory.
        register_agencies(agency_directory)
