import { readFileSync } from "node:fs";
import { cloudflareTest } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Tests run inside workerd with the bindings of wrangler.toml: real local D1, Queues and
// Durable Objects. Storage is isolated per test file; test/setup.ts applies schema.sql.
export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_SCHEMA: readFileSync(new URL("./schema.sql", import.meta.url), "utf8"),
          ADMIN_TOKEN: "test-admin-token",
          RATE_LIMIT_SALT_SECRET: "test-rate-limit-salt-secret",
          // Local objects can take longer than production's 250 ms to start on a busy machine;
          // fail-open is tested by injecting a failing namespace instead.
          RATE_LIMIT_TIMEOUT_MS: "5000",
        },
      },
    }),
  ],
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["./test/setup.ts"],
    testTimeout: 20_000,
  },
});
