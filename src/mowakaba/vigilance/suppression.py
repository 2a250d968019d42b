"""Statistical disclosure control for published counts: small cells and complementary suppression.

Pure Python (standard library only) so that reports, the open-data page, exports and tests all use
the same rule without Django. The full method and its limits are in docs/disclosure-and-equity.md.

Conventions (one set, used everywhere):

* A count ``v`` with ``1 <= v < threshold`` (default 5: "counts under 5 hidden") is a **primary**
  suppression. This applies to every published figure, marginal totals included: a row total of 3
  counts three people just as much as an inner cell does.
* **Zero is shown.** An empty cell says nothing about a person, and hiding zeros would cost
  information for no protection (a hidden cell's lower bound is 0 anyway). Zeros are never chosen
  as complementary cells either, so every hidden cell is strictly positive; that is what makes the
  linear audit below exact for non-negative tables (see ``audit``).
* **Complementary** suppressions are chosen among the other positive published cells of the same
  equation (row, column or total), smallest value first (least information lost), until no hidden
  cell can be recovered from the published figures by any linear combination of the published
  equations (differencing a total, a grand total minus other row totals, and so on).
* Display: a primary cell is shown as ``"<5"`` (``"<{threshold}"``), a complementary cell as
  ``"x"``. Hidden values are ``None`` in the result.

Hidden cells are audited by Gaussian elimination over the rationals on the published equations:
a hidden cell is exposed when its value is uniquely determined by them. ``suppress_*`` runs that
audit as a last safety net and suppresses more until nothing is exposed.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Generic, NamedTuple, TypeVar

__all__ = [
    "COMPLEMENTARY_MARK",
    "DEFAULT_THRESHOLD",
    "CellRef",
    "CellStatus",
    "SuppressedHierarchy",
    "SuppressedSeries",
    "SuppressedTable",
    "audit",
    "is_safe_ratio",
    "label",
    "primary_mark",
    "safe_ratio",
    "suppress_hierarchy",
    "suppress_series",
    "suppress_table",
]

DEFAULT_THRESHOLD = 5
K = TypeVar("K", bound=Hashable)
COMPLEMENTARY_MARK = "x"


class CellStatus(enum.StrEnum):
    SHOWN = "shown"
    PRIMARY = "primary"  # a small count (1 .. threshold-1)
    COMPLEMENTARY = "complementary"  # hidden only so that a primary cell cannot be recovered

    @property
    def hidden(self) -> bool:
        return self is not CellStatus.SHOWN


class CellRef(NamedTuple):
    """Where a figure sits. kind: "cell" (row, col), "row_total" (row), "col_total" (col), "grand_total".

    For a hierarchy, ``block`` names the region block (``None`` = the national table).
    """

    kind: str
    row: int = -1
    col: int = -1
    block: Hashable | None = None


def primary_mark(threshold: int = DEFAULT_THRESHOLD) -> str:
    return f"<{threshold}"


def label(value: int | None, status: CellStatus | None, threshold: int = DEFAULT_THRESHOLD) -> str:
    """The text a table shows for a figure: the number, ``"<5"`` (primary) or ``"x"`` (complementary)."""
    if status is CellStatus.PRIMARY:
        return primary_mark(threshold)
    if status is CellStatus.COMPLEMENTARY:
        return COMPLEMENTARY_MARK
    return "" if value is None else str(value)


def is_safe_ratio(num: int | None, den: int | None, threshold: int = DEFAULT_THRESHOLD) -> bool:
    """May a rate ``num/den`` be published?

    No when either count is hidden (``None``) or is itself a small count (1 .. threshold-1): a rate
    next to its published denominator gives its numerator back (and the other way round). A zero
    denominator gives no rate at all.
    """
    if num is None or den is None or den == 0:
        return False
    return not (0 < num < threshold or 0 < den < threshold)


def safe_ratio(
    num: int | None, den: int | None, *, factor: float = 1.0, threshold: int = DEFAULT_THRESHOLD
) -> float | None:
    """``factor * num / den`` when ``is_safe_ratio`` allows it, else ``None``."""
    if not is_safe_ratio(num, den, threshold):
        return None
    assert num is not None and den is not None
    return factor * num / den


# ---------------------------------------------------------------------------------------------
# The engine: figures are numbered variables; each published equation says "these, with these
# signs, sum to zero" (a row's cells minus its total, and so on). Everything else builds on it.
# ---------------------------------------------------------------------------------------------


class _System:
    def __init__(self) -> None:
        self.values: list[int] = []
        self.refs: list[CellRef] = []
        self.equations: list[list[tuple[int, int]]] = []

    def var(self, value: int, ref: CellRef) -> int:
        if value < 0:
            raise ValueError(f"counts must be non-negative, got {value} at {ref}")
        self.values.append(int(value))
        self.refs.append(ref)
        return len(self.values) - 1

    def equation(self, parts: Sequence[int], total: int) -> None:
        """``sum(parts) - total == 0``."""
        self.equations.append([(p, 1) for p in parts] + [(total, -1)])

    def cell_equations(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in self.values]
        for k, eq in enumerate(self.equations):
            for v, _ in eq:
                out[v].append(k)
        return out


def _determined(n_vars: int, equations: Sequence[Sequence[tuple[int, int]]], hidden: Sequence[bool]) -> list[int]:
    """Hidden variables whose value the published equations fix uniquely.

    Shown variables are constants, so only the hidden part of each equation matters. The rows are
    brought to reduced row echelon form (sparse, exact rationals); a hidden variable is determined
    exactly when it is a pivot whose reduced row holds no other (free) variable, i.e. when the unit
    vector of that variable lies in the row space of the published equations. That covers every
    differencing attack, however many equations it combines.
    """
    pivots: dict[int, dict[int, Fraction]] = {}  # pivot variable -> its reduced row
    for eq in equations:
        row: dict[int, Fraction] = {}
        for v, c in eq:
            if hidden[v]:
                row[v] = row.get(v, Fraction(0)) + c
        row = {v: c for v, c in row.items() if c}
        # Reduce by the existing pivots (each pivot row holds its pivot and free variables only).
        for p in [v for v in row if v in pivots]:
            coef = row.get(p)
            if not coef:
                continue
            for v, pc in pivots[p].items():
                nv = row.get(v, Fraction(0)) - coef * pc
                if nv:
                    row[v] = nv
                else:
                    row.pop(v, None)
        if not row:
            continue
        p = min(row)
        inv = 1 / row[p]
        row = {v: c * inv for v, c in row.items()}
        # Keep the echelon form fully reduced: remove the new pivot from the older rows.
        for q, qrow in pivots.items():
            coef = qrow.get(p)
            if coef:
                for v, rc in row.items():
                    nv = qrow.get(v, Fraction(0)) - coef * rc
                    if nv:
                        qrow[v] = nv
                    else:
                        qrow.pop(v, None)
                pivots[q] = qrow
        pivots[p] = row
    return sorted(p for p, prow in pivots.items() if len(prow) == 1)


def _protect(system: _System, threshold: int) -> list[CellStatus]:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    values = system.values
    status = [CellStatus.PRIMARY if 0 < v < threshold else CellStatus.SHOWN for v in values]
    cell_eqs = system.cell_equations()
    equations = system.equations

    def hidden_count(k: int) -> int:
        return sum(1 for v, _ in equations[k] if status[v].hidden)

    def best_candidate(eq_ids: Sequence[int], exclude: int = -1) -> int | None:
        # Smallest positive published value first: least information lost. Among equal values,
        # prefer a cell whose other equations already hold a hidden cell (it closes a cycle
        # instead of opening a new singleton elsewhere), then the lowest index (deterministic).
        best: tuple[int, int, int] | None = None
        for k in eq_ids:
            for v, _ in equations[k]:
                if v == exclude or status[v].hidden or values[v] <= 0:
                    continue
                opens = sum(1 for e in cell_eqs[v] if e != k and hidden_count(e) == 0)
                key = (values[v], opens, v)
                if best is None or key < best:
                    best = key
        return None if best is None else best[2]

    def close_singletons() -> None:
        queue = list(range(len(equations)))
        while queue:
            k = queue.pop()
            if hidden_count(k) != 1:
                continue
            lone = next(v for v, _ in equations[k] if status[v].hidden)
            cand = best_candidate([k], exclude=lone)
            if cand is None:  # cannot happen with positive hidden cells; the audit would catch it
                continue
            status[cand] = CellStatus.COMPLEMENTARY
            queue.extend(cell_eqs[cand])

    while True:
        close_singletons()
        hidden = [s.hidden for s in status]
        exposed = _determined(len(values), equations, hidden)
        if not exposed:
            return status
        # A cell still recoverable by a longer chain of equations (for example a "bridge" between
        # two otherwise protected blocks): open one more cell next to it and look again. This
        # terminates: once every positive figure is hidden, the true (all non-zero) hidden vector
        # solves the homogeneous hidden system, so no hidden figure is determined.
        progressed = False
        for v in exposed:
            cand = best_candidate(cell_eqs[v], exclude=v)
            if cand is not None:
                status[cand] = CellStatus.COMPLEMENTARY
                progressed = True
                break
        if not progressed:
            raise RuntimeError("suppression could not protect the table")  # pragma: no cover


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressedTable:
    """A table ready to publish: same shape as the input, ``None`` where hidden.

    Totals that are not published are ``None`` with a ``None`` status; a hidden total has a value
    ``None`` and a status. Use ``label`` (or ``cell_label``) to print a figure.
    """

    cells: tuple[tuple[int | None, ...], ...]
    status: tuple[tuple[CellStatus, ...], ...]
    row_totals: tuple[int | None, ...] | None
    row_total_status: tuple[CellStatus, ...] | None
    col_totals: tuple[int | None, ...] | None
    col_total_status: tuple[CellStatus, ...] | None
    grand_total: int | None
    grand_total_status: CellStatus | None
    threshold: int = DEFAULT_THRESHOLD

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def cell_label(self, i: int, j: int) -> str:
        return label(self.cells[i][j], self.status[i][j], self.threshold)

    def hidden_refs(self) -> list[CellRef]:
        out = [CellRef("cell", i, j) for i, r in enumerate(self.status) for j, s in enumerate(r) if s.hidden]
        if self.row_total_status:
            out += [CellRef("row_total", i) for i, s in enumerate(self.row_total_status) if s.hidden]
        if self.col_total_status:
            out += [CellRef("col_total", col=j) for j, s in enumerate(self.col_total_status) if s.hidden]
        if self.grand_total_status is not None and self.grand_total_status.hidden:
            out.append(CellRef("grand_total"))
        return out

    def counts(self) -> dict[CellStatus, int]:
        statuses = [s for r in self.status for s in r]
        statuses += list(self.row_total_status or ()) + list(self.col_total_status or ())
        if self.grand_total_status is not None:
            statuses.append(self.grand_total_status)
        return {s: statuses.count(s) for s in CellStatus}


@dataclass(frozen=True)
class _TableVars:
    cells: list[list[int]]
    row_totals: list[int] | None
    col_totals: list[int] | None
    grand: int | None


def _add_table(
    system: _System,
    rows: Sequence[Sequence[int]],
    *,
    row_totals: bool | Sequence[int] = True,
    col_totals: bool | Sequence[int] = True,
    grand_total: bool | int = True,
    block: Hashable | None = None,
) -> _TableVars:
    """Add a table's figures and published equations; totals may be existing variables (hierarchy)."""
    n_cols = len(rows[0]) if rows else 0
    if any(len(r) != n_cols for r in rows):
        raise ValueError("every row must have the same number of cells")
    cells = [[system.var(v, CellRef("cell", i, j, block)) for j, v in enumerate(r)] for i, r in enumerate(rows)]

    def existing(spec: bool | Sequence[int] | int) -> bool:
        return not isinstance(spec, bool)

    rt: list[int] | None = None
    if existing(row_totals):
        assert isinstance(row_totals, Sequence)
        rt = list(row_totals)
    elif row_totals:
        rt = [system.var(sum(r), CellRef("row_total", i, block=block)) for i, r in enumerate(rows)]
    ct: list[int] | None = None
    if existing(col_totals):
        assert isinstance(col_totals, Sequence)
        ct = list(col_totals)
    elif col_totals:
        ct = [system.var(sum(r[j] for r in rows), CellRef("col_total", col=j, block=block)) for j in range(n_cols)]
    grand: int | None = None
    if existing(grand_total):
        assert isinstance(grand_total, int)
        grand = grand_total
    elif grand_total:
        grand = system.var(sum(sum(r) for r in rows), CellRef("grand_total", block=block))

    if rt is not None:
        for i in range(len(rows)):
            system.equation(cells[i], rt[i])
    if ct is not None:
        for j in range(n_cols):
            system.equation([cells[i][j] for i in range(len(rows))], ct[j])
    if grand is not None:
        if rt is not None:
            system.equation(rt, grand)
        if ct is not None:
            system.equation(ct, grand)
        if rt is None and ct is None:
            system.equation([c for r in cells for c in r], grand)
    return _TableVars(cells, rt, ct, grand)


def _table_result(
    system: _System, status: Sequence[CellStatus | None], tv: _TableVars, threshold: int
) -> SuppressedTable:
    def val(v: int) -> int | None:
        s = status[v]
        return None if s is not None and s.hidden else system.values[v]

    def st(v: int) -> CellStatus:
        s = status[v]
        assert s is not None
        return s

    return SuppressedTable(
        cells=tuple(tuple(val(v) for v in r) for r in tv.cells),
        status=tuple(tuple(st(v) for v in r) for r in tv.cells),
        row_totals=None if tv.row_totals is None else tuple(val(v) for v in tv.row_totals),
        row_total_status=None if tv.row_totals is None else tuple(st(v) for v in tv.row_totals),
        col_totals=None if tv.col_totals is None else tuple(val(v) for v in tv.col_totals),
        col_total_status=None if tv.col_totals is None else tuple(st(v) for v in tv.col_totals),
        grand_total=None if tv.grand is None else val(tv.grand),
        grand_total_status=None if tv.grand is None else st(tv.grand),
        threshold=threshold,
    )


def suppress_table(
    rows: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
) -> SuppressedTable:
    """Protect a 2-D table of non-negative counts published with the chosen marginal totals.

    Totals are computed from the cells (a published total is always the sum of its cells).
    """
    system = _System()
    tv = _add_table(system, rows, row_totals=row_totals, col_totals=col_totals, grand_total=grand_total)
    status = _protect(system, threshold)
    return _table_result(system, list(status), tv, threshold)


@dataclass(frozen=True)
class SuppressedSeries:
    values: tuple[int | None, ...]
    status: tuple[CellStatus, ...]
    total: int | None
    total_status: CellStatus | None
    threshold: int = DEFAULT_THRESHOLD


def suppress_series(
    values: Sequence[int], total: bool = True, *, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedSeries:
    """A list of counts published with (or without) its total: one row of a table."""
    t = suppress_table([list(values)], row_totals=total, col_totals=False, grand_total=False, threshold=threshold)
    return SuppressedSeries(
        values=t.cells[0] if t.cells else (),
        status=t.status[0] if t.status else (),
        total=None if t.row_totals is None else t.row_totals[0],
        total_status=None if t.row_total_status is None else t.row_total_status[0],
        threshold=threshold,
    )


@dataclass(frozen=True)
class SuppressedHierarchy(Generic[K]):
    """A national table of regions and, per region, its table of provinces, protected together.

    ``national.cells[r]`` and ``regions[key].col_totals`` are the same figures (the region's
    counts by column), as are ``national.row_totals[r]`` and ``regions[key].grand_total``; they
    carry one status, so a figure hidden in one table is hidden in the other.
    """

    national: SuppressedTable
    regions: dict[K, SuppressedTable]
    region_keys: tuple[K, ...]
    threshold: int = DEFAULT_THRESHOLD


def _build_hierarchy(
    blocks: Mapping[K, Sequence[Sequence[int]]],
) -> tuple[_System, _TableVars, dict[K, _TableVars], tuple[K, ...]]:
    keys = tuple(blocks)
    widths = {len(r) for rows in blocks.values() for r in rows}
    if len(widths) > 1:
        raise ValueError("every province row must have the same number of cells")
    n_cols = widths.pop() if widths else 0
    region_rows = [[sum(r[j] for r in blocks[k]) for j in range(n_cols)] for k in keys]
    system = _System()
    national = _add_table(system, region_rows)
    regions = {
        k: _add_table(
            system,
            blocks[k],
            row_totals=True,
            col_totals=national.cells[r],
            grand_total=_must(national.row_totals)[r],
            block=k,
        )
        for r, k in enumerate(keys)
    }
    return system, national, regions, keys


def _must(x: list[int] | None) -> list[int]:
    assert x is not None
    return x


def suppress_hierarchy(
    blocks: Mapping[K, Sequence[Sequence[int]]], *, threshold: int = DEFAULT_THRESHOLD
) -> SuppressedHierarchy[K]:
    """Protect a national table of regions together with each region's table of provinces.

    ``blocks`` maps a region key to its provinces' rows (same columns everywhere). The national
    table has one row per region (the sum of its provinces), row and column totals and a grand
    total; each region table has its provinces' rows, their totals, and as column totals and
    grand total the region's row of the national table. All equations of both levels are audited
    together, so a region figure hidden at one level is hidden at the other and no figure can be
    recovered by combining the two tables.
    """
    system, national, regions, keys = _build_hierarchy(blocks)
    status = _protect(system, threshold)
    return SuppressedHierarchy(
        national=_table_result(system, list(status), national, threshold),
        regions={k: _table_result(system, list(status), tv, threshold) for k, tv in regions.items()},
        region_keys=keys,
        threshold=threshold,
    )


# ---------------------------------------------------------------------------------------------
# Audit: which hidden figures could a reader recover from what is published?
# ---------------------------------------------------------------------------------------------


def _table_statuses(tv: _TableVars, t: SuppressedTable, status: list[CellStatus | None]) -> None:
    for i, r in enumerate(tv.cells):
        for j, v in enumerate(r):
            status[v] = t.status[i][j]
    if tv.row_totals is not None and t.row_total_status is not None:
        for i, v in enumerate(tv.row_totals):
            status[v] = t.row_total_status[i]
    if tv.col_totals is not None and t.col_total_status is not None:
        for j, v in enumerate(tv.col_totals):
            # In a hierarchy the region table's column totals are national cells: both must agree.
            if status[v] is not None and status[v] != t.col_total_status[j]:
                raise ValueError("inconsistent statuses for a figure published in two tables")
            status[v] = t.col_total_status[j]
    if tv.grand is not None and t.grand_total_status is not None:
        if status[tv.grand] is not None and status[tv.grand] != t.grand_total_status:
            raise ValueError("inconsistent statuses for a figure published in two tables")
        status[tv.grand] = t.grand_total_status


def audit(table: SuppressedTable | SuppressedHierarchy[Any]) -> list[CellRef]:
    """Hidden figures whose exact value follows from the published figures (should be empty).

    The published equations (each row, column and total) are solved for the hidden figures by
    exact Gaussian elimination; a hidden figure is exposed when it is uniquely determined, i.e.
    some linear combination of published equations isolates it. Only the pattern of hidden cells
    matters, not the values, so the audit reads nothing but the result.
    """
    system = _System()
    if isinstance(table, SuppressedHierarchy):
        # Values are irrelevant to determinacy; zeros stand in for the hidden ones.
        blocks = {
            k: [[v or 0 for v in r] for r in table.regions[k].cells] for k in table.region_keys
        }
        system, national, regions, _ = _build_hierarchy(blocks)
        status: list[CellStatus | None] = [None] * len(system.values)
        _table_statuses(national, table.national, status)
        for k, tv in regions.items():
            _table_statuses(tv, table.regions[k], status)
    else:
        zeros = [[0] * table.n_cols for _ in range(table.n_rows)]
        tv = _add_table(
            system,
            zeros,
            row_totals=table.row_totals is not None,
            col_totals=table.col_totals is not None,
            grand_total=table.grand_total_status is not None,
        )
        status = [None] * len(system.values)
        _table_statuses(tv, table, status)
    hidden = [s is not None and s.hidden for s in status]
    return [system.refs[v] for v in _determined(len(system.values), system.equations, hidden)]
