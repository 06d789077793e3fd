"""Taken messages: a message for a colleague, its owner, notices and escalation."""
