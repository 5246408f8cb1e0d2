"""Proof suites of the issues: fuzzing and other whole-tool properties."""
