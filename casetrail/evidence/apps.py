from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "casetrail.evidence"
    label = "evidence"
    verbose_name = "证据与音像记录"

    def ready(self) -> None:
        from casetrail.evidence.file_checks import register

        register()  # `casetrail verify --files` re-hashes every stored file
