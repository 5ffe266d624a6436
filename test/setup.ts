import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";
import { schemaStatements } from "./helpers/schema";

// Each test file gets its own storage: give it the schema the Worker expects.
beforeAll(async () => {
  await env.DB.batch(schemaStatements(env.TEST_SCHEMA).map((sql) => env.DB.prepare(sql)));
});
