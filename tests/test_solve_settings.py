"""Simplex pricing of LP solves (``SolverSettings.lp_pricing``, greendc.solve): LP relaxations
and fixed-design dispatch LPs run HiGHS's dual simplex with devex edge weights when asked
("choose", HiGHS's default, otherwise), MILP solves keep HiGHS's defaults, and the setting
changes no optimum."""

from __future__ import annotations

import pytest

from greendc.errors import SolverError
from greendc.formulation import build_model
from greendc.solve import HighsModel, SolverSettings
from tests.conftest import tiny_inputs

EDGE = "simplex_dual_edge_weight_strategy"


def option(hm: HighsModel, name: str):
    return hm.highs.getOptionValue(name)[1]  # highspy returns (status, value)


def solved(pricing: str | None = None, relax: bool = True):
    settings = SolverSettings(mip_rel_gap=1e-9) if pricing is None else \
        SolverSettings(mip_rel_gap=1e-9, lp_pricing=pricing)
    hm = HighsModel(build_model(tiny_inputs()), settings)
    hm.relax_integrality(relax)
    return hm, hm.solve()


def test_lp_solves_use_devex_when_asked_and_milps_highs_defaults():
    """lp_pricing = "devex", LP relaxation: dual simplex (strategy 1) with devex weights (1);
    the same instance solved as a MILP afterwards is back to HiGHS's "choose" (-1); tiny optimum 338 EUR LP and
    MILP alike (1 x g2 is integral)."""
    hm, lp = solved("devex")
    assert (option(hm, "simplex_strategy"), option(hm, EDGE)) == (1, 1)
    assert hm.is_lp
    hm.relax_integrality(False)
    assert not hm.is_lp
    milp = hm.solve()
    assert option(hm, EDGE) == -1
    assert lp.objective == pytest.approx(338.0) and milp.objective == pytest.approx(338.0)


def test_lp_pricing_choose_is_the_default_and_keeps_the_optimum():
    """Default lp_pricing = "choose": HiGHS's own edge weights (-1), the same LP optimum
    (338 EUR)."""
    assert SolverSettings().lp_pricing == "choose"
    hm, lp = solved()
    assert option(hm, EDGE) == -1
    assert lp.objective == pytest.approx(338.0)


def test_extra_options_override_the_pricing():
    """``extra`` is set last: an explicit HiGHS option wins over the pricing preset."""
    hm = HighsModel(build_model(tiny_inputs()), SolverSettings(extra={EDGE: 2}))
    hm.relax_integrality(True)
    hm.solve()
    assert option(hm, EDGE) == 2


def test_unknown_pricing_is_refused_by_name():
    with pytest.raises(SolverError, match="lp_pricing = 'steepest'"):
        SolverSettings(lp_pricing="steepest")
