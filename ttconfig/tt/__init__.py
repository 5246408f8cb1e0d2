"""The TT REST API 2.0 client: every TT rule of shared/tt-contract.md, obeyed structurally.

`TTClient` (client.py) is the entry point; `http.py` owns the one request path (token,
requestId, headers, rate limit, pacing, retries, paging, redirects); the adapters are the
only modules that know TT's paths and JSON keys.
"""
