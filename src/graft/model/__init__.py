"""Value types shared by every stage: wheel records and the like. No I/O."""
