"""What a user may do on an account: order permissions and other permissions.

A link between an account and a user is declared once: under the account (`users:`) or
under the user (`accounts:`), never both (loader).
"""

from __future__ import annotations

from ttconfig.models.base import Email, Model, Name


class OrderPermissions(Model):
    place_orders: bool | None = None
    modify_orders: bool | None = None
    delete_orders: bool | None = None
    submit_block_cross_orders: bool | None = None
    submit_staged_orders: bool | None = None


class Permissions(Model):
    update_positions: bool | None = None
    confirm_fills: bool | None = None
    modify_clearing_account_on_fills: bool | None = None
    view_only: bool | None = None


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
