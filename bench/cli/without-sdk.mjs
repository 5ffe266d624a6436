#!/usr/bin/env node
// The baseline of `npm run bench:cli`: examples/cli.mjs's work (`ssh <host>`) without the SDK.
import os from "node:os";

const [, host = "node-1"] = process.argv.slice(2);
os.arch();
console.log(`ssh ${host}: connected`);
