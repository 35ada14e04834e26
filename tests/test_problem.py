"""Solver settings from the scenario (``greendc.problem.settings_for``) reach HiGHS."""

from __future__ import annotations

from dataclasses import replace

import pytest

from greendc.problem import ModelSpec, settings_for, solve_inputs
from greendc.scenario import with_overrides
from greendc.solve import HighsModel
from tests.test_pareto import front_study


def study_with(changes):
    base = front_study()
    return replace(base, loaded=with_overrides(base.loaded, changes))


def test_tolerances_and_log_switch_reach_the_settings():
    s = settings_for(study_with({"solver.primal_feasibility_tolerance": 1e-6,
                                 "solver.dual_feasibility_tolerance": 1e-8, "solver.log": True,
                                 "solver.mip_rel_gap": 1e-3}))
    assert s.extra == {"primal_feasibility_tolerance": 1e-6, "dual_feasibility_tolerance": 1e-8}
    assert s.log_to_console is True and s.mip_rel_gap == 1e-3
    default = settings_for(front_study())
    assert default.extra == {} and default.log_to_console is False


def test_tolerances_are_set_in_highs():
    study = study_with({"solver.primal_feasibility_tolerance": 1e-6,
                        "solver.dual_feasibility_tolerance": 1e-8})
    spec = ModelSpec.of(study)
    hm = HighsModel(spec.build(study.inputs), spec.settings)
    hm.solve()
    def option(name):
        value = hm.highs.getOptionValue(name)
        return value[1] if isinstance(value, tuple) else value  # (status, value) in highspy 1.16

    assert option("primal_feasibility_tolerance") == pytest.approx(1e-6)
    assert option("dual_feasibility_tolerance") == pytest.approx(1e-8)
    assert option("output_flag") is False
    assert solve_inputs(spec, study.inputs).status.status == "optimal"


@pytest.mark.parametrize("field, value", [("solver.primal_feasibility_tolerance", 0.5),
                                          ("solver.dual_feasibility_tolerance", 0),
                                          ("solver.log", "yes")])
def test_bad_solver_settings_are_refused(field, value):
    from greendc.errors import ScenarioError

    with pytest.raises(ScenarioError, match=field.split(".")[1]):
        study_with({field: value})
