"""Statistical disclosure control for published counts: small cells and complementary suppression.

Pure Python (standard library only) so that reports, the open-data page, exports and tests all use
the same rule without Django. The full method and its limits are in docs/disclosure-and-equity.md.

Conventions (one set, used everywhere):

* A count ``v`` with ``1 <= v < threshold`` (default 5: "counts under 5 hidden") is a **primary**
  suppression. This applies to every published figure, marginal totals included: a row total of 3
  counts three people just as much as an inner cell does.
* **Zero is shown.** An empty cell says nothing about a person, and hiding zeros would cost
  information for no protection. Zeros are never chosen as complementary cells either, so every
  hidden figure is at least 1 (and a reader knows it).
* **Complementary** suppressions are chosen among the other positive published figures of the same
  equation (row, column or total), smallest value first (least information lost).
* Display: a primary figure reads ``"<5"`` (``"<{threshold}"``), a complementary one ``"x"``;
  hidden values are ``None`` in the result. Those marks tell a reader that a "<5" is 1..4 and an
  "x" at least 5; the protection takes that into account. When the marks alone would give a value
  away (four hidden 1s under a hidden total "<5"), the result has ``distinct_marks=False`` and
  every hidden figure reads ``"x"``.

Two checks decide that a result is safe, and ``suppress_*`` hides more until both pass:

* ``audit``: exact Gaussian elimination (rationals) on all published equations; a hidden figure
  is exposed when some linear combination of them (any differencing) gives its value.
* ``audit_bounds``: the same reader also using the bounds above (hidden >= 1, "<5" <= 4, "x" >= 5);
  exact, because a table with its totals, and a region/province hierarchy once its redundant
  equations are left out, is a network (see ``_pinned``). Only small counts matter here.
"""

from __future__ import annotations

import enum
from collections.abc import Hashable, Iterable, Mapping, Sequence
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
    "audit_bounds",
    "is_safe_ratio",
    "label",
    "primary_mark",
    "safe_ratio",
    "suppress_hierarchy",
    "suppress_series",
    "suppress_table",
]

DEFAULT_THRESHOLD = 5
Coef = int | Fraction
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


def label(
    value: int | None, status: CellStatus | None, threshold: int = DEFAULT_THRESHOLD, distinct_marks: bool = True
) -> str:
    """The text a table shows for a figure: the number, ``"<5"`` (primary) or ``"x"`` (complementary).

    With ``distinct_marks=False`` every hidden figure reads ``"x"`` (see ``SuppressedTable``).
    """
    if status is not None and status.hidden:
        return primary_mark(threshold) if status is CellStatus.PRIMARY and distinct_marks else COMPLEMENTARY_MARK
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
        self.kinds: list[str] = []
        # Sets of equations that form a network (see ``_pinned``) and together say all there is:
        # one per table, or one for a whole hierarchy once its redundant equations are left out.
        self.networks: list[list[int]] = []

    def var(self, value: int, ref: CellRef) -> int:
        if value < 0:
            raise ValueError(f"counts must be non-negative, got {value} at {ref}")
        self.values.append(int(value))
        self.refs.append(ref)
        return len(self.values) - 1

    def equation(self, parts: Sequence[int], total: int, kind: str) -> None:
        """``sum(parts) - total == 0``."""
        self.equations.append([(p, 1) for p in parts] + [(total, -1)])
        self.kinds.append(kind)

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
    # Coefficients stay Python ints while the pivots are +-1 (always so for a single table, whose
    # equations are totally unimodular) and become exact Fractions otherwise.
    pivots: dict[int, dict[int, Coef]] = {}  # pivot variable -> its reduced row
    for eq in equations:
        row: dict[int, Coef] = {}
        for v, c in eq:
            if hidden[v]:
                row[v] = row.get(v, 0) + c
        row = {v: c for v, c in row.items() if c}
        # Reduce by the existing pivots (each pivot row holds its pivot and free variables only).
        for p in [v for v in row if v in pivots]:
            coef = row.get(p)
            if not coef:
                continue
            for v, pc in pivots[p].items():
                nv = row.get(v, 0) - coef * pc
                if nv:
                    row[v] = nv
                else:
                    row.pop(v, None)
        if not row:
            continue
        p = min(row)
        lead = row[p]
        if lead == 1:
            pass
        elif lead == -1:
            row = {v: -c for v, c in row.items()}
        else:
            inv = Fraction(1) / lead
            row = {v: c * inv for v, c in row.items()}
        # Keep the echelon form fully reduced: remove the new pivot from the older rows.
        for qrow in pivots.values():
            coef = qrow.get(p)
            if coef:
                for v, rc in row.items():
                    nv = qrow.get(v, 0) - coef * rc
                    if nv:
                        qrow[v] = nv
                    else:
                        qrow.pop(v, None)
        pivots[p] = row
    return sorted(p for p, prow in pivots.items() if len(prow) == 1)


INF = float("inf")


def _attacker_bounds(
    values: Sequence[int], status: Sequence[CellStatus], threshold: int, distinct_marks: bool
) -> tuple[list[float], list[float]]:
    """What a reader knows about each figure without solving anything.

    Shown figures are known. A hidden figure is at least 1, because zeros are always shown. With
    distinct marks, "<5" also says "at most 4" and "x" says "at least 5" (a complementary figure
    is a publishable count, never a small one).
    """
    lb: list[float] = []
    ub: list[float] = []
    for v, s in zip(values, status, strict=True):
        if s is CellStatus.SHOWN:
            lb.append(v)
            ub.append(v)
        elif s is CellStatus.PRIMARY:
            lb.append(1)
            ub.append(threshold - 1 if distinct_marks else INF)
        else:
            lb.append(threshold if distinct_marks else 1)
            ub.append(INF)
    return lb, ub


def _pinned(
    values: Sequence[int],
    hidden: Sequence[bool],
    lb: Sequence[float],
    ub: Sequence[float],
    equations: Sequence[Sequence[tuple[int, int]]],
    eq_ids: Sequence[int],
    only: set[int] | None = None,
) -> set[int] | None:
    """Hidden figures whose exact value follows from one table's equations *and* the known bounds.

    One 2-D table with its totals is a network: after giving each equation a sign, every hidden
    figure appears in at most two equations with opposite signs, so it is an arc between them (or
    between one equation and a free "ground" node). A figure can take another value, with every
    equation still holding and every figure within its bounds, exactly when one unit can be pushed
    round a cycle of the residual graph through it (integral bounds and a totally unimodular
    network: a real alternative implies an integer one at distance 1). So the figure is pinned
    exactly when its arcs leave its strongly connected component. ``None``: not a network.
    """
    where: dict[int, list[tuple[int, int]]] = {}
    for e in eq_ids:
        for v, c in equations[e]:
            if hidden[v]:
                where.setdefault(v, []).append((e, c))
    if any(len(w) > 2 for w in where.values()):
        return None
    sign: dict[int, int] = {}
    links: dict[int, list[tuple[int, int, int]]] = {}
    for w in where.values():
        if len(w) == 2:
            (e, c), (f, d) = w
            links.setdefault(e, []).append((f, c, d))
            links.setdefault(f, []).append((e, d, c))
    for start in eq_ids:
        if start in sign:
            continue
        sign[start] = 1
        stack = [start]
        while stack:
            e = stack.pop()
            for f, c, d in links.get(e, ()):
                want = -sign[e] * c * d  # sign[e]*c == -sign[f]*d, coefficients are +-1
                if f not in sign:
                    sign[f] = want
                    stack.append(f)
                elif sign[f] != want:
                    return None
    ground = -1
    arcs: dict[int, list[tuple[int, int]]] = {}  # node -> (next node, figure)
    ends: dict[int, tuple[int, int]] = {}
    for v, w in where.items():
        head = tail = ground
        for e, c in w:
            if sign[e] * c > 0:
                head = e
            else:
                tail = e
        ends[v] = (tail, head)
        if values[v] < ub[v]:  # may grow: push along tail -> head
            arcs.setdefault(tail, []).append((head, v))
        if values[v] > lb[v]:  # may shrink
            arcs.setdefault(head, []).append((tail, v))
    comp = _components({n: [h for h, _ in out] for n, out in arcs.items()})

    def reaches(src: int, dst: int, avoid: int) -> bool:
        # Within one component, without the figure's own arcs (its two arcs make a cycle of
        # length two that changes nothing).
        seen = {src}
        todo = [src]
        while todo:
            n = todo.pop()
            for m, x in arcs.get(n, ()):
                if x == avoid or m in seen or comp.get(m) != comp.get(src):
                    continue
                if m == dst:
                    return True
                seen.add(m)
                todo.append(m)
        return False

    pinned: set[int] = set()
    for v, (tail, head) in ends.items():
        if only is not None and v not in only:
            continue
        up, down = values[v] < ub[v], values[v] > lb[v]
        if not (up or down) or tail == head or comp.get(tail, tail) != comp.get(head, head):
            pinned.add(v)
        elif up and down and not (reaches(head, tail, v) or reaches(tail, head, v)):
            # One arc each way: a return path must not be the figure itself.
            pinned.add(v)
        # One arc only, both ends in one component: the path back closes a real cycle.
    return pinned


def _components(arcs: Mapping[int, Sequence[int]]) -> dict[int, int]:
    """Strongly connected components (iterative Tarjan): node -> component id."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    comp: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    counter = 0
    nodes = set(arcs) | {h for hs in arcs.values() for h in hs}
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            succ = arcs.get(node, ())
            if i < len(succ):
                work.append((node, i + 1))
                nxt = succ[i]
                if nxt not in index:
                    work.append((nxt, 0))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            if low[node] == index[node]:
                while True:
                    x = stack.pop()
                    on_stack.discard(x)
                    comp[x] = node
                    if x == node:
                        break
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return comp


def _bound_exposed(
    system: _System, status: Sequence[CellStatus], threshold: int, distinct_marks: bool
) -> list[int]:
    """Small counts (primary figures) pinned by one table's equations and the readers' bounds."""
    lb, ub = _attacker_bounds(system.values, status, threshold, distinct_marks)
    hidden = [s.hidden for s in status]
    primary = {v for v, s in enumerate(status) if s is CellStatus.PRIMARY}
    out: set[int] = set()
    for eq_ids in system.networks:
        pinned = _pinned(system.values, hidden, lb, ub, system.equations, eq_ids, primary)
        if pinned is None:  # pragma: no cover - every builder here makes networks
            raise RuntimeError("the equations are not a network")
        out |= {v for v in pinned if status[v] is CellStatus.PRIMARY}
    return sorted(out)


def _protect(system: _System, threshold: int, distinct_marks: bool = True) -> tuple[list[CellStatus], bool]:
    if threshold < 1:
        raise ValueError("threshold must be at least 1")
    values = system.values
    status = [CellStatus.PRIMARY if 0 < v < threshold else CellStatus.SHOWN for v in values]
    cell_eqs = system.cell_equations()
    equations = system.equations

    # Kept up to date by ``hide``: how many hidden figures each equation holds.
    hidden = [s.hidden for s in status]
    counts = [sum(1 for v, _ in eq if hidden[v]) for eq in equations]

    def hidden_count(k: int) -> int:
        return counts[k]

    def hide(v: int) -> None:
        status[v] = CellStatus.COMPLEMENTARY
        hidden[v] = True
        for e in cell_eqs[v]:
            counts[e] += 1

    def best_candidate(eq_ids: Iterable[int], exclude: int = -1, roomy_above: float = 0) -> int | None:
        # Smallest positive published value first: least information lost. Among equal values,
        # prefer a cell whose other equations already hold a hidden cell (it closes a cycle
        # instead of opening a new singleton elsewhere), then the lowest index (deterministic).
        # ``roomy_above``: when repairing a pinned small count, first prefer cells above the
        # bound a reader knows for them, so that they can move both ways.
        best: tuple[bool, int, int, int] | None = None
        for k in eq_ids:
            for v, _ in equations[k]:
                if v == exclude or hidden[v] or values[v] <= 0:
                    continue
                opens = sum(1 for e in cell_eqs[v] if e != k and hidden_count(e) == 0)
                key = (values[v] <= roomy_above, values[v], opens, v)
                if best is None or key < best:
                    best = key
        return None if best is None else best[3]

    def close_singletons() -> None:
        queue = list(range(len(equations)))
        while queue:
            k = queue.pop()
            if hidden_count(k) != 1:
                continue
            lone = next(v for v, _ in equations[k] if hidden[v])
            cand = best_candidate([k], exclude=lone)
            if cand is None:  # cannot happen with positive hidden cells; the audit would catch it
                continue
            hide(cand)
            queue.extend(cell_eqs[cand])

    def open_one_more(exposed: Sequence[int], roomy_above: float = 0) -> bool:
        # Next to an exposed figure first; failing that, anywhere near a hidden figure; failing
        # that, anywhere. Every step hides one more positive figure, so this ends.
        for v in exposed:
            cand = best_candidate(cell_eqs[v], exclude=v, roomy_above=roomy_above)
            if cand is not None:
                hide(cand)
                return True
        near = {e for v, s in enumerate(status) if s.hidden for e in cell_eqs[v]}
        for eqs in (sorted(near), range(len(equations))):
            cand = best_candidate(eqs, roomy_above=roomy_above)
            if cand is not None:
                hide(cand)
                return True
        return False

    def compensates(x: int, want: int, lb: Sequence[float], ub: Sequence[float]) -> bool:
        # Can x move in direction ``want`` (+1 up, -1 down) within what a reader knows of it?
        return values[x] < ub[x] if want > 0 else values[x] > lb[x]

    def repair_pins(pinned: Sequence[int], roomy: float) -> bool:
        # A small count at a bound it is known to respect (a 1 can only be larger, a 4 behind
        # "<5" only smaller) moves only if, in each of its equations, another hidden figure can
        # move the other way. Open one figure, roomy enough to move both ways, in each equation
        # lacking one; if every equation has one, the pin comes from further away: open one
        # figure in each of its equations.
        lb, ub = _attacker_bounds(values, status, threshold, distinct_marks)
        opened = False
        for v in pinned:
            dirs = [d for d, ok in ((1, values[v] < ub[v]), (-1, values[v] > lb[v])) if ok]
            lacking: list[int] = []
            for e in cell_eqs[v]:
                cv = next(c for x, c in equations[e] if x == v)
                if not any(
                    compensates(x, c * cv * -d, lb, ub)
                    for d in dirs
                    for x, c in equations[e]
                    if x != v and hidden[x]
                ):
                    lacking.append(e)
            for e in lacking or cell_eqs[v]:
                cand = best_candidate([e], exclude=v, roomy_above=roomy)
                if cand is not None:
                    hide(cand)
                    opened = True
        return opened

    while True:
        close_singletons()
        # The bounded check (one table at a time, cheap) first; the exact linear audit of all
        # equations together (dearer) once it passes.
        pinned = _bound_exposed(system, status, threshold, distinct_marks)
        if pinned:
            if distinct_marks:
                # Is the pin due to the marks themselves (for example a hidden total "<5" over
                # four hidden cells, each at least 1)? Hiding more cannot help then (pins only
                # go away as more is hidden): show every hidden figure as "x" instead.
                everything = [
                    s if s.hidden or values[v] <= 0 else CellStatus.COMPLEMENTARY for v, s in enumerate(status)
                ]
                if set(pinned) & set(_bound_exposed(system, everything, threshold, True)):
                    distinct_marks = False
                    continue
            # With one mark, hiding every positive figure pins nothing (all of them may grow
            # along the true table itself), so this ends.
            roomy = threshold if distinct_marks else 1
            if not repair_pins(pinned, roomy) and not open_one_more(pinned, roomy_above=roomy):
                raise RuntimeError("suppression could not protect the table")  # pragma: no cover
            continue
        exposed = _determined(len(values), equations, [s.hidden for s in status])
        if not exposed:
            return status, distinct_marks
        # Still recoverable by a longer chain of equations (for example a "bridge" between two
        # otherwise protected blocks, or across the two levels of a hierarchy). Once every
        # positive figure is hidden, the true (all non-zero) hidden vector solves the homogeneous
        # hidden system, so none is determined: this ends too.
        if not open_one_more(exposed):
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
    distinct_marks: bool = True

    @property
    def n_rows(self) -> int:
        return len(self.cells)

    @property
    def n_cols(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def cell_label(self, i: int, j: int) -> str:
        return label(self.cells[i][j], self.status[i][j], self.threshold, self.distinct_marks)

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

    first = len(system.equations)
    if rt is not None:
        for i in range(len(rows)):
            system.equation(cells[i], rt[i], "row")
    if ct is not None:
        for j in range(n_cols):
            system.equation([cells[i][j] for i in range(len(rows))], ct[j], "col")
    if grand is not None:
        if rt is not None:
            system.equation(rt, grand, "grand_of_row_totals")
        if ct is not None:
            system.equation(ct, grand, "grand_of_col_totals")
        if rt is None and ct is None:
            system.equation([c for r in cells for c in r], grand, "grand_of_cells")
    system.networks.append(list(range(first, len(system.equations))))
    return _TableVars(cells, rt, ct, grand)


def _table_result(
    system: _System, status: Sequence[CellStatus | None], tv: _TableVars, threshold: int, distinct_marks: bool
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
        distinct_marks=distinct_marks,
    )


def suppress_table(
    rows: Sequence[Sequence[int]],
    *,
    row_totals: bool = True,
    col_totals: bool = True,
    grand_total: bool = True,
    threshold: int = DEFAULT_THRESHOLD,
    distinct_marks: bool = True,
) -> SuppressedTable:
    """Protect a 2-D table of non-negative counts published with the chosen marginal totals.

    Totals are computed from the cells (a published total is always the sum of its cells).
    """
    system = _System()
    tv = _add_table(system, rows, row_totals=row_totals, col_totals=col_totals, grand_total=grand_total)
    status, distinct_marks = _protect(system, threshold, distinct_marks)
    return _table_result(system, list(status), tv, threshold, distinct_marks)


@dataclass(frozen=True)
class SuppressedSeries:
    values: tuple[int | None, ...]
    status: tuple[CellStatus, ...]
    total: int | None
    total_status: CellStatus | None
    threshold: int = DEFAULT_THRESHOLD
    distinct_marks: bool = True


def suppress_series(
    values: Sequence[int], total: bool = True, *, threshold: int = DEFAULT_THRESHOLD, distinct_marks: bool = True
) -> SuppressedSeries:
    """A list of counts published with (or without) its total: one row of a table."""
    t = suppress_table(
        [list(values)],
        row_totals=total,
        col_totals=False,
        grand_total=False,
        threshold=threshold,
        distinct_marks=distinct_marks,
    )
    return SuppressedSeries(
        values=t.cells[0] if t.cells else (),
        status=t.status[0] if t.status else (),
        total=None if t.row_totals is None else t.row_totals[0],
        total_status=None if t.row_total_status is None else t.row_total_status[0],
        threshold=threshold,
        distinct_marks=t.distinct_marks,
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
    distinct_marks: bool = True


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
    # Jointly, the two levels are still a network once the redundant equations are left out: a
    # region's row (sum of its columns = its total) follows from its provinces' rows, its block's
    # columns and its block's total column, and it appears twice (national row, region grand
    # total). Without them every figure sits in exactly two equations with opposite signs, so
    # the bound-aware check is exact for the two levels together.
    national_eqs = set(system.networks[0])
    system.networks = [
        [
            e
            for e in range(len(system.equations))
            if not (e in national_eqs and system.kinds[e] == "row")
            and not (e not in national_eqs and system.kinds[e] == "grand_of_col_totals")
        ]
    ]
    return system, national, regions, keys


def _must(x: list[int] | None) -> list[int]:
    assert x is not None
    return x


def suppress_hierarchy(
    blocks: Mapping[K, Sequence[Sequence[int]]], *, threshold: int = DEFAULT_THRESHOLD, distinct_marks: bool = True
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
    status, distinct_marks = _protect(system, threshold, distinct_marks)
    return SuppressedHierarchy(
        national=_table_result(system, list(status), national, threshold, distinct_marks),
        regions={k: _table_result(system, list(status), tv, threshold, distinct_marks) for k, tv in regions.items()},
        region_keys=keys,
        threshold=threshold,
        distinct_marks=distinct_marks,
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


def _rebuild(
    table: SuppressedTable | SuppressedHierarchy[Any],
    original: Sequence[Sequence[int]] | Mapping[Any, Sequence[Sequence[int]]] | None,
) -> tuple[_System, list[CellStatus]]:
    """The equation system behind a published result, with the given values (zeros if none)."""
    if isinstance(table, SuppressedHierarchy):
        if original is None:
            blocks: Mapping[Any, Sequence[Sequence[int]]] = {
                k: [[0] * table.regions[k].n_cols for _ in table.regions[k].cells] for k in table.region_keys
            }
        else:
            assert isinstance(original, Mapping)
            blocks = original
        system, national, regions, _ = _build_hierarchy(blocks)
        status: list[CellStatus | None] = [None] * len(system.values)
        _table_statuses(national, table.national, status)
        for k, tv in regions.items():
            _table_statuses(tv, table.regions[k], status)
    else:
        assert not isinstance(original, Mapping)
        rows = original if original is not None else [[0] * table.n_cols for _ in range(table.n_rows)]
        system = _System()
        tv = _add_table(
            system,
            rows,
            row_totals=table.row_totals is not None,
            col_totals=table.col_totals is not None,
            grand_total=table.grand_total_status is not None,
        )
        status = [None] * len(system.values)
        _table_statuses(tv, table, status)
    if any(s is None for s in status):  # pragma: no cover - the builders fill every figure
        raise ValueError("the result does not match its equations")
    return system, [s or CellStatus.SHOWN for s in status]


def audit(table: SuppressedTable | SuppressedHierarchy[Any]) -> list[CellRef]:
    """Hidden figures whose exact value follows from the published figures (should be empty).

    The published equations (each row, column and total; for a hierarchy both levels together)
    are solved for the hidden figures by exact Gaussian elimination; a hidden figure is exposed
    when it is uniquely determined, i.e. some linear combination of published equations isolates
    it. Only the pattern of hidden cells matters, not the values, so the audit reads nothing but
    the result.
    """
    system, status = _rebuild(table, None)
    hidden = [s.hidden for s in status]
    return [system.refs[v] for v in _determined(len(system.values), system.equations, hidden)]


def audit_bounds(
    original: Sequence[Sequence[int]] | Mapping[Any, Sequence[Sequence[int]]],
    table: SuppressedTable | SuppressedHierarchy[Any],
) -> list[CellRef]:
    """Small counts a reader could pin down using what the marks and the zeros tell (should be empty).

    Beyond the equations, a reader knows that a hidden figure is at least 1 (zeros are shown)
    and, with distinct marks, that "<5" is at most 4 and "x" at least 5. The check is exact for
    that reader (see ``_pinned``), for a table and for a hierarchy's two levels together. Needs
    the original counts, because whether a figure sits at one of those bounds depends on its
    value.
    """
    system, status = _rebuild(table, original)
    return [system.refs[v] for v in _bound_exposed(system, status, table.threshold, table.distinct_marks)]
