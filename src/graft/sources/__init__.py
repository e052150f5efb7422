"""Where wheels come from.

Requirement files, pylock, find-links, indexes, downloads, core metadata files.
"""
