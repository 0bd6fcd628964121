"""Run every benchmark module (or the ones named on the command line)."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def _modules() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def main(argv: list[str]) -> int:
    wanted = [a for a in argv if not a.startswith("-")]
    names = [m for m in _modules() if not wanted or any(w in m for w in wanted)]
    if not names:
        print(f"no benchmark matches {wanted}; available: {', '.join(_modules())}")
        return 2
    for name in names:
        print(f"=== {name}")
        t0 = time.perf_counter()
        importlib.import_module(f"benchmarks.{name}").main([a for a in argv if a.startswith("-")])
        print(f"=== {name} done in {time.perf_counter() - t0:.1f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
