"""Conversation analysis: pure Python, no Django.

Everything in this package works on plain data (``Conversation``) so it can run from the CLI
on files, inside the web app on stored interactions, or in a benchmark, without a database.
A test asserts that importing it imports no Django module.
"""
