"""Evidence files, the storage floor: content-addressed blob stores, streaming ingest,
resumable uploads, media facts, replication and scrub.

``errors``, ``hashing``, ``sniff``, ``blobstore`` (with ``local_store`` and ``s3_store``),
``ingest`` and ``replication`` are pure Python plus boto3: they import no Django, and settings
arrive as parameters. The Django side (models, storage from settings, uploads) builds on them.
It imports no case: the pages and the ingest API are in ``casetrail.web`` and ``casetrail.api``,
the acts on evidence tables in ``casetrail.cases.actions``, its reads and the backup runs in
``casetrail.cases`` (``evidence_selectors``, ``backup_run``, ``backup_status``).
"""
