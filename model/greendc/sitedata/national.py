"""Published national annual figures per country and year (2017-2020), used to correct and check
the hourly grid series.

- ``NATIONAL_GENERATION[(cc, year)]``: annual electricity generation by fuel [TWh] and the
  annual life-cycle carbon intensity [gCO2e/kWh] from **Ember, Yearly Electricity Data Europe
  (2025 release)**, as republished in Our World in Data's energy dataset
  (``owid/energy-data:owid-energy-data.csv``, columns ``electricity_generation``,
  ``coal_electricity``, ``gas_electricity``, ``oil_electricity`` (oil and other fossil, e.g.
  peat), ``biofuel_electricity``, ``nuclear_electricity``, ``hydro_electricity``,
  ``wind_electricity``, ``solar_electricity``, ``other_renewable_exc_biofuel_electricity``,
  ``carbon_intensity_elec``). Used by ``greendc.sitedata.grid`` to correct incomplete ENTSO-E
  coverage (fuel groups whose annual energy differs by more than 10 % and 1 TWh) and by
  ``greendc data check`` / the tests as the published reference.
- ``ANNUAL_PRICE[(cc, year)]``: annual average day-ahead price [EUR/MWh] of the country's
  bidding zone (Stockholm: SE3) with its source; generated price series are calibrated to it.

No network and no file access: the numbers are transcribed here with their source.
"""

from __future__ import annotations

from dataclasses import dataclass

EMBER_SOURCE = ("Ember, Yearly Electricity Data Europe (2025), via Our World in Data energy "
                "dataset (owid/energy-data, owid-energy-data.csv)")


@dataclass(frozen=True)
class NationalYear:
    """Ember annual figures of one country and year (generation in TWh, intensity gCO2e/kWh)."""

    total_twh: float
    coal: float
    gas: float
    oil: float
    bio: float
    nuclear: float
    hydro: float
    wind: float
    solar: float
    other_renewable: float
    ci_gco2_per_kwh: float

    def group_twh(self, group: str) -> float:
        return float(getattr(self, group))

    @property
    def cfe_share(self) -> float:
        """Carbon-free share (nuclear, hydro, wind, solar, other renewables; bioenergy excluded)."""
        clean = self.nuclear + self.hydro + self.wind + self.solar + self.other_renewable
        return clean / self.total_twh


def _row(total, coal, gas, oil, bio, nuclear, hydro, wind, solar, other_renewable, ci):
    return NationalYear(total, coal, gas, oil, bio, nuclear, hydro, wind, solar,
                        other_renewable, ci)


NATIONAL_GENERATION: dict[tuple[str, int], NationalYear] = {
    ("FI", 2017): _row(67.52, 5.86, 3.30, 4.41, 11.86, 22.48, 14.77, 4.79, 0.05, 0.0, 186.17),
    ("FI", 2018): _row(70.23, 5.79, 4.20, 5.31, 12.91, 22.79, 13.30, 5.84, 0.09, 0.0, 193.37),
    ("FI", 2019): _row(68.61, 4.36, 3.85, 4.65, 13.29, 23.87, 12.42, 6.02, 0.15, 0.0, 171.55),
    ("FI", 2020): _row(69.24, 2.44, 3.99, 3.59, 11.57, 23.29, 15.88, 8.26, 0.22, 0.0, 130.27),
    ("FR", 2017): _row(555.74, 12.81, 40.50, 12.16, 7.78, 398.36, 50.00, 24.61, 8.87, 0.65, 78.31),
    ("FR", 2018): _row(576.24, 8.31, 30.55, 10.59, 8.38, 412.94, 65.11, 28.60, 11.15, 0.61, 59.92),
    ("FR", 2019): _row(565.52, 3.64, 39.24, 10.73, 8.64, 399.01, 56.91, 34.72, 12.02, 0.61, 59.79),
    ("FR", 2020): _row(527.25, 3.09, 35.25, 10.05, 8.76, 353.83, 62.52, 40.05, 13.09, 0.61, 59.08),
    ("DE", 2017): _row(644.46, 241.26, 86.04, 25.16, 50.92, 76.32, 20.15, 105.69, 38.76, 0.16,
                       469.71),
    ("DE", 2018): _row(632.28, 228.16, 81.56, 23.63, 50.79, 76.00, 17.69, 109.95, 44.32, 0.18,
                       454.55),
    ("DE", 2019): _row(600.09, 171.45, 90.00, 22.40, 50.13, 75.07, 19.73, 125.89, 45.22, 0.20,
                       392.51),
    ("DE", 2020): _row(566.75, 134.60, 95.00, 21.28, 50.93, 64.38, 18.72, 132.11, 49.50, 0.23,
                       355.61),
    ("NL", 2017): _row(116.04, 31.38, 57.73, 6.10, 4.60, 3.40, 0.06, 10.57, 2.20, 0.0, 489.66),
    ("NL", 2018): _row(113.10, 27.58, 57.63, 5.50, 4.55, 3.51, 0.07, 10.55, 3.71, 0.0, 467.11),
    ("NL", 2019): _row(120.05, 17.69, 70.72, 4.93, 5.82, 3.91, 0.07, 11.51, 5.40, 0.0, 410.00),
    ("NL", 2020): _row(121.96, 7.62, 72.52, 5.00, 8.84, 4.09, 0.05, 15.27, 8.57, 0.0, 342.90),
    ("PT", 2017): _row(57.59, 14.67, 18.89, 1.45, 3.22, 0.0, 5.90, 12.25, 0.99, 0.22, 433.76),
    ("PT", 2018): _row(58.35, 12.01, 15.61, 1.32, 3.16, 0.0, 12.39, 12.62, 1.01, 0.23, 358.70),
    ("PT", 2019): _row(51.60, 5.53, 17.26, 1.40, 3.36, 0.0, 8.82, 13.67, 1.34, 0.22, 300.97),
    ("PT", 2020): _row(51.39, 2.36, 17.60, 1.32, 3.79, 0.0, 12.08, 12.30, 1.72, 0.22, 248.30),
    ("ES", 2017): _row(272.38, 45.13, 64.04, 17.24, 6.08, 58.04, 18.32, 49.13, 14.40, 0.0, 329.17),
    ("ES", 2018): _row(271.40, 37.34, 58.00, 16.42, 5.91, 55.77, 34.33, 50.89, 12.74, 0.0, 290.86),
    ("ES", 2019): _row(270.52, 12.86, 83.71, 14.61, 5.57, 58.35, 24.65, 55.65, 15.10, 0.02,
                       246.67),
    ("ES", 2020): _row(259.47, 5.52, 69.74, 12.12, 6.14, 58.30, 30.51, 56.44, 20.67, 0.03, 199.10),
    ("SE", 2017): _row(164.23, 0.32, 0.33, 2.82, 12.08, 65.70, 65.14, 17.61, 0.23, 0.0, 42.50),
    ("SE", 2018): _row(163.36, 0.34, 0.38, 2.94, 11.91, 68.55, 62.21, 16.62, 0.41, 0.0, 42.73),
    ("SE", 2019): _row(168.42, 0.21, 0.29, 2.85, 13.04, 66.13, 65.37, 19.85, 0.68, 0.0, 42.34),
    ("GB", 2017): _row(338.22, 22.53, 136.75, 9.71, 31.90, 70.34, 5.88, 49.65, 11.46, 0.0, 302.20),
    ("GB", 2018): _row(333.76, 16.83, 131.49, 10.24, 35.11, 65.06, 5.44, 56.91, 12.67, 0.01,
                       285.65),
    ("GB", 2019): _row(327.19, 6.92, 133.09, 11.26, 37.54, 56.18, 5.93, 63.84, 12.42, 0.01,
                       268.41),
    ("GB", 2020): _row(310.30, 5.70, 111.89, 8.84, 38.58, 50.24, 6.88, 75.62, 12.55, 0.0, 242.54),
}


@dataclass(frozen=True)
class AnnualPrice:
    """Annual average day-ahead price of a bidding zone [EUR/MWh] and where it is published."""

    eur_per_mwh: float
    zone: str
    source: str


_EPEX = "EPEX SPOT annual market review (day-ahead base, annual average)"
_OMIE = "OMIE annual report (day-ahead market, annual arithmetic average price)"
_NP_FI = "Nord Pool area price Finland, annual average (Fingrid annual reports 2018-2020)"
_NP_SE3 = "Nord Pool area price SE3 (Stockholm), annual average (Fortum annual reports 2017-2020)"
_N2EX = ("N2EX/APX GB day-ahead baseload, annual average in GBP/MWh (Ofgem wholesale market "
         "indicators), converted at the ECB annual average EUR/GBP rate of the year")

ANNUAL_PRICE: dict[tuple[str, int], AnnualPrice] = {
    ("FR", 2017): AnnualPrice(44.97, "FR", _EPEX), ("FR", 2018): AnnualPrice(50.20, "FR", _EPEX),
    ("FR", 2019): AnnualPrice(39.45, "FR", _EPEX), ("FR", 2020): AnnualPrice(32.20, "FR", _EPEX),
    ("NL", 2017): AnnualPrice(39.31, "NL", _EPEX), ("NL", 2018): AnnualPrice(52.53, "NL", _EPEX),
    ("NL", 2019): AnnualPrice(41.20, "NL", _EPEX), ("NL", 2020): AnnualPrice(32.24, "NL", _EPEX),
    ("DE", 2017): AnnualPrice(34.19, "DE-AT-LU", _EPEX),
    ("DE", 2018): AnnualPrice(44.47, "DE-AT-LU / DE-LU", _EPEX),
    ("DE", 2019): AnnualPrice(37.67, "DE-LU", _EPEX), ("DE", 2020): AnnualPrice(30.47, "DE-LU", _EPEX),
    ("ES", 2017): AnnualPrice(52.24, "ES", _OMIE), ("ES", 2018): AnnualPrice(57.29, "ES", _OMIE),
    ("ES", 2019): AnnualPrice(47.68, "ES", _OMIE), ("ES", 2020): AnnualPrice(33.96, "ES", _OMIE),
    ("PT", 2017): AnnualPrice(52.48, "PT", _OMIE), ("PT", 2018): AnnualPrice(57.45, "PT", _OMIE),
    ("PT", 2019): AnnualPrice(47.87, "PT", _OMIE), ("PT", 2020): AnnualPrice(33.99, "PT", _OMIE),
    ("FI", 2017): AnnualPrice(33.19, "FI", _NP_FI), ("FI", 2018): AnnualPrice(46.80, "FI", _NP_FI),
    ("FI", 2019): AnnualPrice(44.04, "FI", _NP_FI), ("FI", 2020): AnnualPrice(28.02, "FI", _NP_FI),
    ("SE", 2017): AnnualPrice(31.20, "SE3", _NP_SE3), ("SE", 2018): AnnualPrice(44.60, "SE3", _NP_SE3),
    ("SE", 2019): AnnualPrice(38.40, "SE3", _NP_SE3),
    # GBP 44.5 / 57.4 / 42.9 / 35.4 per MWh at EUR/GBP 0.87667 / 0.88471 / 0.87777 / 0.88970
    ("GB", 2017): AnnualPrice(50.76, "GB", _N2EX), ("GB", 2018): AnnualPrice(64.88, "GB", _N2EX),
    ("GB", 2019): AnnualPrice(48.87, "GB", _N2EX), ("GB", 2020): AnnualPrice(39.79, "GB", _N2EX),
}


def national(cc: str, year: int) -> NationalYear | None:
    return NATIONAL_GENERATION.get((cc, year))


def annual_price(cc: str, year: int) -> AnnualPrice | None:
    return ANNUAL_PRICE.get((cc, year))
