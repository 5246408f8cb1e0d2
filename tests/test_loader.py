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

from ttconfig.errors import ConfigError
from ttconfig.loader import MAX_FILE_BYTES, load_firm

DATA = Path(__file__).parent / "data"
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
        "first_name, last_name, limits, settings, trade_mode",
    ]


def test_a_huge_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    with (folder / "users.yaml").open("w") as handle:
        handle.write("# padding\n" * (MAX_FILE_BYTES // 10 + 1))
    assert problems(folder) == ["users.yaml:1:1: the file is 16.0 MiB; the limit is 16 MiB: "
                                "split the kind into a folder of files"]


def test_bytes_that_are_not_utf8_are_a_problem_not_a_crash(tmp_path: Path) -> None:
    folder = tmp_path / "uat"
    shutil.copytree(MINIMAL, folder)
    (folder / "users.yaml").write_bytes(b"- email: ann\xff@x.example\n")
    assert problems(folder) == ["users.yaml:1:1: not UTF-8 text (byte 12)"]


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
                             "1 risk groups, 0 product margins, 0 order tag defaults)\n")


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
