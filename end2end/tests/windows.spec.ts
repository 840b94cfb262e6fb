// Windows running out, on the server whose windows last seconds (support/windows.ts).
import { test, expect, toSeconds } from "../support/fixtures";
import { SHORT_WINDOWS } from "../support/windows";

test.describe.configure({ mode: "serial" });

// The windows open when the user allows, and last seconds: the super admin is logged in and on
// the switcher before that (it shows a new grant by itself), so a slow login cannot eat them.

test("a start window that passes unstarted takes the user off the switcher and flips the profile back", async ({ people, userWhoAllows }) => {
  const ada = await people("short");
  await ada.logIn("ada@vendor.test");
  await ada.openSwitcher();
  const ann = await userWhoAllows("ann@acme.test", "short");

  const row = ada.page.getByRole("row", { name: /Ann Lee/ });
  await expect(row).toContainText("Start before");
  expect(toSeconds(await row.getByRole("timer").innerText())).toBeLessThanOrEqual(SHORT_WINDOWS.startWindowSeconds);

  const wait = (SHORT_WINDOWS.startWindowSeconds + 5) * 1000;
  await expect(row).toHaveCount(0, { timeout: wait });
  await expect(ada.page.getByText("Nobody allows impersonation right now.")).toBeVisible();
  await expect(ann.page.getByText("Not allowed.")).toBeVisible();
  await ann.moreActions().click();
  await expect(ann.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeVisible();
});

test("when the duration is over the impersonator is out at zero", async ({ people, userWhoAllows }) => {
  const sam = await people("short");
  await sam.logIn("sam@vendor.test");
  await sam.openSwitcher();
  const bob = await userWhoAllows("bob@acme.test", "short");

  await sam.searchSwitcher("bob@acme.test");
  await sam.impersonateListed("Bob Stone");
  expect(await sam.secondsLeft()).toBeLessThanOrEqual(SHORT_WINDOWS.durationSeconds);
  await expect(bob.page.getByText("Being impersonated by Sam Support")).toBeVisible();

  await expect(sam.page).toHaveURL(/\/impersonate$/, { timeout: (SHORT_WINDOWS.durationSeconds + 5) * 1000 });
  await expect(sam.page.getByRole("status")).toContainText("The impersonation window is over.");
  await expect(sam.banner()).toHaveCount(0);
  await expect(bob.page.getByText("Not allowed.")).toBeVisible();
});
