"""Renders of a plan: text for terminals, markdown for pull requests, json for machines.

Pure functions of a `Plan`; they know nothing of HTTP, YAML or the terminal.
"""
