"""Ingest through a Dask scheduler and 2 workers started as separate processes, against the local ingest.

Starts `dask scheduler` and two `dask worker --nthreads 1` processes (each its own process, as on a cluster),
then alternates, on fresh databases: `python -m geolens ingest CORPUS` (local worker processes) and the same with
`--dask tcp://...`. For each run: wall time, the CPU time of the geolens process itself (for the local ingest this
includes its worker processes, its children; for the Dask client it does not: its workers are not its children),
and the CPU time the two Dask workers spent meanwhile. Checks that both databases hold the same article ids and
row counts. Stops the scheduler and workers at the end. Asserts nothing about time.

usage: python bench/bench_dask.py [--rounds 2] [--input ../shared/corpus]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CORPUS = ROOT.parent / "shared" / "corpus"


def _cpu_of(procs) -> float:
    """User + system CPU seconds of processes and their children (a dask worker runs under a nanny)."""
    import psutil

    total = 0.0
    for p in procs:
        try:
            ps = psutil.Process(p.pid)
            for q in [ps, *ps.children(recursive=True)]:
                t = q.cpu_times()
                total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def _run(cmd: list[str]) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (proc.stdout.strip().splitlines() or [""])[-1]


def _content(db: Path) -> tuple:
    from geolens.store import Store
    from geolens.tables import SCHEMA

    store = Store(db)
    ids = tuple(sorted(store.table("articles")["article_id"]))
    return ids, {name: len(store.table(name)) for name in SCHEMA}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--input", default=str(CORPUS))
    args = ap.parse_args()
    if not Path(args.input).exists():
        print(f"{args.input} not found")
        return 1
    tmp = Path(tempfile.mkdtemp(prefix="geolens-dask-bench-"))
    sched_file = tmp / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "cwd": ROOT, "env": env}
    scheduler = subprocess.Popen(["dask", "scheduler", "--scheduler-file", str(sched_file), "--no-dashboard",
                                  "--host", "127.0.0.1", "--port", "0"], **quiet)
    workers = []
    try:
        deadline = time.monotonic() + 120
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        workers = [subprocess.Popen(["dask", "worker", address, "--nthreads", "1", "--nworkers", "1",
                                     "--no-dashboard", "--name", f"w{i}"], **quiet) for i in range(2)]
        from distributed import Client

        with Client(address, timeout=60) as c:
            c.wait_for_workers(2, timeout=120)
        print(f"scheduler {address}, 2 workers (separate processes, 1 thread each); input {args.input}; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
        rows = []
        for r in range(args.rounds):
            local_db, dask_db = tmp / f"local{r}.duckdb", tmp / f"dask{r}.duckdb"
            base = [sys.executable, "-m", "geolens", "ingest", args.input, "--no-progress"]
            l_wall, l_cpu, l_sum = _run([*base, "--db", str(local_db)])
            w0 = _cpu_of(workers)
            d_wall, d_cpu, d_sum = _run([*base, "--db", str(dask_db), "--dask", address])
            w_cpu = _cpu_of(workers) - w0
            same = _content(local_db) == _content(dask_db)
            rows.append((l_wall, l_cpu, d_wall, d_cpu, w_cpu))
            print(f"round {r + 1}: local {l_wall:6.1f} s wall, {l_cpu:5.1f} s CPU (with its workers) | dask "
                  f"{d_wall:6.1f} s wall, client {d_cpu:5.1f} s CPU, workers {w_cpu:5.1f} s CPU "
                  f"(client share {d_cpu / (d_cpu + w_cpu):.0%}) | same ids and row counts: {same} | {d_sum}")
        med = [statistics.median(col) for col in zip(*rows, strict=True)]
        print(f"median: local {med[0]:.1f} s wall | dask {med[2]:.1f} s wall, client {med[3]:.1f} s CPU, "
              f"workers {med[4]:.1f} s CPU | dask/local wall {statistics.median(r[2] / r[0] for r in rows):.2f}")
        print("round 1 of the dask runs includes the workers loading the pipeline (the plugin); later rounds find it "
              "loaded, as a standing cluster does")
    finally:
        for p in [*workers, scheduler]:
            p.terminate()
        for p in [*workers, scheduler]:
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
