"""The data layer: the only package that writes SQL.

* ``models``       the tables (SQLAlchemy 2.x declarative, Mistral's ``*_v2`` names)
* ``types``        JSON-as-text columns with the field size limit, UTC datetimes
* ``engine``       building the SQLAlchemy engine (oslo.db; pooled SQLite)
* ``api``          ``Database`` and ``Transaction``; the concurrency model
* ``repositories`` per-table queries with project filtering, filters and pagination
* ``filters``      ``Filter(op, value)`` and Mistral's query-string syntax
* ``errors``       oslo.db / driver errors -> ``mistral.exceptions``
* ``migration``    running the alembic migrations in the top-level ``alembic/``
"""
