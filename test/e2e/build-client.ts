import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** vitest globalSetup: the SDK package's build, so that real-client tests import it as users do. */
export default function buildClient(): void {
  const root = fileURLToPath(new URL("../../packages/client", import.meta.url));
  execFileSync(process.execPath, ["scripts/build.mjs"], { cwd: root, stdio: "inherit" });
}
