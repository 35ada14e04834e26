"""Input fallbacks live in one place, ``greendc.inputs``: the formulation reads every variable
unconditionally, so an inputs Dataset missing one is an error, not a silent zero."""

from __future__ import annotations

import pytest

from greendc.formulation import build_model
from tests.conftest import tiny_inputs


@pytest.mark.parametrize("name", ["grid_cfe_share", "supply_owned"])
def test_the_build_has_no_fallback_of_its_own(name):
    with pytest.raises(KeyError, match=name):
        build_model(tiny_inputs().drop_vars(name))


def test_inputs_default_a_missing_grid_cfe_share_to_zero():
    """A site file without ``grid_cfe_share`` counts its grid as fossil (phi = 0), set once in
    ``prepare_inputs``."""
    import numpy as np

    from greendc.inputs import prepare_inputs
    from greendc.study import load_study

    study = load_study({"name": "t", "sites": ["fr-essonne", "se-stockholm"],
                        "compute": {"required_pflops": 2000}, "horizon": {"hours": 24}})
    assert float(study.inputs["grid_cfe_share"].sel(site="fr-essonne").mean()) > 0
    sites = dict(study.sites)
    sites["fr-essonne"] = sites["fr-essonne"].drop_vars("grid_cfe_share")
    inputs = prepare_inputs(study.loaded, study.catalogue, sites)
    assert np.all(inputs["grid_cfe_share"].sel(site="fr-essonne").values == 0.0)
    assert np.array_equal(inputs["grid_cfe_share"].sel(site="se-stockholm").values,
                          study.inputs["grid_cfe_share"].sel(site="se-stockholm").values)
    assert set(inputs["supply_owned"].values) <= {0.0, 1.0}
