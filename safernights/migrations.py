"""The database's tables, made and changed by one ordered list of migrations, each run once.

schema_version holds how many have run. At start-up, before gunicorn forks, the missing ones run in
one transaction under a lock (SQLite: its write lock and the lock file; PostgreSQL: an advisory
lock), so instances starting together take turns and a failed migration leaves nothing half done.
A migration that has shipped is never edited or reordered: add the next one.
"""

from safernights import database

# The number the scans table was created under before migrations existed: an instance still
# running the old code and one migrating take turns.
LOCK = 7_261_843

MIGRATIONS = [
    # 1. The scans table exactly as deployed before migrations: IF NOT EXISTS adopts an existing
    #    one, rows and all.
    """CREATE TABLE IF NOT EXISTS scans (
    day DATE NOT NULL, code TEXT NOT NULL, lang TEXT NOT NULL, scans INTEGER NOT NULL,
    PRIMARY KEY (day, code, lang))""",
    # 2. Scans the counting rules call suspect (a flood), counted beside the real ones, never in them.
    "ALTER TABLE scans ADD COLUMN suspect INTEGER NOT NULL DEFAULT 0",
    # 3. Where the campaign team hung which poster, each with its own code (placements.py).
    """CREATE TABLE placements (
    code TEXT PRIMARY KEY, venue TEXT NOT NULL, poster TEXT NOT NULL, lang TEXT NOT NULL,
    up DATE NOT NULL, down DATE, note TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0)""",
    # 4. Scans a worker could not hold while the database was down (scan_counts.py), written when it
    #    answered again: known to have happened, never in `scans`.
    "ALTER TABLE scans ADD COLUMN not_counted INTEGER NOT NULL DEFAULT 0",
    # 5. Each write of held scans by its id, so a write retried after an answer that was lost (the
    #    connection dropped as it committed) is never added twice. An id starts with its UTC minute,
    #    so those older than an hour are deleted by a range of the key.
    "CREATE TABLE writes (id TEXT PRIMARY KEY)",
]


def migrate(store):
    """Run the migrations this database has not had; return the version it was at."""
    with store.transaction() as run:
        if isinstance(store, database.PostgreSQL):
            run("SELECT pg_advisory_xact_lock(?)", (LOCK,))
        run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
        found = run("SELECT version FROM schema_version")
        if not found:
            run("INSERT INTO schema_version (version) VALUES (0)")
        before = found[0][0] if found else 0
        for statement in MIGRATIONS[before:]:
            run(statement)
        # Always a write, so start-up finds out now if it cannot write where DATABASE_URL says.
        run("UPDATE schema_version SET version = ?", (len(MIGRATIONS),))
    return before


def migrate_on_connect(store):
    """For a PostgreSQL server that was down at start-up: migrate on the first connection, once."""
    migrate(store)
    store.on_connect = None


def init_app(app):
    """Open the database DATABASE_URL names and bring its tables up to date, before any fork."""
    store = app.extensions["database"] = database.open_store(app.config["DATABASE_URL"], app.instance_path)
    if isinstance(store, database.SQLite):
        store.on_reopen = migrate  # a file deleted while the site runs is made again, with its tables
    try:
        before = migrate(store)
    except Exception as error:
        if not isinstance(store, database.PostgreSQL):
            raise RuntimeError(f"DATABASE_URL: cannot migrate the database: {error}") from error
        # A server that is down must not stop the site: readers still get their pages, and each
        # worker migrates on its first connection.
        app.logger.error(
            "DATABASE_URL: the database cannot be reached at start-up (%s). Pages are served; scans "
            "wait in each worker's memory and are written once it answers; /healthz says how it is.",
            error,
        )
        store.on_connect = migrate_on_connect
    else:
        if before < len(MIGRATIONS):
            app.logger.info("database migrated from version %d to %d", before, len(MIGRATIONS))
    finally:
        store.close()  # a connection must not be shared by the workers gunicorn forks
