"""docs/traceability.md stays true: every test it names exists, every function it names imports."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CELL = r" ([^|]+) \|"
ROW = re.compile(r"^\|" + CELL * 5 + "$")


def rows() -> list[dict[str, str]]:
    lines = (ROOT / "docs" / "traceability.md").read_text(encoding="utf-8").splitlines()
    keys = ("rule", "article", "fn", "action", "test")
    found = [dict(zip(keys, m.groups(), strict=True)) for line in lines if (m := ROW.match(line))]
    return [row for row in found if row["test"].strip().startswith("`tests/")]


def test_every_named_test_exists() -> None:
    assert rows(), "the traceability table is empty"
    for row in rows():
        node = row["test"].strip().strip("`")
        path, _, name = node.partition("::")
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}
        assert name in names, f"{node} does not exist"


def test_every_named_function_imports() -> None:
    for row in rows():
        for cell in (row["fn"], row["action"]):
            for dotted in re.findall(r"`(casetrail\.[\w.]+)`", cell):
                module, _, attribute = dotted.rpartition(".")
                while module:
                    try:
                        target = importlib.import_module(module)
                        break
                    except ModuleNotFoundError:
                        module, _, parent = module.rpartition(".")
                        attribute = f"{parent}.{attribute}"
                for part in attribute.split("."):
                    target = getattr(target, part)


def test_the_citations_table_is_generated_from_the_registry() -> None:
    """docs/traceability.md's citations table is what the registry and the profiles say
    (regenerate it with `make docs`)."""
    from casetrail.policy.profiles import builtin_profiles
    from casetrail.procedure.citation_table import citation_table, with_table

    text = (ROOT / "docs" / "traceability.md").read_text(encoding="utf-8")
    table = citation_table(list(builtin_profiles().values()))
    assert text == with_table(text, table), "out of date: run `make docs`"
    assert "| R25 | 决定书的内容 | 《行政处罚法》第五十九条 | —（只引用法律） |" in table


COVERAGE_ROW = re.compile(r"^\| `(\w+)` \| `([\w.]+)` \| (\w+) \| ([\w-]+) \| (.+) \|$")


def test_the_ledger_docs_list_every_table_with_its_class() -> None:
    """docs/ledger.md's "Which tables are facts" says what `casetrail/ledger/coverage.py` says."""
    from casetrail.ledger.coverage import all_models, coverage_of, is_insert_only

    lines = (ROOT / "docs" / "ledger.md").read_text(encoding="utf-8").splitlines()
    documented = {m.group(1): m.groups()[1:] for line in lines if (m := COVERAGE_ROW.match(line))}
    in_code = {}
    for model in all_models():
        coverage = coverage_of(model)
        assert coverage is not None, model._meta.label
        kind = "insert-only" if is_insert_only(model) else "mutable"
        in_code[model._meta.db_table] = (
            model._meta.label,
            coverage.check.value,
            kind,
            coverage.why,
        )
    assert documented == in_code
