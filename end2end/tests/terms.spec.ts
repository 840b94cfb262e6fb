// Consent on the user's terms: view only or full access and a chosen length, picked in the confirm
// dialog by keyboard alone; the impersonator's banner and controls follow them; and the user is
// told on every open page the moment someone starts.
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { test, expect, hydrated, newUser } from "../support/fixtures";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("a user allows view only for 8 hours by keyboard alone; the impersonator sees View only and can change nothing", async ({ people }) => {
  const email = await newUser("normal", "Vera Quill");
  const vera = await people();
  await vera.logIn(email);
  await vera.openProfile();

  await vera.moreActions().focus();
  await vera.page.keyboard.press("Enter");
  await expect(vera.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeFocused();
  await vera.page.keyboard.press("Enter");
  const dialog = vera.page.getByRole("dialog", { name: "Allow to Impersonate?" });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  // The defaults are today's behaviour: full access, for the usual day.
  const full = dialog.getByRole("radio", { name: /^Full access/ });
  const viewOnly = dialog.getByRole("radio", { name: /^View only/ });
  const day = dialog.getByRole("radio", { name: "24 hours (default)" });
  await expect(full).toBeChecked();
  await expect(day).toBeChecked();
  await expect(dialog.getByRole("radio", { name: "3 days" })).toHaveCount(0);
  expect(await seriousViolations(vera.page), "the dialog with its choices").toEqual([]);

  await vera.page.keyboard.press("Shift+Tab");
  await expect(day).toBeFocused();
  await vera.page.keyboard.press("ArrowUp");
  await expect(dialog.getByRole("radio", { name: "8 hours" })).toBeChecked();
  await expect(dialog).toContainText("lasts 8 hours from its start");
  await vera.page.keyboard.press("Shift+Tab");
  await expect(full).toBeFocused();
  await vera.page.keyboard.press("ArrowDown");
  await expect(viewOnly).toBeChecked();
  await vera.page.keyboard.press("Tab");
  await vera.page.keyboard.press("Tab");
  await vera.page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Confirm" })).toBeFocused();
  await vera.page.keyboard.press("Enter");
  await expect(dialog).toBeHidden();
  await expect(vera.page.getByText("Allowed: View only · 8 hours from the first start")).toBeVisible();

  const sam = await people();
  await sam.logIn("sam@vendor.test");
  await sam.openSwitcher();
  await sam.searchSwitcher(email);
  await expect(sam.page.getByRole("row", { name: /Vera Quill/ })).toContainText("View only · 8 hours from the first start");
  await sam.impersonateListed("Vera Quill");
  await expect(sam.banner()).toContainText("View only");
  await expect(sam.page.getByText("View-only access: the user allowed viewing, not changes.")).toBeVisible();
  await expect(sam.page.getByLabel("New task")).toBeDisabled();
  await expect(sam.page.getByRole("button", { name: "Add task" })).toBeDisabled();
  expect(await seriousViolations(sam.page), "a view-only impersonator's home").toEqual([]);
});

// No stopwatch here (a slow machine is no fault of the product): server/tests/api/live.rs proves
// changes are pushed, not found by a re-check, and terms.rs that the user's channel names who
// started; here every open page shows it by itself.
test("the user is told on every open page when someone starts, and can disallow from the notice", async ({ people }) => {
  const email = await newUser("normal", "Nora Quill");
  const nora = await people();
  await nora.logIn(email);
  await nora.openProfile();
  await nora.allowImpersonation();
  const home = await nora.context.newPage();
  await home.goto("/");
  await hydrated(home);

  const ada = await people();
  await ada.logIn("ada@vendor.test");
  await ada.impersonate(email, "Nora Quill");
  const started = "Ada Admin started impersonating you";
  await expect(nora.page.getByText(started)).toBeVisible();
  await expect(home.getByText(started)).toBeVisible();
  await expect(nora.page.getByText("Being impersonated by Ada Admin")).toBeVisible();
  expect(await seriousViolations(home), "a page with the notice").toEqual([]);

  // Dismissed on one page, it stays dismissed there: a later join shows only the new one.
  await home.getByRole("button", { name: "Dismiss this notice" }).click();
  await expect(home.getByText(started)).toBeHidden();
  await home.reload();
  await hydrated(home);
  const sam = await people();
  await sam.logIn("sam@vendor.test");
  await sam.impersonate(email, "Nora Quill");
  await expect(home.getByText("Sam Support started impersonating you")).toBeVisible();
  await expect(home.getByText(started)).toBeHidden();

  // Disallow from the notice: every impersonation of Nora ends at once.
  await nora.page.getByRole("button", { name: "Disallow", exact: true }).first().click();
  await expect(nora.page.getByText("Not allowed.")).toBeVisible();
  await expect(nora.page.getByText(started)).toBeHidden();
  await expect(ada.page).toHaveURL(/\/impersonate$/);
  await expect(sam.page).toHaveURL(/\/impersonate$/);
});
