"""One naming rule for every exported variable, valid in R, SPSS and Stata without renaming.

A name is lower-case ASCII letters, digits and underscores, starts with a letter, does not end
with an underscore, is at most :data:`MAX_LENGTH` characters, is not a reserved word of any of
the three, and is unique in its table ignoring case. The original label goes to the codebook.

The limits, from the manuals: R's ``make.names`` (a syntactic name is letters, digits, ``.`` and
``_``, starting with a letter, not a reserved word: ``?Reserved``); IBM SPSS Statistics
"Variable names" (at most 64 bytes, first character a letter, no reserved keyword ALL AND BY EQ
GE GT LE LT NE NOT OR TO WITH, not ending in a period; names ending in an underscore are to be
avoided because procedures create such names); Stata ``[U] 11.3 Naming conventions`` (at most
32 characters, letters, digits and ``_``, reserved names such as ``_all``, ``byte``, ``if``,
``in``, ``int``, ``long``, ``str#``, ``using``, ``with``). Stata's 32 is the tightest limit, so
:data:`MAX_LENGTH` is 32 (which also satisfies "at most 64").

    >>> variable_name("3rs-segment:withdrawal")
    'v3rs_segment_withdrawal'
    >>> unique_names(["n_WD", "n_wd", "if"])
    ['n_wd', 'n_wd_2', 'if_v']
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

#: Stata's limit (32) is below SPSS's (64); R has none that matters.
MAX_LENGTH = 32

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RUN_RE = re.compile(r"[^a-z0-9]+")

#: Reserved words of R, SPSS and Stata, lower-cased (names are lower case).
RESERVED = frozenset(
    {
        # R (?Reserved); TRUE, NA, ... differ from their lower-case forms but are kept out too
        "if", "else", "repeat", "while", "function", "for", "next", "break", "in",
        "true", "false", "null", "inf", "nan", "na", "na_integer_", "na_real_",
        "na_character_", "na_complex_",
        # SPSS reserved keywords
        "all", "and", "by", "eq", "ge", "gt", "le", "lt", "ne", "not", "or", "to", "with",
        # Stata reserved names
        "byte", "double", "float", "int", "long", "strl", "using", "str", "_all", "_b",
        "_coef", "_cons", "_n", "_pi", "_pred", "_rc", "_skip",
    }
)  # fmt: skip
_STATA_STR_RE = re.compile(r"^str\d+$")


def is_valid(name: str) -> bool:
    """True when ``name`` follows the rule (uniqueness aside)."""
    return (
        len(name) <= MAX_LENGTH
        and bool(_NAME_RE.match(name))
        and not name.endswith("_")
        and "__" not in name
        and name not in RESERVED
        and not _STATA_STR_RE.match(name)
    )


def variable_name(label: str, *, max_length: int = MAX_LENGTH) -> str:
    """The variable name for a label: accents folded to ASCII, lower case, every run of other
    characters one underscore, ``v`` in front of a leading digit (or of nothing), ``_v`` after a
    reserved word, cut to ``max_length`` (a cut name ends in 4 hex digits of the label's SHA-1,
    so two long labels that share a beginning stay apart)."""
    folded = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    name = _RUN_RE.sub("_", folded.lower()).strip("_")
    if not name or not name[0].isalpha():
        name = "v" + ("_" + name if name.startswith("_") else name)
        name = name.replace("__", "_")
    if name in RESERVED or _STATA_STR_RE.match(name):
        name += "_v"
    if len(name) > max_length:
        digest = hashlib.sha1(label.encode("utf-8")).hexdigest()[:4]
        name = name[: max_length - 5].rstrip("_") + "_" + digest
    return name


def unique_names(labels: Iterable[str], *, max_length: int = MAX_LENGTH) -> list[str]:
    """Names for the labels, in order, unique ignoring case: a repeated name gets ``_2``,
    ``_3``, ... (cut so that it still fits)."""
    taken: set[str] = set()
    out: list[str] = []
    for label in labels:
        base = variable_name(label, max_length=max_length)
        name, k = base, 1
        while name.lower() in taken:
            k += 1
            suffix = f"_{k}"
            name = base[: max_length - len(suffix)].rstrip("_") + suffix
        taken.add(name.lower())
        out.append(name)
    return out
