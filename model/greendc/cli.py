"""Command line: ``greendc validate | run | robustness | pareto | batch | footprint | report |
schema | data``.

A thin layer over the Python API. ``greendc --version``; ``greendc -v CMD`` logs greendc's
DEBUG records and prints the HiGHS log (``solver.log: true``). ``run``/``pareto``/``validate``
take ``--set dotted.field=value`` (repeatable; values parsed as YAML, validated like the
file). Help texts are plain text (no rich markup), so units in brackets such as ``[kW]``
are shown as written.

Exit codes: 0 success; 1 user-fixable problem (bad input, infeasible study, solver fault);
2 usage error (typer); 3 a design was found but is not proven optimal (time limit); 130
interrupted (Ctrl-C): ``run`` saves the best design found so far, labelled ``interrupted``.
"""

from __future__ import annotations

import enum
import json
import logging
import math
import pathlib
import sys
import warnings

import typer

from greendc.errors import GreendcError, InfeasibleError, PlausibilityWarning
from greendc.scenario import folder_name, parse_assignments

app = typer.Typer(
    help="greendc: choose site, servers, cooling, PPA, battery and heat export for a green AI "
    "data centre at least cost or emissions. Start with `greendc run reference_sites`.",
    no_args_is_help=True, add_completion=False, rich_markup_mode=None,
)
EXIT_USER_ERROR, EXIT_NOT_PROVEN, EXIT_INTERRUPTED = 1, 3, 130
SCENARIO_HELP = "scenario YAML file, or the name of a built-in study (e.g. reference_sites)"
SET_HELP = ("change a scenario field: --set compute.required_pflops=10000 --set "
            "objective=emissions (dotted path, value as YAML; repeatable)")
_VERBOSE = {"on": False}


def _mount_data_app() -> None:
    try:
        from greendc.sitedata.cli import app as data_app
    except ImportError:  # pragma: no cover - sitedata always ships with the package
        return
    app.add_typer(data_app, name="data", help="Reference-site data: list, show, build, import.")


_mount_data_app()
_show_warning_default = warnings.showwarning


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """Plausibility warnings as one readable line (not Python's file:line form)."""
    if issubclass(category, PlausibilityWarning):
        typer.secho(f"warning: {message}", err=True, fg="yellow")
    else:
        _show_warning_default(message, category, filename, lineno, file, line)


def _version(value: bool) -> None:
    if value:
        from greendc import __version__

        typer.echo(f"greendc {__version__}")
        raise typer.Exit()


class _DebugOnly(logging.Filter):
    """DEBUG records only: INFO steps and warnings have their own handler (progress)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno < logging.INFO


class _StderrHandler(logging.StreamHandler):
    """Writes to the current ``sys.stderr`` (which a test runner may have replaced)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


def _verbose_logging(on: bool) -> None:
    """-v: greendc's DEBUG records on stderr; without it the handler is gone (one process
    may run several commands, e.g. tests)."""
    logger = logging.getLogger("greendc")
    mine = [h for h in logger.handlers if getattr(h, "_greendc_verbose", False)]
    if not on:
        for handler in mine:
            logger.removeHandler(handler)
        if mine and logger.level == logging.DEBUG:
            logger.setLevel(logging.NOTSET)
        return
    logger.setLevel(logging.DEBUG)
    if not mine:
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("debug %(name)s: %(message)s"))
        handler.addFilter(_DebugOnly())
        handler._greendc_verbose = True
        logger.addHandler(handler)


@app.callback()
def _setup(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="print the greendc version and exit"),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="log greendc's DEBUG records "
                                 "and print the HiGHS log (as solver.log: true)"),
) -> None:
    warnings.showwarning = _show_warning
    _VERBOSE["on"] = verbose
    _verbose_logging(verbose)


def _changes(sets: list[str] | None, **fixed) -> dict | None:
    """Scenario changes of the command line: ``--set`` items, options such as --time-limit
    (``fixed``, None = not given) and ``solver.log`` under -v."""
    changes = parse_assignments(sets)
    changes.update({k.replace("__", "."): v for k, v in fixed.items() if v is not None})
    if _VERBOSE["on"]:
        changes.setdefault("solver.log", True)
    return changes or None


class Strategy(str, enum.Enum):
    """``solver.strategy`` values (see ``greendc.study``)."""

    auto = "auto"
    benders = "benders"
    decompose = "decompose"
    monolithic = "monolithic"


class Scope(str, enum.Enum):
    emissions = "emissions"
    operational = "operational"


def _positive(name: str, unit: str):
    """typer callback: a number > 0 [unit] or omitted; 0, negatives and NaN are usage errors
    (``--time-limit 0`` used to mean "no limit")."""
    def check(value):
        if value is not None and not value > 0:
            extra = f" (omit {name} for no limit)" if name == "--time-limit" else ""
            raise typer.BadParameter(f"{value:g}: expected a number > 0 [{unit}]{extra}")
        return value
    return check


def _share(value):
    if value is not None and not 0 < value <= 1:
        raise typer.BadParameter(f"{value:g}: expected a share in (0, 1] (did you give a "
                                 "percentage?)" if value > 1 else f"{value:g}: expected (0, 1]")
    return value


def _out_folder(value: pathlib.Path | None):
    """``--out`` must be a folder (or not exist yet): an existing file is refused before any
    solve (it would only fail after it)."""
    if value is not None and value.exists() and not value.is_dir():
        raise typer.BadParameter(f"{value} is an existing file; --out names a results "
                                 "folder (give a new or existing folder)")
    return value


def _caps(value: str | None) -> list[float] | None:
    """``--caps 7000,5000`` -> [7000.0, 5000.0] [tCO2e/yr]; each a finite number >= 0."""
    if value is None:
        return None
    caps = []
    for item in value.split(","):
        try:
            cap = float(item)
        except ValueError:
            raise typer.BadParameter(f"{item.strip()!r}: expected numbers [tCO2e/yr] separated "
                                     "by commas, e.g. 7000,5000") from None
        if not math.isfinite(cap) or cap < 0:
            raise typer.BadParameter(f"{item.strip()}: expected a cap >= 0 [tCO2e/yr]")
        caps.append(cap)
    return caps


SCHEDULER_HELP = ("address of a running dask scheduler to run the parallel work on, e.g. "
                  "tcp://host:8786 (default: solver.workers local processes)")


def _fail(exc: GreendcError) -> None:
    kind = type(exc).__name__
    typer.secho(f"{kind}: {exc}", err=True, fg=typer.colors.RED)
    raise typer.Exit(EXIT_USER_ERROR)


@app.command()
def robustness(
    scenario: pathlib.Path = typer.Argument(..., help="scenario YAML file of the solved design"),
    results: pathlib.Path = typer.Option(None, "--results", "-r", help="results folder of that "
                                         "scenario (default: results/<scenario name>)"),
    years: list[int] = typer.Option(None, "--year", "-y", help="data years (default: every "
                                    "year available for the built site)"),
) -> None:
    """Re-evaluate a solved design (capacities fixed, hourly dispatch only) in every grid data
    year: cost, emissions and CFE per year, their spread, and why a year is infeasible. Writes
    robustness.csv/.json into the results folder (shown by `greendc report`)."""
    import xarray as xr

    from greendc import robustness as rb
    from greendc.scenario import load_scenario

    try:
        loaded = load_scenario(scenario)
        folder = results or pathlib.Path("results") / loaded.scenario.name
        if not (folder / "results.nc").exists():
            raise GreendcError(f"{folder}: no results.nc; run `greendc run {scenario}` first")
        res = xr.load_dataset(folder / "results.nc")
        from greendc.progress import show_steps

        with show_steps(enabled=True):
            table = rb.robustness(loaded, res, list(years or []) or None)
    except GreendcError as exc:
        _fail(exc)
    path = rb.save(table, folder)
    if (folder / "report.html").exists():  # the report shows the table: keep it current
        from greendc.report import write_report

        write_report(folder)
    typer.echo("\n".join(rb.markdown(table)))
    typer.echo(f"robustness: {path}")


@app.command()
def validate(scenario: pathlib.Path = typer.Argument(..., help=SCENARIO_HELP),
             sets: list[str] = typer.Option(None, "--set", "-s", metavar="FIELD=VALUE", help=SET_HELP)) -> None:
    """Check a scenario, its catalogue overrides and its site files without solving."""
    from greendc.study import combinations, load_study

    try:
        study = load_study(scenario, overrides=_changes(sets))
    except GreendcError as exc:
        _fail(exc)
    sc = study.scenario
    combos = combinations(study)
    typer.echo(f"OK: {scenario}: {len(sc.sites)} sites, {study.inputs.sizes['cooling']} coolings, "
               f"{study.inputs.sizes['server']} server types, {study.inputs.sizes['time']} hours; "
               f"{len(combos)} (site, cooling) candidates pass the sovereignty rules")


@app.command()
def run(
    scenario: pathlib.Path = typer.Argument(..., help=SCENARIO_HELP),
    out: pathlib.Path = typer.Option(None, "--out", "-o", callback=_out_folder,
                                     help="results folder (default: results/<scenario name>)"),
    strategy: Strategy = typer.Option(None, help="solver strategy (default: the scenario's "
                                      "solver.strategy)"),
    time_limit: float = typer.Option(None, "--time-limit", callback=_positive("--time-limit",
                                     "s"), help="solver time limit per MILP [s], > 0 "
                                     "(default: the scenario's solver.time_limit_s)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="print only the summary line"),
    data_year: int = typer.Option(None, "--data-year", help="grid data year of the site files "
                                  "(overrides the scenario's data_year; see `greendc data list`)"),
    sets: list[str] = typer.Option(None, "--set", "-s", metavar="FIELD=VALUE", help=SET_HELP),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP),
) -> None:
    """Solve a scenario: print the chosen design and KPIs, save results.nc, csv/ and summary.json."""
    from greendc.progress import show_steps
    from greendc.results import save_results, summary
    from greendc.solve import interrupted
    from greendc.study import load_study, solve_study

    try:
        changes = _changes(sets, solver__time_limit_s=time_limit, data_year=data_year)
        study = load_study(scenario, overrides=changes)
    except GreendcError as exc:
        _fail(exc)
    try:
        with show_steps(enabled=not quiet):
            res = solve_study(study, strategy=strategy.value if strategy else None,
                              scheduler=scheduler)
    except InfeasibleError as exc:
        typer.secho(f"Infeasible study: {exc}", err=True, fg=typer.colors.RED)
        _explain(study)
        raise typer.Exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        typer.secho("interrupted (Ctrl-C) before any design was found; nothing saved",
                    err=True, fg="yellow")
        raise typer.Exit(EXIT_INTERRUPTED)
    except GreendcError as exc:
        if interrupted():
            typer.secho(f"interrupted (Ctrl-C) before any design was found; nothing saved "
                        f"({exc})", err=True, fg="yellow")
            raise typer.Exit(EXIT_INTERRUPTED)
        _fail(exc)
    folder = out or pathlib.Path("results") / folder_name(study.scenario.name)
    had_report = (folder / "report.html").exists()
    save_results(res, folder, scenario=study.loaded)  # drops the report of earlier results
    if had_report:
        from greendc.report import write_report

        write_report(folder)
        typer.echo(f"report of the earlier results replaced: {folder / 'report.html'}", err=True)
    info = summary(res)
    typer.echo(format_summary(info) if not quiet else json.dumps(
        {k: info[k] for k in ("site", "cooling", "cost_eur_per_yr", "annual_basis")}))
    typer.echo(f"results: {folder}")
    if info["solver"]["status"] == "interrupted":
        gap = info["solver"]["mip_gap"]
        typer.secho(f"interrupted (Ctrl-C): saved the best design found so far, labelled "
                    f"'interrupted' (gap {'unknown' if gap is None else f'{gap:.2e}'})",
                    err=True, fg="yellow")
        raise typer.Exit(EXIT_INTERRUPTED)
    if info["solver"]["status"] != "optimal":
        typer.secho("WARNING: not proven optimal (time limit); see solver.mip_gap", fg="yellow")
        raise typer.Exit(EXIT_NOT_PROVEN)


@app.command()
def pareto(
    scenario: pathlib.Path = typer.Argument(..., help=SCENARIO_HELP),
    points: int = typer.Option(None, "--points", "-n", min=2, help="evenly spaced points on "
                               "the front, ends included (default 10; with --caps: none)"),
    caps: str = typer.Option(None, "--caps", callback=_caps, metavar="T,T,...", help="emissions caps "
                             "[tCO2e/yr], comma separated, e.g. 7000,5000: front points at "
                             "these caps (with the two ends, and --points if given)"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", callback=_out_folder,
                                     help="folder (default: results/<name>-front)"),
    scope: Scope = typer.Option(Scope.emissions, help="emissions (total) or operational"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress lines"),
    sets: list[str] = typer.Option(None, "--set", "-s", metavar="FIELD=VALUE", help=SET_HELP),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help=SCHEDULER_HELP),
) -> None:
    """Cost-emissions Pareto front (augmented epsilon-constraint) with the shadow prices of
    each point; writes front.nc and front.csv."""
    from greendc.pareto import pareto_front, save_front
    from greendc.progress import show_steps
    from greendc.study import load_study

    scope = scope.value
    if points is None and not caps:
        points = 10
    try:
        study = load_study(scenario, overrides=_changes(sets))
        designs: list = []
        with show_steps(enabled=not quiet):
            front = pareto_front(study, points=points, scope=scope, designs=designs, caps=caps,
                                 scheduler=scheduler)
    except GreendcError as exc:
        _fail(exc)
    from greendc import atomic
    from greendc.report import write_report
    from greendc.results import save_results

    folder = out or pathlib.Path("results") / f"{folder_name(study.scenario.name)}-front"
    cheapest = designs[0]
    from greendc.results import DERIVED_FILES

    # results, front and report replace the old ones at once
    with atomic.folder(folder, drop=DERIVED_FILES) as stage:
        save_results(cheapest, stage, scenario=study.loaded)
        save_front(front, stage)
        write_report(stage)
    html = folder / "report.html"
    typer.echo(format_front(front))
    typer.echo(f"front: {folder}/front.nc, report: {html} ({front.attrs['seconds']:.1f} s)")
    for lost in json.loads(front.attrs.get("points_missing", "[]")):
        typer.secho(f"WARNING: no front point at {lost['epsilon_t_per_yr']:,.0f} tCO2e/yr "
                    f"({lost['reason']})", fg="yellow")


@app.command()
def report(folder: pathlib.Path = typer.Argument(..., exists=True, file_okay=False,
                                                  help="results folder of `greendc run` "
                                                  "or `greendc pareto`")) -> None:
    """Write report.html (self-contained) and report.md with figures/ into a results folder."""
    from greendc.report import write_report

    try:
        html = write_report(folder)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"report: {html}")


@app.command()
def batch(
    batch_file: pathlib.Path = typer.Argument(..., help="batch YAML: base scenario + grid/cases "
                                              "(or a built-in batch, e.g. batch_reference)"),
    out: pathlib.Path = typer.Option(None, "--out", "-o", callback=_out_folder,
                                     help="batch folder (default: results/<batch name>)"),
    scheduler: str = typer.Option(None, "--scheduler", metavar="ADDRESS", help="address of a "
                                  "running dask scheduler, e.g. tcp://host:8786 (default: a "
                                  "local cluster of --workers processes)"),
    workers: int = typer.Option(None, "--workers", "-w", min=1, help="local worker processes "
                                "(default: one per core)"),
    serial: bool = typer.Option(False, "--serial", help="run the cases in this process, no dask"),
    retry_failed: bool = typer.Option(True, "--retry-failed/--keep-failed",
                                      help="re-run cases that failed before (default) or keep "
                                      "their recorded failure"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    sets: list[str] = typer.Option(None, "--set", "-s", metavar="FIELD=VALUE", help="change a field of the base "
                                   "scenario before the cases vary it (as for run)"),
) -> None:
    """Run every case of a batch on dask.distributed; skip the cases already done.

    Writes OUT/<case id>/ (results.nc, csv/, summary.json, case.log, status.json) per case and
    OUT/cases.csv + cases.nc. Exit code 1 when a case failed, 3 when one is not proven optimal.
    """
    from greendc.batch import BatchInterrupted, load_batch, run_batch

    try:
        spec = load_batch(batch_file, _changes(sets))
        report = run_batch(spec, out or pathlib.Path("results") / folder_name(spec.name),
                           scheduler=scheduler,
                           workers=workers, serial=serial, retry_failed=retry_failed,
                           quiet=quiet)
    except BatchInterrupted as exc:
        typer.secho(exc.report.line(), err=True, fg="yellow")
        raise typer.Exit(130)
    except GreendcError as exc:
        _fail(exc)
    table = report.table
    if not quiet:
        cols = ["case_id", "name", "status", "site", "cooling", "objective_value"]
        typer.echo(table[cols].to_string(index=False, max_colwidth=40))
    for _, row in table[~table["status"].isin(("optimal", "time_limit"))].iterrows():
        reason = str(row["reason"]).splitlines()[0] if row["reason"] else ""
        typer.secho(f"{row['case_id']} {row['name']}: {row['status']}: {reason}", err=True,
                    fg="red")
    from greendc.report import write_report

    html = write_report(report.out)
    typer.echo(f"{report.line()}\nsummary: {report.out / 'cases.csv'}, comparison: {html}")
    if report.failed:
        raise typer.Exit(EXIT_USER_ERROR)
    if (table["status"] == "time_limit").any():
        raise typer.Exit(EXIT_NOT_PROVEN)


@app.command()
def schema(markdown: bool = typer.Option(False, "--markdown", help="the scenario reference "
                                         "(docs/SCENARIO.md) instead of the JSON schema")) -> None:
    """Print the JSON schema of a scenario file (for editors), or with --markdown the
    scenario reference: every field with its type, unit, default and meaning."""
    from greendc.schema import reference_markdown, scenario_schema_json

    typer.echo(reference_markdown() if markdown else scenario_schema_json(), nl=False)


def format_front(front) -> str:
    """One line per front point: cost, emissions, site/cooling, abatement cost."""
    from greendc.results import table_number

    duals = "co2_shadow_price_eur_per_t" in front
    head = f"{'pt':>3} {'cap tCO2e/yr':>12} {'cost M EUR/yr':>14} {'tCO2e/yr':>10} {'EUR/tCO2':>10}"
    if duals:
        head += f" {'CO2 price':>10} {'EUR/PFLOPs/yr':>13} {'EUR/MW/yr':>10}"
    lines = [head + "  design", " " * 41 + "(abatement)" + (
        "  (shadow prices, fixed design)" if duals else "")]
    for i in front.point.values:
        p = front.sel(point=i)
        flags = "".join([" (dominated)" if bool(p["dominated"]) else "",
                         " (duplicate)" if bool(p["duplicate"]) else "",
                         " (your cap)" if "user_cap" in p and bool(p["user_cap"]) else ""])
        cap = p["user_cap_t_per_yr"] if "user_cap_t_per_yr" in p and bool(p["user_cap"]) \
            else p["epsilon_t_per_yr"]
        row = (f"{int(i):>3} {table_number(cap):>12} "
               f"{float(p['cost_eur_per_yr']) / 1e6:>14,.3f} "
               f"{float(p['emissions_t_per_yr']):>10,.0f} {_abatement_text(p):>10}")
        if duals:
            row += (f" {table_number(p['co2_shadow_price_eur_per_t']):>10}"
                    f" {table_number(p['compute_marginal_cost_eur_per_pflops_yr']):>13}"
                    f" {table_number(p['grid_connection_value_eur_per_mw_yr']):>10}")
        lines.append(f"{row}  {str(p['site'].values)}/{str(p['cooling'].values)}{flags}")
    return "\n".join(lines)


def _abatement_text(p) -> str:
    """Abatement cost of a front point [EUR/tCO2], "within gap" when the cost step is not
    resolved by the points' MIP gaps, empty when there is none (first point, no step)."""
    if "abatement_within_gap" in p and bool(p["abatement_within_gap"]):
        return "within gap"
    ab = float(p["abatement_cost_eur_per_t"])
    return "" if ab != ab else f"{ab:,.0f}"


@app.command()
def footprint(
    accelerators: int = typer.Option(..., min=1, help="number of accelerators (GPUs)"),
    power_w: float = typer.Option(..., callback=_positive("--power-w", "W"),
                                  help="power per accelerator [W] (TDP or measured average)"),
    hours: float = typer.Option(..., callback=_positive("--hours", "h"), help="duration [h]"),
    utilisation: float = typer.Option(1.0, callback=_share,
                                      help="average share of power_w drawn (0-1]"),
    pue: float = typer.Option(None, help="PUE (omit with --site to use the site's hourly PUE)"),
    carbon_intensity: float = typer.Option(None, "--carbon-intensity", min=0, max=2000,
                                           help="grid intensity [gCO2e/kWh], 0-2000"),
    site: str = typer.Option(None, help="reference site id: hourly PUE and carbon intensity"),
    cooling: str = typer.Option("immersion", help="cooling technology at --site"),
    start_hour: int = typer.Option(0, min=0, max=8759,
                                   help="hour of the year the run starts (with --site), 0-8759"),
) -> None:
    """Energy [MWh] and emissions [tCO2e] of a training or inference workload.

    Example (Patterson et al. 2021, GPT-3): --accelerators 10000 --power-w 330 --hours 355.2
    --pue 1.1 --carbon-intensity 429  ->  1,289 MWh, 553 t.
    """
    from greendc.footprint import footprint_at_site
    from greendc.physics.carbon import Workload, workload_emissions_t, workload_energy_mwh

    try:
        work = Workload("workload", accelerators, power_w, hours, utilisation)
        if site is None:
            if pue is None or carbon_intensity is None:
                raise GreendcError("give --pue and --carbon-intensity, or --site")
            energy = workload_energy_mwh(work, pue)
            emissions = workload_emissions_t(energy, carbon_intensity)
        else:
            energy, emissions = footprint_at_site(work, site, cooling, start_hour)
    except GreendcError as exc:
        _fail(exc)
    typer.echo(f"energy {energy:,.1f} MWh, emissions {emissions:,.1f} tCO2e")


def _explain(study) -> None:
    """Print the elastic-mode explanation and the IIS of an infeasible study."""
    from greendc.diagnose import explain

    typer.echo("Diagnosing (elastic mode, then HiGHS IIS) ...", err=True)
    diag = explain(study)
    typer.echo(diag.text(), err=True)
    typer.echo(f"(diagnosis took {diag.seconds:.1f} s)", err=True)


def format_summary(info: dict) -> str:
    """Readable table of the chosen design and KPIs (rows: ``results.summary_rows``)."""
    from greendc.results import summary_rows

    rows = summary_rows(info)
    width = max(len(k) for k, _ in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    breakdown = info["cost_breakdown_eur_per_yr"]
    lines.append("cost breakdown (M EUR/yr): " + ", ".join(
        f"{k} {v / 1e6:,.2f}" for k, v in breakdown.items() if abs(v) > 0.5))
    return "\n".join(lines)


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    app()
