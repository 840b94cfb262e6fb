// Starts the servers the tests run against, and stops them afterwards.
//
// - "normal": the product's defaults (24 h windows), for everything that must not expire mid-test.
// - "short": windows of a few seconds, for the tests that watch a window run out.
// Each gets a free port (the server binds port 0 and prints its address) and a fresh database.
import { spawn, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SHORT_WINDOWS } from "./windows";

const root = path.resolve(__dirname, "..", "..");
const binary = process.env.IMPERSONATE_SERVER_BIN ?? path.join(root, "target", "server-release", "server");

function start(name: string, env: Record<string, string>): Promise<{ url: string; child: ChildProcess; dir: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), `impersonate-e2e-${name}-`));
  const child = spawn(binary, ["serve", "--demo"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: `sqlite://${dir}/e2e.db?mode=rwc`,
      LEPTOS_SITE_ADDR: "127.0.0.1:0",
      LEPTOS_SITE_ROOT: path.join(root, "target", "site"),
      LEPTOS_ENV: "PROD",
      RUST_LOG: "warn",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${name} server did not start:\n${out}`)), 60_000);
    child.on("exit", (code) => reject(new Error(`${name} server exited with ${code}:\n${out}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const found = out.match(/running at (http:\/\/[\d.:]+)/);
      if (found) {
        clearTimeout(timer);
        resolve({ url: found[1], child, dir });
      }
    });
  });
}

export default async function globalSetup() {
  if (!existsSync(binary)) {
    throw new Error(`No server binary at ${binary}: run "make test" (it builds one) or set IMPERSONATE_SERVER_BIN.`);
  }
  const servers = await Promise.all([
    start("normal", {}),
    start("short", {
      IMPERSONATION_START_WINDOW: `${SHORT_WINDOWS.startWindowSeconds}s`,
      IMPERSONATION_DURATION: `${SHORT_WINDOWS.durationSeconds}s`,
    }),
  ]);
  process.env.IMPERSONATE_URL = servers[0].url;
  process.env.IMPERSONATE_SHORT_URL = servers[1].url;
  return async () => {
    for (const server of servers) {
      server.child.kill("SIGTERM");
      rmSync(server.dir, { recursive: true, force: true });
    }
  };
}
