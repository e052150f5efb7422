"""The content-addressed store: entries and ingest, bytecode, roots, gc, verify, seal,
kept plans."""
