"""Golden results of the reference sites (one week each): designs exact, objective within
1e-4 relative, capacities within 1e-3 relative or 0.01 MW / MWh absolute (a 10 kW battery is
not a design: two designs within the MIP gap may differ by such slivers, whichever solve path
found them). A failure prints every field that moved.
Refresh deliberately with `python -m tests.golden.goldens --refresh` and review the diff."""

from __future__ import annotations

import json
import math

import pytest

from tests.golden.goldens import CASES, EXPECTED, FRONT_CASE, case_record, front_record

GOLD = json.loads(EXPECTED.read_text())
OBJECTIVE_RTOL, CAPACITY_RTOL = 1e-4, 1e-3
CAPACITY_ATOL = 1e-2  # [MW, MWh, MW_th; GWh-scale energies are far above it]
EXACT = ("site", "cooling", "servers")


def diff(expected: dict, actual: dict) -> list[str]:
    """Readable lines for every field outside its tolerance."""
    lines = []
    for key, want in expected.items():
        got = actual.get(key)
        if key in EXACT:
            if got != want:
                lines.append(f"  {key}: expected {want!r}, got {got!r}")
            continue
        rtol = OBJECTIVE_RTOL if key == "cost_eur_per_yr" else CAPACITY_RTOL
        atol = 1e-6 if key in ("cost_eur_per_yr", "cfe_share", "mean_pue") else CAPACITY_ATOL
        if not math.isclose(got, want, rel_tol=rtol, abs_tol=atol):
            change = (got - want) / abs(want) if want else math.inf
            lines.append(f"  {key}: expected {want:,.6g}, got {got:,.6g} ({change:+.3%}, "
                         f"tolerance {rtol:g})")
    return lines


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden_case(name):
    moved = diff(GOLD["cases"][name], case_record(CASES[name]))
    assert not moved, f"golden case {name!r} moved:\n" + "\n".join(moved)


def test_golden_front():
    want, got = GOLD["front"], front_record(FRONT_CASE)
    assert got["site"] == want["site"] and got["cooling"] == want["cooling"], (want, got)
    for key in ("cost_eur_per_yr", "emissions_t_per_yr"):
        for i, (a, b) in enumerate(zip(want[key], got[key])):
            assert math.isclose(a, b, rel_tol=OBJECTIVE_RTOL, abs_tol=1e-3), (
                f"front point {i} {key}: expected {a:,.6g}, got {b:,.6g}")


def test_diff_reports_what_moved():
    lines = diff({"site": "a", "cost_eur_per_yr": 100.0, "battery_mwh": 0.0},
                 {"site": "b", "cost_eur_per_yr": 100.5, "battery_mwh": 0.0})
    assert any("site: expected 'a', got 'b'" in x for x in lines)
    assert any("cost_eur_per_yr" in x and "+0.500%" in x for x in lines)
    assert len(lines) == 2
