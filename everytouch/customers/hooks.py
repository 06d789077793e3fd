"""What higher apps may react to in customers (see ``everytouch.hooks``)."""

from __future__ import annotations

from everytouch.customers.models import Customer
from everytouch.hooks import Hook

# Fired by the erasure (``everytouch.privacy.erase``) inside its transaction, after every row it
# knows of is anonymised. Anything else that keeps a copy of a customer's data (a search index,
# a cache) connects here in its ``ready()`` and forgets the customer; the customer's old values
# are passed because an index keyed by text can only find them that way. Receivers must not
# store or log those values. The customer search index needs no receiver: database triggers
# (customers migration 0008) rewrite its rows as the erasure anonymises them (docs/search.md).
customer_erased: Hook[[Customer, frozenset[str]]] = Hook("customer erased")
