"""Annuities by hand."""

import pytest

from greendc.physics.finance import annualised_cost_eur_per_yr, capital_recovery_factor


def test_crf_by_hand():
    # r = 10 %, n = 2: 0.1 * 1.21 / 0.21 = 0.576190...
    assert capital_recovery_factor(0.1, 2) == pytest.approx(0.121 / 0.21)
    assert capital_recovery_factor(0.0, 4) == pytest.approx(0.25)


def test_annual_cost_adds_fixed_opex_share():
    assert annualised_cost_eur_per_yr(1000.0, 0.0, 10, 0.02) == pytest.approx(120.0)


@pytest.mark.parametrize("rate, life, text", [(0.05, 0, "lifetimes are years > 0"),
                                              (1.5, 10, "discount rate = 1.5")])
def test_bad_finance_inputs_are_named(rate, life, text):
    with pytest.raises(ValueError, match=text):
        capital_recovery_factor(rate, life)
