import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";

// Each test file gets its own storage: give it the schema the Worker expects, as a deploy would.
beforeAll(async () => {
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  await applyD1Migrations(env.EVENTS_DB_2, env.TEST_MIGRATIONS);
});
