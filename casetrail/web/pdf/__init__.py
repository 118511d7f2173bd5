"""PDF downloads and the public verification page /v/, mounted at the site root."""
