"""Every render ttconfig shows: plans, policy verdicts, drift, the gate, staleness, the
inspect overview, an apply's result, the sandbox banner.

Renders are pure functions from values to strings; they know nothing of HTTP, YAML or TT.
`formats` maps `--format` to the renderer, and `console` alone touches the terminal: it
decides colour and prints.
"""
