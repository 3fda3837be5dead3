"""The database makes and migrates its own tables: fresh, from the schema deployed before
migrations (no row lost), and a second time as a no-op; on SQLite and on a real PostgreSQL."""

import sqlite3

import pytest

from app import create_app
from safernights import database, migrations, scan_counts

OLD_SCHEMA = """CREATE TABLE IF NOT EXISTS scans (
    day DATE NOT NULL, code TEXT NOT NULL, lang TEXT NOT NULL, scans INTEGER NOT NULL,
    PRIMARY KEY (day, code, lang))"""  # as scan_counts.py made it, and deployed databases hold it
OLD_ROWS = [
    ("2026-11-02", "card", "pl", 7),
    ("2026-11-03", "consent", "en", 1),
    ("2026-11-09", "k7", "ar", 12),
]


def version(store):
    return store.execute("SELECT version FROM schema_version")


def test_a_fresh_database_gets_every_table(database_url, tmp_path):
    store = database.open_store(database_url, tmp_path)
    assert migrations.migrate(store) == 0
    assert version(store) == [(len(migrations.MIGRATIONS),)]
    assert store.execute(scan_counts.ROWS) == []
    assert store.execute("SELECT code FROM placements") == []


def test_the_old_scans_table_is_migrated_without_losing_a_row(database_url, tmp_path):
    if database_url.startswith("sqlite:///"):  # a file made by the old code, as it made it
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as old:
            old.execute(OLD_SCHEMA)
            old.executemany("INSERT INTO scans VALUES (?, ?, ?, ?)", OLD_ROWS)
    else:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as old:
            old.execute(OLD_SCHEMA)
            for row in OLD_ROWS:
                old.execute("INSERT INTO scans VALUES (%s, %s, %s, %s)", row)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})  # start-up migrates
    with app.app_context():
        assert scan_counts.rows() == [(*row, 0) for row in OLD_ROWS]  # every row, none suspect
    assert version(app.extensions["database"]) == [(len(migrations.MIGRATIONS),)]


def test_migrating_twice_changes_nothing(database_url, tmp_path):
    store = database.open_store(database_url, tmp_path)
    migrations.migrate(store)
    store.execute(scan_counts.ADD, ("2026-11-02", "card", "en", 1, 0, 0))
    assert migrations.migrate(store) == len(migrations.MIGRATIONS)
    assert version(store) == [(len(migrations.MIGRATIONS),)]
    assert store.execute(scan_counts.ROWS) == [
        (store.execute("SELECT day FROM scans")[0][0], "card", "en", 1, 0)
    ]


def test_a_failing_migration_leaves_nothing_half_done(tmp_path, monkeypatch):
    store = database.open_store(f"sqlite:///{tmp_path / 'scans.sqlite3'}", tmp_path)
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, "CREATE TABLE broken ("])
    with pytest.raises(sqlite3.Error):
        migrations.migrate(store)
    assert store.execute("SELECT name FROM sqlite_master WHERE name IN ('scans', 'schema_version')") == []


def test_start_up_leaves_no_connection_for_the_workers_to_share(database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    assert getattr(app.extensions["database"].local, "connection", None) is None


def test_a_postgresql_server_down_at_start_up_does_not_stop_the_site(caplog):
    app = create_app({"TESTING": True, "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"})
    assert "the database cannot be reached at start-up" in caplog.text
    assert app.extensions["database"].on_connect is migrations.migrate_on_connect
