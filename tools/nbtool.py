"""Keep committed notebooks small and their checked outputs honest.

    python tools/nbtool.py strip   book/*.ipynb   # drop every output nbval does not check
    python tools/nbtool.py refresh book/*.ipynb   # re-execute, strip, check
    python tools/nbtool.py check   book/*.ipynb   # list machine-dependent text

A cell's outputs are kept only when its source contains ``# NBVAL_CHECK_OUTPUT``,
and then only their text (images and HTML are dropped: nbval does not compare
them, and they bloat the repository).

``check`` (also run by ``refresh``) lists checked text that would differ on
another machine: a float with more than 10 significant digits (its last digits
depend on the BLAS kernel and the libm), a negative zero (the sign of a value
that is zero up to rounding), an unsorted set or dict repr, a memory address,
a timing, a date, an absolute path, or a NumPy scalar repr such as
``np.float64(0.5)`` (NumPy < 2 prints ``0.5``). Print numbers with a fixed
format (``f"{x:.4f}"``); ``nnlab.book.glue`` already rounds what it stores.
"""
from __future__ import annotations

import ast
import re
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
            if (out.output_type == "stream" and kept
                    and kept[-1].output_type == "stream"
                    and kept[-1].name == out.name):
                # one print can arrive in pieces ("text", "\n") depending on
                # the kernel's timing: merge them (as nbval does), so that the
                # committed file does not change with the timing
                kept[-1].text += out.text
                continue
            kept.append(out)
        cell.outputs = kept
    return nb


MAX_SIGNIFICANT = 10
# A decimal number not glued to a word, a dot or another number ("2.4.6",
# "127.0.0.1", "x1" and "0x7f" are not numbers here).
_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")
_NEGATIVE_ZERO = re.compile(r"-0*\.?0*(?:[eE][-+]?\d+)?")
_VOLATILE = [
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b| at 0x"), "a memory address"),
    (re.compile(r"\b\d+(?:\.\d+)?\s?"
                r"(?:ns|[µμu]s|ms|s|secs?|seconds?|min|minutes?)\b"
                r"|wall time|cpu times?|elapsed|\bit/s\b|\bs/it\b",
                re.IGNORECASE), "a timing"),
    (re.compile(r"\b\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}|\b\d{2}:\d{2}:\d{2}\b"),
     "a date or time"),
    (re.compile(r"(?:^|[\s'\"(=])"
                r"(?:/home/|/tmp/|/Users/|/root/|/var/folders/|[A-Za-z]:\\)"),
     "an absolute path"),
    (re.compile(r"\bnp\.(?:float|int|uint|bool|complex|str_)\w*\("),
     "a NumPy scalar repr (NumPy < 2 prints it differently)"),
    (re.compile(r"\b(?:dict_keys|dict_values|dict_items|frozenset|set)\(\["),
     "a set or dict view repr"),
]


def _significant_digits(number: str) -> int:
    """Significant digits of a decimal written in text ("0.00120" has 3)."""
    mantissa = re.split(r"[eE]", number.lstrip("+-"))[0]
    return len(mantissa.replace(".", "").lstrip("0"))


def _brace_literals(text: str):
    """Yield ``(source, kind, items)`` for each set or dict literal in braces.

    ``items`` are the set's elements or the dict's keys in the order printed.
    """
    for m in re.finditer(r"\{[^{}]*\}", text):
        try:
            node = ast.parse(m.group(0), mode="eval").body
            if isinstance(node, ast.Set):
                items = [ast.literal_eval(e) for e in node.elts]
                yield m.group(0), "set", items
            elif isinstance(node, ast.Dict) and None not in node.keys:
                items = [ast.literal_eval(k) for k in node.keys]
                yield m.group(0), "dict", items
        except (ValueError, SyntaxError, TypeError, MemoryError,
                RecursionError):
            continue


def _is_sorted(items) -> bool:
    try:
        return list(items) == sorted(items)
    except TypeError:            # mixed types: no order to check against
        return False


def volatile(text: str) -> list[str]:
    """What in ``text`` would print differently on another machine.

    See the module docstring for the list; returns one message per finding.
    """
    found = []
    for m in _NUMBER.finditer(text):
        number = m.group(0)
        is_float = "." in number or "e" in number.lower()
        if is_float and _significant_digits(number) > MAX_SIGNIFICANT:
            found.append(f"{number!r}: a float with more than "
                         f"{MAX_SIGNIFICANT} significant digits")
        elif _NEGATIVE_ZERO.fullmatch(number) and any(map(str.isdigit, number)):
            found.append(f"{number!r}: a negative zero "
                         "(the sign of rounding noise)")
    for pattern, what in _VOLATILE:
        for m in pattern.finditer(text):
            found.append(f"{m.group(0).strip()!r}: {what}")
    for source, kind, items in _brace_literals(text):
        if len(items) < 2:
            continue
        ints_in_order = all(type(x) is int for x in items) and _is_sorted(items)
        if kind == "set" and not ints_in_order:
            # str hashes change with PYTHONHASHSEED: print sorted(s) instead
            found.append(f"{source[:60]!r}: a set repr (printed in hash order)")
        elif kind == "dict" and not _is_sorted(items):
            found.append(f"{source[:60]!r}: a dict repr with unsorted keys")
    return found


def checked_texts(nb):
    """Yield ``(cell index, kind, text)`` for each output text nbval compares."""
    for i, cell in enumerate(nb.cells):
        if not is_checked(cell):
            continue
        for out in cell.outputs:
            if out.output_type == "stream":
                yield i, "printed", out.text
            elif out.output_type in ("execute_result", "display_data"):
                for mime in KEEP_MIME:
                    if mime in out.get("data", {}):
                        glued = "papermill" in mime
                        yield i, "glue record" if glued else "result", out.data[mime]


def check(nb) -> list[str]:
    """Every machine-dependent piece of checked text in ``nb``, as messages."""
    return [f"cell {i} ({kind}): {problem}"
            for i, kind, text in checked_texts(nb)
            for problem in volatile(text)]


def refresh(path: Path):
    """Execute the notebook in its own folder, as the book does, then strip it."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return strip(nb)


def main(argv):
    if len(argv) < 2 or argv[0] not in ("strip", "refresh", "check"):
        print(__doc__)
        return 2
    status = 0
    for name in argv[1:]:
        path = Path(name)
        if argv[0] == "refresh":
            nb = refresh(path)
        else:
            nb = nbformat.read(path, as_version=4)
        if argv[0] != "check":
            nbformat.write(strip(nb) if argv[0] == "strip" else nb, path)
            print(f"{argv[0]}: {path}")
        if argv[0] != "strip":
            problems = check(nb)
            for problem in problems:
                print(f"{path}: {problem}", file=sys.stderr)
            status = status or int(bool(problems))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
