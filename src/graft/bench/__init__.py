"""`graft bench`: start-up and import timing of a venv against a flat copy."""
