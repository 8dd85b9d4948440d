"""Solution regions: validation with file:line, nbgrader's stub naming each region's assignment,
reveal, and starter/ in sync."""
import filecmp
import textwrap

import pytest

from autograder.strip import RegionError, find_regions, regions_in_tree, strip_source, strip_tree
from conftest import REFERENCE, ROOT

SOURCE = textwrap.dedent("""\
    def f(x):
        ### BEGIN SOLUTION hw1
        return x + 1
        ### END SOLUTION

    def g(x):
        ### BEGIN SOLUTION hw2
        y = x * 2
        return y
        ### END SOLUTION
    """)


def test_regions_are_replaced_by_nbgraders_stub_naming_their_tag_at_their_indentation():
    stripped = strip_source(SOURCE, "f.py")
    assert stripped == textwrap.dedent("""\
        def f(x):
            # YOUR CODE HERE (hw1)
            raise NotImplementedError("hw1")

        def g(x):
            # YOUR CODE HERE (hw2)
            raise NotImplementedError("hw2")
        """)


def test_each_stub_names_its_own_regions_tag_when_tags_interleave():
    source = textwrap.dedent("""\
        class A:
            def f(self):
                ### BEGIN SOLUTION hw3b
                return 1
                ### END SOLUTION

        def g():
            ### BEGIN SOLUTION hw3
            return 2
            ### END SOLUTION
        x = 3
        """)
    stripped = strip_source(source + "\n" + SOURCE, "f.py")
    stubs = [line.strip() for line in stripped.splitlines() if "NotImplementedError" in line]
    assert stubs == [f'raise NotImplementedError("{tag}")' for tag in ("hw3b", "hw3", "hw1", "hw2")]
    assert '        # YOUR CODE HERE (hw3b)\n        raise NotImplementedError("hw3b")\n' in stripped
    assert stripped.endswith('raise NotImplementedError("hw2")\n')
    assert "x = 3\n" in stripped and "SOLUTION" not in stripped


def test_a_reference_only_file_is_left_out_even_when_revealed(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "kept.py").write_text(SOURCE)
    (package / "_tuned.py").write_text("### BEGIN REFERENCE ONLY\ndef f(x):\n    return x + 1\n"
                                       "### END REFERENCE ONLY\n")
    for reveal in (frozenset(), frozenset({"hw1", "hw2"})):
        strip_tree(package, tmp_path / "starter", reveal)
        assert sorted(p.name for p in (tmp_path / "starter").iterdir()) == ["kept.py"]


def test_reference_only_code_inside_a_shared_file_is_refused():
    source = SOURCE + "### BEGIN REFERENCE ONLY\nfrom ._tuned import f\n### END REFERENCE ONLY\n"
    with pytest.raises(RegionError, match="files of its own"):
        strip_source(source, "f.py")


def test_every_reference_file_is_all_reference_only_or_has_none():
    """What the starter holds of a file both trees have is that file with its regions stubbed."""
    from autograder.strip import find_reference_only

    for path in REFERENCE.rglob("*.py"):
        source = path.read_text()
        blocks = find_reference_only(source, str(path))
        assert blocks in ([], [(1, len(source.rstrip().split("\n")))]), path


@pytest.mark.parametrize("text, problem", [
    ("### BEGIN REFERENCE ONLY\nx = 1\n", "never closed"),
    ("x = 1\n### END REFERENCE ONLY\n", "without a matching"),
    ("### BEGIN REFERENCE ONLY\n### BEGIN SOLUTION hw1\nx = 1\n### END SOLUTION\n"
     "### END REFERENCE ONLY\n", "inside the reference-only block"),
    ("def f():\n    ### BEGIN SOLUTION hw1\n    ### BEGIN REFERENCE ONLY\n    x = 1\n"
     "    ### END REFERENCE ONLY\n    ### END SOLUTION\n", "inside the solution region"),
    ("x = 1  ### BEGIN REFERENCE ONLY\n", "stand alone"),
])
def test_malformed_reference_only_blocks_name_file_and_line(text, problem):
    with pytest.raises(RegionError, match=problem) as error:
        strip_source(text, "m.py")
    assert str(error.value).startswith("m.py:")


def test_revealed_regions_keep_their_code_without_markers():
    stripped = strip_source(SOURCE, "f.py", reveal=frozenset({"hw1"}))
    assert "return x + 1" in stripped and "y = x * 2" not in stripped
    assert 'raise NotImplementedError("hw2")' in stripped and "hw1" not in stripped
    assert "SOLUTION" not in stripped


def test_regions_report_their_tags_and_lines():
    regions = find_regions(SOURCE, "f.py")
    assert [(r.begin, r.end, r.tag) for r in regions] == [(2, 4, "hw1"), (7, 10, "hw2")]


@pytest.mark.parametrize("source, line, problem", [
    ("x = 1\n### BEGIN SOLUTION hw1\ny = 2\n", 2, "never closed"),
    ("### BEGIN SOLUTION hw1\n### BEGIN SOLUTION hw1\n### END SOLUTION\n", 2, "nested"),
    ("a = 1\n### BEGIN SOLUTION\nb = 2\n### END SOLUTION\n", 2, "tag"),
    ("### BEGIN SOLUTION homework\n### END SOLUTION\n", 1, "tag"),
    ("a = 1\n\n### END SOLUTION\n", 3, "without a matching"),
    ("x = 1  ### BEGIN SOLUTION hw1\n### END SOLUTION\n", 1, "alone on its line"),
])
def test_malformed_regions_stop_the_build_with_file_and_line(source, line, problem):
    with pytest.raises(RegionError, match=rf"^bad\.py:{line}: .*{problem}"):
        strip_source(source, "bad.py")


def test_a_malformed_file_leaves_the_starter_untouched(tmp_path):
    reference, starter = tmp_path / "ref", tmp_path / "starter"
    reference.mkdir()
    (reference / "good.py").write_text(SOURCE)
    (reference / "bad.py").write_text("### BEGIN SOLUTION hw1\n")
    starter.mkdir()
    (starter / "kept.py").write_text("old")
    with pytest.raises(RegionError, match="bad.py:1"):
        strip_tree(reference, starter)
    assert (starter / "kept.py").read_text() == "old"


def test_every_reference_region_is_tagged_with_an_existing_assignment():
    tags = {p.parent.name.split("_")[0] for p in (ROOT / "assignments").glob("*/assignment.toml")}
    regions = regions_in_tree(REFERENCE)
    assert regions, "the reference has no solution regions"
    assert {r.tag for r in regions} <= tags


def test_starter_is_in_sync_with_reference(tmp_path):
    strip_tree(REFERENCE, tmp_path / "minidl")
    comparison = filecmp.dircmp(tmp_path / "minidl", ROOT / "starter" / "minidl",
                                ignore=["__pycache__"])
    out_of_sync = []

    def walk(c, prefix=""):
        out_of_sync.extend(prefix + n for n in c.left_only + c.right_only + c.diff_files)
        for name, sub in c.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison)
    assert not out_of_sync, f"starter/ is out of sync with reference/ ({out_of_sync}): run make starter"


def test_starter_contains_no_solution_text():
    for path in (ROOT / "starter").rglob("*.py"):
        assert "SOLUTION" not in path.read_text(), path


def test_reference_imports_itself_only_relatively():
    for path in REFERENCE.rglob("*.py"):
        text = path.read_text()
        assert "import minidl" not in text and "from minidl" not in text, path


def test_a_stub_whose_names_given_code_uses_after_it_has_a_comment_naming_them():
    """Where a region sits mid-function, the given code after it may use names the region must
    define: the given line right above the region names each (the starter shows no other
    sign of them)."""
    import ast

    missing = []
    for path in sorted(REFERENCE.rglob("*.py")):
        source = path.read_text()
        lines, tree = source.split("\n"), ast.parse(source)
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                                 ast.AsyncFunctionDef))]
        for region in find_regions(source, str(path)):
            inside = [f for f in functions
                      if f.lineno < region.begin and f.end_lineno >= region.end - 1]
            if not inside:
                continue
            function = max(inside, key=lambda f: f.lineno)  # the innermost
            names = [n for n in ast.walk(function) if isinstance(n, ast.Name)]
            defined = {n.id for n in names if region.begin < n.lineno < region.end
                       and isinstance(n.ctx, ast.Store)}
            used_after = {n.id for n in names if n.lineno > region.end
                          and isinstance(n.ctx, ast.Load)}
            above = lines[region.begin - 2]
            missing += [f"{path.relative_to(REFERENCE)}:{region.begin} {name}"
                        for name in sorted(defined & used_after)
                        if not above.strip().startswith("#") or f"`{name}`" not in above]
    assert not missing, missing
