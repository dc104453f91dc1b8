"""The command line as a user runs it: real processes, exit codes, one-line errors, the annotate contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


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
    assert names == ["article_themes.csv", "articles.csv", "mentions.csv", "sentences.csv", "themes.csv"]


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
