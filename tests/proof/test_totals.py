"""The chunked proof suites' totals (tests/proof/totals.py): that the chunks cover every
seed once, and that a whole suite falling short fails the run even when every chunk passed,
wherever xdist ran the chunks, so "≥ 200 faults, every kind fired" still means something."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.proof.totals import PROPERTY, ProofTotals, chunk_id, chunks
from tests.test_canary import NO_HYPOTHESIS

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(("total", "size"), [(500, 25), (5000, 500), (7, 3), (3, 5), (0, 4)])
def test_chunks_cover_every_index_once_in_order(total: int, size: int) -> None:
    parts = chunks(total, size)
    assert [i for part in parts for i in part] == list(range(total))
    assert all(0 < len(part) <= size for part in parts)
    assert len({chunk_id(part) for part in parts}) == len(parts)


def _chunk(counts: dict[str, int], require: dict[str, int]) -> list[tuple[str, object]]:
    return [(PROPERTY, {"suite": "faults", "chunks": 2, "counts": counts, "require": require})]


def test_the_sums_are_checked_only_once_every_chunk_passed() -> None:
    require = {"fired": 3, "fired: 5xx": 1, "fired: 429": 1}
    totals = ProofTotals()
    totals.add(_chunk({"fired": 2, "fired: 5xx": 2, "fired: 429": 0}, require))
    assert totals.check() == []  # one chunk of two: nothing to say about the whole yet
    totals.add(_chunk({"fired": 2, "fired: 5xx": 2, "fired: 429": 0}, require))
    assert totals.check() == ["faults: fired: 429: 0 < 1"]
    assert totals.suites["faults"].figures() == "fired 4, fired (5xx 4, 429 0)"
    totals.add([("another property", {"suite": "faults"})])
    assert totals.suites["faults"].passed == 2


INNER = '''
import pytest
from tests.proof.totals import chunks

@pytest.mark.parametrize("part", chunks(4, 1), ids=str)
def test_chunk(part, proof_record):
    fired = {"5xx": 1, "429": 1 if SHORT else int(part.start == 3)}
    proof_record("faults", 4, {f"fired: {k}": v for k, v in fired.items()},
                 {"fired: 5xx": 4, "fired: 429": 1 if SHORT == 0 else 5})
'''


@pytest.mark.parametrize("short", [False, True], ids=["whole", "short"])
def test_under_xdist_a_suite_short_as_a_whole_fails_the_run(tmp_path: Path,
                                                            short: bool) -> None:
    """Four passing chunks spread over two workers; the controller sums them."""
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        pytest_plugins = ["tests.proof.totals"]
    """))
    (tmp_path / "test_chunks.py").write_text(f"SHORT = {int(short)}\n" + INNER)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *NO_HYPOTHESIS,
         "-n", "2"],
        cwd=tmp_path, env={**os.environ}, capture_output=True, text=True, timeout=120,
        check=False)
    assert "4 passed" in result.stdout, result.stdout
    assert "proof: faults: 4 of 4 chunks passed: fired (5xx 4, 429 " in result.stdout
    if short:
        assert result.returncode == 1, result.stdout
        assert "PROOF SHORT faults: fired: 429: 4 < 5" in result.stdout
    else:
        assert result.returncode == 0, result.stdout
        assert "PROOF SHORT" not in result.stdout
