#!/usr/bin/env node
// @ts-check
// `npm run bench:cold-start [-- --baseline=REF]`: how long a fresh isolate takes to load the
// Worker and answer its first request. The Worker is bundled as a deploy uploads it (wrangler
// deploy --dry-run: wrangler.toml's minify and aliases applied); with --baseline, the Worker of
// that git revision is bundled the same way from its own files (git archive, into a temporary
// directory), so both are measured in the same run, alternated, on the same machine.
//
// Each run starts a new workerd (Miniflare) holding the Worker's modules as wrangler would
// upload them (the main module and the modules it loads on first use; a revision from before
// the Worker was split has one) and an entry that imports the main module on the first request,
// as wrangler's `check startup` does: "first answer" is that request, from sending it to its
// body — the parse and top-level evaluation of the main module and of the modules it imports
// statically (what a cold start loads), then GET /healthz. "workerd up" (starting the process,
// the Worker not yet loaded) and "next answer" (the same request again, warm) are the costs
// around it. Medians of --runs runs (5).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { exitWithUsage, parseCommandLine } from "../scripts/lib/cli.mjs";
import { buildWorker } from "../scripts/lib/worker-bundle.mjs";
import { ROOT } from "../scripts/lib/wrangler.mjs";

const USAGE = `usage: npm run bench:cold-start -- [--runs=N] [--baseline=REF]
  A fresh isolate loading the Worker and answering GET /healthz: the median of N runs (5).
  --baseline=REF   also the Worker of git revision REF, bundled the same way, in the same run`;
const { values } = parseCommandLine(USAGE, {
  options: { runs: { type: "string", default: "5" }, baseline: { type: "string" } },
});
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1) exitWithUsage(USAGE, "--runs takes a positive whole number");

/** The Worker of git revision `ref`, in a temporary directory that shares this checkout's node_modules. */
function checkoutOf(ref) {
  const dir = mkdtempSync(join(tmpdir(), "edgehog-baseline-"));
  const archive = execFileSync("git", ["archive", "--format=tar", ref], { cwd: ROOT, maxBuffer: 1 << 30 });
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  return dir;
}

/** wrangler.toml's compatibility date and flags, which the runtime needs to run the bundle. */
function compatibilityOf(config) {
  const text = readFileSync(config, "utf8");
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(text)?.[1];
  const flags = /^compatibility_flags\s*=\s*\[([^\]]*)\]/m.exec(text)?.[1] ?? "";
  if (!date) throw new Error(`${config}: no compatibility_date`);
  return { compatibilityDate: date, compatibilityFlags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] ?? "") };
}

/** One cold start of a variant: a new workerd, the bundle loaded by its first request. */
async function coldStart(variant) {
  const started = performance.now();
  const mf = new Miniflare({
    ...variant.compatibility,
    // The modules are given as they are: Miniflare neither reads nor parses them in Node.
    modules: variant.modules,
  });
  try {
    await mf.ready;
    const up = performance.now();
    await (await mf.dispatchFetch("http://localhost/healthz")).text();
    const first = performance.now();
    const res = await mf.dispatchFetch("http://localhost/healthz");
    const body = await res.text();
    const next = performance.now();
    if (res.status !== 200) throw new Error(`${variant.name}: /healthz answered ${res.status}: ${body}`);
    return { up: up - started, first: first - up, next: next - first };
  } finally {
    await mf.dispose();
  }
}

/**
 * The Worker's entry for a run: it imports the bundle on the first request, so that loading it
 * is timed apart from starting workerd (and a failure to load is that request's error).
 */
const ENTRY = `let worker;
export default {
  async fetch(request, env, ctx) {
    worker ??= (await import("./index.js")).default;
    return worker.fetch(request, env, ctx);
  },
};
`;

const median = (/** @type {number[]} */ xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};

const checkouts = values.baseline ? [checkoutOf(values.baseline)] : [];
const variants = [];
try {
  const configs = [
    ...(values.baseline
      ? [{ name: `baseline ${values.baseline}`, config: join(checkouts[0] ?? "", "wrangler.toml") }]
      : []),
    { name: "this checkout", config: join(ROOT, "wrangler.toml") },
  ];
  for (const { name, config } of configs) {
    const bundle = await buildWorker({ config });
    const modules = [
      { type: "ESModule", path: "cold-start-entry.js", contents: ENTRY },
      ...bundle.modules.map((m) => ({
        type: "ESModule",
        path: m.name,
        contents: readFileSync(join(bundle.dir, "out", m.name), "utf8"),
      })),
    ];
    if (bundle.main !== "index.js") throw new Error(`${name}: the main module is ${bundle.main}, not index.js`);
    variants.push({ name, bundle, modules, compatibility: compatibilityOf(config), samples: [] });
  }
  for (let run = 0; run < runs; run++) {
    for (const variant of variants) variant.samples.push(await coldStart(variant));
  }
  const ms = (/** @type {number} */ n) => `${n.toFixed(0)} ms`.padStart(8);
  console.log(`cold start, median of ${runs} runs (Node ${process.version}, ${process.platform}/${process.arch})`);
  // "cold start": what the first answer loads, each module gzipped alone; "upload": all of it.
  console.log(
    `${"Worker".padEnd(30)} ${"cold start".padStart(11)} ${"upload".padStart(11)} ${"workerd up".padStart(10)} ${"first answer".padStart(12)} ${"next answer".padStart(11)}`,
  );
  const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(2)} KiB`;
  for (const variant of variants) {
    const pick = (/** @type {"up" | "first" | "next"} */ key) => median(variant.samples.map((s) => s[key]));
    console.log(
      `${variant.name.padEnd(30)} ${kib(variant.bundle.coldStart.gzipBytes).padStart(11)} ${kib(variant.bundle.total.gzipBytes).padStart(11)} ${ms(pick("up")).padStart(10)} ${ms(pick("first")).padStart(12)} ${ms(pick("next")).padStart(11)}`,
    );
    console.log(`  first answers: ${variant.samples.map((s) => s.first.toFixed(0)).join(", ")} ms`);
  }
} finally {
  for (const variant of variants) variant.bundle.remove();
  for (const dir of checkouts) rmSync(dir, { recursive: true, force: true });
}
