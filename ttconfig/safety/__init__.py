"""Pure judgements: the safety policy, change windows, fingerprints, drift."""
