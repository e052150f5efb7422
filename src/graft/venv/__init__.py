"""The target interpreter and the venv: introspection, tags, skeleton, apply, swap, state."""
