from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "文书PDF与核验"

    def ready(self) -> None:
        from casetrail.cases.issuance import register_issuer
        from casetrail.documents.issue import issue_archive_copy

        register_issuer(issue_archive_copy)  # finalising a document issues its archive PDF
