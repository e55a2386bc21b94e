"""Run every benchmark in bench/ and print one line per measure.

    python bench/run.py [--quick] [--only NAME]

Each ``bench/bench_*.py`` module defines ``run(quick: bool) -> list[Measure]``. A measure
compares our code with a baseline measured in the same run on the same machine, so the
ratio (ours / baseline) means something on any machine. Record results in bench/README.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from measure import Measure  # noqa: E402


def discover() -> list[Path]:
    return sorted(HERE.glob("bench_*.py"))


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--only", help="run only benchmarks whose file name contains this")
    args = parser.parse_args()
    print(
        f"# {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
        f" {platform.system()} {'quick' if args.quick else 'full'}"
    )
    failed = 0
    for path in discover():
        if args.only and args.only not in path.stem:
            continue
        module = load(path)
        measures: list[Measure] = module.run(args.quick)
        for m in measures:
            print(m.line(), flush=True)
            failed += not m.met
    print(f"# {failed} measure(s) above target" if failed else "# all measures within target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
