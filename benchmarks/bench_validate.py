"""``validate`` of 50,000 campaigns in 10 files vs a bare ``yaml.compose`` with libyaml (issue 13, goal 4).

Both run in a fresh process (start included) on the same 10 files (10,000 programs × 5
campaigns, each campaign naming its own ``folder``); printed: wall time, peak RSS and the
ratio. Targets: ``validate`` ≤ 5× the bare compose, peak RSS < 150 MB (baseline: 13 s, about
24× the compose). The YAML loader itself is issue 15's (``desired/yaml_loader.py``)::

    .venv/bin/python benchmarks/bench_validate.py [--programs 10000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import workloads
from bench_plan_cost import run

TARGET_RATIO = 5.0
TARGET_RSS_MB = 150.0

COMPOSE = r"""
import sys, yaml
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        yaml.compose(handle.read(), Loader=yaml.CSafeLoader)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--programs", type=int, default=10_000)
    args = parser.parse_args(argv)
    work = workloads.programs_layout(args.programs, 5, files=10)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        work.write(directory)
        files = sorted(str(p) for p in (directory / "campaigns").glob("*.yaml"))
        script = directory / "compose.py"
        script.write_text(COMPOSE, encoding="utf-8")
        env = dict(os.environ, NO_COLOR="1")
        compose_s, compose_rss, _ = run(["script", str(script), *files], cwd=directory, env=env)
        validate_s, validate_rss, _ = run(["module", "marketo_sync", "validate", "--project",
                                           str(directory / "marketo-sync.yaml")], cwd=directory, env=env)
    ratio = validate_s / compose_s
    print(f"load average {os.getloadavg()[0]:.1f}; {work.campaigns:,} campaigns in {len(files)} files")
    print(f"bare yaml.compose (CSafeLoader): {compose_s:6.2f} s, peak RSS {compose_rss:5.0f} MB")
    print(f"marketo-sync validate:           {validate_s:6.2f} s, peak RSS {validate_rss:5.0f} MB")
    print(f"ratio {ratio:.1f}× (target ≤ {TARGET_RATIO:g}×, baseline ≈ 24×); "
          f"RSS target < {TARGET_RSS_MB:g} MB")
    ok = ratio <= TARGET_RATIO and validate_rss < TARGET_RSS_MB
    print("OK" if ok else "NOT WITHIN TARGET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
