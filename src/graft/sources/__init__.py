"""Where wheels come from: requirement files, pylock, find-links, indexes, downloads,
core metadata files."""
