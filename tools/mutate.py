"""Mutation testing, one module at a time: ``./run mutate [MODULE]``.

mutmut reads its settings from the pyproject.toml of the folder it runs in and copies the
code it mutates under that folder. So each module gets a work folder of its own,
``.mutants/<module>/``, whose pyproject.toml is ours plus a ``[tool.mutmut]`` naming that
module and only the tests that cover it (``[tool.facilitator.mutation]``): a run costs
those tests, not the whole suite. Every mutant of the module is tested again on each run,
so the score is today's; ``./run mutate MODULE MUTANT...`` tests only the mutants named.
Results are printed as a score line and saved, survivors with their diffs, in
``.mutants/<module>/survivors.txt``.

Heavy: run it under ``nice``, one module at a time, outside CI.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / ".mutants"
LINKED = ("facilitator", "tests", "guides")


def modules() -> dict[str, list[str]]:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    return settings["tool"]["facilitator"]["mutation"]["modules"]


def resolve(name: str, known: dict[str, list[str]]) -> str:
    """``hlc``, ``hlc.py``, ``sync/segments`` or ``facilitator/sync/segments.py`` -> the key."""
    bare = name.removeprefix("facilitator/").removesuffix(".py").rstrip("/")
    for key in known:
        if key.removeprefix("facilitator/").removesuffix(".py").rstrip("/") == bare:
            return key
    raise SystemExit(f"not a module configured for mutation: {name} (known: {', '.join(known)})")


def slug(key: str) -> str:
    return key.removeprefix("facilitator/").removesuffix(".py").strip("/").replace("/", "-")


def pyproject_for(key: str, tests: list[str]) -> str:
    text = (ROOT / "pyproject.toml").read_text("utf-8")
    text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", text)
    pattern = f"{key}*" if key.endswith("/") else key
    return text + (
        "\n[tool.mutmut]\n"
        'source_paths = ["facilitator"]\n'
        f"only_mutate = {json.dumps([pattern])}\n"
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}\n"
        'pytest_add_cli_args = ["-p", "no:cacheprovider"]\n'
        'also_copy = ["tests", "guides", "pyproject.toml"]\n'
    )


def prepare(key: str, tests: list[str]) -> Path:
    tests = [name for name in tests if (ROOT / name.partition("::")[0]).exists()]
    work = WORK / slug(key)
    work.mkdir(parents=True, exist_ok=True)
    for name in LINKED:
        link = work / name
        if not link.is_symlink():
            link.symlink_to(ROOT / name)
    (work / "pyproject.toml").write_text(pyproject_for(key, tests), "utf-8")
    # mutmut copies a file only when its copy is missing: refresh the copies of the tests
    # and of every module not being mutated, so a run sees today's code.
    copied = work / "mutants"
    for name in ("tests", "guides"):
        shutil.rmtree(copied / name, ignore_errors=True)
    if (copied / "facilitator").exists():
        for source in (ROOT / "facilitator").rglob("*.py"):
            relative = source.relative_to(ROOT).as_posix()
            target = copied / relative
            stale = target.exists() and target.stat().st_mtime != source.stat().st_mtime
            if stale and not relative.startswith(key.rstrip("/")):
                shutil.copy2(source, target)
    return work


def mutmut(work: Path, *args: str, capture: bool = False) -> str:
    command = [str(ROOT / ".venv" / "bin" / "mutmut"), *args]
    done = subprocess.run(
        command, cwd=work, text=True, capture_output=capture, check=False, env=os.environ
    )
    if done.returncode != 0 and args[0] == "run":
        raise SystemExit(f"mutmut {' '.join(args)} failed in {work} (exit {done.returncode})")
    return done.stdout or ""


def run_one(key: str, tests: list[str], names: list[str]) -> None:
    work = prepare(key, tests)
    started = time.monotonic()
    mutmut(work, "run", "--max-children", "1", *names)
    elapsed = time.monotonic() - started
    statuses: dict[str, str] = {}
    for line in mutmut(work, "results", "--all", "true", capture=True).splitlines():
        name, _, status = line.strip().rpartition(": ")
        if name:
            statuses[name] = status
    killed = sum(1 for s in statuses.values() if s in ("killed", "timeout", "segfault"))
    survivors = sorted(n for n, s in statuses.items() if s not in ("killed", "timeout", "segfault"))
    total = len(statuses)
    score = 100 * killed / total if total else 0.0
    report = [f"{key}: {killed}/{total} killed ({score:.1f}%), run took {elapsed:.0f} s"]
    for name in survivors:
        report.append(f"\n## {name}: {statuses[name]}\n")
        report.append(mutmut(work, "show", name, capture=True))
    (work / "survivors.txt").write_text("\n".join(report), "utf-8")
    print(report[0])
    for name in survivors:
        print(f"  {statuses[name]}: {name}")
    print(f"  (diffs in {work / 'survivors.txt'})")


def main(argv: list[str]) -> None:
    known = modules()
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__)
        print("modules:", ", ".join(known))
        return
    # The full pass: each package once, and each module not inside one of them.
    packages = [key for key in known if key.endswith("/")]
    whole = [key for key in known if not any(key != p and key.startswith(p) for p in packages)]
    targets = [resolve(argv[0], known)] if argv else whole
    for key in targets:
        # mutmut keeps old verdicts unless a mutant is named: name them all, so the score
        # is today's tests against today's code (or only those given, to check a new test).
        names = argv[1:] or [key.removesuffix(".py").rstrip("/").replace("/", ".") + ".*"]
        run_one(key, known[key], names)


if __name__ == "__main__":
    main(sys.argv[1:])
