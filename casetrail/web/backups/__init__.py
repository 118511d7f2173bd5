"""The off-site backup page, mounted at ``backups/``."""
