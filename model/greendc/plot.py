"""Plots for notebooks: ``greendc.plot.front(front, ax=None)`` (matplotlib).

The report's figures are in ``greendc.report.plots``; these helpers draw on an axis the
caller owns, so that several fronts can share one (each gets the next colour and marker).
"""

from __future__ import annotations


import numpy as np
import xarray as xr

MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def front(front: xr.Dataset, ax=None, label: str | None = None, annotate: bool = True):
    """Draw a cost-emissions front: annual cost [M EUR/yr] against emissions [tCO2e/yr],
    points joined in order, each annotated with its site/cooling where the design changes,
    user caps as dashed vertical lines, dominated points hollow. Returns the axis."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=(7, 4.5))
    if "point" not in front.dims:
        raise ValueError("front() takes the Dataset of greendc.pareto.pareto_front (dim 'point')")
    drawn = getattr(ax, "_greendc_fronts", 0)  # fronts already on this axis
    ax._greendc_fronts = drawn + 1
    marker = MARKERS[drawn % len(MARKERS)]
    emissions = front["emissions_t_per_yr"].values
    cost = front["cost_eur_per_yr"].values / 1e6
    name = label or str(front.attrs.get("scenario", "front"))
    (line,) = ax.plot(emissions, cost, marker=marker, label=name)
    dominated = front["dominated"].values.astype(bool) if "dominated" in front else \
        np.zeros(len(cost), bool)
    if dominated.any():
        ax.plot(emissions[dominated], cost[dominated], linestyle="none", marker=marker,
                markerfacecolor="white", color=line.get_color())
    if "user_cap" in front:
        for cap in front["epsilon_t_per_yr"].values[front["user_cap"].values.astype(bool)]:
            ax.axvline(float(cap), color=line.get_color(), linestyle="--", linewidth=0.8)
    if annotate:
        designs = [f"{s}/{c}" for s, c in zip(front["site"].values, front["cooling"].values)]
        for i, (x, y, d) in enumerate(zip(emissions, cost, designs)):
            if i == 0 or d != designs[i - 1]:
                ax.annotate(d, (x, y), textcoords="offset points", xytext=(4, 4), fontsize=8,
                            color=line.get_color())
    ax.set_xlabel(f"{front.attrs.get('scope', 'emissions')} [tCO2e/yr]")
    ax.set_ylabel("annual cost [M EUR/yr]")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return ax


__all__ = ["front"]
