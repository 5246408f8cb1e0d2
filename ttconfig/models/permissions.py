"""What a user may do on an account: order permissions and other permissions.

A link between an account and a user is declared once: under the account (`users:`) or
under the user (`accounts:`), never both (loader).
"""

from __future__ import annotations

from ttconfig.models.base import Control, Email, Grant, Model, Name


class OrderPermissions(Model):
    place_orders: Grant = None
    modify_orders: Grant = None
    delete_orders: Grant = None
    submit_block_cross_orders: Grant = None
    submit_staged_orders: Grant = None


class Permissions(Model):
    update_positions: Grant = None
    confirm_fills: Grant = None
    modify_clearing_account_on_fills: Grant = None
    view_only: Control = None


class Link(Model):
    """Permissions of one account↔user link."""

    order_permissions: OrderPermissions | None = None
    permissions: Permissions | None = None


class UserLink(Link):
    """A link declared under an account: which user."""

    user: Email


class AccountLink(Link):
    """A link declared under a user: which account."""

    account: Name
