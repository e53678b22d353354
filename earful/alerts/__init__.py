"""Alerts: what deserves an alert, Slack messages and their delivery, the outbox."""
