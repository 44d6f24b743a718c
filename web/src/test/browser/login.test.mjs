// The login page's redirect: after a login the browser goes to "next" only when it is a path of
// this origin; every form a browser would read as another host lands on "/". Started by BrowserIT
// with BASE_URL and VIEWER_TOKEN. Prints "ok - name" per check and exits 1 on the first failure.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const viewer = process.env.VIEWER_TOKEN;
const origin = new URL(base).origin;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const hostile = [
  "//evil.example/",
  "/\\evil.example/",
  "/\\/evil.example/",
  "/\t/evil.example/",
  "/%09/evil.example/",
  "https://evil.example/",
  "javascript:alert(1)",
  "/\\\\evil.example",
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  for (const next of hostile) {
    const context = await browser.newContext();
    const page = await context.newPage();
    // a request to any other host would leave this origin: refuse it outright
    await page.route((url) => url.origin !== origin, (route) => route.abort());
    await page.goto(base + "/login?next=" + encodeURIComponent(next));
    await page.fill("#token", viewer);
    await page.click("#submit");
    await page.waitForURL((url) => !url.pathname.startsWith("/login"), { timeout: 10000 })
      .catch(() => {});
    const landed = new URL(page.url());
    check(landed.origin === origin, "next=" + JSON.stringify(next) + " left for " + page.url());
    await context.close();
  }
  console.log("ok - no next address takes the browser to another site after the login");

  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(base + "/login?next=" + encodeURIComponent("/incidents?id=x#top"));
  await page.fill("#token", viewer);
  await page.click("#submit");
  await page.waitForURL(base + "/incidents?id=x#top");
  console.log("ok - a path of this origin is kept with its query and fragment");
} catch (e) {
  failed = true;
  console.log("not ok - " + e.message);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
