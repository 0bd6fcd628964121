"""Lag-1 sequential statistics for event sequences.

A *session* is a sequence of codes in time order. A lag-1 *transition* is a pair of consecutive
events (given, target) inside one session; transitions never link two sessions. The transition
table ``x`` counts them: ``x[g][t]`` is the number of times code ``t`` immediately followed code
``g``. With ``N`` the number of transitions, ``x[g]+`` the row (given) totals and ``x+[t]`` the
column (target) totals (Bakeman & Quera 2011, ch. 9-10):

* conditional (transitional) probability ``p(t | g) = x[g][t] / x[g]+``;
* expected count under independence ``e[g][t] = x[g]+ * x+[t] / N``;
* adjusted residual (Allison & Liker 1982; Haberman's adjusted residual)
  ``z = (x[g][t] - e[g][t]) / sqrt(e[g][t] * (1 - x[g]+/N) * (1 - x+[t]/N))``, approximately
  standard normal when codes are independent;
* Yule's Q of the 2x2 table obtained by collapsing every other code into "not g" / "not t":
  ``a = x[g][t]``, ``b = x[g]+ - a``, ``c = x+[t] - a``, ``d = N - a - b - c``,
  ``Q = (ad - bc) / (ad + bc)``, from -1 to +1, 0 for independence (Bakeman & Quera 2011, p. 108).

Undefined values (a zero margin, ``ad + bc = 0``) are ``None``, never a made-up number. The
table assumes no structural zeros (any code may follow any code, itself included); GSEQ's
iterative-proportional-fitting expected counts for tables with structural zeros are not
implemented.

References: Allison, P. D., & Liker, J. K. (1982). Psychological Bulletin, 91(2), 393-403.
Bakeman, R., & Quera, V. (2011). Sequential analysis and observational methods for the
behavioral sciences. Cambridge University Press.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from observer_app.coding.errors import InputError


def yules_q(a: int, b: int, c: int, d: int) -> float | None:
    """Yule's Q of the 2x2 table ``[[a, b], [c, d]]``: ``(ad - bc) / (ad + bc)``.

    ``None`` when ``ad + bc`` is 0 (Bakeman & Quera 2011, p. 108; Yule 1912).
    """
    if min(a, b, c, d) < 0:
        raise InputError(f"a 2x2 table has no negative counts: {(a, b, c, d)}")
    ad, bc = a * d, b * c
    if ad + bc == 0:
        return None
    return (ad - bc) / (ad + bc)


@dataclass(frozen=True)
class TransitionTable:
    """Lag-1 transition counts ``counts[i][j]``: code ``codes[j]`` right after ``codes[i]``."""

    codes: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    def _index(self, code: str) -> int:
        try:
            return self.codes.index(code)
        except ValueError:
            raise InputError(f"code {code!r} is not in the transition table") from None

    @property
    def total(self) -> int:
        """``N``: the number of transitions."""
        return sum(sum(row) for row in self.counts)

    def count(self, given: str, target: str) -> int:
        return self.counts[self._index(given)][self._index(target)]

    def given_total(self, given: str) -> int:
        """Row total ``x[g]+``: transitions that start with ``given``."""
        return sum(self.counts[self._index(given)])

    def target_total(self, target: str) -> int:
        """Column total ``x+[t]``: transitions that end with ``target``."""
        j = self._index(target)
        return sum(row[j] for row in self.counts)

    def conditional(self, given: str, target: str) -> float | None:
        """``p(target | given) = x[g][t] / x[g]+`` (``None`` when ``given`` never starts one)."""
        row = self.given_total(given)
        return None if row == 0 else self.count(given, target) / row

    def expected(self, given: str, target: str) -> float | None:
        """``e[g][t] = x[g]+ * x+[t] / N`` (``None`` for an empty table)."""
        n = self.total
        return None if n == 0 else self.given_total(given) * self.target_total(target) / n

    def adjusted_residual(self, given: str, target: str) -> float | None:
        """Allison & Liker's (1982) adjusted residual (definition in the module docstring)."""
        n = self.total
        expected = self.expected(given, target)
        if expected is None or expected == 0:
            return None
        p_given, p_target = self.given_total(given) / n, self.target_total(target) / n
        variance = expected * (1 - p_given) * (1 - p_target)
        if variance <= 0:
            return None
        return (self.count(given, target) - expected) / math.sqrt(variance)

    def two_by_two(self, given: str, target: str) -> tuple[int, int, int, int]:
        """``(a, b, c, d)``: given->target, given->other, other->target, other->other."""
        a = self.count(given, target)
        b = self.given_total(given) - a
        c = self.target_total(target) - a
        return a, b, c, self.total - a - b - c

    def yules_q(self, given: str, target: str) -> float | None:
        """Yule's Q of :meth:`two_by_two` (definition in the module docstring)."""
        return yules_q(*self.two_by_two(given, target))

    def cells(self) -> list[dict[str, object]]:
        """Every cell with its count and statistics, row by row (for tables and JSON)."""
        return [
            {
                "given": g,
                "target": t,
                "count": self.count(g, t),
                "expected": self.expected(g, t),
                "conditional": self.conditional(g, t),
                "adjusted_residual": self.adjusted_residual(g, t),
                "yules_q": self.yules_q(g, t),
            }
            for g in self.codes
            for t in self.codes
        ]


def lag1_table(
    sessions: Iterable[Sequence[str]], codes: Sequence[str] | None = None
) -> TransitionTable:
    """Count lag-1 transitions within each session (never across two sessions).

    ``codes`` fixes the table's codes and order; a code outside it is an error. Without it the
    codes seen are used, sorted.
    """
    seqs = [list(s) for s in sessions]
    if codes is None:
        codes = sorted({c for s in seqs for c in s})
    order = tuple(codes)
    if len(set(order)) != len(order):
        raise InputError(f"codes of a transition table must be distinct: {list(order)}")
    index = {c: i for i, c in enumerate(order)}
    counts = [[0] * len(order) for _ in order]
    for seq in seqs:
        for pos, code in enumerate(seq):
            if code not in index:
                raise InputError(f"code {code!r} (event {pos + 1}) is not one of {list(order)}")
        for g, t in itertools.pairwise(seq):
            counts[index[g]][index[t]] += 1
    return TransitionTable(order, tuple(tuple(row) for row in counts))
