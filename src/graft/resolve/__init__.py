"""From requirements to located wheels for one target; the dependency check; the resolution
memo. The resolver lands here."""
