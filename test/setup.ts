import type { D1Migration } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";

// Each test file gets its own storage: give it the schema the Worker expects, as a deploy would.
//
// Every statement of migrations/ in order, and each migration's name recorded in d1_migrations
// (the table wrangler and applyD1Migrations keep), in one batch: one transaction per database
// instead of a round trip per migration, which was most of the time this setup took in each of
// the workers project's files. test/schema/migrations.test.ts holds the result to schema.sql and
// to the list of migrations; the e2e tests apply the same files with wrangler itself.
const D1_MIGRATIONS = `CREATE TABLE IF NOT EXISTS d1_migrations (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT UNIQUE,
  applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`;

async function migrate(db: D1Database, migrations: D1Migration[]): Promise<void> {
  const record = db.prepare("INSERT INTO d1_migrations (name) VALUES (?)");
  await db.batch([
    db.prepare(D1_MIGRATIONS),
    ...migrations.flatMap((migration) => [
      ...migration.queries.map((query) => db.prepare(query)),
      record.bind(migration.name),
    ]),
  ]);
}

beforeAll(async () => {
  await Promise.all([migrate(env.DB, env.TEST_MIGRATIONS), migrate(env.EVENTS_DB_2, env.TEST_MIGRATIONS)]);
});
