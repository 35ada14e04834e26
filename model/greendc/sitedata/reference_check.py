"""Check a site-year's annual grid figures against published national references.

For a site file with ``country`` and ``data_year`` attributes, compare

- the annual mean carbon intensity [gCO2e/kWh] with Ember's annual life-cycle intensity of
  that country and year (tolerance: 15 % or 12 g, whichever is larger: our series uses the
  IPCC 2014 life-cycle factors on the ENTSO-E hourly mix, Ember uses reported emissions);
- the annual mean carbon-free share [0-1] with Ember's (nuclear + hydro + wind + solar +
  other renewables) / generation (tolerance 0.03);
- the annual mean day-ahead price [EUR/MWh] with the bidding zone's published annual average
  (tolerance: 6 % for a real series - SMARD vs exchange reports, SE4 vs SE3 -, 1 % for a
  generated series, which is calibrated to it).

References and sources: ``greendc.sitedata.national``. ``greendc data check`` runs this for
every reference file.
"""

from __future__ import annotations

from dataclasses import dataclass

import xarray as xr

from greendc.sitedata.national import EMBER_SOURCE, annual_price, national

CI_REL_TOL, CI_ABS_TOL = 0.15, 12.0
CFE_ABS_TOL = 0.03
PRICE_REL_TOL_REAL, PRICE_REL_TOL_GENERATED = 0.06, 0.01


@dataclass(frozen=True)
class Comparison:
    quantity: str
    unit: str
    value: float
    reference: float
    tolerance: float
    source: str

    @property
    def ok(self) -> bool:
        return abs(self.value - self.reference) <= self.tolerance

    def line(self, origin: str) -> str:
        state = "ok" if self.ok else "OUT OF TOLERANCE"
        return (f"{origin}: {self.quantity} {self.value:.3f} {self.unit} vs published "
                f"{self.reference:.3f} +/- {self.tolerance:.3f} ({self.source}): {state}")


def compare(ds: xr.Dataset) -> list[Comparison]:
    """Comparisons of one site-year Dataset (empty when no reference exists)."""
    cc, year = str(ds.attrs.get("country", "")), int(ds.attrs.get("data_year", 0) or 0)
    out: list[Comparison] = []
    stat = national(cc, year)
    if stat is not None:
        ci = float(ds["grid_carbon_intensity"].mean())
        out.append(Comparison("annual carbon intensity", "gCO2e/kWh", ci, stat.ci_gco2_per_kwh,
                              max(CI_REL_TOL * stat.ci_gco2_per_kwh, CI_ABS_TOL),
                              f"{EMBER_SOURCE}, {cc} {year}"))
        if "grid_cfe_share" in ds:
            out.append(Comparison("annual carbon-free share", "1",
                                  float(ds["grid_cfe_share"].mean()), stat.cfe_share,
                                  CFE_ABS_TOL, f"{EMBER_SOURCE}, {cc} {year}"))
    ref = annual_price(cc, year)
    if ref is not None:
        generated = str(ds["grid_price"].attrs.get("method", "")).startswith("generated")
        rel = PRICE_REL_TOL_GENERATED if generated else PRICE_REL_TOL_REAL
        out.append(Comparison("annual mean day-ahead price", "EUR/MWh",
                              float(ds["grid_price"].mean()), ref.eur_per_mwh,
                              rel * ref.eur_per_mwh, f"{ref.source}, {ref.zone} {year}"))
    return out


def problems(ds: xr.Dataset, origin: str) -> list[str]:
    return [c.line(origin) for c in compare(ds) if not c.ok]
