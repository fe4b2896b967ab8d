"""Celery tasks, one module per domain; they take ids and call services."""
