/** The SQLite schema of the config store, applied as numbered migrations in a transaction. */
import type { DatabaseSync } from 'node:sqlite';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE config_docs (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     zone_id TEXT,
     name TEXT,
     data TEXT NOT NULL,
     modified_on TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   );
   CREATE UNIQUE INDEX config_docs_name ON config_docs(kind, name) WHERE name IS NOT NULL;
   CREATE INDEX config_docs_zone ON config_docs(zone_id) WHERE zone_id IS NOT NULL;
   CREATE TABLE config_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
   INSERT INTO config_meta(key, value) VALUES ('version', 0);`,
];

export function migrate(db: DatabaseSync): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_on TEXT NOT NULL)');
  const done = new Set((db.prepare('SELECT name FROM schema_migrations').all() as Array<{ name: string }>).map((r) => r.name));
  MIGRATIONS.forEach((sql, i) => {
    const name = `config-${String(i + 1).padStart(3, '0')}`;
    if (done.has(name)) return;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations(name, applied_on) VALUES (?, ?)').run(name, new Date().toISOString());
      db.exec('COMMIT');
    } catch (e) {
      db.exec('ROLLBACK');
      throw e;
    }
  });
}
