"""A given IT load (``compute.it_load_mw``) instead of a compute requirement: the families
``it_load_hosted`` and ``it_capacity`` and the hourly IT-load share, on the tiny case
(tests/conftest.py: A 10 EUR/MWh, B 20; PUE air 1.5, free 1.2, imm 1.1; 4 hours), each run
with every step standing for w = 1 h and w = 3 h of the year."""

from __future__ import annotations

import numpy as np
import pytest

from greendc.formulation import IT_LOAD_FAMILIES, build_model
from tests.conftest import solve_tiny, tiny_inputs

SHARE = [1.0, 0.5, 0.5, 1.0]  # hourly IT power over the peak: sum 3 (h at peak)


@pytest.fixture(params=[1.0, 3.0], ids=["w1", "w3"])
def w(request) -> float:
    return request.param


def given_load(peak_mw: float, w: float, servers=(), **changes):
    ds = tiny_inputs(weight=w, **changes)
    ds = ds.sel(server=list(servers))
    ds["it_load_share"] = ("time", np.array(SHARE))
    del ds.attrs["required_pflops"]
    ds.attrs.update(compute_basis="it_load_mw", it_load_peak_mw=peak_mw)
    return ds


def test_it_load_hosted_without_servers(w):
    """it_load_hosted: a 2 MW peak load must be hosted somewhere (else building nothing,
    cost 0, would win). No servers: no server cost. A / imm: 1.1 x 2 MW x 3 h x w x 10 EUR/MWh
    = 66 w EUR; IT energy 2 x 3 x w = 6 w MWh, mean PUE 1.1."""
    status, res, m = solve_tiny(given_load(2.0, w))
    assert status.status == "optimal"
    assert res["build"].values.tolist() == [1, 0]
    assert res["cooling_chosen"].sel(site="A").values.tolist() == [0, 0, 1]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(66 * w)
    assert float(res["cost_servers_eur_per_yr"]) == 0.0
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(6 * w)
    assert float(res["mean_pue"]) == pytest.approx(1.1)
    assert not hasattr(m, "it_capacity") and res.sizes["server"] == 0


def test_racks_of_a_given_load_follow_the_rack_density(w):
    """rack_density without servers: racks >= 1000 x 2 MW / 1000 kW/rack = 2 racks of 1 m2;
    A has 1.5 m2 (floor_space), so the load goes to B / imm: 1.1 x 2 x 3 x w x 20 = 132 w."""
    status, res, _ = solve_tiny(given_load(2.0, w, floor_area_m2=[1.5, 1e4]))
    assert res["build"].values.tolist() == [0, 1]
    assert float(res["racks"].sel(site="B", cooling="imm")) == pytest.approx(2.0)
    assert float(res["cost_eur_per_yr"]) == pytest.approx(132 * w)


def test_it_capacity_sizes_the_servers_for_the_peak(w):
    """it_capacity: nodes x node peak >= 3 MW. 3 x g1 (1 MW, 100 EUR) = 300 beats
    g1 + g2 = 350 and 2 x g2 = 500. Energy follows the given load, not the nodes:
    1.1 x 3 MW x 3 h x w x 10 = 99 w. Cost 300 + 99 w; installed IT peak 3 MW."""
    ds = given_load(3.0, w, servers=["g1", "g2"])
    ds["max_nodes"] = ("server", [3.0, 2.0])  # ceil(3 MW / node peak)
    status, res, m = solve_tiny(ds)
    assert status.status == "optimal"
    assert res["nodes"].sel(site="A", cooling="imm").values.tolist() == [3, 0]
    assert float(res["cost_eur_per_yr"]) == pytest.approx(300 + 99 * w)
    assert float(res["it_peak_mw"].sel(site="A")) == pytest.approx(3.0)
    assert float(res["it_energy_mwh_per_yr"]) == pytest.approx(9 * w)
    assert {"it_load_hosted", "it_capacity"} <= {
        c.local_name for c in m.component_objects() if c.ctype.__name__ == "Constraint"}


def test_it_load_families_are_built_and_compute_requirement_is_not():
    m = build_model(given_load(3.0, 1.0, servers=["g1"]))
    built = {c.local_name for c in m.component_objects() if c.ctype.__name__ == "Constraint"}
    assert set(IT_LOAD_FAMILIES) <= built and "compute_requirement" not in built
