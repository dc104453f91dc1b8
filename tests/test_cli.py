"""The command line as a user runs it: real processes, exit codes, one-line errors, the annotate contract."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BODY = (
    "Japan and South Korea agreed on Tuesday to deepen their security cooperation after a series of North Korean "
    "missile tests. The defence ministers said the two countries would share more intelligence and hold joint "
    "drills with the United States later this year, while China warned against what it called bloc politics."
)


def run(*args, env_db=None, cwd=ROOT):
    import os

    env = {**os.environ}
    if env_db:
        env["GEOLENS_DB"] = str(env_db)
    return subprocess.run([sys.executable, "-m", "geolens", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)


@pytest.fixture(scope="module")
def db_with_seed(tmp_path_factory):
    db = tmp_path_factory.mktemp("cli") / "cli.duckdb"
    r = run("ingest", "--no-progress", ROOT / "data" / "sample", env_db=db)
    assert r.returncode == 0, r.stderr
    assert "added 1, duplicates 0, rejected 0" in r.stdout
    return db


def test_cli_ingest_twice_reports_duplicate(db_with_seed):
    r = run("--db", db_with_seed, "ingest", ROOT / "data" / "sample" / "japan_security_awakening.txt")
    assert r.returncode == 0
    assert "added 0, duplicates 1, rejected 0" in r.stdout


def test_cli_ingest_rejects_bad_files_with_reason_and_nonzero_exit(tmp_path, db_with_seed):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "fake.pdf").write_bytes(b"not a pdf at all")
    before = run("stats", "--db", db_with_seed).stdout
    r = run("ingest", "--db", db_with_seed, tmp_path, tmp_path / "missing.txt")
    assert r.returncode == 1
    assert "empty.txt: the file is empty" in r.stdout
    assert "fake.pdf: not a readable PDF" in r.stdout
    assert "missing.txt: no such file or folder" in r.stderr
    assert "Traceback" not in r.stderr
    assert run("stats", "--db", db_with_seed).stdout == before


def test_cli_stats_counts_rows(db_with_seed):
    r = run("stats", "--db", db_with_seed)
    counts = dict(line.split() for line in r.stdout.splitlines())
    assert counts["articles"] == "1" and int(counts["mentions"]) > 30 and int(counts["themes"]) > 10


def test_cli_export_writes_each_table(tmp_path, db_with_seed):
    r = run("export", tmp_path / "out", "--format", "csv", "--db", db_with_seed)
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["article_themes.csv", "articles.csv", "mentions.csv", "relations.csv", "sentences.csv", "themes.csv"]


def test_cli_annotate_follows_the_evaluation_contract(tmp_path, seed_text):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": "seed", "text": seed_text}) + "\n" + json.dumps({"id": "x", "text": "Nothing here at all."}) + "\n")
    r = run("annotate", src, "-o", tmp_path / "out.jsonl")
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [row["id"] for row in rows] == ["seed", "x"]
    seed = rows[0]
    assert {"JPN", "CHN", "USA", "KOR", "PRK", "RUS", "UKR"} <= set(seed["countries"])
    assert all(seed_text[m["start"]: m["end"]] == m["surface"] for m in seed["mentions"])
    assert {"alliances_partnerships", "military_technology", "economic_security"} <= set(seed["themes"])
    assert rows[1]["countries"] == [] and rows[1]["themes"] == []


def test_cli_annotate_bad_input_is_one_line_error(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text("{not json\n")
    r = run("annotate", src)
    assert r.returncode == 2
    assert r.stderr.strip().startswith("error:") and "line 1" in r.stderr and "Traceback" not in r.stderr


def test_cli_delete_removes_article_and_unknown_id_fails(tmp_path, seed_text):
    db = tmp_path / "del.duckdb"
    (tmp_path / "a.txt").write_text(seed_text)
    run("ingest", tmp_path / "a.txt", "--db", db)
    from geolens.store import Store

    [aid] = Store(db).table("articles")["article_id"].tolist()
    assert run("delete", aid, "--db", db).returncode == 0
    assert Store(db).stats()["mentions"] == 0
    r = run("delete", aid, "--db", db)
    assert r.returncode == 1 and "no article" in r.stderr


def _hold_lock(db, seconds: float) -> subprocess.Popen:
    """Another process that opens the database for writing and keeps it for `seconds`."""
    from geolens.store import Store

    Store(db).init()
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys,time,duckdb; c=duckdb.connect(sys.argv[1]); print('locked', flush=True); "
         "time.sleep(float(sys.argv[2])); c.close()", str(db), str(seconds)],
        stdout=subprocess.PIPE, text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    return holder


def test_cli_ingest_waits_for_a_writer_in_another_process(tmp_path, seed_text):
    db = tmp_path / "lock.duckdb"
    holder = _hold_lock(db, 3)
    (tmp_path / "a.txt").write_text(seed_text)
    r = run("ingest", tmp_path / "a.txt", "--db", db)
    holder.wait(10)
    assert r.returncode == 0 and "added 1" in r.stdout


def test_cli_ingest_busy_database_fails_cleanly(tmp_path, seed_text):
    import os

    from geolens.store import Store

    db = tmp_path / "busy.duckdb"
    holder = _hold_lock(db, 20)
    try:
        (tmp_path / "a.txt").write_text(seed_text)
        env = {**os.environ, "GEOLENS_DB_TIMEOUT": "1"}
        r = subprocess.run([sys.executable, "-m", "geolens", "ingest", str(tmp_path / "a.txt"), "--db", str(db)],
                           capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    finally:
        holder.kill()
        holder.wait(10)
    assert r.returncode == 2
    assert "busy" in r.stderr and "Traceback" not in r.stderr
    assert Store(db).stats()["articles"] == 0


def test_cli_ingest_explicit_metadata_wins_over_the_file(tmp_path, seed_text):
    db = tmp_path / "meta.duckdb"
    (tmp_path / "a.txt").write_text(seed_text)
    r = run("ingest", tmp_path / "a.txt", "--db", db, "--title", "My title", "--source", "The Diplomat", "--date", "2025-06-01")
    assert r.returncode == 0, r.stderr
    from geolens.store import Store

    row = Store(db).table("articles").iloc[0]
    assert (row["title"], row["source"], str(row["published"].date())) == ("My title", "The Diplomat", "2025-06-01")
    bad = run("ingest", tmp_path / "a.txt", "--db", db, "--date", "June")
    assert bad.returncode == 2 and "not a date" in bad.stderr


# -- a database that cannot be written: one line with the real cause, before any analysis, nothing changed ---------

# Were the analysis to start, loading this model would fail with another message: the tests below see the
# database verdict, so it came first.
NO_ANALYSIS = {"GEOLENS_SPACY_MODEL": "no_such_model_so_analysis_must_not_start"}


def _one_line_error(r) -> str:
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and r.stdout == ""
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("error: ")
    return line


def test_cli_ingest_into_a_read_only_folder_fails_at_once_with_the_real_cause(tmp_path, db_with_seed, seed_text):
    import faults

    if reason := faults.mount_namespace_unavailable():
        pytest.skip(reason)
    folder = tmp_path / "locked"
    folder.mkdir()
    db = folder / "g.duckdb"
    db.write_bytes(db_with_seed.read_bytes())
    (tmp_path / "new.txt").write_text(seed_text.replace("Japan", "Brazil"))
    r = faults.run_in_private_mounts(
        faults.read_only(folder, keep_writable=db),
        [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--db", str(db), str(tmp_path / "new.txt")],
        env=NO_ANALYSIS,
    )
    line = _one_line_error(r)
    assert line.startswith(f"error: cannot write to database {db}: ") and "Read-only file system" in line
    assert db.read_bytes() == db_with_seed.read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == ["g.duckdb"]


def test_cli_ingest_onto_a_full_disk_fails_at_once_and_says_how_much_room_there_is(tmp_path, seed_text):
    import faults

    if reason := faults.mount_namespace_unavailable():
        pytest.skip(reason)
    disk = tmp_path / "disk"
    disk.mkdir()
    (tmp_path / "a.txt").write_text(seed_text)
    r = faults.run_in_private_mounts(
        faults.full_disk(disk, 3),
        [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--db", str(disk / "g.duckdb"), str(tmp_path / "a.txt")],
        env=NO_ANALYSIS,
    )
    line = _one_line_error(r)
    assert f"cannot write to database {disk / 'g.duckdb'}: only " in line and "MB free on its disk" in line


def test_cli_ingest_into_a_missing_folder_fails_at_once_and_creates_nothing(tmp_path, seed_text):
    import os

    (tmp_path / "a.txt").write_text(seed_text)
    db = tmp_path / "no" / "such" / "g.duckdb"
    r = subprocess.run(
        [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--db", str(db), str(tmp_path / "a.txt")],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, **NO_ANALYSIS}, timeout=300,
    )
    line = _one_line_error(r)
    assert f"database folder {db.parent} does not exist" in line
    assert not (tmp_path / "no").exists()


@pytest.mark.parametrize(
    "command,how",
    [
        (["stats"], "truncated"),
        (["stats"], "random-bytes"),
        (["export", "OUT"], "truncated"),
        (["export", "OUT"], "random-bytes"),
        (["export", "OUT"], "overwritten-block"),  # seen when read: stats counts from the header alone
    ],
)
def test_cli_damaged_database_is_one_line_and_left_as_it_was(tmp_path, how, command):
    from test_store import DAMAGE, _big_database, damage

    db = _big_database(tmp_path / "g.duckdb")
    before = damage(db, how)
    args = [str(tmp_path / "out") if a == "OUT" else a for a in command]
    r = run(*args, "--db", db)
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    [line] = r.stderr.strip().splitlines()
    assert line.startswith(f"error: database {db} is damaged (") and DAMAGE[how] in line
    assert "Restore it from a backup" in line
    assert db.read_bytes() == before


# -- kill -9 in the middle of an ingest ----------------------------------------------------------------------------

# Runs the CLI as its child and adopts the CLI's workers when it dies (a child subreaper), so it can wait for them and
# see how they ended: killed with their parent, or finishing their chunk and writing into a dead pipe.
KILL_HARNESS = textwrap.dedent(
    """
    import ctypes, json, os, signal, subprocess, sys, time
    PR_SET_CHILD_SUBREAPER = 36
    assert ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    cli = subprocess.Popen(sys.argv[1:], stderr=open(os.environ["ERR_FILE"], "w"), stdout=subprocess.DEVNULL)

    def children(pid):
        out = []
        for d in os.listdir("/proc"):
            try:
                stat = open(f"/proc/{d}/stat").read()
            except OSError:
                continue
            if d.isdigit() and int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
        return out

    def armed(pid):  # the last step of arming a worker: SIGINT ignored (pool) or memory capped (parser)
        try:
            if os.environ["READY"] == "sigint-ignored":
                line = next(x for x in open(f"/proc/{pid}/status") if x.startswith("SigIgn:"))
                return int(line.split()[1], 16) & (1 << (signal.SIGINT - 1))
            line = next(x for x in open(f"/proc/{pid}/limits") if x.startswith("Max address space"))
            return "unlimited" not in line
        except (OSError, StopIteration):
            return False

    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and cli.poll() is None:
        workers = children(cli.pid)
        if len(workers) >= int(os.environ["KIDS"]) and all(armed(w) for w in workers):
            break
        time.sleep(0.05)
    os.kill(cli.pid, signal.SIGKILL)
    cli.wait()
    ended = {}
    for pid in workers:
        _, status = os.waitpid(pid, 0)  # adopted: ours to wait for
        ended[pid] = f"signal {os.WTERMSIG(status)}" if os.WIFSIGNALED(status) else f"exit {os.WEXITSTATUS(status)}"
    print(json.dumps({"workers": len(workers), "ended": sorted(ended.values())}))
    """
)


def test_cli_ingest_killed_mid_run_takes_its_workers_along_quietly_and_the_rerun_completes(tmp_path):
    import os
    import signal

    if not sys.platform.startswith("linux"):
        pytest.skip("adopting orphans to watch them end uses Linux's child subreaper")
    batch = tmp_path / "batch.jsonl"
    rows = [{"title": f"Talks {i}", "text": f"Round {i} of the talks. " + BODY} for i in range(40)]
    batch.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    db = tmp_path / "k.duckdb"
    err = tmp_path / "stderr.txt"
    cmd = [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--workers", "2", "--db", str(db), str(batch)]
    r = subprocess.run([sys.executable, "-c", KILL_HARNESS, *cmd], capture_output=True, text=True, cwd=ROOT,
                       env={**os.environ, "ERR_FILE": str(err), "KIDS": "2", "READY": "sigint-ignored"}, timeout=600)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["workers"] == 2
    # Killed by the kernel with their parent (PR_SET_PDEATHSIG), not left to finish their chunk and die on a
    # broken pipe.
    assert out["ended"] == [f"signal {int(signal.SIGKILL)}"] * 2
    stderr = err.read_text()
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    # The database is whole (every stored article has its sentences) and a rerun adds exactly the rest.
    from geolens.store import Store

    store = Store(db)
    stored = 0
    if store.exists():
        store.check_intact()
        arts, sents = store.table("articles"), store.table("sentences")
        stored = len(arts)
        assert set(sents["article_id"]) == set(arts["article_id"])
    again = run("ingest", "--no-progress", "--workers", "1", "--db", db, batch)
    assert again.returncode == 0, again.stderr
    assert f"added {40 - stored}, duplicates {stored}, rejected 0" in again.stdout


def test_cli_ingest_max_mb_is_passed_as_a_limit_and_bad_values_are_refused(tmp_path, seed_text):
    (tmp_path / "a.txt").write_text(seed_text * 3)
    db = tmp_path / "m.duckdb"
    r = run("ingest", "--no-progress", "--max-mb", "0.01", "--db", db, tmp_path / "a.txt", env_db=None)
    assert r.returncode == 1 and "over the 0.01 MB limit" in r.stdout
    bad = run("ingest", "--no-progress", "--max-mb", "-3", "--db", db, tmp_path / "a.txt")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: --max-mb -3 is not a size (give megabytes above 0)"


def test_cli_ingest_interrupted_with_ctrl_c_says_so_in_one_line(tmp_path):
    import os
    import signal

    if not sys.platform.startswith("linux"):
        pytest.skip("reads worker state from /proc")
    batch = tmp_path / "batch.jsonl"
    # Enough articles that the run cannot end before both workers are up, even on a slow machine.
    batch.write_text("\n".join(json.dumps({"title": f"T{i}", "text": f"Round {i} of the talks. " + BODY}) for i in range(400)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "geolens", "ingest", "--no-progress", "--workers", "2", "--db", str(tmp_path / "i.duckdb"),
         str(batch)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # As from a terminal: an ignored SIGINT is inherited through exec, and an earlier test in this process
        # may have left it ignored, in which case Python never installs its Ctrl-C handler in the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )

    def armed_workers() -> int:  # pool workers that ignore SIGINT: set up, and analysing
        n = 0
        for d in filter(str.isdigit, os.listdir("/proc")):
            try:
                stat = open(f"/proc/{d}/stat").read()
                status = open(f"/proc/{d}/status").read()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == proc.pid:
                sigign = int(next(x for x in status.splitlines() if x.startswith("SigIgn:")).split()[1], 16)
                n += bool(sigign & (1 << (signal.SIGINT - 1)))
        return n

    try:
        while armed_workers() < 2 and proc.poll() is None:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C reaches the whole process group, as in a terminal
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, (out, err)
    assert err.strip() == "interrupted; nothing half-written was kept"


# -- ingest --dask ------------------------------------------------------------------------------------------------


def test_cli_ingest_dask_bad_address_or_workers_is_one_line_exit_2_and_creates_nothing(tmp_path, seed_text):
    (tmp_path / "a.txt").write_text(seed_text)
    db = tmp_path / "none.duckdb"
    bad = run("ingest", "--no-progress", "--dask", "10.0.0.5:8786", "--db", db, tmp_path / "a.txt")
    assert bad.returncode == 2 and bad.stderr.strip().startswith("error: --dask '10.0.0.5:8786' is not a scheduler")
    assert len(bad.stderr.strip().splitlines()) == 1
    both = run("ingest", "--no-progress", "--dask", "local:2", "--workers", "2", "--db", db, tmp_path / "a.txt")
    assert both.returncode == 2 and "--workers applies to a local ingest" in both.stderr
    assert not db.exists()


def test_cli_ingest_on_a_local_dask_cluster_stores_what_a_local_ingest_stores(tmp_path):
    pytest.importorskip("distributed")
    batch = tmp_path / "batch.jsonl"
    batch.write_text("\n".join(json.dumps({"title": f"T{i}", "text": f"Round {i} of the talks. " + BODY})
                               for i in range(5)) + "\n" + json.dumps({"title": "short", "text": "too short"}) + "\n")
    local = run("ingest", "--no-progress", "--workers", "1", "--db", tmp_path / "local.duckdb", batch)
    dask = run("ingest", "--no-progress", "--dask", "local:1", "--db", tmp_path / "dask.duckdb", batch)
    assert dask.returncode == local.returncode == 1  # the short row is rejected either way
    summary = "added 5, duplicates 0, rejected 1"
    assert summary in local.stdout and summary in dask.stdout
    assert "Traceback" not in dask.stderr
    stats = [run("stats", "--db", tmp_path / f"{w}.duckdb").stdout.splitlines() for w in ("local", "dask")]
    assert [s for s in stats[0] if not s.startswith("version")] == [s for s in stats[1] if not s.startswith("version")]
    again = run("ingest", "--no-progress", "--dask", "local:1", "--db", tmp_path / "dask.duckdb", batch)
    assert "added 0, duplicates 5, rejected 1" in again.stdout
