"""Sequential analysis of coded events (pure: no Qt, SQLAlchemy or openpyxl).

* :mod:`.lag` -- lag-1 transition tables, conditional probabilities, Yule's Q and adjusted
  residuals for event sequences (Allison & Liker 1982; Bakeman & Quera 2011).
* :mod:`.window` -- time-window sequential analysis (Yoder & Tapp 2004) and a seeded
  permutation test on shuffled onsets.
* :mod:`.repair` -- rupture -> resolution pairing, time to repair and its summaries.
* :mod:`.sdis` -- the SDIS text format read by GSEQ (Bakeman & Quera 2011).

References
----------
Allison, P. D., & Liker, J. K. (1982). Analyzing sequential categorical data on dyadic
interaction: A comment on Gottman. Psychological Bulletin, 91(2), 393-403.
Bakeman, R., & Quera, V. (2011). Sequential analysis and observational methods for the behavioral
sciences. Cambridge University Press. doi:10.1017/CBO9781139017343
Yoder, P. J., & Tapp, J. (2004). Empirical guidance for time-window sequential analysis of single
cases. Journal of Behavioral Education, 13(4), 227-246.
"""

from __future__ import annotations

from observer_app.coding.sequences.lag import TransitionTable, lag1_table, yules_q
from observer_app.coding.sequences.repair import (
    Repair,
    RepairRules,
    RepairSummary,
    SeqEvent,
    find_repairs,
    summarize_repairs,
)
from observer_app.coding.sequences.window import (
    PermutationResult,
    TimedSession,
    WindowTable,
    followed_within,
    permutation_test,
    window_table,
)

__all__ = [
    "PermutationResult",
    "Repair",
    "RepairRules",
    "RepairSummary",
    "SeqEvent",
    "TimedSession",
    "TransitionTable",
    "WindowTable",
    "find_repairs",
    "followed_within",
    "lag1_table",
    "permutation_test",
    "summarize_repairs",
    "window_table",
    "yules_q",
]
