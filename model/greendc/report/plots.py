"""Report figures (matplotlib, Agg backend, PNG). Each function takes Datasets, returns a Figure."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xarray as xr  # noqa: E402


def built_site(res: xr.Dataset) -> str:
    return str(res.site.values[int(np.argmax(res["build"].values))])


def cost_breakdown(res: xr.Dataset):
    """Horizontal bars of annual cost items [M EUR/yr] (revenues negative)."""
    items = [v for v in res.data_vars if v.startswith("cost_") and v.endswith("_eur_per_yr")
             and v != "cost_eur_per_yr"]
    values = [float(res[v]) * (-1 if "revenue" in v else 1) / 1e6 for v in items]
    labels = [v.removeprefix("cost_").removesuffix("_eur_per_yr").replace("_", " ") for v in items]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.barh(labels, values, color=["tab:green" if x < 0 else "tab:blue" for x in values])
    ax.set_xlabel("M EUR/yr")
    ax.set_title(f"Annual cost {float(res['cost_eur_per_yr']) / 1e6:,.2f} M EUR/yr")
    fig.tight_layout()
    return fig


def emissions_breakdown(res: xr.Dataset):
    """Bars of operational and embodied emissions [tCO2e/yr]."""
    ppa = float(res["operational_ppa_t_per_yr"]) if "operational_ppa_t_per_yr" in res else 0.0
    parts = {"operational grid": float(res["operational_t_per_yr"]) - ppa,
             "operational PPA life cycle": ppa,
             "embodied servers": float(res["embodied_servers_t_per_yr"]),
             "embodied battery": float(res["embodied_battery_t_per_yr"]),
             "embodied owned solar": float(res["embodied_supply_t_per_yr"])}
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh(list(parts), list(parts.values()), color="tab:gray")
    ax.set_xlabel("tCO2e/yr")
    ax.set_title(f"Emissions {float(res['emissions_t_per_yr']):,.0f} tCO2e/yr")
    fig.tight_layout()
    return fig


def dispatch_heatmaps(res: xr.Dataset):
    """Day x hour heatmaps of grid import, solar/wind used, battery net and heat export [MW]."""
    site = built_site(res)
    r = res.sel(site=site)
    series = {
        "grid import [MW]": r["grid_import_mw"].values,
        "solar/wind used [MW]": r["supply_output_mw"].values - r["surplus_mw"].values,
        "battery discharge - charge [MW]": r["battery_discharge_mw"].values - r["battery_charge_mw"].values,
        "heat export [MW_th]": r["heat_export_mw_th"].values,
    }
    hours = len(r.time)
    days = hours // 24
    fig, axes = plt.subplots(1, 4, figsize=(14, 4), sharey=True)
    for ax, (name, values) in zip(axes, series.items()):
        grid = values[: days * 24].reshape(days, 24) if days else values[None, :]
        im = ax.imshow(grid, aspect="auto", interpolation="nearest", cmap="viridis")
        ax.set_title(name, fontsize=9)
        ax.set_xlabel("hour of day (UTC)")
        fig.colorbar(im, ax=ax, fraction=0.05)
    axes[0].set_ylabel("day of year")
    fig.suptitle(f"Hourly dispatch at {site}")
    fig.tight_layout()
    return fig


def pue_duration_curves(res: xr.Dataset):
    """PUE duration curves per cooling technology and candidate site."""
    pue = res["candidate_pue"]
    fig, axes = plt.subplots(1, pue.sizes["cooling"], figsize=(4 * pue.sizes["cooling"], 3.5),
                             sharey=True, squeeze=False)
    for ax, cool in zip(axes[0], pue.cooling.values):
        for site in pue.site.values:
            curve = np.sort(pue.sel(site=site, cooling=cool).values)[::-1]
            ax.plot(np.arange(len(curve)), curve, label=str(site))
        ax.set_title(str(cool))
        ax.set_xlabel("hours (sorted)")
    axes[0][0].set_ylabel("PUE")
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def monthly_energy_balance(res: xr.Dataset):
    """Monthly electricity supply (grid, solar/wind used, battery net) and demand [GWh]."""
    site = built_site(res)
    r = res.sel(site=site)
    w = 8760.0 / res.sizes["time"]
    frame = pd.DataFrame({
        "grid": r["grid_import_mw"].values, "solar/wind used": r["supply_output_mw"].values
        - r["surplus_mw"].values,
        "battery net": r["battery_discharge_mw"].values - r["battery_charge_mw"].values,
        "facility": r["facility_mw"].values, "heat pump": r["heat_pump_elec_mw"].values,
    }, index=pd.DatetimeIndex(res.time.values) if np.issubdtype(res.time.dtype, np.datetime64)
        else pd.RangeIndex(len(r.time)))
    if isinstance(frame.index, pd.DatetimeIndex):
        monthly = frame.resample("MS").sum() * w / 1000
        labels = monthly.index.strftime("%b")
    else:
        monthly = frame.groupby(np.arange(len(frame)) // 730).sum() * w / 1000
        labels = [str(i + 1) for i in monthly.index]
    fig, ax = plt.subplots(figsize=(9, 3.5))
    x = np.arange(len(monthly))
    bottom = np.zeros(len(monthly))
    for col in ("grid", "solar/wind used", "battery net"):
        ax.bar(x, monthly[col], bottom=bottom, label=col)
        bottom += monthly[col].to_numpy()
    ax.plot(x, monthly["facility"] + monthly["heat pump"], "k.-", label="demand")
    ax.set_xticks(x, labels)
    ax.set_ylabel("GWh")
    ax.legend(fontsize=8, ncols=4)
    ax.set_title(f"Monthly electricity balance at {site}")
    fig.tight_layout()
    return fig


def pareto_plot(front: xr.Dataset):
    """Cost vs emissions front; each point labelled where the design changes."""
    cost = front["cost_eur_per_yr"].values / 1e6
    emis = front["emissions_t_per_yr"].values
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(emis, cost, "o-", color="tab:blue")
    previous = None
    for i in range(len(cost)):
        design = f"{front['site'].values[i]}/{front['cooling'].values[i]}"
        mw = front["supply_mw"].isel(point=i).sum().item()
        label = design if design != previous else ""
        label += f"\nPPA {mw:.0f} MW" if mw > 0.5 else ""
        if label:
            ax.annotate(label, (emis[i], cost[i]), fontsize=7, xytext=(5, 5),
                        textcoords="offset points")
        previous = design
    ax.set_xlabel("emissions [tCO2e/yr]")
    ax.set_ylabel("annual cost [M EUR/yr]")
    ax.set_title("Cost-emissions Pareto front")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def batch_comparison(cases):
    """Cost [M EUR/yr] and emissions [tCO2e/yr] of every solved case of a batch, side by side,
    labelled with the chosen site/cooling (``cases`` is the batch's cases.csv as a DataFrame)."""
    done = cases[cases["status"].isin(["optimal", "time_limit"])]
    fig, axes = plt.subplots(1, 2, figsize=(12, 0.45 * max(len(done), 3) + 1.5), sharey=True)
    labels = [f"{n}\n{s}/{c}" for n, s, c in zip(done["name"], done["site"], done["cooling"])]
    axes[0].barh(labels, done["cost_eur_per_yr"] / 1e6, color="tab:blue")
    axes[0].set_xlabel("annual cost [M EUR/yr]")
    axes[1].barh(labels, done["emissions_t_per_yr"], color="tab:gray")
    axes[1].set_xlabel("emissions [tCO2e/yr]")
    axes[0].invert_yaxis()
    axes[0].tick_params(axis="y", labelsize=7)
    fig.suptitle(f"{len(done)} solved case(s) of {len(cases)}")
    fig.tight_layout()
    return fig
