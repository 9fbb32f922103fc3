"""The ledger's domain: plans, recommendations, their events and value objects.

Imports only the standard library and ``eventsourcing.domain``.
"""
