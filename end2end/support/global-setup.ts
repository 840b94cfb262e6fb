// Starts the servers the tests run against, and stops them afterwards.
//
// - "normal": the product's defaults (24 h windows), for everything that must not expire mid-test.
// - "short": windows of a few seconds, for the tests that watch a window run out.
// - "postgres": the defaults on a new PostgreSQL database, when IMPERSONATE_E2E_POSTGRES names a
//   PostgreSQL server (`make test-e2e` does), for the tests that must hold on both databases.
// Each gets a free port (the server binds port 0 and prints its address) and a fresh database;
// IMPERSONATE_<NAME>_URL and IMPERSONATE_<NAME>_DATABASE tell the tests where (see fixtures.ts).
import { spawn, execFileSync, ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { SHORT_WINDOWS } from "./windows";
import { binary, root } from "./binary";

type Started = { name: string; url: string; database: string; child: ChildProcess; dir: string };

function start(name: string, env: Record<string, string>): Promise<Started> {
  const dir = mkdtempSync(path.join(tmpdir(), `impersonate-e2e-${name}-`));
  const database = env.DATABASE_URL ?? `sqlite://${dir}/e2e.db?mode=rwc`;
  const child = spawn(binary, ["serve", "--demo"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: database,
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
        resolve({ name, url: found[1], database, child, dir });
      }
    });
  });
}

export default async function globalSetup() {
  if (!existsSync(binary)) {
    throw new Error(`No server binary at ${binary}: run "make test" (it builds one) or set IMPERSONATE_SERVER_BIN.`);
  }
  const postgres = process.env.IMPERSONATE_E2E_POSTGRES?.replace(/\/$/, "");
  const postgresDatabase = `e2e_${process.pid}_${Date.now()}`;
  if (postgres) psql(postgres, `CREATE DATABASE ${postgresDatabase}`);
  const servers = await Promise.all([
    start("normal", {}),
    start("short", {
      IMPERSONATION_START_WINDOW: `${SHORT_WINDOWS.startWindowSeconds}s`,
      IMPERSONATION_DURATION: `${SHORT_WINDOWS.durationSeconds}s`,
    }),
    ...(postgres ? [start("postgres", { DATABASE_URL: `${postgres}/${postgresDatabase}` })] : []),
  ]);
  for (const server of servers) {
    process.env[`IMPERSONATE_${server.name.toUpperCase()}_URL`] = server.url;
    process.env[`IMPERSONATE_${server.name.toUpperCase()}_DATABASE`] = server.database;
  }
  return async () => {
    await Promise.all(servers.map(stop));
    for (const server of servers) rmSync(server.dir, { recursive: true, force: true });
    // FORCE: a connection the server left behind must not keep the database, nor fail the run.
    if (postgres) psql(postgres, `DROP DATABASE IF EXISTS ${postgresDatabase} WITH (FORCE)`);
  };
}

/** Asks a server to stop, and kills it if it has not within 10 s: the run's end never hangs on it. */
function stop(server: Started): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const kill = setTimeout(() => {
      console.error(`${server.name} server did not stop within 10 s of SIGTERM; killing it`);
      child.kill("SIGKILL");
    }, 10_000);
    child.on("exit", () => {
      clearTimeout(kill);
      done();
    });
    child.kill("SIGTERM");
  });
}

/** Runs one statement on the PostgreSQL server's maintenance database. */
function psql(server: string, statement: string) {
  execFileSync("psql", [`${server}/postgres`, "-qAt", "-v", "ON_ERROR_STOP=1", "-c", statement], { stdio: "inherit" });
}
