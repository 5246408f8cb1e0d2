"""`inspect`'s table: what the user checks an account by, with TT's names printed as they
are — a bracket in a name is text, never rich markup — and no escape codes off colour."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ttconfig.live.overview import AccountView, Overview
from ttconfig.render.console import console
from ttconfig.render.overview import accounts_table, summary_line
from ttconfig.tt.records import Account, Company, LimitSet, Restrictions, RiskSettings

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def view(account_id: int, name: str, parent: int | None, credit: int | None,
         ) -> AccountView:
    settings = RiskSettings(credit, "USD", True, True, False, False, False)
    restrictions = Restrictions(*([credit is not None] + [True] * 10))
    return AccountView(Account(account_id, name, 1, 7, parent, 1), LimitSet((), ()), settings,
                       restrictions, [])


OVERVIEW = Overview(Company(7, "Harbor [red]Point", "HPT"),
                    [view(1, "HPT-[bold]ARB", None, 5_000_000), view(2, "HPT-MM", 1, None)],
                    [], [], [], 3, 2, requests=42, retries=1, rate_limited=0, seconds=2.5)


def printed(colour: bool, capsys: pytest.CaptureFixture[str]) -> str:
    out = console(colour=colour)
    out.print(accounts_table(OVERVIEW))
    out.print(summary_line(OVERVIEW, requests_per_second=20))
    return capsys.readouterr().out


def test_the_table_names_accounts_parents_and_limits(capsys: pytest.CaptureFixture[str],
                                                     ) -> None:
    text = printed(False, capsys)
    assert "Harbor [red]Point (HPT): accounts" in text
    (arb,) = [line for line in text.splitlines() if "5,000,000 USD" in line]
    (mm,) = [line for line in text.splitlines() if "HPT-MM" in line]
    assert "HPT-[bold]ARB" in arb
    assert "yes" in arb
    assert "HPT-[bold]ARB" in mm, "the parent, by name"
    assert "not set" in mm
    assert " no " in mm
    assert "\x1b[" not in text
    assert "Read 2 accounts (0 limit rows)" in text
    assert "with 42 requests in 2.5 s (the plan's rate allows no less than 2.1 s" in text


def test_colour_styles_the_table_but_not_the_names(capsys: pytest.CaptureFixture[str]) -> None:
    text = printed(True, capsys)
    assert "\x1b[" in text
    assert "HPT-[bold]ARB" in ANSI.sub("", text)


def test_the_summary_counts_one_as_one() -> None:
    one = replace(OVERVIEW, accounts=OVERVIEW.accounts[:1], product_margins=1,
                  order_tag_defaults=1, requests=1)
    assert summary_line(one, requests_per_second=20).startswith(
        "Read 1 account (0 limit rows), 0 users, 0 user groups, 0 risk groups, 1 product "
        "margin, 1 order-tag default with 1 request in 2.5 s")
