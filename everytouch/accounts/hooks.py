"""What higher apps may react to in accounts (see ``everytouch.hooks``)."""

from __future__ import annotations

from django.contrib.auth.models import User

from everytouch.hooks import Hook

# Fired inside the transaction that gives a person a role (``create_user``, the admin), so the
# staff directory has their entry before anyone looks them up: read paths never create rows.
role_given: Hook[[User]] = Hook("role given")
