"""Infeasible toys: the explanation names the right limit, with the numbers."""

from __future__ import annotations

import pytest

from greendc.diagnose import explain
from greendc.scenario import scenario_from_dict
from greendc.study import Study
from tests.conftest import tiny_inputs


def study(scenario_extra: dict | None = None, **changes) -> Study:
    raw = {"name": "tiny", "sites": ["A", "B"], "compute": {"required_pflops": 3},
           "solver": {"workers": 1}, **(scenario_extra or {})}
    return Study(loaded=scenario_from_dict(raw, origin="tiny.yaml"), catalogue=None, sites={},
                 inputs=tiny_inputs(**changes))


def test_grid_connection_named_with_numbers():
    """Both connections 2 MW; the smallest design (g2, imm) needs 2.2 MW: raise by 0.2 MW."""
    diag = explain(study(grid_connection_mw=[2.0, 2.0]))
    assert len(diag.causes) == 1
    assert "grid connection 2 MW < peak facility demand 2.2 MW" in diag.causes[0]
    assert "raise grid_connection_mw by 0.2 MW" in diag.causes[0]
    assert any(r.startswith("grid_connection:") for r in diag.iis)


def test_grid_connection_named_with_numbers_when_priced():
    """The same with options.grid_connection_cost (hourly flow <= connection_mw <= 2 MW):
    the explanation is the available capacity's, +0.2 MW."""
    from tests.formulation.test_connection import priced

    s = study({"options": {"grid_connection_cost": True}})
    s = Study(loaded=s.loaded, catalogue=None, sites={},
              inputs=priced(tiny_inputs(grid_connection_mw=[2.0, 2.0]), 10.0))
    diag = explain(s)
    assert len(diag.causes) == 1
    assert "grid connection 2 MW < peak facility demand 2.2 MW" in diag.causes[0]
    assert "raise grid_connection_mw by 0.2 MW" in diag.causes[0]


def test_floor_space_named():
    """A has 0.8 m2, one rack needs 1 m2: +0.2 m2 (25 %) is the smallest relative move."""
    diag = explain(study(floor_area_m2=[0.8, 0.25]))
    assert diag.slacks == pytest.approx({"floor_space[A]": 0.2})
    assert "site A: floor area 0.8 m2 < 1 m2 needed for the racks" in diag.causes[0]


def test_water_named():
    diag = explain(study(water_m3_per_mw_it_yr=[[10, 5, 3], [10, 5, 3]],
                         water_allowance_m3_per_yr=[5, 5]))
    assert diag.slacks == pytest.approx({"water_use[A]": 1.0})
    assert "water allowance 5 m3/yr < 6 m3/yr" in diag.causes[0]


def test_emissions_cap_below_physical_minimum():
    """B emits at least 0.44 t; a 0.3 t cap must rise by 0.14 t."""
    diag = explain(study({"emissions_cap_t_per_yr": 0.3}))
    assert diag.slacks == pytest.approx({"emissions_cap": 0.14})
    assert "emissions cap 0.3 tCO2e/yr is below the lowest reachable 0.4" in diag.causes[0]


def test_sovereignty_gate_named():
    diag = explain(study({"sovereignty": {"allowed_jurisdictions": ["EU"]}},
                         site_jurisdiction_allowed=[0, 0]))
    assert "excluded by sovereignty rule allowed_jurisdictions ['EU']" in diag.causes[0]


def test_connection_queue_named_when_the_only_site_in_time_cannot_host():
    """A's connection comes in 2030, after commissioning 2028; B (in time) has 0.25 m2 of
    floor for a 1 m2 rack (+300 %): opening A (one site gate, penalty 1) is the smaller move."""
    from tests.formulation.test_connection import queued

    inputs = queued(tiny_inputs(floor_area_m2=[1e4, 0.25]), [2030, 2027])
    s = Study(loaded=scenario_from_dict(
        {"name": "tiny", "sites": ["A", "B"], "compute": {"required_pflops": 3},
         "commissioning_year": 2028, "solver": {"workers": 1}}, origin="tiny.yaml"),
        catalogue=None, sites={}, inputs=inputs)
    diag = explain(s)
    assert diag.slacks == pytest.approx({"grid_connection_queue[A]": 1.0})
    assert ("site A: its grid connection comes in 2030, after commissioning_year 2028"
            in diag.causes[0])


def test_cfe_target_shortfall_is_explained_in_mwh():
    """No clean supply at all (grid CFE share 0, no PPA potential) but min_cfe_share 0.5: the
    elastic model reports the missing clean energy: 0.5 x 2.2 MW x 4 h = 4.4 MWh."""
    from greendc.formulation import build_model
    from greendc.diagnose import elasticize
    from greendc.solve import HighsModel, SolverSettings
    from tests.conftest import tiny_inputs

    inputs = tiny_inputs(min_cfe_share=0.5)
    m = build_model(inputs)
    added = elasticize(m, inputs)
    hm = HighsModel(m, SolverSettings(mip_rel_gap=1e-9))
    assert hm.solve().has_solution
    hm.load_solution()
    slack = added["cfe_target"][0]
    assert slack[None].value == pytest.approx(4.4, rel=1e-6)


def test_critical_window_keeps_the_peak_hour_and_a_year_of_weight():
    import numpy as np

    from greendc.diagnose import critical_window

    pue = np.full((2, 3, 400), 1.2)
    pue[1, 0, 300] = 1.9
    inputs = tiny_inputs(hours=400, pue=pue)
    cut = critical_window(inputs, hours=168)
    assert cut.sizes["time"] == 168 and 300 in cut["time"].values
    assert float(cut["weight_h"].sum()) == pytest.approx(float(inputs["weight_h"].sum()))
    assert critical_window(tiny_inputs()) is not None


def test_flexible_load_lowers_its_work_with_the_requirement():
    """compute.flexibility on and at most one g1 node (1 PFLOP/s of 3): only lowering the
    requirement by 2 PFLOP/s hosts the study; the work (work_requirement) follows it, else the
    elastic model stays infeasible."""
    import numpy as np

    inputs = tiny_inputs(max_nodes=[1.0, 0.0])
    inputs["node_idle_mw"] = ("server", [0.5, 1.0])
    inputs.attrs.update(flex_training_share=0.4, flex_period_h=24.0, flex_floor_share=0.0,
                        flex_max_ramp_share_per_h=np.nan, flex_curtailable_share=0.0,
                        flex_curtailment_cost_eur_per_mwh=0.0)
    raw = {"name": "tiny", "sites": ["A", "B"], "solver": {"workers": 1},
           "compute": {"required_pflops": 3, "flexibility": {"training_share": 0.4}}}
    diag = explain(Study(loaded=scenario_from_dict(raw, origin="tiny.yaml"), catalogue=None,
                         sites={}, inputs=inputs))
    assert diag.slacks == pytest.approx({"compute_requirement": 2.0})


def test_battery_only_backup_beyond_the_battery_is_explained():
    """Continuity with the battery alone, 100 h of the 2.2 MW need (eta 1): each MW of battery
    backup holds 100 MWh, and the battery may hold at most 24 h x 5 MW = 120 MWh at A: 1.2 MW
    of backup, short by 1 MW of power and 220 - 120 = 100 MWh_e of energy (B, 2.5 MW, would be
    short by 1.6 MW and 160 MWh_e)."""
    from tests.formulation.test_continuity import with_continuity

    s = study(grid_connection_mw=[5.0, 2.5])
    s = Study(loaded=s.loaded, catalogue=None, sites={},
              inputs=with_continuity(s.inputs, autonomy_h=100.0, gensets={}, battery=1))
    diag = explain(s)
    assert diag.slacks == pytest.approx({"backup_cover[A]": 1.0, "backup_energy[A]": 100.0},
                                        rel=1e-6)
    text = "\n".join(diag.causes)
    assert "needs 1 MW more backup power" in text
    assert "continuity.autonomy_h = 100 h of the 2.2 MW peak facility load" in text
    assert "short by 100 MWh_e" in text
