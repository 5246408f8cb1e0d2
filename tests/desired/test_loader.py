"""The loader: every kind of problem reported at once, exactly, at file:line:col.

Each folder under tests/data/invalid/ is one kind of error; its expected.txt is the exact
output users see (regenerate deliberately, never to make a test pass).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ttconfig.desired.loader import MAX_FILE_BYTES, load_firm
from ttconfig.errors import ConfigError

DATA = Path(__file__).parents[1] / "data"
INVALID = sorted(p for p in (DATA / "invalid").iterdir() if p.is_dir())
MINIMAL = DATA / "valid" / "minimal"


def problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_firm(folder, shown_root=folder)
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("case", INVALID, ids=[p.name for p in INVALID])
def test_each_kind_of_error_is_reported_exactly(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert problems(case) == expected


def test_a_valid_folder_loads_with_yaml_1_2_scalars_and_unset_fields() -> None:
    firm = load_firm(MINIMAL)
    prop, rates = firm.accounts
    assert prop.description == "NO"
    assert prop.limits is not None
    row = prop.limits.products[0]
    assert row.max_order_qty == 10
    assert row.max_position is None
    assert "max_position" in row.managed()
    assert "max_short_position" not in row.managed()
    assert rates.parent == "HPT-PROP"
    assert [g.name for g in firm.risk_groups] == ["Rates Aggregate"], "a kind may be a folder"
    assert firm.users[0].trade_mode == "pro"


def test_problems_of_many_files_come_together_sorted(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    (folder / "users.yaml").write_text("- email: ann.lee@harborpoint.example\n  mode: pro\n")
    (folder / "accounts.yaml").write_text(
        (MINIMAL / "accounts.yaml").read_text().replace("type: house", "type: hous", 1))
    assert problems(folder) == [
        "accounts.yaml:3:3: type: expected 'customer', 'house' or 'omnibus', got the string "
        "'hous'",
        "users.yaml:2:3: unknown key 'mode'; expected one of: accounts, active, alias, email, "
        "exchanges, first_name, last_name, limits, settings, trade_mode",
    ]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    with (folder / "users.yaml").open("w") as handle:
        handle.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert problems(folder) == ["users.yaml:1:1: the file is 16.0 MiB; the limit is 16 MiB: "
                                "split the kind into a folder of files"]


def test_bytes_that_are_not_utf8_are_a_problem_where_they_are(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    # the column counts characters: "é" is two bytes but one column
    (folder / "users.yaml").write_bytes(b"- email: ann@x.example\n  alias: \xc3\xa9\xff\n")
    assert problems(folder) == ["users.yaml:2:11: not UTF-8 text (byte 34)"]


def with_users_file(tmp_path: Path, text: str) -> list[str]:
    """The problems of the minimal folder with users.yaml holding `text`."""
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    (folder / "users.yaml").write_bytes(text.encode("utf-8"))
    return problems(folder)


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x7f", "\x9f", "\ufffe"])
def test_a_character_yaml_forbids_is_one_problem_where_it_is(tmp_path: Path, char: str) -> None:
    # Found by the fuzz suite: libyaml's reader error came out at 1:1, over two lines, with
    # its position in bytes ("in "<unicode string>", position 30").
    text = f"- email: ann.lee@harborpoint.example\n  alias: é{char}x\n"
    assert with_users_file(tmp_path, text) == [
        f"users.yaml:2:11: the character U+{ord(char):04X} is not allowed in YAML (control "
        "characters, U+FFFE and U+FFFF): remove it"]


def test_a_number_too_long_for_python_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # Found by the fuzz suite: int() refuses more than 4,300 digits with a ValueError.
    text = "- email: ann.lee@harborpoint.example\n  limits:\n    products:\n" \
           "      - market: CME\n" \
           "        product: ES\n        max_order_qty: " + "9" * 5000 + "\n"
    assert with_users_file(tmp_path, text) == [
        "users.yaml:6:24: a number of 5000 digits is too long to read (quote it if it is "
        "meant as text)"]


def test_a_huge_number_is_shown_by_its_size(tmp_path: Path) -> None:
    # Found by the fuzz suite: a hex literal has no digit limit, but repr() of the number in
    # the message then raised ValueError; other values are cut to one readable line.
    text = "- email: ann.lee@harborpoint.example\n  alias: 0x" + "f" * 5000 + \
           "\n  trade_mode: " + "x" * 500 + "\n  " + "k" * 200 + ": 1\n"
    assert with_users_file(tmp_path, text) == [
        "users.yaml:2:3: alias: expected a valid string, got a number of about 6021 digits",
        "users.yaml:3:3: trade_mode: expected 'view_only', 'standard' or 'pro', got the "
        "string '" + "x" * 78 + "…",
        "users.yaml:4:3: unknown key '" + "k" * 78 + "…; expected one of: accounts, active, "
        "alias, email, exchanges, first_name, last_name, limits, settings, trade_mode"]


def test_an_amount_too_large_for_a_float_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # Found by the fuzz suite: pydantic's inf/NaN check of `int | float` converts to float
    # and raised OverflowError for an int beyond a float's range.
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    (folder / "accounts.yaml").write_text(
        "- name: HPT-PROP\n  type: house\n  risk_settings:\n    credit_limit: "
        + "9" * 400 + "\n", encoding="utf-8")
    (folder / "risk-groups").rename(tmp_path / "unused")
    assert problems(folder) == [
        "accounts.yaml:4:5: credit_limit: too large a number for an amount"]


def test_a_directory_or_a_dangling_link_named_yaml_is_a_problem(tmp_path: Path) -> None:
    # Found by the fuzz suite: reading them raised IsADirectoryError / FileNotFoundError.
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    (folder / "risk-groups" / "old.yaml").mkdir()
    (folder / "risk-groups" / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert problems(folder) == [
        "risk-groups/gone.yaml:1:1: cannot read the file: No such file or directory",
        "risk-groups/old.yaml:1:1: cannot read the file: Is a directory"]


@pytest.mark.parametrize("bom", ["", "\ufeff"])
def test_yaml_problems_are_inside_the_file_with_or_without_a_bom(tmp_path: Path,
                                                                 bom: str) -> None:
    # Found by the fuzz suite: at the end of a file without a final line break libyaml
    # reports a line after the last one; a BOM shifted its index, so the tab check missed.
    unterminated = f"{bom}- email: ann@x.example\n  alias: [a"
    assert with_users_file(tmp_path, unterminated) == [  # just after the last character
        "users.yaml:2:12: YAML syntax: while parsing a flow sequence did not find expected "
        "',' or ']'"]
    tab = f"{bom}- email: ann@x.example\n\talias: x\n"
    assert with_users_file(tmp_path / "tab", tab) == [
        "users.yaml:2:1: a tab character: YAML indents with spaces only"]


def run_validate(cwd: Path, *extra_env: tuple[str, str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **dict(extra_env)}
    env.pop("GITHUB_ACTIONS", None) if not extra_env else None
    return subprocess.run([sys.executable, "-m", "ttconfig", "validate", "-e", "uat"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def test_validate_exits_3_with_only_the_problems(tmp_path: Path) -> None:
    shutil.copytree(DATA / "invalid" / "unknown-key", tmp_path / "environments" / "uat")
    result = run_validate(tmp_path)
    assert result.returncode == 3
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "environments/uat/accounts.yaml:3:3: unknown key 'risk_setings'; did you mean "
        "'risk_settings'?",
        "environments/uat/accounts.yaml:11:9: unknown key 'max_qty'; did you mean "
        "'max_order_qty'?",
    ]


def test_validate_annotates_pull_requests_under_github_actions(tmp_path: Path) -> None:
    shutil.copytree(DATA / "invalid" / "unknown-key", tmp_path / "environments" / "uat")
    result = run_validate(tmp_path, ("GITHUB_ACTIONS", "true"))
    assert result.returncode == 3
    assert result.stdout.splitlines()[0] == (
        "::error file=environments/uat/accounts.yaml,line=3,col=3::unknown key "
        "'risk_setings'; did you mean 'risk_settings'?")


def test_validate_of_a_valid_folder_says_what_it_holds(tmp_path: Path) -> None:
    shutil.copytree(MINIMAL, tmp_path / "environments" / "uat")
    result = run_validate(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ("environments/uat: valid (2 accounts, 1 users, 0 user groups, "
                             "1 risk groups, 0 product margins, 0 order-tag defaults)\n")


YAML_PIECES = st.sampled_from([
    "- ", "name: ", "type: house", "HPT", "\n", "  ", "limits:", "products:", "[", "]", "{",
    "}", ":", "&a ", "*a", "!!str ", "---\n", "\t", "'", '"', "#", "NO", "010", "-1", "null",
    "market: CME", "max_order_qty: ", "users:", "user: a@b.example", ",", "|\n", "? ",
])


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.one_of(st.text(max_size=300),
                      st.lists(YAML_PIECES, max_size=60).map("".join)))
def test_any_input_gives_a_config_error_or_a_firm(tmp_path: Path, text: str) -> None:
    folder = tmp_path / "fuzz"
    if not folder.exists():
        shutil.copytree(MINIMAL, folder)
    (folder / "accounts.yaml").write_text(text, encoding="utf-8", errors="surrogatepass")
    found: list[object] = []
    try:
        load_firm(folder)
    except ConfigError as error:
        found = error.problems
    assert all(str(p).count(":") >= 3 for p in found), found
