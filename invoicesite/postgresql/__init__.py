"""Django's PostgreSQL backend with a health check that skips connections proven moments ago (base.py)."""
