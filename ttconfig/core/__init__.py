"""The pure reconcile: changes, risk direction, diff, plan, selection."""
