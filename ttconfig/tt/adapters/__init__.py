"""One adapter per TT service: its paths and JSON keys, and the mapping to `tt.records`.

These modules (with `tt.wire`) are the only places that know TT's field names; when TT's
real Swagger replaces our assumptions, the change stays here.
"""
