import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import LongestFirstSequencer from "./test/sequencer.mjs";
import { dropWorkerdTeardownNotices } from "./test/workerd-noise.mjs";

// workerd's one-line notice as each workers test file's runner socket closes (test/workerd-noise.mjs).
dropWorkerdTeardownNotices(process.stdout);
dropWorkerdTeardownNotices(process.stderr);

const migrations = await readD1Migrations(new URL("./migrations", import.meta.url).pathname);

// How many test files of `npm test` run at once: two more than the cores (vitest's own default
// is one fewer), because the end-to-end files spend most of their time waiting on wrangler dev,
// its queues' retry delays and child processes, while the workers files keep the cores busy
// (test/sequencer.mjs starts the longest first, whatever their project). The projects that run
// together must agree on it (vitest runs them in one pool).
const FILES_AT_ONCE = availableParallelism() + 2;

// The end-to-end files that pack a package (the "pack" project below).
const PACKS = "test/e2e/*-pack.test.ts";

export default defineConfig({
  test: {
    sequence: { sequencer: LongestFirstSequencer },
    projects: [
      {
        // Unit and integration tests inside workerd, with the bindings of wrangler.toml: real
        // local D1, Queues and Durable Objects. Storage is isolated per test file;
        // test/setup.ts applies the migrations. SCHEMA_DB is a second, empty database on which
        // a test applies schema.sql, to compare it with what the migrations built. EVENTS_DB_2 is
        // a second event database for the sharded tests (EVENT_DATABASES "DB,EVENTS_DB_2").
        plugins: [
          cloudflareTest({
            // The Worker's source: wrangler.toml's `main` is the build's output (dist/worker/), which
            // the end-to-end tests run; here vite loads src/ as it is, `import()`s included.
            main: "./src/index.ts",
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              d1Databases: ["SCHEMA_DB", "EVENTS_DB_2"],
              bindings: {
                TEST_MIGRATIONS: migrations,
                TEST_SCHEMA: readFileSync(new URL("./schema.sql", import.meta.url), "utf8"),
                TEST_DEV_VARS_EXAMPLE: readFileSync(new URL("./.dev.vars.example", import.meta.url), "utf8"),
                ADMIN_TOKEN: "test-operator-token-of-32-characters-or-more",
                RATE_LIMIT_SALT_SECRET: "test-rate-limit-salt-secret",
                // Local objects can take longer than production's 250 ms to start on a busy
                // machine; fail-open is tested by injecting a failing namespace instead.
                RATE_LIMIT_TIMEOUT_MS: "5000",
              },
            },
          }),
        ],
        // "zod" is the collector's zod (src/lib/zod.ts), as in the deployed bundle (wrangler.toml
        // [alias]): the tests run the members the Worker ships, and no other.
        resolve: {
          alias: [{ find: /^zod$/, replacement: fileURLToPath(new URL("./src/lib/zod.ts", import.meta.url)) }],
        },
        test: {
          name: "workers",
          maxWorkers: FILES_AT_ONCE,
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "test/client/**", "test/browser/**", "test/scripts/**"],
          setupFiles: ["./test/setup.ts"],
          // A timeout catches a hang; it times nothing. The heaviest tests (fast-check runs, the
          // sketches' error over 120 sets) take 5 to 15 s of a core, and a file shares the cores
          // with FILES_AT_ONCE - 1 others (and whatever else the machine runs).
          testTimeout: 60_000,
          // The dependencies, each bundled once into a module or a few (vite's optimizer, cached
          // in node_modules/.vite) rather than served file by file: every test file starts a fresh
          // workerd, which would otherwise fetch some 330 modules of hono, zod, Connect, protobuf
          // and hyparquet one by one. "zod" itself stays out: it is the collector's zod
          // (src/lib/zod.ts, the alias above), which @hono/zod-openapi must import as our code does.
          // hono's JSX runtime is left to vite (vitest never optimizes a JSX runtime).
          deps: {
            optimizer: {
              ssr: {
                enabled: true,
                include: [
                  "hono",
                  "hono/accepts",
                  "hono/cookie",
                  "hono/cors",
                  "hono/csrf",
                  "hono/factory",
                  "hono/http-exception",
                  "hono/secure-headers",
                  "zod/v4",
                  "zod/v4/core",
                  "@hono/zod-openapi",
                  "@hono/zod-validator",
                  "@connectrpc/connect",
                  "@connectrpc/connect/protocol",
                  "@connectrpc/connect/protocol-connect",
                  "@connectrpc/connect/protocol-grpc-web",
                  "@connectrpc/connect-web",
                  "@bufbuild/protobuf",
                  "@bufbuild/protobuf/codegenv2",
                  "@bufbuild/protobuf/wire",
                  "@bufbuild/protobuf/wkt",
                  "hyparquet",
                  "hyparquet-writer",
                  "fast-check",
                  "standardwebhooks",
                ],
                exclude: ["zod"],
              },
            },
          },
        },
      },
      {
        // The client SDK (packages/client) where it runs: Node, with fake clocks and a fake collector.
        test: {
          name: "client",
          maxWorkers: FILES_AT_ONCE,
          include: ["test/client/**/*.test.ts"],
          environment: "node",
          testTimeout: 20_000,
        },
      },
      {
        // End to end: the collector under `wrangler dev` on 127.0.0.1, driven over real HTTP
        // (and by the built client package); and the scripts (test/scripts/), run as an operator
        // runs them. globalSetup first builds the package and migrates the one local state
        // directory each file's collector starts from a copy of (test/e2e/global-setup.ts).
        test: {
          name: "e2e",
          maxWorkers: FILES_AT_ONCE,
          include: ["test/e2e/**/*.test.ts", "test/scripts/**/*.test.ts"],
          exclude: [PACKS],
          globalSetup: ["./test/e2e/global-setup.ts"],
          setupFiles: ["./test/e2e/dev-proxy-retry.ts"],
          environment: "node",
          testTimeout: 30_000,
          // A collector's start may take two tries of a minute each (scripts/lib/wrangler-dev.mjs).
          hookTimeout: 180_000,
        },
      },
      {
        // The packages as users install them: `npm pack` runs their `prepare`, which builds the
        // SDK again in place (packages/client/dist), under the feet of any file that uses that
        // build. One file at a time, so vitest runs them on their own after the other projects.
        test: {
          name: "pack",
          maxWorkers: 1,
          include: [PACKS],
          setupFiles: ["./test/e2e/dev-proxy-retry.ts"],
          environment: "node",
          testTimeout: 30_000,
          hookTimeout: 180_000,
        },
      },
      {
        // Real browsers (system Chromium through playwright-core) against wrangler dev:
        // `npm run test:browser`, run by .ci/run, which installs Chromium when it is missing.
        // Its own group, with vitest's own number of files at once: after the others when a run
        // names every project.
        test: {
          name: "browser",
          sequence: { groupOrder: 1 },
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["./test/e2e/global-setup.ts"],
          setupFiles: ["./test/e2e/dev-proxy-retry.ts"],
          environment: "node",
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
