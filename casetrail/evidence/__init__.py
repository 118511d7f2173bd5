"""Evidence files: content-addressed blob stores, streaming ingest, replication and scrub.

``errors``, ``hashing``, ``sniff``, ``blobstore`` (with ``local_store`` and ``s3_store``),
``ingest`` and ``replication`` are pure Python plus boto3: they import no Django, and settings
arrive as parameters. The Django side (models, storage from settings, views) builds on them.
"""
