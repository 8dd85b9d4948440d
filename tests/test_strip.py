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


def test_reference_only_blocks_are_cut_even_when_revealed_and_an_all_reference_file_is_left_out(
        tmp_path):
    source = SOURCE + textwrap.dedent("""\
        ### BEGIN REFERENCE ONLY
        from ._tuned import f  # the kit's faster f
        ### END REFERENCE ONLY
        """)
    for reveal in (frozenset(), frozenset({"hw1", "hw2"})):
        stripped = strip_source(source, "f.py", reveal)
        assert "REFERENCE" not in stripped and "_tuned" not in stripped
        assert stripped.rstrip("\n") == strip_source(SOURCE, "f.py", reveal).rstrip("\n")
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "kept.py").write_text(source)
    (package / "_tuned.py").write_text("### BEGIN REFERENCE ONLY\ndef f(x):\n    return x + 1\n"
                                       "### END REFERENCE ONLY\n")
    strip_tree(package, tmp_path / "starter")
    assert sorted(p.name for p in (tmp_path / "starter").iterdir()) == ["kept.py"]


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
