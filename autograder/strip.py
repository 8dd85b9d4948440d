"""Turn the reference into starter code: clear each tagged solution region, and leave out each
reference-only file (the kit's tuned code, which students never see nor write).

Regions are validated here (tags, nesting, closing) with file and line; the clearing itself is
nbgrader's `ClearSolutions`, so .py files and notebooks read the same to students, with a stub
that names the region's assignment (`raise NotImplementedError("hw2")`).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
_BEGIN_LINE = re.compile(r"^(\s*)### BEGIN SOLUTION(?:\s+(\S+))?\s*$")
_END_LINE = re.compile(r"^\s*### END SOLUTION\s*$")
_TAG = re.compile(r"^hw\d+[a-z]?$")
REFERENCE_BEGIN = "### BEGIN REFERENCE ONLY"
REFERENCE_END = "### END REFERENCE ONLY"


class RegionError(ValueError):
    """A malformed solution region, reported as file:line: problem."""

    def __init__(self, path: str, line: int, problem: str):
        super().__init__(f"{path}:{line}: {problem}")


@dataclass(frozen=True)
class SolutionRegion:
    """Lines [begin, end] (1-based, markers included) of one file, graded by `tag`."""

    path: str
    begin: int
    end: int
    tag: str


def find_regions(source: str, path: str) -> list[SolutionRegion]:
    """Every solution region of `source`; raises RegionError on any malformed one."""
    regions, open_at, open_tag = [], None, None
    for number, line in enumerate(source.split("\n"), start=1):  # the lines strip_source splices
        if BEGIN in line:
            match = _BEGIN_LINE.match(line)
            if match is None:
                raise RegionError(path, number, f"'{BEGIN}' must stand alone on its line "
                                  f"with one tag, as in '{BEGIN} hw1'")
            if open_at is not None:
                raise RegionError(path, number, f"nested region: the region opened at line "
                                  f"{open_at} is not closed yet")
            tag = match.group(2)
            if tag is None or not _TAG.match(tag):
                raise RegionError(path, number, f"region needs an assignment tag such as "
                                  f"'{BEGIN} hw1', got {tag!r}")
            open_at, open_tag = number, tag
        elif END in line:
            if not _END_LINE.match(line):
                raise RegionError(path, number, f"'{END}' must stand alone on its line")
            if open_at is None:
                raise RegionError(path, number, f"'{END}' without a matching '{BEGIN}'")
            regions.append(SolutionRegion(path, open_at, number, open_tag))
            open_at = None
    if open_at is not None:
        raise RegionError(path, open_at, f"region is never closed with '{END}'")
    return regions


def find_reference_only(source: str, path: str) -> list[tuple[int, int]]:
    """Lines [begin, end] (1-based, markers included) of each reference-only block.

    A block holds no solution region; raises RegionError on a malformed one.
    """
    blocks, open_at = [], None
    for number, line in enumerate(source.split("\n"), start=1):
        marker = line.strip()
        if marker == REFERENCE_BEGIN:
            if open_at is not None:
                raise RegionError(path, number, f"nested '{REFERENCE_BEGIN}': the block opened "
                                  f"at line {open_at} is not closed yet")
            open_at = number
        elif marker == REFERENCE_END:
            if open_at is None:
                raise RegionError(path, number, f"'{REFERENCE_END}' without a matching "
                                  f"'{REFERENCE_BEGIN}'")
            blocks.append((open_at, number))
            open_at = None
        elif open_at is not None and (BEGIN in line or END in line):
            raise RegionError(path, number, f"a solution region inside the reference-only "
                              f"block opened at line {open_at}")
        elif "REFERENCE ONLY" in line:
            raise RegionError(path, number, f"'{REFERENCE_BEGIN}' and '{REFERENCE_END}' must "
                              "stand alone on their lines")
    if open_at is not None:
        raise RegionError(path, open_at, f"block is never closed with '{REFERENCE_END}'")
    return blocks


def code_stub(tag: str) -> str:
    """What a cleared region of assignment `tag` becomes, so students see whose stub it is."""
    return f'# YOUR CODE HERE ({tag})\nraise NotImplementedError("{tag}")'


def clear_solutions(regions: list[str], tag: str) -> list[str]:
    """nbgrader's ClearSolutions on each region's text (markers included), with `tag`'s stub."""
    import nbformat
    from nbgrader.preprocessors import ClearSolutions

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(region) for region in regions]
    notebook.metadata["kernelspec"] = {"language": "python", "name": "python3"}
    clear = ClearSolutions(enforce_metadata=False, code_stub={"python": code_stub(tag)},
                           begin_solution_delimeter=BEGIN, end_solution_delimeter=END)
    cleared, _ = clear.preprocess(notebook, {})
    return [cell.source for cell in cleared.cells]


def strip_source(source: str, path: str, reveal: frozenset[str] = frozenset()) -> str:
    """Starter text of one file: regions cleared, except those of `reveal`ed assignments, and
    reference-only blocks cut."""
    regions = find_regions(source, path)
    lines = source.split("\n")
    replacement = {r: lines[r.begin:r.end - 1] for r in regions if r.tag in reveal}
    for begin, end in find_reference_only(source, path):
        inside = [r for r in regions if r.begin < begin < r.end]
        if inside:
            raise RegionError(path, begin, f"a reference-only block inside the solution region "
                              f"opened at line {inside[0].begin}")
        if source.strip().split("\n")[0].strip() != REFERENCE_BEGIN or \
                end != len(source.rstrip().split("\n")):
            raise RegionError(path, begin, "reference-only code lives in files of its own: the "
                              "block must be the whole file (a student's file is the "
                              "reference's with its regions stubbed, nothing else removed)")
        cut = SolutionRegion(path, begin, end, "reference")
        regions.append(cut)
        replacement[cut] = []
    regions.sort(key=lambda r: r.begin)
    # One ClearSolutions pass per tag, each region its own cell: a file mixes tags.
    for tag in {r.tag for r in regions if r not in replacement} - reveal:
        cleared = [r for r in regions if r.tag == tag]
        texts = clear_solutions(["\n".join(lines[r.begin - 1:r.end]) for r in cleared], tag)
        replacement.update((r, text.split("\n")) for r, text in zip(cleared, texts))
    out, at = [], 0
    for region in regions:
        out += lines[at:region.begin - 1] + replacement[region]
        at = region.end
    text = "\n".join(out + lines[at:])
    return text.rstrip("\n") + "\n" if text.endswith("\n\n") else text  # a block cut at the end


def strip_tree(reference: Path, starter: Path, reveal: frozenset[str] = frozenset()) -> None:
    """Make `starter` the starter copy of the `reference` package tree.

    Python files are stripped, other files copied; a file that was all reference-only is
    left out. Nothing is written unless every file strips cleanly, and only files whose
    contents change are rewritten (Numba's disk cache of an unchanged kernel stays valid).
    """
    files = [p for p in sorted(reference.rglob("*")) if p.is_file() and "__pycache__" not in p.parts]
    stripped = {p: strip_source(p.read_text(encoding="utf-8"), str(p), reveal)
                for p in files if p.suffix == ".py"}
    wanted = {starter / p.relative_to(reference): (stripped[p].encode("utf-8") if p in stripped
                                                   else p.read_bytes())
              for p in files if p not in stripped or stripped[p].strip()}
    if starter.exists():
        for path in sorted(starter.rglob("*"), reverse=True):
            if "__pycache__" in path.parts:
                continue
            if path.is_file() and path not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    for target, contents in wanted.items():
        if not target.is_file() or target.read_bytes() != contents:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(contents)


def speed_files(reference: Path) -> dict[Path, str]:
    """The kit's speed files (tuned kernels, fused layers: files that are one reference-only
    block), by path relative to `reference`, each as its text inside the markers."""
    found = {}
    for path in sorted(reference.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.rstrip().split("\n")
        if find_reference_only(source, str(path)) == [(1, len(lines))]:
            found[path.relative_to(reference)] = "\n".join(lines[1:-1]) + "\n"
    return found


def model_answer(reference: Path, target: Path) -> Path:
    """Write the model answer into `target` and return it: the reference with every solution
    region kept and its reference-only code cut, exactly what a student who solved every
    assignment uploads. Goldens are recorded from it, never from the reference's tuned code."""
    strip_tree(reference, target, frozenset(r.tag for r in regions_in_tree(reference)))
    return target


def regions_in_tree(reference: Path) -> list[SolutionRegion]:
    """All solution regions under `reference`, in file and line order."""
    return [region for path in sorted(reference.rglob("*.py")) if "__pycache__" not in path.parts
            for region in find_regions(path.read_text(encoding="utf-8"), str(path))]
