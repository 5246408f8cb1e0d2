"""IO workflows: connection, planning, saved plans, locks, audit, apply, import."""
