"""TT's shared wire vocabulary (contract §1): host, environments, headers, envelope keys.

Service-specific paths and JSON keys live in the adapter modules; everything that every
service shares lives here, so that the real Swagger can replace ours with a local change.
"""

from __future__ import annotations

from typing import Final

BASE_URL: Final = "https://ttrestapi.trade.tt"
ENVIRONMENTS: Final = ("ext_uat_cert", "ext_prod_live")

# Services (path segments are case-sensitive; TT answers 403 to any upper-case letter).
TTID: Final = "ttid"
TTACCOUNT: Final = "ttaccount"
TTUSER: Final = "ttuser"
TTGROUP: Final = "ttgroup"
TTSETUP: Final = "ttsetup"
TTPDS: Final = "ttpds"
TTMONITOR: Final = "ttmonitor"

# Headers and query parameters.
API_KEY_HEADER: Final = "x-api-key"
REQUEST_ID_PARAM: Final = "requestId"
NEXT_PAGE_PARAM: Final = "nextPageKey"

# Envelope keys.
STATUS: Final = "status"
STATUS_OK: Final = "Ok"
STATUS_MESSAGE: Final = "status_message"
STATUS_CODE: Final = "statusCode"
GATEWAY_MESSAGE: Final = "message"
LAST_PAGE: Final = "lastPage"
NEXT_PAGE_KEY: Final = "nextPageKey"

# The daily-quota 429 (the throttle 429 says "Too Many Requests").
QUOTA_MESSAGE: Final = "Limit Exceeded"

# POST rules: at most this many list items per request.
MAX_POST_ITEMS: Final = 20

# Usage plans: requests per second and requests per day.
USAGE_PLANS: Final[dict[str, tuple[float, int]]] = {
    "free": (3, 10_000),
    "low": (5, 15_000),
    "medium": (10, 30_000),
    "high": (25, 75_000),
}

# ttid token request and response.
TOKEN_PATH: Final = "token"
TOKEN_GRANT: Final = "user_app"
TOKEN_FORM_GRANT: Final = "grant_type"
TOKEN_FORM_KEY: Final = "app_key"
TOKEN_ACCESS: Final = "access_token"
TOKEN_LIFETIME: Final = "seconds_until_expiry"
