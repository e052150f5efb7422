"""The content-addressed store.

Entries and ingest, bytecode, roots, gc, verify, seal, kept plans.
"""
