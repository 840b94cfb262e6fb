// The super admins' side: the switcher, impersonating, the banner, and being sent back.
//
// Each test that changes a user's consent makes that user afresh (`newUser`), so a test can run
// again against the same server (`--repeat-each`) without finding the last run's grants.
import { test, expect, newUser, toSeconds, Person } from "../support/fixtures";

// Whether the audit log has a row matching `name`, looked for page by page: the log shows 25 lines
// a page, newest first, and other tests write to the same server meanwhile, so it may not be on
// the first. New lines only push older ones further down, so going forward never skips one.
// The answer is what the page showed when it looked: the page stays live, and a line seen on it
// may move to the next page a moment later (asserting it afterwards failed for that reason).
async function auditHas(who: Person, name: RegExp): Promise<boolean> {
  // The audit log's own heading first: the page it was opened from may show a table too.
  await expect(who.page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
  await who.hydrated();
  await expect(who.page.getByRole("table")).toBeVisible();
  const pager = who.page.getByRole("navigation", { name: "Pages of the audit log" });
  for (let first = 1; ; first += 25) {
    if ((await who.page.getByRole("row", { name }).count()) > 0) return true;
    const next = pager.getByRole("button", { name: "Next page" });
    if ((await next.count()) === 0 || (await next.isDisabled())) return false;
    await next.click();
    await expect(pager.getByRole("status")).toContainText(`Lines ${first + 25}–`);
  }
}

test("a super admin impersonates a user who allows it, while the user keeps working, until the user disallows", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Finn Moss", "Acme Corp");
  const finn = await userWhoAllows(email);
  // This run's own words, so a line or task from an earlier run of this test cannot answer for it.
  const run = Date.now().toString(36);

  const ada = await people();
  await ada.logIn("ada@vendor.test");
  await ada.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Impersonate a user" }).click();
  await expect(ada.page.getByRole("heading", { name: "Impersonate a user" })).toBeVisible();
  await ada.hydrated();
  await ada.searchSwitcher(email);
  const row = ada.page.getByRole("row", { name: /Finn Moss/ });
  await expect(row).toContainText(email);
  await expect(row).toContainText("Start before");
  await ada.page.getByLabel(/Reason/).fill(`Ticket ${run}: export fails`);
  await row.getByRole("button", { name: "Impersonate Finn Moss" }).click();

  const banner = ada.banner();
  await expect(banner).toContainText("Impersonating Finn Moss (Acme Corp)");
  await expect(ada.page.getByRole("heading", { name: "Acme Corp" })).toBeVisible();
  await expect(ada.page.getByText("Fix the invoice export")).toBeVisible();
  await ada.hydrated();
  const first = await ada.secondsLeft();
  expect(first).toBeLessThanOrEqual(24 * 3600);
  await expect.poll(() => ada.secondsLeft(), { message: "the countdown goes down" }).toBeLessThan(first);

  // The user is never disturbed, and sees who is in.
  await finn.page.reload();
  await expect(finn.page.getByText("Being impersonated by Ada Admin")).toBeVisible();
  await finn.hydrated();
  await finn.page.getByRole("link", { name: "Home" }).click();
  await finn.page.getByLabel("New task").fill(`Written by Finn meanwhile ${run}`);
  await finn.page.getByRole("button", { name: "Add task" }).click();
  await expect(finn.page.getByText(`Written by Finn meanwhile ${run}`)).toBeVisible();
  // The impersonator sees what the user sees: the open page shows the new task without a reload.
  await expect(ada.page.getByText(`Written by Finn meanwhile ${run}`)).toBeVisible();

  // The impersonator works as the user; the audit log will say it was Ada.
  await ada.page.getByLabel("New task").fill(`Written by support as Finn ${run}`);
  await ada.page.getByRole("button", { name: "Add task" }).click();
  await expect(ada.page.getByText(`Written by support as Finn ${run}`)).toBeVisible();
  await expect(finn.page.getByText(`Written by support as Finn ${run}`)).toBeVisible();

  // The user disallows: the impersonator's open page leaves by itself and says why.
  await finn.openProfile();
  await finn.disallowImpersonation();
  await expect(ada.page).toHaveURL(/\/impersonate$/);
  await expect(ada.page.getByRole("status")).toContainText("Your impersonation of Finn Moss has ended.");
  await expect(ada.page.getByRole("status")).toContainText(/Ended \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC/);
  await expect(ada.page.getByRole("status")).toContainText("The user disallowed impersonation.");
  await expect(ada.page.getByRole("row").filter({ hasText: email })).toHaveCount(0);
  await expect(ada.banner()).toHaveCount(0);

  await ada.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  expect(
    await auditHas(ada, new RegExp(`Wrote while impersonating .*Finn Moss.*Ada Admin.*Written by support as Finn ${run}`)),
    "the write is in the audit log, as Ada's",
  ).toBe(true);
  await ada.page.reload();
  expect(await auditHas(ada, new RegExp(`Started impersonating .*Ticket ${run}`)), "the start is in the audit log, with its reason").toBe(true);
});

test("an ordinary user neither sees the switcher nor can open it", async ({ people }) => {
  const gina = await people();
  gina.allowed.push(/status of 403/);
  await gina.logIn("gina@acme.test");
  await expect(gina.page.getByRole("link", { name: "Impersonate a user" })).toHaveCount(0);
  const response = await gina.page.goto("/impersonate");
  expect(response?.status()).toBe(403);
  await expect(gina.page.getByRole("alert")).toHaveText("Only super admins, in their own session, can see this.");
  await expect(gina.page.getByRole("button", { name: /^Impersonate / })).toHaveCount(0);
});

test("an impersonator cannot allow or disallow: the menu says why and the server refuses", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Hugo Blanc", "Acme Corp");
  const hugo = await userWhoAllows(email);

  const sam = await people();
  await sam.logIn("sam@vendor.test");
  await sam.impersonate(email, "Hugo Blanc");
  await sam.openProfile();
  await expect(sam.page.getByRole("heading", { name: "Hugo Blanc" })).toBeVisible();
  await sam.moreActions().click();
  const item = sam.page.getByRole("menuitem", { name: "Disallow to Impersonate" });
  await expect(item).toHaveAttribute("aria-disabled", "true");
  await expect(item).toHaveAccessibleDescription("Only Hugo Blanc can allow or disallow impersonation, not an impersonator.");
  await item.click({ force: true });
  await expect(sam.page.getByText("Being impersonated by Sam Support")).toBeVisible();

  const refused = await sam.page.request.post("/api/impersonation/disallow", { headers: { origin: sam.base } });
  expect(refused.status()).toBe(403);
  const allowRefused = await sam.page.request.post("/api/impersonation/allow", { headers: { origin: sam.base } });
  expect(allowRefused.status()).toBe(403);
  await hugo.page.reload();
  await expect(hugo.page.getByText("Being impersonated by Sam Support")).toBeVisible();
});

test("two super admins impersonate one user; when one stops, the other is out too", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Jon Berg", "Acme Corp");
  await userWhoAllows(email);

  const ada = await people();
  await ada.logIn("ada@vendor.test");
  await ada.impersonate(email, "Jon Berg");
  const sam = await people();
  await sam.logIn("sam@vendor.test");
  await sam.openSwitcher();
  await sam.searchSwitcher(email);
  await expect(sam.page.getByRole("row", { name: /Jon Berg/ })).toContainText("In progress by Ada Admin");
  await sam.impersonateListed("Jon Berg");

  await ada.banner().getByRole("button", { name: "Stop impersonating" }).click();
  await expect(ada.page).toHaveURL(/\/impersonate$/);
  await expect(ada.page.getByRole("heading", { name: "Impersonate a user" })).toBeVisible();
  await expect(ada.banner()).toHaveCount(0);

  await expect(sam.page).toHaveURL(/\/impersonate$/);
  await expect(sam.page.getByRole("status")).toContainText("Another super admin stopped impersonating this user");
});

test("a super admin who stops and starts again continues the same countdown", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Hana Ito", "Globex");
  await userWhoAllows(email);

  const ada = await people();
  await ada.logIn("ada@vendor.test");
  await ada.impersonate(email, "Hana Ito");
  const before = await ada.secondsLeft();
  await ada.banner().getByRole("button", { name: "Stop impersonating" }).click();
  await expect(ada.page).toHaveURL(/\/impersonate$/);
  await ada.hydrated();
  await ada.searchSwitcher(email);
  const row = ada.page.getByRole("row", { name: /Hana Ito/ });
  await expect(row).toContainText("ends at");
  // Let the clock run (watched on the row's own countdown), so a restarted window would show more
  // time than the first one has left.
  await expect.poll(async () => toSeconds(await row.getByRole("timer").innerText()), { timeout: 15_000 }).toBeLessThanOrEqual(before - 3);
  await ada.impersonateListed("Hana Ito");
  expect(await ada.secondsLeft()).toBeLessThanOrEqual(before - 2);
});

test("a laptop whose clock is hours off still counts down the server's time", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Ann Lee", "Acme Corp");
  await userWhoAllows(email);
  const ada = await people();
  // This browser believes it is three hours later than it is.
  await ada.page.addInitScript(() => {
    const realNow = Date.now;
    Date.now = () => realNow() + 3 * 3600 * 1000;
  });
  await ada.logIn("ada@vendor.test");
  await ada.impersonate(email, "Ann Lee");
  // Give the countdown a few ticks after the live channel measured the server's clock.
  await expect.poll(() => ada.secondsLeft()).toBeLessThan(24 * 3600 - 1);
  const left = await ada.secondsLeft();
  expect(left).toBeGreaterThan(24 * 3600 - 60);
  expect(left).toBeLessThanOrEqual(24 * 3600);
});

test("what a super admin types before the switcher is interactive is kept, and searched for", async ({ people, userWhoAllows }) => {
  const email = await newUser("normal", "Ivo Pike", "Acme Corp");
  await userWhoAllows(email);
  // Someone else allows too, so the list before the search has more than Ivo's row.
  await userWhoAllows(await newUser("normal", "Ivy Pole", "Acme Corp"));
  const ada = await people();
  await ada.logIn("ada@vendor.test");

  // The switcher arrives from the server; its front end is held back while Ada types.
  const release = await ada.holdFrontEnd();
  await ada.page.goto("/impersonate");
  await expect(ada.page.getByRole("row", { name: /Ivy Pole/ })).not.toHaveCount(0);
  await ada.page.getByLabel("Search users").fill(email);
  await ada.page.getByLabel(/Reason/).fill("Ticket 42");
  release();
  await ada.hydrated();

  await expect(ada.page.getByLabel("Search users")).toHaveValue(email);
  await expect(ada.page.getByLabel(/Reason/)).toHaveValue("Ticket 42");
  await expect(ada.page.getByRole("row").filter({ hasNot: ada.page.getByRole("columnheader") })).toHaveCount(1);
  await expect(ada.page.getByRole("row", { name: /Ivo Pike/ })).toContainText(email);
});
