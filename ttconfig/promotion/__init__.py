"""UAT to prod: promote, its rules, the gate."""
