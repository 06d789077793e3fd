"""Outbound work in flight: which worker is sending what right now, and which workers are alive.

Nothing here sends anything. The apps that send (webhooks, notice e-mails) keep their own outbox
rows; before a network call they take a ``Claim`` on the row in a short transaction, commit,
send with no transaction open, and record the result in a second short transaction. A worker
records a ``WorkerHeartbeat`` every few seconds, so a claim whose worker went silent is known to
be orphaned within half a minute (``claims.stale``) and the sweep hands the work to another.
"""
