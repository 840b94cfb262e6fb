// The user's side: allowing with a confirmation, disallowing at once, the live status.
import { test, expect, newUser } from "../support/fixtures";

test("a user allows impersonation through the confirm dialog, then disallows", async ({ people }) => {
  const dan = await people();
  await dan.logIn("dan@acme.test");
  await dan.openProfile();
  await expect(dan.page.getByText("Not allowed.")).toBeVisible();

  await dan.moreActions().click();
  await dan.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
  const dialog = dan.page.getByRole("dialog", { name: "Allow to Impersonate?" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("They have 24 hours to start.");
  await expect(dialog).toContainText("lasts 24 hours from its start");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
  await expect(dan.moreActions()).toBeFocused();
  await expect(dan.page.getByText("Allowed.", { exact: true })).toBeVisible();
  await expect(dan.page.getByRole("timer")).toHaveText(/^(23:59:\d\d|24:00:00)$/);

  await dan.moreActions().click();
  await dan.page.getByRole("menuitem", { name: "Disallow to Impersonate" }).click();
  await expect(dialog).toBeHidden();
  await expect(dan.page.getByText("Not allowed.")).toBeVisible();
  await dan.moreActions().click();
  await expect(dan.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeVisible();

  // The change is stored, not just shown.
  await dan.page.reload();
  await expect(dan.page.getByText("Not allowed.")).toBeVisible();
});

test("Cancel and Escape close the dialog and change nothing", async ({ people }) => {
  const eve = await people();
  await eve.logIn("eve@acme.test");
  await eve.openProfile();
  const dialog = eve.page.getByRole("dialog", { name: "Allow to Impersonate?" });

  await eve.moreActions().click();
  await eve.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(eve.moreActions()).toBeFocused();

  await eve.page.keyboard.press("Enter");
  await expect(eve.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeFocused();
  await eve.page.keyboard.press("Enter");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await eve.page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await expect(eve.moreActions()).toBeFocused();

  await expect(eve.page.getByText("Not allowed.")).toBeVisible();
  await eve.page.reload();
  await expect(eve.page.getByText("Not allowed.")).toBeVisible();
});

test("a user changes their password and logs in with the new one", async ({ people }) => {
  // A user of this test's own: a demo login whose password changed could not log in on a second run.
  const email = await newUser("normal", "Gus Grant", "Globex");
  const gus = await people();
  gus.allowed.push(/status of 422/);
  await gus.logIn(email);
  await gus.openProfile();
  await gus.page.getByLabel("Current password").fill("not the password");
  await gus.page.getByLabel("New password").fill("a brand new passphrase");
  await gus.page.getByRole("button", { name: "Change password" }).click();
  await expect(gus.page.getByRole("alert")).toHaveText("Your current password is not right.");
  await expect(gus.page.getByLabel("New password")).toHaveValue("a brand new passphrase");

  await gus.page.getByLabel("Current password").fill("impersonate-demo");
  await gus.page.getByRole("button", { name: "Change password" }).click();
  await expect(gus.page.getByRole("status").filter({ hasText: "Password changed." })).toBeVisible();
  await expect(gus.page.getByLabel("New password")).toHaveValue("");
  // This session goes on under a new secret: the browser got it with the answer.
  await gus.page.reload();
  await expect(gus.page.getByRole("heading", { level: 1, name: "Gus Grant" })).toBeVisible();
  await expect(gus.page).toHaveURL(/\/profile$/);

  const again = await people();
  await again.logIn(email, "a brand new passphrase");
  await expect(again.page.getByRole("heading", { name: "Globex" })).toBeVisible();
});

test("a user changes their login email, with their password, and logs in with the new one", async ({ people }) => {
  const email = await newUser("normal", "Hal Hart", "Globex");
  const hal = await people();
  hal.allowed.push(/status of 422/);
  await hal.logIn(email);
  await hal.openProfile();
  const renamed = email.replace("@", ".new@");
  await hal.page.getByLabel("New email").fill(renamed);
  await hal.page.getByLabel("Your password").fill("not the password");
  await hal.page.getByRole("button", { name: "Change email" }).click();
  await expect(hal.page.getByRole("alert")).toHaveText("Your current password is not right.");
  await expect(hal.page.getByRole("definition").filter({ hasText: email })).toBeVisible();

  await hal.page.getByLabel("Your password").fill("impersonate-demo");
  await hal.page.getByRole("button", { name: "Change email" }).click();
  await expect(hal.page.getByRole("status").filter({ hasText: "Email changed." })).toBeVisible();
  await expect(hal.page.getByLabel("Your password")).toHaveValue("");
  await expect(hal.page.getByRole("definition").filter({ hasText: renamed })).toBeVisible();

  const again = await people();
  await again.logIn(renamed);
  await expect(again.page.getByRole("heading", { name: "Globex" })).toBeVisible();
});
