"""A customer's data rights: export everything about one customer, and erase it.

It sits in the top domain layer because both verbs read every app's rows about a customer;
docs/architecture.md says why it is one unit rather than a piece in every app.
"""
