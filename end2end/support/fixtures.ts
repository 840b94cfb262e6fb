// Shared steps and fixtures for the browser tests: logging in the way people do, and a watch on
// the browser console that fails any test whose pages log errors or hydration warnings.
import { test as base, expect, Browser, BrowserContext, Page } from "@playwright/test";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { binary, root } from "./binary";

export const PASSWORD = "impersonate-demo";

/** The servers global-setup.ts starts; "postgres" only when a PostgreSQL server was given. */
export type Server = "normal" | "short" | "postgres";

function started(server: Server, what: "URL" | "DATABASE"): string {
  const value = process.env[`IMPERSONATE_${server.toUpperCase()}_${what}`];
  if (!value) throw new Error(`the ${server} server was not started (global-setup.ts; "postgres" needs IMPERSONATE_E2E_POSTGRES)`);
  return value;
}

export function serverUrl(server: Server = "normal"): string {
  return started(server, "URL");
}

let made = 0;

/**
 * A new user of `tenant` on `server`'s database, for a test that needs a state no other test
 * touches: made with the server binary's own `create-user` command. Answers the email.
 */
export async function newUser(server: Server, name: string, tenant = "Acme"): Promise<string> {
  made += 1;
  const domain = tenant.toLowerCase().replace(/[^a-z0-9]+/g, "");
  const email = `${name.split(" ")[0].toLowerCase()}-${process.pid}-${made}-${Date.now()}@${domain}.test`;
  await promisify(execFile)(binary, ["create-user", "--name", name, "--email", email, "--tenant", tenant], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: started(server, "DATABASE"), IMPERSONATE_PASSWORD: PASSWORD, LEPTOS_SITE_ADDR: "127.0.0.1:0", RUST_LOG: "warn" },
    timeout: 30_000,
  });
  return email;
}

/** Console messages that mean something is wrong with a page. */
function isProblem(type: string, text: string): boolean {
  // A preload the page cannot use is fetched twice; Chromium says so as a warning.
  return type === "error" || /hydrat/i.test(text) || /Content Security Policy/i.test(text) || /preload/i.test(text);
}

/** Waits until `page` has hydrated (the app marks `<body data-hydrated="true">`), so clicks reach handlers. */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.hydrated === "true", null, { timeout: 15_000 });
}

/** Where a person's browser is: its time zone (IANA name), the machine's when not given. */
export type Place = { timezoneId?: string };

/** A person in their own browser: its own context, its own cookies, its console watched. */
export class Person {
  readonly problems: string[] = [];
  private constructor(readonly context: BrowserContext, readonly page: Page, readonly base: string) {}

  static async open(browser: Browser, server: Server = "normal", place: Place = {}): Promise<Person> {
    const base = serverUrl(server);
    const context = await browser.newContext({ baseURL: base, timezoneId: place.timezoneId });
    const page = await context.newPage();
    const person = new Person(context, page, base);
    page.on("console", (m) => {
      if (isProblem(m.type(), m.text()) && !person.allowed.some((p) => p.test(m.text()))) {
        person.problems.push(`[${m.type()}] ${m.text()}`);
      }
    });
    page.on("pageerror", (e) => person.problems.push(`[pageerror] ${e.message}`));
    return person;
  }

  /** Console errors a test expects (a refused request's status, say). */
  readonly allowed: RegExp[] = [];

  async logIn(email: string, password = PASSWORD): Promise<void> {
    await this.page.goto("/login");
    await this.page.getByLabel("Email").fill(email);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Log in" }).click();
    await expect(this.page.getByRole("button", { name: "Account menu" })).toBeVisible();
    await this.hydrated();
  }

  /** Waits until the page is interactive (the WASM took over the server-rendered HTML). */
  async hydrated(): Promise<void> {
    await hydrated(this.page);
  }

  /**
   * Holds back the page's front end (its WASM) from the next load on, so the test can act on the
   * server-rendered page before hydration; the returned function lets it load.
   */
  async holdFrontEnd(): Promise<() => void> {
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await this.page.route("**/*.wasm", async (route) => {
      await held;
      await route.continue();
    });
    return release;
  }

  async openProfile(): Promise<void> {
    // The menu opens only once the page is interactive; a click before that would go nowhere.
    await this.hydrated();
    await this.page.getByRole("button", { name: "Account menu" }).click();
    await this.page.getByRole("menuitem", { name: "Your Profile" }).click();
    await expect(this.page).toHaveURL(/\/profile$/);
    await expect(this.page.getByRole("heading", { name: "Impersonation", exact: true })).toBeVisible();
  }

  moreActions() {
    return this.page.getByRole("button", { name: "More actions" });
  }

  async allowImpersonation(): Promise<void> {
    await this.moreActions().click();
    await this.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
    const dialog = this.page.getByRole("dialog", { name: "Allow to Impersonate?" });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect(dialog).toBeHidden();
    await expect(this.page.getByText("Allowed.", { exact: true })).toBeVisible();
  }

  async disallowImpersonation(): Promise<void> {
    await this.moreActions().click();
    await this.page.getByRole("menuitem", { name: "Disallow to Impersonate" }).click();
    await expect(this.page.getByText("Not allowed.")).toBeVisible();
  }

  /**
   * As a super admin: open the switcher, narrow it to the user with `email` and impersonate them
   * (`name`). Searching by email finds this test's own user even when the server already has
   * others of that name (another run of the same test, `--repeat-each`).
   */
  async impersonate(email: string, name: string): Promise<void> {
    await this.openSwitcher();
    await this.searchSwitcher(email);
    await this.impersonateListed(name);
  }

  /** As a super admin: open the switcher, interactive (a new grant then shows by itself). */
  async openSwitcher(): Promise<void> {
    await this.page.goto("/impersonate");
    await this.hydrated();
  }

  /** As a super admin on a switcher already narrowed to one user (`searchSwitcher`, by email): impersonate `name`. */
  async impersonateListed(name: string): Promise<void> {
    await this.page.getByRole("button", { name: `Impersonate ${name}` }).click();
    await expect(this.banner()).toBeVisible();
    await this.hydrated();
  }

  /** As a super admin on the switcher: search for `email`, and wait until its user is the one row. */
  async searchSwitcher(email: string): Promise<void> {
    await this.page.getByLabel("Search users").fill(email);
    // Their row is there, and nobody else's: the search's answer has arrived.
    await expect(this.page.getByRole("row").filter({ hasText: email })).toHaveCount(1);
    await expect(this.page.getByRole("row").filter({ hasNot: this.page.getByRole("columnheader") })).toHaveCount(1);
  }

  banner() {
    return this.page.getByRole("region", { name: "Impersonation" });
  }

  /** Seconds left on the banner's countdown. */
  async secondsLeft(): Promise<number> {
    return toSeconds(await this.banner().getByRole("timer").innerText());
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

export function toSeconds(hhmmss: string): number {
  const [h, m, s] = hhmmss.trim().split(":").map(Number);
  return h * 3600 + m * 60 + s;
}

type Fixtures = {
  people: (server?: Server, place?: Place) => Promise<Person>;
  /** A user, logged in on their profile, who has just allowed impersonation. */
  userWhoAllows: (email: string, server?: Server) => Promise<Person>;
};

/** `people()` opens a new person's browser; at the end each one's console must be clean. */
export const test = base.extend<Fixtures>({
  people: async ({ browser }, use) => {
    const opened: Person[] = [];
    await use(async (server?: Server, place?: Place) => {
      const person = await Person.open(browser, server, place);
      opened.push(person);
      return person;
    });
    for (const person of opened) {
      expect(person.problems, "the browser console stayed clean").toEqual([]);
      await person.close();
    }
  },
  userWhoAllows: async ({ people }, use) => {
    await use(async (email: string, server?: Server) => {
      const user = await people(server);
      await user.logIn(email);
      await user.openProfile();
      await user.allowImpersonation();
      return user;
    });
  },
});

export { expect };
