"""Every mutation and every aggregation of Insyn's records: plain functions over the session.

Services flush and never commit: the caller (a view, a CLI command, the importer) commits
once, at the edge, or rolls back.
"""
