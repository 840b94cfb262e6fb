// The foundation: logging in, the avatar menu, the profile page, logging out, reading times.
import { test, expect, newUser } from "../support/fixtures";

test("a user logs in, opens their profile from the avatar menu and logs out", async ({ people }) => {
  const carla = await people();
  await carla.logIn("carla@acme.test");
  await expect(carla.page.getByRole("heading", { name: "Acme Corp" })).toBeVisible();
  await expect(carla.page.getByText("Renew the office lease")).toBeVisible();

  await carla.page.getByRole("button", { name: "Account menu" }).click();
  const menu = carla.page.getByRole("menu");
  await expect(menu.getByRole("menuitem").first()).toHaveText("Your Profile");
  await menu.getByRole("menuitem", { name: "Your Profile" }).click();
  await expect(carla.page).toHaveURL(/\/profile$/);
  await expect(carla.page.getByRole("heading", { name: "Carla Diaz" })).toBeVisible();
  await expect(carla.page.getByText("carla@acme.test").first()).toBeVisible();
  await expect(carla.moreActions()).toHaveAttribute("aria-haspopup", "menu");

  await carla.page.getByRole("button", { name: "Account menu" }).click();
  await carla.page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(carla.page).toHaveURL(/\/login$/);
  await carla.page.goto("/profile");
  await expect(carla.page).toHaveURL(/\/login\?next=\/profile$/);
});

test("a visitor is sent to the login page and back to where they were going", async ({ people }) => {
  const carla = await people();
  await carla.page.goto("/profile");
  await expect(carla.page).toHaveURL(/\/login\?next=\/profile$/);
  await carla.page.getByLabel("Email").fill("carla@acme.test");
  await carla.page.getByLabel("Password").fill("impersonate-demo");
  await carla.page.getByRole("button", { name: "Log in" }).click();
  await expect(carla.page).toHaveURL(/\/profile$/);
  await expect(carla.page.getByRole("heading", { name: "Carla Diaz" })).toBeVisible();
});

test("a missing page's link home leads into the app, frame and all", async ({ people }) => {
  // The frame is drawn by the server from the session; a link from a page outside it (here the
  // missing page) has to come back through the server rather than show a frame nobody drew.
  const carla = await people();
  carla.allowed.push(/status of 404/);
  await carla.logIn("carla@acme.test");
  await carla.page.goto("/no-such-page");
  await expect(carla.page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await carla.hydrated();
  // The home page's data comes with the page the server draws: nothing reads it on the way there
  // (a page drawn in the frameless document about to be left would, for nothing).
  const reads: string[] = [];
  carla.page.on("request", (request) => {
    if (new URL(request.url()).pathname.startsWith("/api/home")) reads.push(request.url());
  });
  await carla.page.getByRole("link", { name: "Go to the home page" }).click();
  // Only the page the server draws has the account menu, so `hydrated` then looks at that page,
  // not at the missing page's, hydrated long ago.
  await expect(carla.page.getByRole("button", { name: "Account menu" })).toBeVisible();
  await expect(carla.page.getByRole("heading", { name: "Acme Corp" })).toBeVisible();
  await carla.hydrated();
  expect(reads, "the home page's data read on the way").toEqual([]);
  await carla.page.getByRole("button", { name: "Account menu" }).click();
  await expect(carla.page.getByRole("menuitem", { name: "Your Profile" })).toBeVisible();
});

test("wrong credentials get one clear, generic message", async ({ people }) => {
  // An account of this test's own: five failures in a row lock an account for minutes, so this
  // test run alone again and again (`-g wrong --repeat-each=6`) would lock out a demo login that
  // other tests log in with.
  const email = await newUser("normal", "Olga Ortiz");
  const visitor = await people();
  visitor.allowed.push(/status of 401/);
  await visitor.page.goto("/login");
  await visitor.hydrated();
  await visitor.page.getByLabel("Email").fill(email);
  await visitor.page.getByLabel("Password").fill("not the password");
  await visitor.page.getByRole("button", { name: "Log in" }).click();
  await expect(visitor.page.getByRole("alert")).toHaveText("Wrong email or password.");
  await expect(visitor.page).toHaveURL(/\/login/);
});

test("menus work from the keyboard and give focus back", async ({ people }) => {
  const carla = await people();
  await carla.logIn("carla@acme.test");
  const account = carla.page.getByRole("button", { name: "Account menu" });
  await account.focus();
  await carla.page.keyboard.press("Enter");
  await expect(account).toHaveAttribute("aria-expanded", "true");
  await expect(carla.page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
  await carla.page.keyboard.press("ArrowDown");
  await expect(carla.page.getByRole("menuitem", { name: "Log out" })).toBeFocused();
  await carla.page.keyboard.press("ArrowDown");
  await expect(carla.page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
  await carla.page.keyboard.press("Escape");
  await expect(account).toHaveAttribute("aria-expanded", "false");
  await expect(account).toBeFocused();

  await carla.page.keyboard.press(" ");
  await expect(carla.page.getByRole("menuitem", { name: "Your Profile" })).toBeFocused();
  await carla.page.keyboard.press("Enter");
  await expect(carla.page).toHaveURL(/\/profile$/);

  await carla.moreActions().click();
  await expect(carla.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeVisible();
  await carla.page.getByRole("heading", { name: "Details", exact: true }).click();
  await expect(carla.page.getByRole("menuitem", { name: "Allow to Impersonate" })).toBeHidden();
});

test("a page downloads its front end once: the script and the WASM come from their preloads", async ({ people }) => {
  // The page head preloads both; a preload the page's own fetch cannot use (a credentials mode
  // that does not match) is fetched a second time, the WASM's 300 KB among it.
  const visitor = await people();
  await visitor.page.goto("/login");
  await visitor.hydrated();
  const fetched = await visitor.page.evaluate(() =>
    performance.getEntriesByType("resource").map((entry) => new URL(entry.name).pathname).filter((path) => path.startsWith("/pkg/")),
  );
  expect(fetched.filter((path) => path.endsWith(".wasm")), fetched.join(", ")).toHaveLength(1);
  expect(fetched.filter((path) => path.endsWith(".js")), fetched.join(", ")).toHaveLength(1);
});

test("times read in the reader's own time zone, with the UTC reading on hover", async ({ people }) => {
  const carla = await people("normal", { timezoneId: "Asia/Kolkata" });
  await carla.logIn("carla@acme.test");
  const added = carla.page.getByRole("region", { name: "Tasks" }).locator("time").first();
  const instant = Date.parse((await added.getAttribute("datetime")) ?? "");
  expect(instant).not.toBeNaN();

  await expect(added).toHaveText(reading(instant, 330, "UTC+5:30"));
  await expect(added).toHaveAttribute("title", reading(instant, 0, "UTC"));
});

/** `27 Nov 2026, 19:35 UTC+5:30`: the instant at `offsetMinutes` east of UTC. */
function reading(instant: number, offsetMinutes: number, zone: string): string {
  const t = new Date(instant + offsetMinutes * 60_000);
  const month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${t.getUTCDate()} ${month} ${t.getUTCFullYear()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} ${zone}`;
}
