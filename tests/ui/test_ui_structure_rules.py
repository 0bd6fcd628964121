"""Issue 12, "Structure", as rules over the whole ``observer_app.ui`` package:

1. no class composes project-defined mixins: a class names at most one observer_app class among
   its direct bases (a window or page is built from controllers it owns, not from parts it
   inherits — the mixins-over-a-shared-base pattern the coding window and the reconcile page
   were rebuilt from);
2. one way of running work off the GUI thread, ``observer_app/ui/workers.py``: no other ui module
   starts threads (``QThread``, ``QRunnable``, ``moveToThread``, ``threading.Thread``,
   ``concurrent.futures``, ``QtConcurrent``, ``multiprocessing``, ``_thread``). A
   ``threading.Event`` is allowed: it starts nothing, it is the cancel token handed to work that
   runs through ``workers`` (``media_prep.WorkingCopyTask``).
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from pathlib import Path

import observer_app.ui

UI = Path(observer_app.ui.__file__).parent
WORKERS = UI / "workers.py"

#: Module roots whose import means another way of running work off the GUI thread.
THREAD_MODULES = ("concurrent", "_thread", "multiprocessing", "PySide6.QtConcurrent")
#: Names (a class, a method, a module attribute) that start or host a thread.
THREAD_NAMES = {"QThread", "QRunnable", "moveToThread", "QtConcurrent"}
#: What may be taken from ``threading``: a cancel token, nothing that runs.
THREADING_ALLOWED = {"Event"}


def ui_modules() -> list[str]:
    return sorted(
        m.name for m in pkgutil.walk_packages(observer_app.ui.__path__, "observer_app.ui.")
    )


def project_bases(cls: type) -> list[str]:
    return [
        f"{b.__module__}.{b.__qualname__}"
        for b in cls.__bases__
        if b.__module__.split(".")[0] == "observer_app"
    ]


def test_no_ui_class_inherits_from_more_than_one_project_class() -> None:
    names = ui_modules()
    assert "observer_app.ui.manager.reconcile.page" in names  # the walk sees the subpackages
    offenders: dict[str, list[str]] = {}
    classes = 0
    for name in names:
        module = importlib.import_module(name)
        for _n, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name:
                continue  # imported here, checked where it is defined
            classes += 1
            bases = project_bases(cls)
            if len(bases) > 1:
                offenders[f"{name}.{cls.__qualname__}"] = bases
    assert classes > 100  # the rule is checked over the real package, not an empty walk
    assert offenders == {}, f"classes composed of project mixins: {offenders}"


def test_the_rule_catches_a_mixin_composition() -> None:
    """The check itself: the pattern the reconcile page had (three project parts) is caught."""
    from observer_app.ui.manager._common import Page
    from observer_app.ui.manager.reconcile import ReconcilePage

    class Layout(Page):
        pass

    class Playback(Page):
        pass

    Layout.__module__ = Playback.__module__ = "observer_app.ui.manager.reconcile.parts"

    class Composed(Layout, Playback):
        pass

    assert len(project_bases(Composed)) == 2
    assert project_bases(ReconcilePage) == ["observer_app.ui.manager._common.Page"]


def _import_uses(node: ast.Import | ast.ImportFrom, threading_aliases: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        found = []
        for alias in node.names:
            if alias.name == "threading":
                threading_aliases.add(alias.asname or alias.name)
            elif alias.name.startswith(THREAD_MODULES):
                found.append(f"{node.lineno}: import {alias.name}")
        return found
    module = node.module or ""
    if module == "threading":
        return [
            f"{node.lineno}: from threading import {a.name}"
            for a in node.names
            if a.name not in THREADING_ALLOWED
        ]
    return [
        f"{node.lineno}: from {module} import {a.name}"
        for a in node.names
        if module.startswith(THREAD_MODULES) or a.name in THREAD_NAMES
    ]


def _name_uses(node: ast.AST, threading_aliases: set[str]) -> list[str]:
    if isinstance(node, ast.Name) and node.id in THREAD_NAMES:
        return [f"{node.lineno}: {node.id}"]
    if not isinstance(node, ast.Attribute):
        return []
    if node.attr in THREAD_NAMES:
        return [f"{node.lineno}: .{node.attr}"]
    if (
        isinstance(node.value, ast.Name)
        and node.value.id in threading_aliases
        and node.attr not in THREADING_ALLOWED
    ):
        return [f"{node.lineno}: threading.{node.attr}"]
    return []


def thread_uses(path: Path) -> list[str]:
    """Every way ``path`` could run work off the GUI thread, as ``line: what``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    threading_aliases: set[str] = set()
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]
    found = [use for node in imports for use in _import_uses(node, threading_aliases)]
    found += [use for node in ast.walk(tree) for use in _name_uses(node, threading_aliases)]
    return found


def test_work_leaves_the_gui_thread_only_through_workers() -> None:
    files = sorted(p for p in UI.rglob("*.py") if p != WORKERS)
    assert len(files) > 50
    offenders = {str(p.relative_to(UI)): uses for p in files if (uses := thread_uses(p))}
    assert offenders == {}, f"threads outside ui/workers.py: {offenders}"
    # workers.py is where the one mechanism lives, and the scan sees it there
    assert any("QRunnable" in use for use in thread_uses(WORKERS))


def test_the_thread_scan_catches_each_other_way(tmp_path: Path) -> None:
    """The scan itself, on one small file per way (and a cancel token, which is allowed)."""
    ways = {
        "import threading\nthreading.Thread(target=print).start()\n": "threading.Thread",
        "from threading import Thread\n": "from threading import Thread",
        "from concurrent.futures import ThreadPoolExecutor\n": "concurrent.futures",
        "import concurrent.futures as cf\n": "import concurrent.futures",
        "from PySide6.QtCore import QThread\n": "import QThread",
        "from PySide6.QtCore import QRunnable\n": "import QRunnable",
        "from PySide6 import QtConcurrent\n": "import QtConcurrent",
        "def f(obj, t):\n    obj.moveToThread(t)\n": ".moveToThread",
        "import multiprocessing\n": "import multiprocessing",
    }
    for i, (source, what) in enumerate(ways.items()):
        path = tmp_path / f"way{i}.py"
        path.write_text(source, encoding="utf-8")
        uses = thread_uses(path)
        assert any(what in use for use in uses), (source, uses)
    token = tmp_path / "token.py"
    token.write_text(
        "import threading\nfrom threading import Event\ncancel = threading.Event()\n",
        encoding="utf-8",
    )
    assert thread_uses(token) == []


def test_no_layer_below_the_ui_runs_its_own_qt_thread_pool() -> None:
    # The media engine may use locks and libvlc's own threads, but GUI-visible background work
    # (a waveform, a working copy) goes through ui/workers.py: no Qt runnable or pool below it.
    package = UI.parent
    qt_threads = {"QThread", "QRunnable", "QThreadPool", "QtConcurrent"}
    offenders = {}
    for path in sorted(package.rglob("*.py")):
        if path == WORKERS or UI in path.parents:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
        if used := sorted(names & qt_threads):
            offenders[str(path.relative_to(package))] = used
    assert offenders == {}, f"Qt thread pools outside ui/workers.py: {offenders}"
