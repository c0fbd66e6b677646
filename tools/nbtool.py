"""Keep committed notebooks small and their checked outputs honest.

    python tools/nbtool.py strip   book/*.ipynb   # drop every output nbval does not check
    python tools/nbtool.py refresh book/*.ipynb   # re-execute, then strip

A cell's outputs are kept only when its source contains ``# NBVAL_CHECK_OUTPUT``,
and then only their text (images and HTML are dropped: nbval does not compare
them, and they bloat the repository).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

CHECK = "NBVAL_CHECK_OUTPUT"
# text, and the text records myst-nb's glue() writes (nbval compares them too)
KEEP_MIME = ("text/plain", "application/papermill.record/text/plain")


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK in cell.source


def strip(nb):
    """Strip ``nb`` in place: keep only checked, textual outputs; no execution noise."""
    nb.metadata.pop("widgets", None)
    count = 0
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type != "code":
            continue
        count += 1
        if not is_checked(cell):
            cell.execution_count = None
            cell.outputs = []
            continue
        # nbval treats a cell with outputs but no execution count as "unrun": number
        # checked cells by their position, which is stable across re-executions.
        cell.execution_count = count
        kept = []
        for out in cell.outputs:
            if out.output_type in ("execute_result", "display_data"):
                out.data = {k: v for k, v in out.data.items() if k in KEEP_MIME}
                out.metadata = {}
                if "execution_count" in out:
                    out.execution_count = count
                if not out.data:
                    continue
            kept.append(out)
        cell.outputs = kept
    return nb


def refresh(path: Path):
    """Execute the notebook in its own folder, as the book does, then strip it."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return strip(nb)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("strip", "refresh"):
        print(__doc__)
        return 2
    for name in argv[1:]:
        path = Path(name)
        nb = refresh(path) if argv[0] == "refresh" else strip(nbformat.read(path, as_version=4))
        nbformat.write(nb, path)
        print(f"{argv[0]}: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
