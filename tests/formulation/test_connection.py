"""The grid connection block (greendc.formulation.connection): a sized and priced connection
(``connection_available``, ``grid_connection`` against ``connection_mw``, the cost term) and
the queue (``grid_connection_queue``), on the tiny case of tests/conftest.py (A 10 EUR/MWh,
B 20; PUE air 1.5, free 1.2, imm 1.1; 4 hours; base design A / imm / 1 x g2 = 250 + 88 w EUR,
the connection carrying 2 MW x 1.1 = 2.2 MW). Every case runs with each 1 h step standing for
w = 1 h and w = 3 h of the year: energy terms scale with w, the connection cost [EUR/yr] not.
"""

from __future__ import annotations

import numpy as np
import pyomo.environ as pyo
import pytest

from greendc.formulation import build_model
from tests.conftest import solve_tiny, tiny_inputs


@pytest.fixture(params=[1.0, 3.0], ids=["w1", "w3"])
def w(request) -> float:
    return request.param


def priced(ds, cost_eur_per_mw_yr):
    """The arrays ``greendc.inputs`` adds with ``options.grid_connection_cost`` (capex part 0
    here: the whole cost per MW is the given number)."""
    ds = ds.copy()
    cost = np.broadcast_to(np.asarray(cost_eur_per_mw_yr, dtype=float), (ds.sizes["site"],))
    ds["connection_cost_eur_per_mw_yr"] = ("site", cost.copy())
    ds["connection_capex_cost_eur_per_mw_yr"] = ("site", np.zeros(ds.sizes["site"]))
    ds["capacity_tariff_eur_per_mw_yr"] = ("site", cost.copy())
    ds["grid_network_energy_eur_per_mwh"] = ("site", np.zeros(ds.sizes["site"]))
    return ds


def queued(ds, years, commissioning=2028):
    """The arrays ``greendc.inputs`` adds with ``commissioning_year``: connection years [yr]
    per site and whether each comes in time."""
    ds = ds.copy()
    years = np.asarray(years, dtype=float)
    ds["site_connection_year"] = ("site", years)
    ds["site_connection_in_time"] = ("site", (years <= commissioning).astype(float))
    ds.attrs["commissioning_year"] = commissioning
    return ds


def components(m) -> set[str]:
    return {c.local_name for c in m.component_objects((pyo.Var, pyo.Constraint, pyo.Expression))}


def test_off_builds_no_new_component():
    """Off (no connection arrays): grid_connection is today's row, conn_s build[s], and the
    block adds no variable, constraint or cost term."""
    m = build_model(tiny_inputs())
    assert not {"connection_mw", "connection_available", "grid_connection_queue",
                "cost_connection_eur"} & components(m)
    row = m.grid_connection["A", 0]
    assert row.upper is not None and "build[A]" in str(row.body) + str(row.upper)


def test_neutral_on_gives_the_objective_of_off(w):
    """On with a zero cost per MW: same optimum as off, 250 + 88 w EUR."""
    _, off, _ = solve_tiny(tiny_inputs(weight=w))
    _, on, m = solve_tiny(priced(tiny_inputs(weight=w), 0.0))
    assert float(on["cost_eur_per_yr"]) == pytest.approx(float(off["cost_eur_per_yr"]))
    assert float(on["cost_eur_per_yr"]) == pytest.approx(250 + 88 * w)
    assert {"connection_mw", "connection_available", "cost_connection_eur"} <= components(m)


def test_grid_connection_sized_at_the_peak_and_priced(w):
    """grid_connection against connection_mw: A / imm / g2 carries 2 x 1.1 = 2.2 MW; at
    10 EUR/MW/yr the connection costs 22 EUR/yr (not scaled by w) -> 250 + 88 w + 22."""
    _, res, _ = solve_tiny(priced(tiny_inputs(weight=w), 10.0))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(272 + 88 * w)
    assert float(res["connection_mw"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["connection_peak_mw"].sel(site="A")) == pytest.approx(2.2)
    assert float(res["connection_mw"].sel(site="B")) == pytest.approx(0.0)
    assert float(res["cost_grid_connection_eur_per_yr"]) == pytest.approx(22.0)
    assert float(res["connection_cost_eur_per_yr"].sel(site="A")) == pytest.approx(22.0)


def test_connection_cost_moves_the_site(w):
    """Connection cost per MW 100 at A, 0 at B: A costs 250 + 88 w + 220, B 250 + 176 w:
    B wins at w = 1 (426 < 558), A at w = 3 (734 < 778)."""
    _, res, _ = solve_tiny(priced(tiny_inputs(weight=w), [100.0, 0.0]))
    site = str(res.site.values[int(np.argmax(res["build"].values))])
    if w == 1.0:
        assert site == "B" and float(res["cost_eur_per_yr"]) == pytest.approx(426.0)
    else:
        assert site == "A" and float(res["cost_eur_per_yr"]) == pytest.approx(734.0)


def test_connection_available_limits_the_contract(w):
    """connection_available: A offers 2.1 MW < 2.2 MW needed -> B / imm at 250 + 176 w,
    its contract 2.2 MW at 0 EUR/MW/yr (B offers 100 MW)."""
    _, res, _ = solve_tiny(priced(tiny_inputs(weight=w, grid_connection_mw=[2.1, 100]), 0.0))
    assert res["build"].values.tolist() == [0, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)
    assert float(res["connection_mw"].sel(site="B")) == pytest.approx(2.2)


def shaving_case(w, battery: bool):
    """One site A, 2 h, g1 (1 MW, peak 1 MW), PUE 1.0 then 1.5, flat price 10 EUR/MWh; a
    cheap lossless battery (10 EUR/MWh/yr and 10 EUR/MW/yr); connection 100 EUR/MW/yr."""
    pue = np.ones((1, 3, 2))
    pue[:, :, 1] = 1.5
    ds = tiny_inputs(hours=2, sites=["A"], weight=w, required_pflops=1.0, pue=pue,
                     grid_cost_eur_per_mwh=[[10.0, 10.0]], nodes_per_rack=[[1, 1, 1], [0, 0, 0]],
                     battery_energy_cost_eur_per_mwh_yr=10.0,
                     battery_power_cost_eur_per_mw_yr=10.0, battery_enabled=int(battery))
    return priced(ds, 100.0)


def test_battery_shaves_the_peak_to_save_connection_cost(w):
    """Flows 1.0 and 1.5 MW. Without battery: connection 1.5 MW -> 100 + 2.5 x 10 w + 150 =
    250 + 25 w. With it: charge x in hour 0, discharge x in hour 1, connection
    max(1 + x, 1.5 - x) -> x = 0.25 (each MW shaved saves 100, costs 10 + 10 per MW of power and
    MWh of energy): 100 + 25 w + 125 + 0.25 x 20 = 230 + 25 w; energy unchanged (flat price)."""
    _, plain, _ = solve_tiny(shaving_case(w, battery=False))
    assert float(plain["cost_eur_per_yr"]) == pytest.approx(250 + 25 * w)
    assert float(plain["connection_mw"].sel(site="A")) == pytest.approx(1.5)
    _, res, _ = solve_tiny(shaving_case(w, battery=True))
    assert float(res["cost_eur_per_yr"]) == pytest.approx(230 + 25 * w)
    assert float(res["connection_mw"].sel(site="A")) == pytest.approx(1.25)
    assert float(res["battery_mw"].sel(site="A")) == pytest.approx(0.25)
    assert float(res["battery_mwh"].sel(site="A")) == pytest.approx(0.25)
    np.testing.assert_allclose(res["grid_import_mw"].values, [[1.25, 1.25]], atol=1e-9)


def test_grid_connection_queue_excludes_the_late_site(w):
    """grid_connection_queue: A's connection comes in 2030, after the commissioning year
    2028 -> A cannot be built: B / imm at 250 + 176 w EUR (off: A at 250 + 88 w)."""
    _, res, m = solve_tiny(queued(tiny_inputs(weight=w), [2030, 2027]))
    assert res["build"].values.tolist() == [0, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(250 + 176 * w)
    assert "grid_connection_queue" in components(m)


def test_the_queue_alone_adds_only_its_row():
    """With a commissioning year but no connection cost: the hourly rows stay conn_s build[s]."""
    m = build_model(queued(tiny_inputs(), [2027, 2028]))
    assert "grid_connection_queue" in components(m)
    assert not {"connection_mw", "connection_available", "cost_connection_eur"} & components(m)
