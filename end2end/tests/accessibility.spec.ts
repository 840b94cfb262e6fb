// axe-core on every screen and state people use: no serious or critical violations.
import AxeBuilder from "@axe-core/playwright";
import { Page } from "@playwright/test";
import { test, expect } from "../support/fixtures";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("the login, home, profile (menu and dialog open) and switcher pages pass axe", async ({ people }) => {
  const iris = await people();
  await iris.page.goto("/login");
  await iris.hydrated();
  expect(await seriousViolations(iris.page), "login").toEqual([]);

  await iris.logIn("iris@acme.test");
  expect(await seriousViolations(iris.page), "home").toEqual([]);

  await iris.openProfile();
  expect(await seriousViolations(iris.page), "profile").toEqual([]);
  await iris.moreActions().click();
  await expect(iris.page.getByRole("menu", { name: "More actions" })).toBeVisible();
  expect(await seriousViolations(iris.page), "profile with the menu open").toEqual([]);
  await iris.page.getByRole("menuitem", { name: "Allow to Impersonate" }).click();
  await expect(iris.page.getByRole("dialog")).toBeVisible();
  expect(await seriousViolations(iris.page), "profile with the dialog open").toEqual([]);
  await iris.page.keyboard.press("Escape");
  await expect(iris.page.getByRole("dialog")).toBeHidden();

  const ada = await people();
  await ada.logIn("ada@vendor.test");
  await ada.openSwitcher();
  expect(await seriousViolations(ada.page), "switcher").toEqual([]);
  await ada.page.goto("/audit");
  await ada.hydrated();
  expect(await seriousViolations(ada.page), "audit log").toEqual([]);
});

test("the app is usable at 360 px wide", async ({ people }) => {
  const iris = await people();
  await iris.page.setViewportSize({ width: 360, height: 740 });
  await iris.logIn("iris@acme.test");
  const overflow = await iris.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow, "no sideways scrolling").toBeLessThanOrEqual(0);
  await iris.openProfile();
  await expect(iris.moreActions()).toBeInViewport();
  expect(await seriousViolations(iris.page), "profile at 360 px").toEqual([]);
});
