"""A CSV file a person gives the page, read with pandas into columns a model can train on.

    table = read_csv(raw_bytes, max_bytes=5 * 2**20)     # UploadError says what is wrong
    values = table.series("flow", missing="interpolate")  # (n,) float64

Every problem gets a sentence a student can act on: not a CSV or not UTF-8, no
numeric column, a file above the size limit, and empty or non-numeric cells (how
many, and the choice to drop or interpolate them). Too few rows for a window is
checked where the window is known (``data.windows.seq_len_problem``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np

MISSING = ("drop", "interpolate")
TIME_NAMES = frozenset({"year", "time", "t", "date", "month", "week", "day", "index", "timestamp", "datetime"})


def looks_like_time(column: str) -> bool:
    """Whether a column's name says it holds times or positions rather than values."""
    return column.strip().lower() in TIME_NAMES
MAX_ROWS = 100_000


class UploadError(ValueError):
    """A file that cannot become a series; the message says why."""


@dataclass(frozen=True)
class Table:
    name: str
    columns: dict[str, list]  # every column as read (strings, numbers, None for empty cells)
    numeric: tuple[str, ...]  # columns with at least one number and mostly numbers

    def bad_cells(self, column: str) -> int:
        """Empty or non-numeric cells of ``column``."""
        return int(np.isnan(self.numbers(column)).sum())

    def numbers(self, column: str) -> np.ndarray:
        """``column`` as read: a float per row, NaN where a cell is empty or not a number."""
        return _numbers(self.columns[column])

    def series(self, column: str, missing: str | None = None) -> np.ndarray:
        """``column`` as a float series; empty or non-numeric cells need ``missing`` ("drop" or
        "interpolate"), else ``UploadError`` says how many there are."""
        if column not in self.numeric:
            raise UploadError(f"column {column!r} is not one of the numeric columns: {', '.join(self.numeric)}")
        x = _numbers(self.columns[column])
        bad = np.isnan(x)
        if bad.any():
            if missing not in MISSING:
                raise UploadError(f"column {column!r} has {int(bad.sum())} empty or non-numeric cell(s), the first "
                                  f"in row {int(np.flatnonzero(bad)[0]) + 1}; choose to drop or interpolate them")
            if missing == "drop":
                x = x[~bad]
            else:
                idx = np.arange(x.shape[0])
                x = np.interp(idx, idx[~bad], x[~bad])  # the ends take the nearest value
        return x

    def times(self, time_column: str | None, column: str, missing: str | None = None) -> list[str] | None:
        """The labels of ``time_column`` for the rows ``series(column, missing)`` keeps; None without one."""
        if not time_column or time_column not in self.columns:
            return None
        labels = ["" if v is None else str(v) for v in self.columns[time_column]]
        if missing == "drop":
            keep = ~np.isnan(_numbers(self.columns[column]))
            labels = [t for t, k in zip(labels, keep) if k]
        return labels

    def covariate(self, name: str, value_column: str, missing: str | None = None) -> np.ndarray:
        """Column ``name`` for the rows ``series(value_column, missing)`` keeps; a covariate must be complete."""
        if name not in self.numeric:
            raise UploadError(f"covariate {name!r} is not one of the numeric columns: {', '.join(self.numeric)}")
        x = _numbers(self.columns[name])
        rows = np.arange(x.shape[0])
        if missing == "drop":
            keep = ~np.isnan(_numbers(self.columns[value_column]))
            x, rows = x[keep], rows[keep]
        bad = np.isnan(x)
        if bad.any():
            raise UploadError(f"covariate column {name!r} has {int(bad.sum())} empty or non-numeric cell(s), the "
                              f"first in row {int(rows[bad][0]) + 1}; a covariate must be complete (fill them in, "
                              "or leave the column out)")
        return x

    def uploaded(self, column: str, missing: str | None = None, time_column: str | None = None,
                 covariates: tuple[str, ...] = ()) -> "Uploaded":
        """What a run trains on from this file: the value column, its time labels, the covariate columns."""
        return Uploaded(self.series(column, missing), self.times(time_column, column, missing),
                        {c: self.covariate(c, column, missing) for c in covariates}, f"{self.name}: {column}")

    def to_json(self) -> dict:
        return {"name": self.name, "columns": self.columns, "numeric": list(self.numeric)}

    @classmethod
    def from_json(cls, d: dict) -> "Table":
        return cls(d["name"], d["columns"], tuple(d["numeric"]))


@dataclass(frozen=True)
class Uploaded:
    """A CSV file's part that a run reads: the series (n,), its time labels (for calendar features)
    and the covariate columns (name -> (n,)), rows already matched to the series'."""

    series: np.ndarray
    times: list[str] | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    name: str = ""  # "river.csv: flow": the file and its value column, for the runs table

    def to_json(self) -> dict:
        return {"series": self.series.tolist(), "times": self.times,
                "columns": {k: v.tolist() for k, v in self.columns.items()}, "name": self.name}

    @classmethod
    def from_json(cls, d: dict) -> "Uploaded":
        return cls(np.asarray(d["series"], dtype=np.float64), d.get("times"),
                   {k: np.asarray(v, dtype=np.float64) for k, v in (d.get("columns") or {}).items()},
                   str(d.get("name") or "")[:200])


def _numbers(values: list) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=np.float64)


def read_csv(raw: bytes, name: str = "upload.csv", max_bytes: int = 5 * 2**20, max_rows: int = MAX_ROWS) -> Table:
    """Parse ``raw`` as a CSV file with a header row; ``UploadError`` when it cannot be one, or when it has
    more than ``max_rows`` rows (a server's GATELAB_MAX_LENGTH)."""
    import pandas as pd

    if len(raw) > max_bytes:
        raise UploadError(f"{name} is {len(raw) / 2**20:.1f} MB; the limit on this server is "
                          f"{max_bytes / 2**20:g} MB (GATELAB_MAX_UPLOAD_MB)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UploadError(f"{name} is not UTF-8 text (byte {e.start} cannot be read); save it as CSV in UTF-8") \
            from None
    if not text.strip():
        raise UploadError(f"{name} is empty")
    try:
        header = text.lstrip().splitlines()[0]
        sep = None if any(c in header for c in ",;\t|") else ","  # sniff only where there is a choice
        frame = pd.read_csv(io.StringIO(text), sep=sep, engine="python", dtype=str, keep_default_na=False,
                            skip_blank_lines=False, nrows=max_rows + 1)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeError, ValueError) as e:
        raise UploadError(f"{name} is not a CSV file pandas can read ({str(e).splitlines()[0]})") from None
    if frame.shape[1] == 0 or frame.shape[0] == 0:
        raise UploadError(f"{name} has a header but no rows")
    if frame.shape[0] > max_rows:
        where = "this server" if max_rows < MAX_ROWS else "Gatelab"
        raise UploadError(f"{name} has more than {max_rows} rows; {where} trains on series of at most {max_rows} "
                          f"points{' (GATELAB_MAX_LENGTH)' if max_rows < MAX_ROWS else ''}")
    columns = {str(c): [v.strip() if isinstance(v, str) and v.strip() else None for v in frame[c]]
               for c in frame.columns}
    numeric = tuple(c for c, vals in columns.items()
                    if (n := np.isfinite(_numbers(vals)).sum()) > 0 and n >= 0.5 * len(vals))
    if not numeric:
        raise UploadError(f"{name} has no numeric column: no column of {', '.join(columns)} holds mostly numbers")
    return Table(name, columns, numeric)
