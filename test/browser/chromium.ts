import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type Browser, chromium } from "playwright-core";

/**
 * Headless Chromium from the system (Debian's `chromium-headless-shell` or `chromium`; `.ci/run`
 * installs it when missing), driven by playwright-core. Playwright's own browser download is
 * never used. CHROMIUM_PATH overrides the search.
 */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium-headless-shell", "/usr/bin/chromium"];
  const found = candidates.find((path): path is string => !!path && existsSync(path));
  if (!found) {
    throw new Error(
      "no Chromium found: apt-get install -y chromium-headless-shell (or chromium), or set CHROMIUM_PATH",
    );
  }
  return found;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    // No sandbox (CI runs as root); nothing that reaches out to Google's services on start.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A static page server on 127.0.0.1 (another origin than the collector's), for pages under test:
 * HTML, and JavaScript for paths ending in `.js` (module scripts need its content type).
 */
export async function servePages(pages: Record<string, string>): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const page = pages[path];
    const type = path.endsWith(".js") ? "text/javascript" : "text/html";
    res.writeHead(page === undefined ? 404 : 200, { "content-type": `${type}; charset=utf-8` });
    res.end(page ?? "not found");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
