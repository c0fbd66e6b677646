"""Per-module mutation scores from mutmut's results (``make mutation``).

Reads ``mutants/nnlab/<module>.py.meta`` (written by ``mutmut run``) and prints,
for each mutated module, how many mutants the tests killed. A timeout counts
as killed (the mutant made the tests hang, which a test run notices); a mutant
that no test reaches ("no tests") counts as survived. The goal is >= 90 %.
Exit status 0 always: this is a report, not a gate.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

KILLED = {1, 3, 36, 24, -24, 152, 255, 37}
SURVIVED = {0, 5, 33}


def main(root: str = "mutants/nnlab") -> int:
    metas = sorted(Path(root).glob("*.py.meta"))
    if not metas:
        print(f"no mutmut results under {root}/: run `make mutation` first")
        return 0
    print(f"{'module':<14} {'mutants':>8} {'killed':>8} {'survived':>9} {'other':>6} {'score':>7}")
    total_k = total_n = 0
    for meta in metas:
        codes = json.loads(meta.read_text())["exit_code_by_key"].values()
        killed = sum(c in KILLED for c in codes)
        survived = sum(c in SURVIVED for c in codes)
        other = len(codes) - killed - survived       # not checked, skipped, segfault
        judged = killed + survived
        score = 100.0 * killed / judged if judged else float("nan")
        total_k += killed
        total_n += judged
        name = meta.name.removesuffix(".py.meta")
        print(f"{name:<14} {len(codes):>8} {killed:>8} {survived:>9} {other:>6} {score:>6.1f}%")
    if total_n:
        print(f"{'all':<14} {'':>8} {total_k:>8} {total_n - total_k:>9} {'':>6} "
              f"{100.0 * total_k / total_n:>6.1f}%")
    print("List the survivors with `.venv/bin/mutmut results`, "
          "inspect one with `.venv/bin/mutmut show NAME`.")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
