"""Apply: the write protocol (intent, outcome, read-back, verify) and the per-kind TT writers."""
