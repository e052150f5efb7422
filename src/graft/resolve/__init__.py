"""From requirements to located wheels for one target.

Also the dependency check and the resolution memo. The resolver lands here.
"""
