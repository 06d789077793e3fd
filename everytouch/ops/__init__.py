"""Running the app safely: private file modes, deployment checks, backup and restore.

A unit below the domain apps: it reads settings and the database as a whole (every table), never
a domain app's models, so any app may rely on it and it relies on none of them.
"""
