"""Wheel archives: validation, unpacking into a store entry, the import layout, ELF facts."""
