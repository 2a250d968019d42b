"""Small-cell and complementary suppression: nothing small is shown, nothing hidden can be recovered.

Two independent checks are used. ``audit`` (exact Gaussian elimination on the published equations)
is one. The other lives only here: a 2-D table with all its totals is a circulation on the
bipartite graph of its extended rows and columns, so a hidden figure can be recovered exactly when
it is a bridge of the graph of hidden figures; when it is not, the tests *build* a second
non-negative table with the same published figures and a different value for it. For the reader
who also uses the bounds the marks give away ("<5" is 1..4, "x" is at least 5, hidden is at least
1 because zeros are shown), a brute-force search over small tables plays the attacker.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import deque
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mowakaba.vigilance.suppression import (
    CellRef,
    CellStatus,
    SuppressedHierarchy,
    SuppressedTable,
    audit,
    audit_bounds,
    is_safe_ratio,
    label,
    safe_ratio,
    suppress_hierarchy,
    suppress_series,
    suppress_table,
)

P, C, S = CellStatus.PRIMARY, CellStatus.COMPLEMENTARY, CellStatus.SHOWN

# --- helpers: the extended table ((R+1) x (C+1), totals in the last row/column) -----------------


def extended(rows: Sequence[Sequence[int]]) -> list[list[int]]:
    n_cols = len(rows[0])
    ext = [[*r, sum(r)] for r in rows]
    col = [sum(r[j] for r in rows) for j in range(n_cols)]
    ext.append([*col, sum(col)])
    return ext


def extended_status(t: SuppressedTable) -> list[list[CellStatus]]:
    assert t.row_total_status is not None and t.col_total_status is not None
    assert t.grand_total_status is not None
    ext = [[*r, t.row_total_status[i]] for i, r in enumerate(t.status)]
    ext.append([*t.col_total_status, t.grand_total_status])
    return ext


def extended_values(t: SuppressedTable) -> list[list[int | None]]:
    assert t.row_totals is not None and t.col_totals is not None
    ext: list[list[int | None]] = [[*r, t.row_totals[i]] for i, r in enumerate(t.cells)]
    ext.append([*t.col_totals, t.grand_total])
    return ext


def hidden_cycle(mask: list[list[bool]], a: int, b: int) -> list[tuple[int, int]] | None:
    """A cycle of hidden figures through (a, b), as a list of positions starting with (a, b)."""
    n_r, n_c = len(mask), len(mask[0])
    # Nodes: ("r", i) and ("c", j); edges: hidden figures. Search col b -> row a without edge (a, b).
    start, goal = ("c", b), ("r", a)
    prev: dict[tuple[str, int], tuple[tuple[str, int], tuple[int, int]] | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        kind, k = node
        nbrs = (
            [(("r", i), (i, k)) for i in range(n_r) if mask[i][k]]
            if kind == "c"
            else [(("c", j), (k, j)) for j in range(n_c) if mask[k][j]]
        )
        for nxt, edge in nbrs:
            if edge == (a, b) or nxt in prev:
                continue
            prev[nxt] = (node, edge)
            queue.append(nxt)
    if goal not in prev:
        return None
    path: list[tuple[int, int]] = []
    node = goal
    while prev[node] is not None:
        back = prev[node]
        assert back is not None
        node, edge = back
        path.append(edge)
    # path runs from row a back to col b; the cycle is (a, b) then col b ... row a.
    return [(a, b), *reversed(path)]


def alternative_table(ext: list[list[int]], mask: list[list[bool]], a: int, b: int) -> list[list[int]] | None:
    """Another extended table, same shown figures, different (a, b), non-negative; None if impossible."""
    cycle = hidden_cycle(mask, a, b)
    if cycle is None:
        return None
    n_r, n_c = len(ext) - 1, len(ext[0]) - 1
    new = [r[:] for r in ext]
    for step, (i, j) in enumerate(cycle):
        # Signed circulation: inner cells and the grand total count +, the other totals count -.
        sign = -1 if (i == n_r) != (j == n_c) else 1
        new[i][j] += (1 if step % 2 == 0 else -1) * sign * -1  # shift down (a, b) by one
    return new


def check_consistent(ext: list[list[int]]) -> None:
    n_r, n_c = len(ext) - 1, len(ext[0]) - 1
    for i in range(n_r + 1):
        assert sum(ext[i][:n_c]) == ext[i][n_c]
    for j in range(n_c + 1):
        assert sum(ext[i][j] for i in range(n_r)) == ext[n_r][j]
    assert all(v >= 0 for r in ext for v in r)


def assert_protected(rows: list[list[int]], t: SuppressedTable, threshold: int = 5) -> None:
    ext = extended(rows)
    status = extended_status(t)
    shown = extended_values(t)
    mask = [[s.hidden for s in r] for r in status]
    for i, r in enumerate(ext):
        for j, v in enumerate(r):
            s = status[i][j]
            # (a) no small count is shown, and the primary ones are exactly the small counts
            assert (s is P) == (0 < v < threshold), (i, j, v, s)
            # complementary figures are positive published-size figures; zeros always shown
            if s is C:
                assert v >= threshold
            # (c) shown values equal the input, hidden ones are None
            assert shown[i][j] == (None if s.hidden else v)
    # (b) the audit finds nothing, and for every hidden figure a second table exists
    assert audit(t) == []
    assert audit_bounds(rows, t) == []
    for i, mrow in enumerate(mask):
        for j, h in enumerate(mrow):
            if not h:
                continue
            alt = alternative_table(ext, mask, i, j)
            assert alt is not None, f"hidden figure {(i, j)} is recoverable"
            check_consistent(alt)
            assert alt[i][j] != ext[i][j]
            assert all(alt[x][y] == ext[x][y] for x in range(len(ext)) for y in range(len(ext[0])) if not mask[x][y])


counts = st.one_of(st.integers(0, 6), st.integers(0, 50))
tables = st.integers(1, 12).flatmap(
    lambda n_r: st.integers(1, 10).flatmap(
        lambda n_c: st.lists(st.lists(counts, min_size=n_c, max_size=n_c), min_size=n_r, max_size=n_r)
    )
)


# --- properties --------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(tables)
def test_random_tables_are_protected(rows: list[list[int]]) -> None:
    assert_protected(rows, suppress_table(rows))


@settings(max_examples=100, deadline=None)
@given(tables, st.integers(1, 12))
def test_any_threshold_is_honoured(rows: list[list[int]], threshold: int) -> None:
    assert_protected(rows, suppress_table(rows, threshold=threshold), threshold)


@settings(max_examples=150, deadline=None)
@given(tables, st.booleans(), st.booleans(), st.booleans())
def test_tables_with_some_totals_only_are_protected(
    rows: list[list[int]], rt: bool, ct: bool, gt: bool
) -> None:
    t = suppress_table(rows, row_totals=rt, col_totals=ct, grand_total=gt)
    assert audit(t) == []
    assert (t.row_totals is None) == (not rt) and (t.col_totals is None) == (not ct)
    assert (t.grand_total_status is None) == (not gt)
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            assert (t.status[i][j] is P) == (0 < v < 5)
            assert t.cells[i][j] == (None if t.status[i][j].hidden else v)
        if t.row_totals is not None and t.row_totals[i] is not None:
            assert t.row_totals[i] == sum(r)
    if not (rt or ct or gt):
        assert all(s is not C for r in t.status for s in r)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda n_r: st.integers(1, 6).flatmap(
            lambda n_c: st.lists(
                st.lists(st.booleans(), min_size=n_c + 1, max_size=n_c + 1), min_size=n_r + 1, max_size=n_r + 1
            )
        )
    )
)
def test_audit_agrees_with_the_bridge_criterion(mask: list[list[bool]]) -> None:
    """On any pattern of hidden figures, audit reports exactly the bridges of the hidden graph."""
    n_r, n_c = len(mask) - 1, len(mask[0]) - 1

    def st_(h: bool) -> CellStatus:
        return C if h else S

    t = SuppressedTable(
        cells=tuple(tuple(None if h else 1 for h in r[:n_c]) for r in mask[:n_r]),
        status=tuple(tuple(st_(h) for h in r[:n_c]) for r in mask[:n_r]),
        row_totals=tuple(None for _ in range(n_r)),
        row_total_status=tuple(st_(mask[i][n_c]) for i in range(n_r)),
        col_totals=tuple(None for _ in range(n_c)),
        col_total_status=tuple(st_(h) for h in mask[n_r][:n_c]),
        grand_total=None,
        grand_total_status=st_(mask[n_r][n_c]),
    )

    def ref(i: int, j: int) -> CellRef:
        if i == n_r and j == n_c:
            return CellRef("grand_total")
        if i == n_r:
            return CellRef("col_total", col=j)
        if j == n_c:
            return CellRef("row_total", i)
        return CellRef("cell", i, j)

    bridges = {ref(i, j) for i, r in enumerate(mask) for j, h in enumerate(r) if h and hidden_cycle(mask, i, j) is None}
    assert set(audit(t)) == bridges


def reader_bounds(s: CellStatus, threshold: int, distinct: bool) -> tuple[int, float]:
    if s is P:
        return 1, (threshold - 1 if distinct else float("inf"))
    return (threshold if distinct else 1), float("inf")


def brute_force_pinned(rows: list[list[int]], t: SuppressedTable) -> set[tuple[int, int]]:
    """Hidden small counts of the extended table that a bound-aware reader pins down.

    Tries every table whose hidden inner cells are within one of the truth (enough: when an
    alternative exists, one exists that moves each cell by at most one, see the module's note on
    networks; the search below does not rely on it to find pins, only to be complete).
    """
    ext = extended(rows)
    status = extended_status(t)
    n_r, n_c = len(rows), len(rows[0])
    hidden_inner = [(i, j) for i in range(n_r) for j in range(n_c) if status[i][j].hidden]
    seen: dict[tuple[int, int], set[int]] = {
        (i, j): set() for i in range(n_r + 1) for j in range(n_c + 1) if status[i][j].hidden
    }
    for deltas in itertools.product((-1, 0, 1), repeat=len(hidden_inner)):
        inner = [r[:] for r in rows]
        for (i, j), d in zip(hidden_inner, deltas, strict=True):
            inner[i][j] += d
        if any(v < 0 for r in inner for v in r):
            continue
        alt = extended(inner)
        ok = True
        for i in range(n_r + 1):
            for j in range(n_c + 1):
                s = status[i][j]
                if not s.hidden:
                    ok = ok and alt[i][j] == ext[i][j]
                else:
                    lo, hi = reader_bounds(s, t.threshold, t.distinct_marks)
                    ok = ok and lo <= alt[i][j] <= hi
        if ok:
            for key in seen:
                seen[key].add(alt[key[0]][key[1]])
    return {key for key, vals in seen.items() if len(vals) < 2 and status[key[0]][key[1]] is P}


small_tables = st.integers(1, 3).flatmap(
    lambda n_r: st.integers(1, 6 // n_r).flatmap(
        lambda n_c: st.lists(
            st.lists(st.integers(0, 9), min_size=n_c, max_size=n_c), min_size=n_r, max_size=n_r
        )
    )
)


@settings(max_examples=250, deadline=None)
@given(small_tables)
def test_a_reader_using_the_marks_pins_no_small_count(rows: list[list[int]]) -> None:
    t = suppress_table(rows)
    assert brute_force_pinned(rows, t) == set()
    assert audit_bounds(rows, t) == []


@settings(max_examples=250, deadline=None)
@given(
    small_tables.flatmap(
        lambda rows: st.tuples(
            st.just(rows),
            st.lists(
                st.lists(st.booleans(), min_size=len(rows[0]) + 1, max_size=len(rows[0]) + 1),
                min_size=len(rows) + 1,
                max_size=len(rows) + 1,
            ),
            st.booleans(),
        )
    )
)
def test_audit_bounds_agrees_with_brute_force(args: tuple[list[list[int]], list[list[bool]], bool]) -> None:
    """On arbitrary hiding patterns (not only ours), audit_bounds finds exactly the pinned small counts."""
    rows, mask, distinct = args
    ext = extended(rows)
    n_r, n_c = len(rows), len(rows[0])

    def st_(i: int, j: int) -> CellStatus:
        v = ext[i][j]
        if 0 < v < 5:
            return P
        return C if mask[i][j] and v > 0 else S

    def val(i: int, j: int) -> int | None:
        return None if st_(i, j).hidden else ext[i][j]

    t = SuppressedTable(
        cells=tuple(tuple(val(i, j) for j in range(n_c)) for i in range(n_r)),
        status=tuple(tuple(st_(i, j) for j in range(n_c)) for i in range(n_r)),
        row_totals=tuple(val(i, n_c) for i in range(n_r)),
        row_total_status=tuple(st_(i, n_c) for i in range(n_r)),
        col_totals=tuple(val(n_r, j) for j in range(n_c)),
        col_total_status=tuple(st_(n_r, j) for j in range(n_c)),
        grand_total=val(n_r, n_c),
        grand_total_status=st_(n_r, n_c),
        distinct_marks=distinct,
    )

    def ref(i: int, j: int) -> CellRef:
        if i == n_r and j == n_c:
            return CellRef("grand_total")
        if i == n_r:
            return CellRef("col_total", col=j)
        if j == n_c:
            return CellRef("row_total", i)
        return CellRef("cell", i, j)

    assert set(audit_bounds(rows, t)) == {ref(i, j) for i, j in brute_force_pinned(rows, t)}


# --- explicit cases ----------------------------------------------------------------------------


def test_a_row_with_one_small_cell_hides_a_second_cell() -> None:
    rows = [[3, 10, 12], [20, 30, 40], [25, 35, 45]]
    t = suppress_table(rows)
    assert t.status[0][0] is P and t.cells[0][0] is None
    # The row total 25 is published, so a second figure of row 0 must go: the smallest, 10.
    assert t.status[0][1] is C and t.row_totals == (25, 90, 105)
    # Likewise column 0 (the 20) and, to close the cycle, the 30 at the crossing.
    assert t.status[1][0] is C and t.status[1][1] is C
    assert sum(s.hidden for r in t.status for s in r) == 4
    assert_protected(rows, t)
    assert [[t.cell_label(i, j) for j in range(3)] for i in range(2)] == [["<5", "x", "12"], ["x", "x", "40"]]


def test_a_hidden_row_total_cannot_be_recovered_from_the_grand_total() -> None:
    # Row 0 totals 4: a small count itself. Grand total minus the other row totals would give it
    # back, so another row total is hidden too.
    rows = [[2, 2, 0], [10, 0, 7], [30, 20, 9], [8, 6, 0]]
    t = suppress_table(rows)
    assert t.row_total_status is not None and t.row_totals is not None
    assert t.row_total_status[0] is P
    assert sum(s.hidden for s in t.row_total_status) >= 2
    g = t.grand_total
    assert g == 94
    known = sum(v for v in t.row_totals if v is not None)
    assert g - known != 4 or sum(s.hidden for s in t.row_total_status) > 1
    assert_protected(rows, t)


def test_a_one_column_table_hides_totals_and_propagates_up() -> None:
    rows = [[3], [8], [9], [40]]
    t = suppress_table(rows)
    assert t.status[0][0] is P and t.row_total_status is not None and t.row_total_status[0] is P
    assert t.status[1][0] is C  # the smallest other cell of the column
    assert t.row_total_status[1] is C  # its row has one inner cell: the total goes too
    assert_protected(rows, t)


def test_zeros_are_shown_and_never_hidden() -> None:
    rows = [[0, 10], [10, 0]]
    t = suppress_table(rows)
    assert t.cells == ((0, 10), (10, 0)) and t.grand_total == 20
    rows = [[1, 0, 0, 9], [0, 0, 6, 50], [7, 8, 0, 0]]
    t = suppress_table(rows)
    assert all(not (t.status[i][j].hidden and v == 0) for i, r in enumerate(rows) for j, v in enumerate(r))
    assert_protected(rows, t)


def test_audit_finds_a_bridge_between_two_protected_blocks() -> None:
    # Two 2x2 blocks of hidden cells are each safe; a single hidden cell joining them is not
    # (every row and column has two hidden cells or more, yet the joining cell is determined).
    mask = [
        [True, True, False, False],
        [True, True, True, False],
        [False, False, True, True],
        [False, False, True, True],
    ]
    rows = [[10] * 4 for _ in range(4)]
    t = SuppressedTable(
        cells=tuple(tuple(None if h else 10 for h in r) for r in mask),
        status=tuple(tuple(C if h else S for h in r) for r in mask),
        row_totals=(40,) * 4,
        row_total_status=(S,) * 4,
        col_totals=(40,) * 4,
        col_total_status=(S,) * 4,
        grand_total=160,
        grand_total_status=S,
    )
    assert audit(t) == [CellRef("cell", 1, 2)]
    assert rows  # values play no part in the audit


def test_marks_give_bounds_away_and_the_bound_audit_sees_it() -> None:
    # A 1 ("<5": between 1 and 4) whose partners are 5s ("x": at least 5). The equations alone
    # leave it free, but the 1 can only grow and the 5 beside it in its row only shrink: pinned.
    rows = [[1, 5, 20], [5, 9, 20], [20, 20, 20]]
    mask = [[True, True, False], [True, True, False], [False, False, False]]
    t = SuppressedTable(
        cells=tuple(
            tuple(None if h else v for v, h in zip(r, m, strict=True)) for r, m in zip(rows, mask, strict=True)
        ),
        status=((P, C, S), (C, C, S), (S, S, S)),
        row_totals=(26, 34, 60),
        row_total_status=(S, S, S),
        col_totals=(26, 34, 60),
        col_total_status=(S, S, S),
        grand_total=120,
        grand_total_status=S,
    )
    assert audit(t) == []
    assert audit_bounds(rows, t) == [CellRef("cell", 0, 0)]
    assert brute_force_pinned(rows, t) == {(0, 0)}
    # With one mark for every hidden figure the 5 may be smaller, and the 1 is free again.
    single = SuppressedTable(**{**t.__dict__, "distinct_marks": False})
    assert audit_bounds(rows, single) == []
    # suppress_table itself picks partners that can move both ways.
    assert_protected(rows, suppress_table(rows))


def test_when_the_marks_alone_give_values_away_every_hidden_figure_reads_x() -> None:
    # Four 1s under a grand total "<5": each is at least 1, they sum to at most 4, so all are 1.
    rows = [[1, 1], [1, 1]]
    t = suppress_table(rows)
    assert t.distinct_marks is False
    assert all(s.hidden for r in extended_status(t) for s in r)
    assert {t.cell_label(i, j) for i in range(2) for j in range(2)} == {"x"}
    assert audit_bounds(rows, t) == [] and brute_force_pinned(rows, t) == set()


def test_audit_finds_grand_total_differencing() -> None:
    t = SuppressedTable(
        cells=((10, 10), (10, 10)),
        status=((S, S), (S, S)),
        row_totals=(None, 20),
        row_total_status=(C, S),
        col_totals=(20, 20),
        col_total_status=(S, S),
        grand_total=40,
        grand_total_status=S,
    )
    assert audit(t) == [CellRef("row_total", 0)]


def test_series_with_and_without_total() -> None:
    s = suppress_series([3, 10, 20])
    assert s.values == (None, None, 20) and s.status == (P, C, S) and s.total == 33
    s = suppress_series([3, 0, 0, 12])
    assert s.values == (None, 0, 0, None) and s.total == 15
    s = suppress_series([3, 10, 20], total=False)
    assert s.values == (None, 10, 20) and s.total is None and s.total_status is None
    s = suppress_series([2, 1])
    assert s.values == (None, None) and s.total_status is P  # total 3 is a small count too
    s = suppress_series([4])
    assert s.values == (None,) and s.total_status is P


def test_threshold_is_configurable() -> None:
    t = suppress_table([[7, 20, 30], [25, 30, 40]], threshold=10)
    assert t.status[0][0] is P and label(t.cells[0][0], t.status[0][0], 10) == "<10"


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        suppress_table([[1, -2]])


# --- hierarchy: regions and their provinces ----------------------------------------------------


def test_a_region_figure_is_hidden_in_both_tables() -> None:
    blocks = {
        "R1": [[3, 10, 20], [12, 15, 0]],
        "R2": [[30, 1, 40], [25, 26, 27], [9, 8, 50]],
        "R3": [[2, 1, 0]],  # a region whose totals are small: hidden nationally and locally
    }
    h = suppress_hierarchy(blocks)
    assert audit(h) == []
    for r, key in enumerate(h.region_keys):
        reg = h.regions[key]
        assert reg.col_total_status == h.national.status[r]
        assert reg.col_totals == h.national.cells[r]
        assert h.national.row_total_status is not None and h.national.row_totals is not None
        assert reg.grand_total_status is h.national.row_total_status[r]
        assert reg.grand_total == h.national.row_totals[r]
    assert h.national.status[2] == (P, P, S)
    assert h.national.row_total_status is not None and h.national.row_total_status[2] is P
    # The region R1 cell 15 (=3+12 in column 0) is not small, but its province 3 is.
    assert h.regions["R1"].status[0][0] is P


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.lists(st.lists(counts, min_size=4, max_size=4), min_size=1, max_size=5),
        min_size=1,
        max_size=5,
    )
)
def test_random_hierarchies_are_protected(blocks_list: list[list[list[int]]]) -> None:
    blocks = {f"R{k}": b for k, b in enumerate(blocks_list)}
    h = suppress_hierarchy(blocks)
    assert audit(h) == [] and audit_bounds(blocks, h) == []
    for key, rows in blocks.items():
        reg = h.regions[key]
        for i, r in enumerate(rows):
            for j, v in enumerate(r):
                assert (reg.status[i][j] is P) == (0 < v < 5)
                assert reg.cells[i][j] == (None if reg.status[i][j].hidden else v)
    for k, rkey in enumerate(h.region_keys):
        assert h.regions[rkey].col_totals == h.national.cells[k]


def hierarchy_figures(blocks: dict[str, list[list[int]]]) -> dict[CellRef, int]:
    """Every figure the two levels publish, computed from the provinces' cells."""
    out: dict[CellRef, int] = {}
    keys = list(blocks)
    n_cols = len(next(iter(blocks.values()))[0])
    for r, k in enumerate(keys):
        rows = blocks[k]
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                out[CellRef("cell", i, j, k)] = v
            out[CellRef("row_total", i, block=k)] = sum(row)
        for j in range(n_cols):
            out[CellRef("cell", r, j)] = sum(row[j] for row in rows)
        out[CellRef("row_total", r)] = sum(map(sum, rows))
    for j in range(n_cols):
        out[CellRef("col_total", col=j)] = sum(out[CellRef("cell", r, j)] for r in range(len(keys)))
    out[CellRef("grand_total")] = sum(out[CellRef("row_total", r)] for r in range(len(keys)))
    return out


def hierarchy_statuses(h: SuppressedHierarchy[str]) -> dict[CellRef, CellStatus]:
    out: dict[CellRef, CellStatus] = {}
    t = h.national
    assert t.row_total_status is not None and t.col_total_status is not None
    assert t.grand_total_status is not None
    for r, row in enumerate(t.status):
        for j, s in enumerate(row):
            out[CellRef("cell", r, j)] = s
        out[CellRef("row_total", r)] = t.row_total_status[r]
    for j, s in enumerate(t.col_total_status):
        out[CellRef("col_total", col=j)] = s
    out[CellRef("grand_total")] = t.grand_total_status
    for k in h.region_keys:
        reg = h.regions[k]
        assert reg.row_total_status is not None
        for i, row in enumerate(reg.status):
            for j, s in enumerate(row):
                out[CellRef("cell", i, j, k)] = s
            out[CellRef("row_total", i, block=k)] = reg.row_total_status[i]
    return out


small_hierarchies = st.lists(
    st.lists(st.lists(st.integers(0, 9), min_size=2, max_size=2), min_size=1, max_size=2), min_size=1, max_size=3
).filter(lambda b: sum(len(x) for x in b) <= 4)


@settings(max_examples=60, deadline=None)
@given(small_hierarchies, st.booleans())
def test_a_reader_of_both_levels_pins_no_small_count(blocks_list: list[list[list[int]]], distinct: bool) -> None:
    """Brute force over every set of province cells within one of the truth, both levels at once."""
    blocks = {f"R{k}": b for k, b in enumerate(blocks_list)}
    h = suppress_hierarchy(blocks, distinct_marks=distinct)
    truth = hierarchy_figures(blocks)
    status = hierarchy_statuses(h)
    assert set(status) == set(truth)
    inner = [(k, i, j) for k, rows in blocks.items() for i, row in enumerate(rows) for j in range(len(row))]
    hidden = [c for c in inner if status[CellRef("cell", c[1], c[2], c[0])].hidden]
    seen: dict[CellRef, set[int]] = {ref: set() for ref, s in status.items() if s is P}
    for deltas in itertools.product((-1, 0, 1), repeat=len(hidden)):
        alt_blocks = {k: [row[:] for row in rows] for k, rows in blocks.items()}
        for (k, i, j), d in zip(hidden, deltas, strict=True):
            alt_blocks[k][i][j] += d
        if any(v < 0 for rows in alt_blocks.values() for row in rows for v in row):
            continue
        alt = hierarchy_figures(alt_blocks)
        if all(
            alt[ref] == truth[ref]
            if not s.hidden
            else reader_bounds(s, h.threshold, h.distinct_marks)[0]
            <= alt[ref]
            <= reader_bounds(s, h.threshold, h.distinct_marks)[1]
            for ref, s in status.items()
        ):
            for ref in seen:
                seen[ref].add(alt[ref])
    assert [ref for ref, vals in seen.items() if len(vals) < 2] == []
    assert audit(h) == [] and audit_bounds(blocks, h) == []


# --- ratios -------------------------------------------------------------------------------------


def test_ratios_are_hidden_with_their_counts() -> None:
    assert is_safe_ratio(12, 40)
    assert not is_safe_ratio(None, 40) and not is_safe_ratio(12, None)
    assert not is_safe_ratio(3, 40) and not is_safe_ratio(12, 4)
    assert is_safe_ratio(0, 40)  # a zero rate reveals nobody
    assert not is_safe_ratio(0, 0)
    assert safe_ratio(12, 40, factor=100) == 30.0
    assert safe_ratio(3, 40, factor=100) is None


def test_labels() -> None:
    assert label(12, S) == "12" and label(None, P) == "<5" and label(None, C) == "x"


# --- speed --------------------------------------------------------------------------------------


def test_a_national_table_is_fast() -> None:
    rng = random.Random(6)
    rows = [[rng.choice([0, 1, 2, 3, 4, 6, 9, 15, 40, 120]) for _ in range(12)] for _ in range(75)]
    start = time.perf_counter()
    t = suppress_table(rows)
    elapsed = time.perf_counter() - start
    assert audit(t) == []
    assert elapsed < 0.5  # measured ~10-20 ms (docs/disclosure-and-equity.md); loose for slow CI
