"""What you read is what runs: nothing in minidl is reassigned or redefined at import, and the
kit's tuned code is reached only through a device's declared capabilities."""
import ast

import pytest

from conftest import REFERENCE, minidl_reference

MODULES = sorted(p for p in REFERENCE.rglob("*.py") if "__pycache__" not in p.parts)


def _bound_names(statement: ast.stmt) -> list[str]:
    """The names a module-level statement binds."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [statement.name]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):  # `import a.b` binds the same `a`
        return [alias.asname or alias.name for alias in statement.names
                if alias.asname or "." not in alias.name]
    targets = statement.targets if isinstance(statement, ast.Assign) else \
        [statement.target] if isinstance(statement, (ast.AnnAssign, ast.AugAssign)) else []
    return [node.id for target in targets for node in ast.walk(target)
            if isinstance(node, ast.Name)]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(REFERENCE)))
def test_no_module_reassigns_an_attribute_or_rebinds_a_name_at_import(path):
    tree = ast.parse(path.read_text(), str(path))
    seen, problems = {}, []
    for statement in tree.body:
        if isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
            targets = getattr(statement, "targets", None) or [statement.target]
            problems += [f"line {statement.lineno}: {ast.unparse(target)} = ... reassigns an "
                         "attribute" for target in targets if isinstance(target, ast.Attribute)]
        for name in _bound_names(statement):
            if name in seen and name != "_":
                problems.append(f"line {statement.lineno}: {name} rebound (first bound on line "
                                f"{seen[name]})")
            seen.setdefault(name, statement.lineno)
    assert not problems, f"{path.relative_to(REFERENCE)}: " + "; ".join(problems)


def test_the_plain_path_runs_where_a_device_offers_no_tuned_module(tmp_path):
    """The model answer's devices (no tuned files) take every layer's plain path."""
    from autograder.implementation import load_package, unload
    from autograder.strip import model_answer

    model = load_package(model_answer(REFERENCE, tmp_path / "minidl"), "minidl_plain_seam")
    try:
        for name in ("cpu", "cpu_numba", "cuda"):
            device = model.backends.device(name)
            assert device.tuned is None and not any(
                device.has(capability) for capability in model.backends.CAPABILITIES)
            assert vars(device.kernels) == {p: getattr(device.backend, p)
                                            for p in model.backends.PRIMITIVES}
    finally:
        unload("minidl_plain_seam")


def test_every_capability_a_call_site_asks_for_is_declared():
    """`device.has("...")` with a misspelt name would raise; every name asked for in the source
    is one of backends.CAPABILITIES."""
    mdl = minidl_reference()
    asked = set()
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "has" and node.args
                    and isinstance(node.args[0], ast.Constant)):
                asked.add(node.args[0].value)
    assert asked and asked <= set(mdl.backends.CAPABILITIES)
