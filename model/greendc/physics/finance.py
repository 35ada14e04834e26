"""Annuities: turn an up-front investment into an equivalent annual cost.

CRF(r, n) = r (1 + r)^n / ((1 + r)^n - 1)   [1/yr]   (CRF(0, n) = 1 / n)
annual cost [EUR/yr] = capex [EUR] * (CRF(r, n) + fixed O&M share [1/yr])
"""

from __future__ import annotations

import math


def capital_recovery_factor(rate: float, lifetime_yr: float) -> float:
    """Capital recovery factor [1/yr] at discount ``rate`` [1/yr] over ``lifetime_yr`` [yr]."""
    if lifetime_yr <= 0:
        raise ValueError(f"lifetime_yr = {lifetime_yr}: lifetimes are years > 0")
    if not -1.0 < rate < 1.0:
        raise ValueError(f"discount rate = {rate}: expected a share per year in (-1, 1)")
    if abs(rate) < 1e-12:
        return 1.0 / lifetime_yr
    growth = (1.0 + rate) ** lifetime_yr
    return rate * growth / (growth - 1.0)


def annualised_cost_eur_per_yr(capex_eur: float, rate: float, lifetime_yr: float,
                               fixed_opex_share_per_yr: float = 0.0) -> float:
    """Annual cost [EUR/yr] of ``capex_eur`` [EUR]: annuity plus fixed O&M share of capex."""
    if not math.isfinite(capex_eur):
        raise ValueError(f"capex = {capex_eur}: expected a finite amount in EUR")
    return capex_eur * (capital_recovery_factor(rate, lifetime_yr) + fixed_opex_share_per_yr)
