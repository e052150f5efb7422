"""Wheel variants (PEP 825, providers after PEP 850): what the machine supports, which variant wins.

``select`` (the ordering) and ``markers`` (variant markers) are pure; ``machine`` detects
and reads ``variants.toml``; ``files`` reads variant metadata from wheels and
``{name}-{version}-variants.json`` files. The format itself (labels in filenames,
``variant.json``) is :mod:`graft.model.wheelname` and :mod:`graft.model.variants`.
"""
