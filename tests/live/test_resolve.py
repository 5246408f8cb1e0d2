"""Names the YAML gives TT's reference data, checked against what TT lists. Pure."""

from __future__ import annotations

from typing import Any

from ttconfig.live.resolve import Catalog, unresolved
from ttconfig.models import Firm
from ttconfig.models.accounts import Account
from ttconfig.models.environment import EnvironmentConfig
from ttconfig.models.setup import OrderTagDefault, ProductMargin

CATALOG = Catalog(
    markets={"cme": "CME", "eurex": "Eurex"},
    products={("cme", "es", "future"): "1", ("cme", "es", "option"): "2",
              ("cme", "zn", "future"): "3", ("eurex", "fdax", "future"): "4"},
    symbols={("cme", "future"): {"ES", "ZN"}, ("cme", "option"): {"ES"},
             ("eurex", "future"): {"FDAX"}},
    contracts={"1": {"ES Dec26", "ES Mar27"}},
    fields={"cme": {"Operator ID"}})


def _firm(rows: list[dict[str, Any]], contracts: list[dict[str, Any]] | None = None,
          **others: list[Any]) -> Firm:
    account = Account.model_validate({"name": "A", "type": "house", "limits": {
        "products": rows, "contracts": contracts or []}})
    environment = EnvironmentConfig.model_validate({
        "tt_environment": "ext_uat_cert", "company": "C", "usage_plan": "high",
        "credentials": {"app_key_env": "K", "app_secret_env": "S"}})
    return Firm.model_construct(None, environment=environment, accounts=[account], **others)


def _said(firm: Firm) -> list[tuple[tuple[str | int, ...], str]]:
    return [(issue.path, issue.message) for issue in unresolved(firm, CATALOG)]


def test_names_tt_lists_resolve_in_any_case() -> None:
    firm = _firm([{"market": "cme", "product": "es", "type": "future"}],
                 [{"market": "CME", "product": "ES", "contract": "es dec26"}],
                 product_margins=[ProductMargin(market="Eurex", product="FDAX", currency="EUR",
                                                outright_margin=1, spread_margin=1)],
                 order_tag_defaults=[OrderTagDefault(market="CME", field="operator id",
                                                     value="X")])
    assert _said(firm) == []


def test_each_unknown_name_is_said_where_it_is_with_the_nearest_ones() -> None:
    firm = _firm([{"market": "CMEE", "product": "ES"},
                  {"market": "CME", "product": "ZNN"},
                  {"market": "CME", "product": "ZN", "type": "option"}],
                 [{"market": "CME", "product": "ES", "contract": "ES Dec62"}],
                 product_margins=[ProductMargin(market="Eurex", product="FDAXX", currency="EUR",
                                                outright_margin=1, spread_margin=1)],
                 order_tag_defaults=[OrderTagDefault(market="CME", field="Operater ID",
                                                     value="X")])
    assert _said(firm) == [
        (("accounts", 0, "limits", "products", 0, "market"),
         "market 'CMEE' is not in TT; did you mean CME?"),
        (("accounts", 0, "limits", "products", 1, "product"),
         "CME has no future product 'ZNN'; did you mean ZN?"),
        (("accounts", 0, "limits", "products", 2, "product"),
         "CME has no option product 'ZN'; TT lists it as future"),
        (("accounts", 0, "limits", "contracts", 0, "contract"),
         "CME ES has no contract 'ES Dec62'; did you mean ES Dec26?"),
        (("product_margins", 0, "product"),
         "Eurex has no future product 'FDAXX'; did you mean FDAX?"),
        (("order_tag_defaults", 0, "field"),
         "CME has no order-tag field 'Operater ID'; did you mean Operator ID?"),
    ]


def test_each_leg_of_an_inter_product_row_is_resolved_where_it_is() -> None:
    account = Account.model_validate({"name": "A", "type": "house", "limits": {
        "inter_product": [{"legs": [{"market": "cme", "product": "zn"},
                                    {"market": "CME", "product": "ZB"}]}]}})
    firm = _firm([])
    firm.accounts[:] = [account]
    assert _said(firm) == [
        (("accounts", 0, "limits", "inter_product", 0, "legs", 1, "product"),
         "CME has no future product 'ZB'")]


def test_a_family_tt_does_not_list_is_said_where_it_is() -> None:
    catalog = Catalog(markets={"cme": "CME"}, families={"cme": {"Interest Rates", "Energy"}})
    account = Account.model_validate({"name": "A", "type": "house", "limits": {"products": [
        {"market": "CME", "family": "interest rates"},
        {"market": "CME", "family": "Interest Rate"}]}})
    firm = _firm([])
    firm.accounts[:] = [account]
    assert [(i.path, i.message) for i in unresolved(firm, catalog)] == [
        (("accounts", 0, "limits", "products", 1, "family"),
         "CME has no product family 'Interest Rate'; did you mean Interest Rates?")]


def test_the_product_of_an_order_tag_default_is_resolved_where_it_is() -> None:
    firm = _firm([], order_tag_defaults=[
        OrderTagDefault(market="CME", field="Operator ID", value="X", product="ESS")])
    assert _said(firm) == [
        (("order_tag_defaults", 0, "product"),
         "CME has no future product 'ESS'; did you mean ES?")]
