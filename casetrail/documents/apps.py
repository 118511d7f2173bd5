from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "文书PDF与核验"
