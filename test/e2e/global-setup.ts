import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../scripts/lib/wrangler-dev.mjs";

/**
 * vitest globalSetup of the end-to-end and browser projects: what their files need before any of
 * them starts, made side by side. The SDK package's build, so that real-client tests import it
 * as users do; and a local state directory whose D1 database `wrangler d1 migrations apply` has
 * migrated, once: each collector starts from a copy of it (test/e2e/wrangler-dev.ts) instead of
 * running wrangler once more for the same migrations.
 */
declare module "vitest" {
  export interface ProvidedContext {
    /** The migrated local state directory (absent where no globalSetup made one); read only: a collector runs on a copy. */
    migratedState?: string;
  }
}

async function buildClient(): Promise<void> {
  const root = fileURLToPath(new URL("../../packages/client", import.meta.url));
  const { stdout, stderr } = await promisify(execFile)(process.execPath, ["scripts/build.mjs"], { cwd: root });
  process.stdout.write(stdout);
  process.stderr.write(stderr);
}

export default async function globalSetup(project: TestProject): Promise<() => void> {
  const migratedState = mkdtempSync(join(tmpdir(), "edgehog-e2e-migrated-"));
  try {
    await Promise.all([buildClient(), applyMigrations({ persistTo: migratedState })]);
  } catch (err) {
    rmSync(migratedState, { recursive: true, force: true });
    throw err;
  }
  project.provide("migratedState", migratedState);
  return () => rmSync(migratedState, { recursive: true, force: true });
}
