"""The local database: an index of cases, actions and participants (SQLite, WAL, Alembic).

Evidence never lives only here: logs, segments, documents and containers are files in each
action's folder; the database points at them.
"""
