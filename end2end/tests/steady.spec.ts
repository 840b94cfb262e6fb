// Steady under change: what a person is using survives the page's data changing under it.
// - A menu opened while the profile re-reads itself stays open, and its item changes its label
//   in place (the re-read is held back until the menu is open, so the order is certain).
// - Pages that hydrate while other people write keep a clean console: hydration uses the data the
//   server rendered, whatever the database holds by then.
import { Page, Route } from "@playwright/test";
import { test, expect, newUser, hydrated, Person, Server } from "../support/fixtures";

/** Lets a test hold the page's re-reads of its profile until it releases them. */
async function profileReads(page: Page) {
  let gate: Promise<void> | null = null;
  let open = () => {};
  let held = 0;
  await page.route("**/api/profile", async (route: Route) => {
    const waiting = gate;
    if (waiting) {
      held += 1;
      await waiting;
    }
    await route.continue();
  });
  return {
    hold() {
      held = 0;
      gate = new Promise<void>((resolve) => (open = resolve));
    },
    held: () => held,
    release() {
      gate = null;
      open();
    },
  };
}

const databases: [Server, string][] = [
  ["normal", "SQLite"],
  ["postgres", "PostgreSQL"],
];

for (const [server, database] of databases) {
  test(`the menu opened right after Confirm, and right after Disallow, stays open and usable (${database})`, async ({ people }) => {
    const email = await newUser(server, "Kai Lund");
    const kai: Person = await people(server);
    await kai.logIn(email);
    await kai.openProfile();
    const menu = kai.page.getByRole("menu", { name: "More actions" });
    const dialog = kai.page.getByRole("dialog", { name: "Allow to Impersonate?" });

    // Allow, and reach for the menu while the profile is being re-read.
    const reads = await profileReads(kai.page);
    reads.hold();
    await kai.moreActions().click();
    await kai.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect(dialog).toBeHidden();
    await expect.poll(reads.held, { message: "the profile is being re-read" }).toBeGreaterThan(0);
    await kai.moreActions().click();
    await expect(menu).toBeVisible();
    reads.release();
    await expect(kai.page.getByText("Allowed.", { exact: true })).toBeVisible();
    const disallow = kai.page.getByRole("menuitem", { name: "Disallow to Impersonate" });
    await expect(disallow, "the item changed its label where it is").toBeFocused();
    await expect(menu).toBeVisible();

    // Disallow by keyboard, and open the menu again at once, by keyboard too.
    reads.hold();
    await kai.page.keyboard.press("Enter");
    await expect(menu).toBeHidden();
    await expect(kai.moreActions()).toBeFocused();
    await expect.poll(reads.held, { message: "the profile is being re-read" }).toBeGreaterThan(0);
    await kai.page.keyboard.press("Enter");
    await expect(menu).toBeVisible();
    reads.release();
    await expect(kai.page.getByText("Not allowed.")).toBeVisible();
    const allow = kai.page.getByRole("menuitem", { name: "Allow to Impersonate" });
    await expect(allow).toBeFocused();
    await expect(menu).toBeVisible();

    // Still usable: Enter on the item opens the dialog; Escape closes it, and nothing changed.
    await kai.page.keyboard.press("Enter");
    await expect(dialog).toBeVisible();
    await kai.page.keyboard.press("Escape");
    await expect(dialog).toBeHidden();
    await expect(kai.moreActions()).toBeFocused();
    await kai.page.reload();
    await expect(kai.page.getByText("Not allowed.")).toBeVisible();
  });
}

test("pages hydrate cleanly while other people write", async ({ people }) => {
  const email = await newUser("normal", "Lea Moor");
  const lea = await people();
  await lea.logIn(email);
  const ada = await people();
  await ada.logIn("ada@vendor.test");

  // Lea allows and disallows over and over from a page of her own, each change a grant and audit rows.
  const writer = await lea.context.newPage();
  await writer.goto("/");
  const writes = writer.evaluate(async () => {
    let done = 0;
    for (let i = 0; i < 40; i++) {
      for (const action of ["allow", "disallow"]) {
        const response = await fetch(`/api/impersonation/${action}`, { method: "POST" });
        if (response.ok) done += 1;
      }
    }
    return done;
  });

  // Meanwhile pages that show those rows load and hydrate, again and again.
  for (let round = 0; round < 4; round++) {
    for (const [person, path] of [
      [ada, "/audit"],
      [ada, "/impersonate"],
      [lea, "/profile"],
    ] as const) {
      await person.page.goto(path);
      await person.hydrated();
      await expect(person.page.getByRole("heading", { level: 1 })).toBeVisible();
    }
  }
  expect(await writes, "every write was accepted").toBe(80);
  await writer.close();

  // Once the writes stop, the pages show the final state (the fixture checks every console).
  await lea.page.goto("/profile");
  await lea.hydrated();
  await expect(lea.page.getByText("Not allowed.")).toBeVisible();
  await ada.page.goto("/audit");
  await ada.hydrated();
  await expect(ada.page.getByRole("cell", { name: "Lea Moor" }).first()).toBeVisible();
});

test("a dialog left open in one tab closes when the user allows from another", async ({ people }) => {
  const email = await newUser("normal", "Ola Berg");
  const ola = await people();
  await ola.logIn(email);
  await ola.openProfile();
  const dialog = ola.page.getByRole("dialog", { name: "Allow to Impersonate?" });
  await ola.moreActions().click();
  await ola.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
  await dialog.getByRole("radio", { name: /View only/ }).check();

  // Meanwhile, in another tab, Ola allows on the defaults.
  const other = await ola.context.newPage();
  await other.goto("/profile");
  await hydrated(other);
  await other.getByRole("button", { name: "More actions" }).click();
  await other.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
  await other.getByRole("dialog", { name: "Allow to Impersonate?" }).getByRole("button", { name: "Confirm" }).click();

  // The first tab's question is moot: its dialog goes, and its panel says what was allowed.
  await expect(dialog).toBeHidden();
  await expect(ola.page.getByText("Allowed.", { exact: true })).toBeVisible();
  await expect(ola.page.getByText(/Allowed: Full access/)).toBeVisible();
  await expect(ola.moreActions()).toBeFocused();
  await other.close();
});

test("a failed tick puts the box back, and text typed while a task is added stays", async ({ people }) => {
  const email = await newUser("normal", "Rui Sato");
  const rui = await people();
  rui.allowed.push(/status of 500/);
  await rui.logIn(email);
  const title = `Order paper ${Date.now()}`;

  // Adding a task while the field is typed on: the request is held until the next text is in.
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  await rui.page.route("**/api/tasks/add", async (route) => {
    await held;
    await route.continue();
  });
  const field = rui.page.getByLabel("New task");
  await field.fill(title);
  await field.press("Enter");
  await expect(rui.page.getByRole("button", { name: "Add task" })).toBeDisabled();
  await field.fill("Call the printer");
  release();
  const box = rui.page.getByRole("checkbox", { name: title });
  await expect(box).toBeVisible();
  await expect(field, "what was typed after sending stays").toHaveValue("Call the printer");

  // Ticking fails on the server: the box goes back to what is stored.
  await rui.page.route("**/api/tasks/set-done", (route) =>
    route.fulfill({ status: 500, contentType: "application/json", body: '"Internal"' }),
  );
  await box.click();
  await expect(rui.page.getByRole("alert")).toBeVisible();
  await expect(box).not.toBeChecked();
});

test("a change made while the page loads shows once the page is interactive", async ({ people }) => {
  const email = await newUser("normal", "Nora Lind");
  const nora = await people();
  await nora.logIn(email);
  await nora.openProfile();
  await nora.allowImpersonation();
  const ada = await people();
  await ada.logIn("ada@vendor.test");

  // Nora's profile is drawn by the server, and its front end held back while Ada starts.
  const release = await nora.holdFrontEnd();
  await nora.page.goto("/profile");
  await expect(nora.page.getByText("Allowed.", { exact: true })).toBeVisible();
  await ada.impersonate(email, "Nora Lind");
  release();
  await nora.hydrated();

  // The live channel's first message finds the page drawn before the start: it reads again.
  await expect(nora.page.getByText("Being impersonated by Ada Admin")).toBeVisible();
});

test("a task a colleague adds while the home page loads shows once the page is interactive", async ({ people }) => {
  const tenant = `Loading Co ${Date.now().toString(36)}`;
  const [oskar, petra] = await Promise.all([people(), people()]);
  await oskar.logIn(await newUser("normal", "Oskar Lund", tenant));
  await petra.logIn(await newUser("normal", "Petra Holm", tenant));

  // Oskar's home is drawn by the server, and its front end held back while Petra adds a task.
  const release = await oskar.holdFrontEnd();
  await oskar.page.goto("/");
  await expect(oskar.page.getByText("No tasks yet")).toBeVisible();
  await petra.page.getByLabel("New task").fill("Added while Oskar's page loads");
  await petra.page.getByRole("button", { name: "Add task" }).click();
  await expect(petra.page.getByText("Added while Oskar's page loads")).toBeVisible();
  release();
  await oskar.hydrated();

  // The live channel's first message finds the page drawn before the task: it reads again.
  await expect(oskar.page.getByText("Added while Oskar's page loads")).toBeVisible();
});
