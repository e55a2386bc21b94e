"""The store file under careless hands: another program's database is never touched, a
read-only store still reads, and a full disk says so."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from facilitator.store import Store, StoreError, db


def run(store: Path, *args: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """The CLI in its own process; ``unprivileged`` honours file permissions even when the
    tests run as root (which may write to any file), as a reviewer's account would."""
    prefix: list[str] = []
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: file permissions cannot apply")
        caps = "-dac_override,-dac_read_search,-fowner"
        prefix = [setpriv, f"--inh-caps={caps}", f"--bounding-set={caps}"]
    return subprocess.run(
        [*prefix, sys.executable, "-m", "facilitator", "--store", str(store), *args],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def _other_app(path: Path) -> None:
    """A note-taking app of someone else's, with tables named like ours."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
        CREATE TABLE links (id INTEGER PRIMARY KEY, url TEXT);
        INSERT INTO notes (body) VALUES ('shopping list'), ('dentist on Friday');
        INSERT INTO links (url) VALUES ('https://example.org');
        """
    )
    conn.commit()
    conn.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "command",
    [("review", "list"), ("store", "rebuild"), ("store", "check"), ("review", "new", "R")],
)
def test_another_programs_database_is_refused_and_never_written(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    other = tmp_path / "otherapp.sqlite"
    _other_app(other)
    os.chmod(other, 0o644)
    before, mode = _digest(other), other.stat().st_mode
    result = run(other, *command)
    assert result.returncode == 1
    assert "is not a facilitator store" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digest(other) == before and other.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["otherapp.sqlite"]
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT count(*) FROM notes").fetchone() == (2,)
    assert conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (2,)


def test_another_programs_database_in_wal_mode_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    _other_app(other)
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    before = _digest(other)
    with pytest.raises(StoreError, match="not a facilitator store"):
        Store(other)
    assert _digest(other) == before


def test_an_empty_database_with_another_application_id_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA application_id=1234")
    conn.close()
    before = _digest(other)
    with pytest.raises(StoreError, match="not a facilitator store"):
        Store(other)
    assert _digest(other) == before


def test_our_mark_without_our_tables_is_refused(tmp_path: Path) -> None:
    """Another program that happens to use the same application id."""
    other = tmp_path / "other.db"
    _other_app(other)
    conn = sqlite3.connect(other)
    conn.execute(f"PRAGMA application_id={db.APPLICATION_ID}")
    conn.close()
    before = _digest(other)
    with pytest.raises(StoreError, match="not a facilitator store"):
        Store(other)
    assert _digest(other) == before


def test_our_stores_are_marked(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone() == (db.APPLICATION_ID,)
    numbers = [r[0] for r in conn.execute("SELECT number FROM migrations ORDER BY number")]
    assert numbers == list(range(1, len(db.MIGRATIONS) + 1))


def test_a_store_from_before_the_mark_is_recognised_and_marked(tmp_path: Path) -> None:
    path = tmp_path / "v5.db"
    with Store(path, author="a") as store:
        review = store.create_review("kept across the upgrade")
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE migrations")
    conn.execute("PRAGMA application_id=0")
    conn.execute("PRAGMA user_version=5")
    conn.commit()
    conn.close()
    with Store(path, author="a") as upgraded:
        assert upgraded.review(review).title == "kept across the upgrade"
        assert upgraded.conn.execute("PRAGMA application_id").fetchone() == (db.APPLICATION_ID,)
        assert upgraded.check().ok


def test_a_rebuild_refuses_a_file_that_lost_its_mark(tmp_path: Path) -> None:
    """A store whose mark was changed while it was open (another tool wrote to it)."""
    path = tmp_path / "s.db"
    with Store(path) as store:
        store.create_review("R")
        other = sqlite3.connect(path)
        other.execute("PRAGMA application_id=99")
        other.close()
        with pytest.raises(StoreError, match="not a facilitator store"):
            store.rebuild()
        assert store.conn.execute("SELECT count(*) FROM reviews").fetchone() == (1,)


# --- a read-only store or folder -------------------------------------------------------


def _store_with_a_note(path: Path) -> str:
    with Store(path, author="a") as store:
        review = store.create_review("Child Q")
        person = store.add_participant(review, role="Social worker", agency="CSC")
        conversation = store.conversation(store.new_conversation(review, person))
        store.add_note(conversation, "kept while read-only")
        return conversation.id


def _files(folder: Path) -> dict[str, str]:
    return {p.name: _digest(p) for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("what", ["file", "folder"])
def test_a_read_only_store_reads_and_refuses_to_write(tmp_path: Path, what: str) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "s.db"
    conversation = _store_with_a_note(path)
    before = _files(folder)
    locked = path if what == "file" else folder
    locked.chmod(0o400 if what == "file" else 0o500)
    try:
        listed = run(path, "review", "list", unprivileged=True)
        assert listed.returncode == 0, listed.stderr
        assert "Child Q" in listed.stdout
        exported = run(path, "export", "R1", "--format", "json", unprivileged=True)
        assert exported.returncode == 0, exported.stderr
        assert "kept while read-only" in json.dumps(json.loads(exported.stdout))
        checked = run(path, "store", "check", unprivileged=True)
        assert checked.returncode == 0, checked.stderr
        for command in (
            ("note", "add", conversation[:8], "a new note"),
            ("review", "new", "Another"),
            ("store", "rebuild"),
        ):
            refused = run(path, *command, unprivileged=True)
            assert refused.returncode == 1, command
            assert "read-only" in refused.stderr, refused.stderr
            assert len(refused.stderr.strip().splitlines()) == 1, refused.stderr
            assert "Traceback" not in refused.stderr
    finally:
        locked.chmod(0o700)
    assert _files(folder) == before


# --- a full disk ---------------------------------------------------------------------


def test_a_full_disk_says_so_and_loses_nothing_earlier(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with Store(path, author="a") as store:
        review = store.create_review("R")
        person = store.add_participant(review, role="Social worker", agency="CSC")
        conversation = store.conversation(store.new_conversation(review, person))
        kept = store.add_note(conversation, "written before the disk filled")
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        # SQLite's own limit gives the same SQLITE_FULL a full disk gives.
        store.conn.execute(f"PRAGMA max_page_count={pages}")
        with pytest.raises(StoreError) as raised:
            for _ in range(200):
                store.add_note(conversation, "x" * 20000)
        message = str(raised.value)
        assert "full" in message and "rollback" not in message
    with Store(path, author="a") as reopened:
        assert [n.id for n in reopened.notes()][:1] == [kept]
        assert reopened.check().ok


# --- files that only look like stores, or are not files (found by the hostile tester) --


def _side_files(path: Path) -> dict[str, str | None]:
    """The file, its -wal and its -shm: each one's digest, or None if absent."""
    return {
        suffix: _digest(Path(f"{path}{suffix}")) if Path(f"{path}{suffix}").exists() else None
        for suffix in ("", "-wal", "-shm")
    }


def _foreign_wal_file(path: Path, *, keep_shm: bool, repeat: int = 1) -> None:
    """Another app's WAL database, its process killed before it checkpointed: the data
    lives in the -wal, the main file holds almost nothing."""
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)')\n"
        "body = 'only in the log' * int(sys.argv[2])\n"
        "c.execute('INSERT INTO notes (body) VALUES (?)', (body,))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path), str(repeat)], check=True)
    assert Path(f"{path}-wal").stat().st_size > 0
    if not keep_shm:
        Path(f"{path}-shm").unlink()


@pytest.mark.parametrize("keep_shm", [True, False], ids=["with-shm", "without-shm"])
def test_a_foreign_wal_database_and_its_log_are_left_byte_for_byte(
    tmp_path: Path, keep_shm: bool
) -> None:
    other = tmp_path / "other.sqlite"
    _foreign_wal_file(other, keep_shm=keep_shm)
    before = _side_files(other)
    result = run(other, "review", "list")
    assert result.returncode == 1
    assert "is not a facilitator store" in result.stderr
    assert "Traceback" not in result.stderr
    assert _side_files(other) == before  # the -wal still there, unchanged
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT body FROM notes").fetchall() == [("only in the log",)]
    conn.close()


def test_a_file_of_views_alone_is_not_taken_for_a_new_store(tmp_path: Path) -> None:
    other = tmp_path / "views.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE VIEW answers AS SELECT 42 AS answer")
    conn.close()
    before = _digest(other)
    result = run(other, "review", "new", "Taken over?")
    assert result.returncode == 1
    assert "is not a facilitator store" in result.stderr
    assert _digest(other) == before
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT type, name FROM sqlite_master").fetchall() == [("view", "answers")]


def _looks_like_an_old_store(path: Path) -> None:
    """Tables named and shaped like a schema-3 store, in another app's file."""
    conn = sqlite3.connect(path)
    conn.executescript(
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
        CREATE TABLE ops (id TEXT PRIMARY KEY, hlc TEXT, device TEXT, epoch INTEGER,
          seq INTEGER, entity TEXT, entity_id TEXT, action TEXT, fields TEXT);
        CREATE TABLE reviews (id TEXT PRIMARY KEY, name TEXT);
        CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT);
        CREATE TABLE note_revisions (id TEXT PRIMARY KEY);
        CREATE TABLE links (id TEXT PRIMARY KEY, url TEXT);
        INSERT INTO notes VALUES ('n1', 'somebody else''s note');
        PRAGMA user_version=3;
        """
    )
    conn.close()


def test_a_file_that_only_looks_like_an_old_store_is_refused_unchanged(
    tmp_path: Path,
) -> None:
    other = tmp_path / "lookalike.db"
    _looks_like_an_old_store(other)
    os.chmod(other, 0o644)
    before, mode = _digest(other), other.stat().st_mode
    result = run(other, "review", "list")
    assert result.returncode == 1, result.stdout
    assert "is not a facilitator store" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert _digest(other) == before
    assert other.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lookalike.db"]


def test_a_device_given_as_the_store_is_refused_and_not_chmodded(tmp_path: Path) -> None:
    """`--store /dev/null` as root made /dev/null private; a node of our own stands in."""
    node = tmp_path / "null"
    try:
        os.mknod(node, 0o666 | __import__("stat").S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("cannot make a device node here (not root)")
    os.chmod(node, 0o666)
    result = run(node, "review", "list")
    assert result.returncode == 1
    assert "not a regular file" in result.stderr
    assert "Traceback" not in result.stderr
    assert node.stat().st_mode & 0o777 == 0o666


def test_a_pipe_given_as_the_store_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o644)
    result = subprocess.run(
        [sys.executable, "-m", "facilitator", "--store", str(fifo), "review", "list"],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 1
    assert "not a regular file" in result.stderr
    assert fifo.stat().st_mode & 0o777 == 0o644


def _crash_after_writing(path: Path, title: str) -> None:
    """A store whose process died after a commit, before any checkpoint."""
    script = (
        "import os, sys\n"
        "from facilitator.store import Store\n"
        "s = Store(sys.argv[1], author='a')\n"
        "s.conn.execute('PRAGMA wal_autocheckpoint=0')\n"
        "s.create_review(sys.argv[2])\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(path), title], check=True)
    assert Path(f"{path}-wal").stat().st_size > 0


def test_a_read_only_store_whose_log_lost_its_index_shows_the_latest_data(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "store"
    folder.mkdir()
    path = folder / "s.db"
    _store_with_a_note(path)
    _crash_after_writing(path, "Written last")
    Path(f"{path}-shm").unlink()
    before = _files(folder)
    folder.chmod(0o500)
    try:
        listed = run(path, "review", "list", unprivileged=True)
    finally:
        folder.chmod(0o700)
    assert listed.returncode == 0, listed.stderr
    assert "Child Q" in listed.stdout and "Written last" in listed.stdout
    assert _files(folder) == before


def test_a_new_store_on_a_full_disk_says_the_disk_is_full(tmp_path: Path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(mount)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill")
    try:
        path = mount / "s.db"
        result = run(path, "review", "new", "R")
        assert result.returncode == 1
        assert "full" in result.stderr, result.stderr
        assert "not a facilitator store" not in result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert list(mount.iterdir()) == []  # nothing half-made left to trip the next try
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_text_file_given_as_the_store_is_refused_unchanged(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list\n", encoding="utf-8")
    os.chmod(notes, 0o644)
    result = run(notes, "review", "list")
    assert result.returncode == 1
    assert "not a facilitator store (not an SQLite database)" in result.stderr
    assert notes.read_text(encoding="utf-8") == "my shopping list\n"
    assert notes.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_damaged_store_of_ours_is_told_apart_from_a_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _store_with_a_note(path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, damaged
    path.write_bytes(bytes(data))
    before = _digest(path)
    result = run(path, "review", "list")
    assert result.returncode == 1
    assert "is damaged and cannot be read" in result.stderr, result.stderr
    assert "not a facilitator store" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert _digest(path) == before


def test_no_room_for_the_private_copy_says_where_and_leaves_the_file(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    _foreign_wal_file(other, keep_shm=True, repeat=20_000)  # more than the room below
    small = tmp_path / "small"
    small.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=48k", "tmpfs", str(small)], capture_output=True
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill")
    try:
        before = _side_files(other)
        result = subprocess.run(
            [sys.executable, "-m", "facilitator", "--store", str(other), "review", "list"],
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "TMPDIR": str(small)},
        )
    finally:
        subprocess.run(["umount", str(small)], check=True)
    assert result.returncode == 1
    assert "no room for a private copy" in result.stderr, result.stderr
    assert str(small) in result.stderr
    assert "Traceback" not in result.stderr
    assert _side_files(other) == before


def test_an_empty_database_with_another_programs_journal_beside_it_is_not_taken(
    tmp_path: Path,
) -> None:
    """Opening it for writing would roll the other program's journal back into it."""
    other = tmp_path / "other.db"
    sqlite3.connect(other).close()  # empty: it would pass for a new store
    journal = tmp_path / "other.db-journal"
    journal.write_bytes(b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7" + b"\x00" * 504)
    before = _side_files(other), _digest(journal)
    result = run(other, "review", "list")
    assert result.returncode == 1
    assert "another program is writing it" in result.stderr
    assert (_side_files(other), _digest(journal)) == before


def test_a_link_to_nothing_says_so(tmp_path: Path) -> None:
    link = tmp_path / "store.db"
    link.symlink_to(tmp_path / "moved-away.db")
    result = run(link, "review", "list")
    assert result.returncode == 1
    assert "is a link to" in result.stderr and "which does not exist" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


# --- another program's side files planted beside our store (hostile tester, issue 15) --


def _foreign_hot_journal(folder: Path) -> Path:
    """Another program's rollback journal, its process killed mid-transaction."""
    other = folder / "other.db"
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('CREATE TABLE t (x TEXT)')\n"
        "c.execute('PRAGMA cache_size=2')\n"
        "c.execute('BEGIN')\n"
        "c.executemany('INSERT INTO t VALUES (?)', [('y' * 500,)] * 2000)\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(other)], check=True)
    journal = Path(f"{other}-journal")
    assert journal.stat().st_size > 0
    return journal


@pytest.mark.parametrize("side", ["-journal", "-wal"])
def test_another_programs_log_beside_our_store_is_not_played_into_it(
    tmp_path: Path, side: str
) -> None:
    store = tmp_path / "s.db"
    assert run(store, "review", "new", "Keep me").returncode == 0
    if side == "-journal":
        foreign = _foreign_hot_journal(tmp_path)
    else:
        _foreign_wal_file(tmp_path / "other.db", keep_shm=False)
        foreign = tmp_path / "other.db-wal"
    shutil.copyfile(foreign, f"{store}{side}")
    before = _side_files(store), _digest(Path(f"{store}{side}"))
    for command in (("review", "list"), ("review", "new", "Other")):
        result = run(store, *command)
        assert result.returncode == 1, result.stdout
        assert "another program" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        assert (_side_files(store), _digest(Path(f"{store}{side}"))) == before
    Path(f"{store}{side}").unlink()
    assert "Keep me" in run(store, "review", "list").stdout


# --- files that are not ours yet, and paths with nothing there (issue 15, second round) --


def _empty_sqlite_in_wal(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")  # writes a header: a database with no tables
    conn.close()


@pytest.mark.parametrize("kind", ["empty file", "empty database", "empty main with -shm"])
@pytest.mark.parametrize("command", [("review", "list"), ("review", "new", "Mine")])
def test_an_empty_file_of_someone_elses_is_not_taken_over(
    tmp_path: Path, kind: str, command: tuple[str, ...]
) -> None:
    path = tmp_path / "notes.txt"
    if kind == "empty database":
        _empty_sqlite_in_wal(path)
    else:
        path.write_bytes(b"")
    if kind == "empty main with -shm":
        Path(f"{path}-shm").write_bytes(b"\x01" * 32768)
    path.chmod(0o644)
    before = _side_files(path)
    result = run(path, *command)
    assert result.returncode == 1, result.stdout
    assert "not a facilitator store" in result.stderr and "left untouched" in result.stderr
    assert "Traceback" not in result.stderr
    assert _side_files(path) == before
    assert path.stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    "command",
    [
        ("review", "list"),
        ("overview",),
        ("export", "R1"),
        ("store", "check"),
        ("redact", "R1", "list"),
    ],
)
def test_reading_a_path_with_no_store_says_so_and_creates_nothing(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    mistyped = tmp_path / "stroe.db"
    result = run(mistyped, *command)
    assert result.returncode == 1, result.stdout
    assert f"there is no store at {mistyped}" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_making_a_review_still_creates_the_store(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "s.db"
    assert run(path, "review", "new", "First").returncode == 0
    assert "First" in run(path, "review", "list").stdout


def test_a_full_disk_still_reads_and_says_the_disk_is_full_on_writing(tmp_path: Path) -> None:
    """With no room for SQLite's index file, every command said the store was not ours."""
    mount = tmp_path / "full"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here to fill")
    try:
        path = mount / "s.db"
        assert run(path, "review", "new", "Kept through a full disk").returncode == 0
        filler = os.open(mount / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
        with pytest.raises(OSError):
            while True:
                os.write(filler, b"\0" * 4096)
        os.close(filler)
        before = sorted(p.name for p in mount.iterdir()), _digest(path)
        listed = run(path, "review", "list")
        assert listed.returncode == 0, listed.stderr
        assert "Kept through a full disk" in listed.stdout
        written = run(path, "review", "new", "Another")
        assert written.returncode == 1
        assert "full" in written.stderr and "not a facilitator store" not in written.stderr
        assert "Traceback" not in written.stderr
        assert (sorted(p.name for p in mount.iterdir()), _digest(path)) == before
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_refusing_a_large_foreign_database_with_a_log_takes_little_memory(tmp_path: Path) -> None:
    """A 400 MB file with a 360 MB log was copied whole and held in memory (811 MB) only
    to be refused; its main file alone already says it is not ours."""
    other = tmp_path / "big.sqlite"
    script = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA journal_mode=WAL')\n"
        "c.execute('CREATE TABLE blobs (b BLOB)')\n"
        "c.execute('WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
        "WHERE i < 300) INSERT INTO blobs SELECT zeroblob(1048576) FROM n')\n"
        "c.execute('PRAGMA wal_checkpoint(TRUNCATE)')\n"
        "c.execute('PRAGMA wal_autocheckpoint=0')\n"
        "c.execute('INSERT INTO blobs VALUES (zeroblob(1048576))')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script, str(other)], check=True)
    assert other.stat().st_size > 300 * 1024 * 1024 and _nonempty_wal(other)
    before = _side_files(other)
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "sys.stdout.write(done.stderr)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "facilitator", "--store",
         str(other), "review", "list"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    message, peak_kb = result.stdout.rsplit("\n", 2)[:2]
    assert "not a facilitator store" in message
    assert int(peak_kb) < 200 * 1024, peak_kb  # the file is 300 MB
    assert _side_files(other) == before


def _nonempty_wal(path: Path) -> bool:
    return Path(f"{path}-wal").stat().st_size > 0


def _our_store(path: Path) -> None:
    assert run(path, "review", "new", "Damaged later").returncode == 0


@pytest.mark.parametrize(
    "damage", ["drop meta", "drop ops", "drop notes", "wal is a folder", "wal is a link"]
)
def test_a_damaged_store_or_odd_side_file_gets_a_clear_message(tmp_path: Path, damage: str):
    path = tmp_path / "s.db"
    _our_store(path)
    if damage.startswith("drop"):
        conn = sqlite3.connect(path)
        conn.execute(f"DROP TABLE {damage.split()[1]}")
        conn.commit()
        conn.close()
    elif damage == "wal is a folder":
        Path(f"{path}-wal").mkdir()
    else:
        Path(f"{path}-wal").symlink_to(tmp_path / "elsewhere")
    before = _side_files(path) if not damage.startswith("wal") else _digest(path)
    for command in (("review", "list"), ("store", "compact")):
        result = run(path, *command)
        assert result.returncode == 1, (command, result.stdout)
        message = result.stderr.strip()
        assert len(message.splitlines()) == 1 and "Traceback" not in message
        assert "application id" not in message and "no such table" not in message, message
        assert "unable to open" not in message and "disk I/O" not in message, message
        if damage.startswith("drop"):
            assert "is damaged" in message, message
        else:
            assert f"{path}-wal" in message and "not a regular file" in message, message
    after = _side_files(path) if not damage.startswith("wal") else _digest(path)
    assert after == before


def test_a_damaged_change_in_the_log_is_told_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _our_store(path)
    conn = sqlite3.connect(path)
    conn.execute("UPDATE ops SET fields = '{not json' WHERE rowid = 1")
    conn.commit()
    conn.close()
    for command in (("store", "check"), ("store", "rebuild")):
        result = run(path, *command)
        assert result.returncode == 1, result.stdout
        assert "damaged" in result.stderr and "unexpected problem" not in result.stderr


def test_a_garbage_page_in_the_store_says_it_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    _our_store(path)
    for n in range(30):
        assert run(path, "review", "new", f"Review {n} " + "x" * 2000).returncode == 0
    size = path.stat().st_size
    with open(path, "r+b") as handle:  # the last pages, where the reviews' rows went
        handle.seek(size - 6 * 4096)
        handle.write(b"\xff" * 6 * 4096)
    failed = []
    for command in (("review", "list"), ("export", "R1"), ("store", "check")):
        result = run(path, *command)
        if result.returncode:
            failed.append(result.stderr)
            assert "damaged" in result.stderr, result.stderr
            assert "Traceback" not in result.stderr
    assert failed


def test_our_mark_over_garbage_tables_is_refused_before_chmod_or_wal(tmp_path: Path) -> None:
    path = tmp_path / "lookalike.db"
    conn = sqlite3.connect(path)
    for table in ("meta", "ops", "migrations", "reviews", "notes", "note_revisions", "links"):
        conn.execute(f"CREATE TABLE {table} (junk TEXT)")
    conn.execute(f"PRAGMA application_id={db.APPLICATION_ID}")
    conn.commit()
    conn.close()
    path.chmod(0o644)
    before = _side_files(path)
    result = run(path, "review", "list")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert _side_files(path) == before  # not switched to WAL
    assert path.stat().st_mode & 0o777 == 0o644


# --- our own log, half written (issue 11: a second process on the same store) ----------


def _log_with_frames(path: Path):  # noqa: ANN202
    """Our store just made and still open, as the app or a sync holds it, with a reader
    in the middle of a read: its log keeps every frame since it was made, among them
    copies of page 1 from before our mark was set, while a checkpoint has already put
    the marked page 1 in the file. Returns (the store, the reader, page 1, page size)."""
    from facilitator.store import Store

    store = Store(path, author="A")
    store.create_review("Keep me")
    reader = sqlite3.connect(path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sqlite_master").fetchone()  # holds the log
    store.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
    page_size = store.conn.execute("PRAGMA page_size").fetchone()[0]
    return store, reader, path.read_bytes()[:page_size], page_size


def _append_page1_frame(path: Path, page: bytes) -> None:
    """A frame for page 1 appended to the log, with the log's salts and a checksum that
    does not hold: as a writer leaves it between writing the frame's header and its
    page, or as a crash leaves it."""
    wal = Path(f"{path}-wal")
    log = wal.read_bytes()
    salts = log[16:24]
    end = 32  # after the last frame of this log (older frames beyond it are stale)
    while log[end + 8 : end + 16] == salts:
        end += 24 + len(page)
    assert end > 32, "the log has no frames"
    header = (1).to_bytes(4, "big") + (0).to_bytes(4, "big") + salts + b"\0" * 8
    with open(wal, "r+b") as handle:
        handle.seek(end)
        handle.write(header + page)


def test_a_store_just_made_and_held_open_opens_in_a_second_process(tmp_path: Path) -> None:
    """The convergence machine's one failure: a laptop's store, just made and held open,
    opened by a second process. Its log still held page 1 as it was before our mark was
    set, and every copy of page 1 in the log was checked, not the latest (the one SQLite
    reads), so our own store was refused as "another program's write-ahead log"."""
    path = tmp_path / "s.db"
    store, reader, _page1, _size = _log_with_frames(path)
    try:
        result = run(path, "review", "list")
        assert result.returncode == 0, result.stderr
        assert "Keep me" in result.stdout
    finally:
        reader.close()
        store.close()


@pytest.mark.parametrize("page", ["zeros", "torn"])
def test_our_log_with_a_half_written_frame_still_opens(tmp_path: Path, page: str) -> None:
    """A second process of ours appending to the log while this one opens the store: a
    copy of page 1 whose frame header is written and whose page is not yet (or a crash
    that left it so) fails its checksum, and SQLite reads the copy before it. It says
    nothing about whose log it is, so the store opens."""
    path = tmp_path / "s.db"
    store, reader, page1, page_size = _log_with_frames(path)
    try:
        body = b"\0" * page_size if page == "zeros" else page1[: page_size // 2]
        body += b"\0" * (page_size - len(body))
        _append_page1_frame(path, body)
        result = run(path, "review", "list")
        assert result.returncode == 0, result.stderr
        assert "Keep me" in result.stdout
    finally:
        reader.close()
        store.close()


def test_a_foreign_page_one_with_a_valid_checksum_is_still_refused(tmp_path: Path) -> None:
    """The other side: another program's log whose frames SQLite would play (their
    checksums hold) is refused as before, without touching the store."""
    store = tmp_path / "s.db"
    assert run(store, "review", "new", "Keep me").returncode == 0
    _foreign_wal_file(tmp_path / "other.db", keep_shm=False)
    shutil.copyfile(tmp_path / "other.db-wal", f"{store}-wal")
    result = run(store, "review", "list")
    assert result.returncode == 1 and "another program" in result.stderr
    Path(f"{store}-wal").unlink()
    assert "Keep me" in run(store, "review", "list").stdout


def test_a_second_connection_opens_a_young_store_whose_log_holds_its_first_pages(
    tmp_path: Path,
) -> None:
    """A store's -wal keeps, until SQLite restarts it, the page 1 written before the store
    was marked as ours. `note add` beside the running app (its own connection) must still
    open it: it was refused as 'another program's write-ahead log' (the convergence
    machine's clone-then-second-process schedules)."""
    path = tmp_path / "store.db"
    with Store(path, author="Jordan") as app:
        review = app.create_review("Fictional review")
        person = app.add_participant(review, role="Teacher", agency="School")
        conversation = app.new_conversation(review, person)
        app.add_note(app.conversation(conversation), "Typed in the app")
        app.conn.execute("PRAGMA wal_checkpoint(FULL)")  # as a backup tool might
        assert Path(f"{path}-wal").stat().st_size > 0
        with Store(path, author="Jordan") as cli:
            cli.add_note(cli.conversation(conversation), "Saved by note add")
        assert {note.text for note in app.notes(review=review)} == {
            "Typed in the app",
            "Saved by note add",
        }


def test_a_log_whose_last_committed_page_one_is_another_programs_is_still_refused(
    tmp_path: Path,
) -> None:
    """Our own log with another program's page 1 committed after ours: refused as before."""
    path = tmp_path / "store.db"
    with Store(path, author="Jordan") as app:
        app.create_review("Fictional review")
        app.conn.execute("PRAGMA application_id=0")  # the latest page 1 lacks our mark
        assert db._foreign_log(path) is not None


WRITER = """
import sys, time
from facilitator.store import Store
with Store(sys.argv[1], author="Sam") as store:
    store.conn.execute("PRAGMA wal_autocheckpoint=4")  # the log restarts every few notes
    talk = store.conversation(sys.argv[2])
    deadline = time.monotonic() + float(sys.argv[3])
    while time.monotonic() < deadline:
        store.add_note(talk, "The health visitor called again")
"""


def test_a_store_open_in_another_process_is_never_taken_for_another_programs(
    tmp_path: Path,
) -> None:
    # The app saving notes (its log checkpointed and restarted as it goes) while a
    # command opens the same store: the log check read page copies at offsets found a
    # moment before, in a log restarted since, and said "another program's" (hostile
    # tester, issue 11: 3 of 200 'note add' beside a writer).
    path = tmp_path / "shared.db"
    with Store(path, author="Sam") as store:
        review = store.create_review("Review (fictional)")
        person = store.add_participant(review, role="Health visitor", agency="Health")
        talk = store.new_conversation(review, person)
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), talk, "8"],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    refused = []
    try:
        for _ in range(300):
            try:
                with Store(path):
                    pass
            except StoreError as exc:
                refused.append(str(exc))
            if writer.poll() is not None:
                break
    finally:
        writer.wait(timeout=60)
    assert writer.returncode == 0
    assert refused == []
