"""Keys and States: a name is matched however it is spelled, and shown as written."""

from __future__ import annotations

import copy
import pickle

from ttconfig.core.state import Key, State, key_of
from ttconfig.models import Kind
from ttconfig.models.accounts import Account
from ttconfig.models.setup import OrderTagDefault


def test_a_key_reads_as_plans_show_it_and_keeps_its_parts() -> None:
    link = Key.link("HPT-Prop", "Ann.Lee@Harborpoint.example")
    assert link == "HPT-Prop ↔ Ann.Lee@Harborpoint.example"
    assert link.parts == ("HPT-Prop", "Ann.Lee@Harborpoint.example")
    assert link.name == "HPT-Prop"
    assert link.folded == Key.link("hpt-prop", "ann.lee@harborpoint.example").folded


def test_a_key_of_a_scope_leaves_out_what_is_not_set() -> None:
    default = OrderTagDefault(market="CME", field="Account Code", user="ann@x.example",
                              value="A1")
    key = key_of(default)
    assert key == "CME Account Code ann@x.example"
    assert key.parts == ("CME", "Account Code", None, "ann@x.example", *(None,) * 6)


def test_a_key_survives_copies_and_pickles_with_its_parts() -> None:
    link = Key.link("A", "u@x.example")
    for again in (copy.deepcopy(link), pickle.loads(pickle.dumps(link))):
        assert again.parts == link.parts
        assert again == link


def test_a_state_finds_an_object_by_any_spelling_of_its_key() -> None:
    account = Account(name="HPT-Prop-Rates", type="house")
    state = State.of({"accounts": [account]})
    assert state.find(Kind.ACCOUNTS, Key.of("hpt-prop-RATES")) is account
    assert state.find(Kind.ACCOUNTS, Key.of("HPT-PROP")) is None
    assert state.find(Kind.USERS, Key.of("HPT-Prop-Rates")) is None
