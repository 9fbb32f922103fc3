"""The event stores, one module per backend, and what they share.

``common`` (a ``--db`` URL's password masked, a storage failure as one line, what each
backend provides: ``Backend``), ``signed`` (the signatures of writes, as every recorder
stores them), then one module per backend: ``memory``, ``sqlite``, ``postgres``. The
composition root, ``adapters/storage.py``, picks the backend a ``--db`` value names and
builds the ledger on it; PostgreSQL's module (and psycopg) loads only for a PostgreSQL
ledger.
"""
