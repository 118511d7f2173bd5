from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casetrail.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from casetrail.cases.obligation_rows import refresh_obligations
        from casetrail.ledger.append import on_case_entry

        # Every act on a case keeps its deadline rows current, in the act's transaction.
        on_case_entry(refresh_obligations)
