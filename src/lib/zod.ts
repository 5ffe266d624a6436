/**
 * The collector's zod: `import { z } from "zod"` resolves here, in the deployed Worker
 * (wrangler.toml `[alias]`), in the tests (vitest.config.mts) and for the compiler
 * (tsconfig.json `paths`), so every import of zod — ours and @hono/zod-openapi's — gets the
 * same object. zod's own entry carries its error messages in some forty languages: its `z`
 * namespace re-exports them (`z.locales`, `z.core.locales`), and a namespace handed to a library
 * (@hono/zod-openapi extends `z`) keeps everything it holds in the bundle, so the locales were a
 * fifth of the Worker. This `z` holds only the members the collector uses (./zod-members.ts),
 * taken by name from zod's classic API; its types are zod's, all of them. A member the code
 * does not list here fails the type check; add it to ./zod-members.ts.
 */
import * as z from "./zod-members";

export * from "./zod-members";
export { z, z as default };
