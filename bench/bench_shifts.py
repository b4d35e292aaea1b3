"""Shifts in volume on simulated series: how often noise is called a new level, how often
a real one is found, and whether one flooded hour is taken for one.

Each series is a week of hourly counts that swing with the day (2 to 14 posts expected
an hour), drawn as Poisson or, more variable as real streams are, gamma-Poisson of shape 3
or 1 (each hour's mean itself drawn from a gamma distribution), many times over. Cases:

* ``noise``: one level all week (target: a shift in at most 2% of the weeks);
* ``x2 from hour 80`` and ``x1.7 from hour 80``: found within six hours of where the new
  level starts, with nothing else;
* ``one flooded hour``: 300 posts more in hour 100 (a spike; target as for noise);
* ``x3 for hours 60-120``: a stretch that comes back, found with both ends (six hours).

Also ``by day``: 60 days that swing with the week (weekends 0.6, weekdays 1.1 of 200
posts), gamma-Poisson of shape 10, noise and x1.8 from day 30 (found within a day).
Beside Undertow's search, the same search with the counts as they are (floods not held
to four times their neighbourhood) and with every hour expected to hold the same (no
profile of the day, or of the week) shows what each of them buys.

Usage:
    python bench/bench_shifts.py [--weeks 300] [--seed 0] [--out bench/results/shifts.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from unittest import mock

import numpy as np
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from undertow.opinion import shifts  # noqa: E402
from undertow.opinion.shifts import ShiftParams, volume_shifts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
HOURS = np.arange(168)
DAY = 8 + 6 * np.sin(HOURS / 24 * 2 * np.pi)
DAYS = np.arange(60)
WEEK = np.where(DAYS % 7 >= 5, 0.6, 1.1) * 200
Draw = Callable[[np.random.Generator, np.ndarray], np.ndarray]
Found = list[tuple[int, float, float, float]]


def _gamma_poisson(shape: float) -> Draw:
    return lambda rng, mean: rng.poisson(rng.gamma(shape, mean / shape))


NOISES: dict[str, Draw] = {"Poisson": lambda rng, mean: rng.poisson(mean),
                           "gamma-Poisson, shape 3": _gamma_poisson(3.0),
                           "gamma-Poisson, shape 1": _gamma_poisson(1.0)}


def _near(found: Found, *at: int, within: int = 6) -> bool:
    return len(found) == len(at) and all(abs(f[0] - a) <= within for f, a in zip(found, at,
                                                                                   strict=True))


def hourly_cases() -> dict[str, tuple[np.ndarray, Callable[[Found], bool]]]:
    """Case -> (expected posts an hour, whether what was found is right)."""
    flooded = DAY.copy()
    flooded[100] += 300
    return {
        "noise": (DAY, lambda f: not f),
        "x2 from hour 80": (DAY * np.where(HOURS >= 80, 2.0, 1.0), lambda f: _near(f, 80)),
        "x1.7 from hour 80": (DAY * np.where(HOURS >= 80, 1.7, 1.0), lambda f: _near(f, 80)),
        "one flooded hour": (flooded, lambda f: not f),
        "x3 for hours 60-120": (DAY * np.where((HOURS >= 60) & (HOURS < 120), 3.0, 1.0),
                                lambda f: _near(f, 60, 120)),
    }


#: name -> (each period weighed by its hour's share of the day, floods held for the test)
VARIANTS = {"undertow": (True, True), "floods not held": (True, False),
            "no day profile": (False, True)}


def _search(variant: str, by_day: bool) -> Callable[[np.ndarray], Found]:
    profile, held = VARIANTS[variant]
    params = ShiftParams(min_periods=3 if by_day else 24)
    phase, season = (DAYS % 7, 7) if by_day else (HOURS % 24, 24)

    def run(counts: np.ndarray) -> Found:
        with mock.patch.object(shifts, "capped", shifts.capped if held
                               else lambda c, w, r: c):
            if profile:
                return volume_shifts(counts, params, phase=phase, season=season)
            return volume_shifts(counts, params)

    return run


def _score(variant: str, by_day: bool, draw: Draw, mean: np.ndarray,
           right: Callable[[Found], bool], weeks: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    search = _search(variant, by_day)
    return sum(right(search(draw(rng, mean))) for _ in range(weeks)) / weeks


def measure(weeks: int, seed: int) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for noise, draw in NOISES.items():
        for case, (mean, right) in hourly_cases().items():
            rows.append({"series": "by hour, a week", "noise": noise, "case": case,
                         **{v: _score(v, False, draw, mean, right, weeks, seed)
                            for v in VARIANTS}})
    daily = _gamma_poisson(10.0)
    for case, mean, check in (
            ("noise", WEEK, lambda f: not f),
            ("x1.8 from day 30", WEEK * np.where(DAYS >= 30, 1.8, 1.0),
             lambda f: _near(f, 30, within=1))):
        rows.append({"series": "by day, 60 days", "noise": "gamma-Poisson, shape 10",
                     "case": case, **{v: _score(v, True, daily, mean, check, weeks, seed)
                                      for v in VARIANTS}})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weeks", type=int, default=300, help="series drawn for each case")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "shifts.json")
    args = ap.parse_args()
    rows = measure(args.weeks, args.seed)
    table = Table(title=f"Shifts in volume, {args.weeks} series a case (seed {args.seed}): "
                        "share of series where what was found is right")
    for head in ("series", "noise", "case", *VARIANTS):
        table.add_column(head, justify="left" if head in ("series", "noise", "case")
                         else "right")
    for r in rows:
        table.add_row(str(r["series"]), str(r["noise"]), str(r["case"]),
                      *(f"{r[v]:.3f}" for v in VARIANTS))
    Console(width=max(Console().width, 130)).print(table)
    print("Right: no shift for noise and the flood; the new level (or both ends of the "
          "stretch) and nothing else, near where it starts, for the others. Floods not "
          "held: the test reads the counts as they are; no day profile: every hour is "
          "expected to hold the same (by day: every weekday).")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"weeks": args.weeks, "seed": args.seed, "rows": rows},
                                   indent=2), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
