"""Run every benchmark in turn (`make bench`); each prints its own figures."""

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [
    "bench_jobs.py",
    "bench_masks.py",
    "bench_api.py",
    "bench_canvas.py",
    "bench_gallery.py",
    "bench_select.py",
    "bench_local.py",
    "bench_pages.py",
]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n=== {script}", flush=True)
        if subprocess.run([sys.executable, str(BENCH / script)], check=False).returncode:
            failed.append(script)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
