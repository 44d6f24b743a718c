// Browser test of the notifications page against a real platform (web + notifications roles),
// started by the app module's NotificationsPageIT with BASE_URL, OPERATOR_TOKEN, OPERATOR_NAME,
// VIEWER_TOKEN, RECEIVER (the configured webhook receiver's name) and RUN (a word unique to this
// run, put in the silences it makes). Prints "ok - name" per check and exits 1 on the first failure.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const operator = process.env.OPERATOR_TOKEN;
const operatorName = process.env.OPERATOR_NAME;
const viewer = process.env.VIEWER_TOKEN;
const receiver = process.env.RECEIVER;
const run = process.env.RUN;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// Every sign of trouble on a page: script errors, console errors, failed or refused requests.
function watch(page, problems) {
  page.on("pageerror", (e) => problems.push("page error: " + e));
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text() + " (" + (m.location() || {}).url + ")"); });
  page.on("requestfailed", (r) => problems.push("request failed: " + r.method() + " " + r.url() + " " + (r.failure() || {}).errorText));
  page.on("response", (r) => { if (r.status() >= 400) problems.push("HTTP " + r.status() + ": " + r.request().method() + " " + r.url()); });
}

// Logs in on the login page, then loads the notifications page afresh with `problems` emptied:
// what is watched is the notifications page, not the login page (which has no icon).
async function login(page, token, problems) {
  await page.goto(base + "/login?next=" + encodeURIComponent("/notifications"));
  await page.fill("#token", token);
  await page.click("#submit");
  await page.waitForURL(base + "/notifications");
  problems.length = 0;
  await page.reload();
}

function card(page) {
  return page.locator("li.receiver", { has: page.locator("h3", { hasText: receiver }) });
}

function silenceRow(page, text) {
  return page.locator("#silence-rows tr", { hasText: text });
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.accept(); });

  await login(page, operator, problems);
  await page.locator("header nav a", { hasText: "Notifications" }).waitFor();
  console.log("ok - the header links to the notifications page");

  // the receiver with its integration
  await card(page).waitFor({ timeout: 20000 });
  const cardText = await card(page).textContent();
  check(cardText.includes("webhook") && cardText.includes("127.0.0.1"), "the receiver shows its webhook: " + cardText);
  console.log("ok - the receiver " + receiver + " is listed with its webhook integration");

  // the routing tree
  await page.waitForFunction((name) => document.querySelector("#route .route-receiver") &&
    document.querySelector("#route .route-receiver").textContent === name, receiver);
  const route = await page.textContent("#route");
  for (const want of ["group by incident", "wait 1s", "interval 2s"]) {
    check(route.includes(want), "the route shows " + want + ": " + route);
  }
  console.log("ok - the routing tree shows the root route: " + route.replace(/\s+/g, " ").trim());

  // the alert the test sent through Alertmanager's webhook was delivered before the page opened
  await page.waitForFunction(() => [...document.querySelectorAll("#log-rows tr")]
    .some((tr) => tr.textContent.includes("delivered") && !tr.textContent.includes("test=")), null, { timeout: 20000 });
  console.log("ok - a routed alert's delivery is among the recent notifications");

  // a test message, sent by clicking, and its outcome
  const before = await page.locator("#log-rows tr").count();
  const test = card(page).locator("button.test-message");
  check(!(await test.isDisabled()), "an operator's test button is disabled");
  await test.click();
  const result = card(page).locator(".test-result");
  await page.waitForFunction((name) => {
    const li = [...document.querySelectorAll("li.receiver")].find((c) => c.querySelector("h3").textContent === name);
    const text = li && li.querySelector(".test-result").textContent;
    return text && text !== "sending…";
  }, receiver, { timeout: 30000 });
  const outcome = await result.textContent();
  check(await result.evaluate((e) => e.classList.contains("ok")), "the test message failed: " + outcome);
  console.log("ok - Send test message shows its outcome: " + outcome);

  // the delivery appears in the log and in the receiver's delivery state
  await page.waitForFunction((n) => document.querySelectorAll("#log-rows tr").length > n, before, { timeout: 20000 });
  console.log("ok - the test delivery is in the recent notifications: " +
    (await page.locator("#log-rows tr").first().textContent()).replace(/\s+/g, " ").trim());
  await page.waitForFunction((name) => {
    const li = [...document.querySelectorAll("li.receiver")].find((c) => c.querySelector("h3").textContent === name);
    return li && li.querySelector(".delivery table");
  }, receiver, { timeout: 20000 });
  console.log("ok - the receiver shows its delivery state: " +
    (await card(page).locator(".delivery").textContent()).replace(/\s+/g, " ").trim());

  // a silence made with the keyboard only: matchers, duration, comment, then Enter on the button
  await page.focus("#silence-matchers");
  await page.keyboard.type("host=\"osd-" + run + "\"\nseverity=\"critical\"");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.id) === "silence-duration", "Tab goes to the duration");
  await page.keyboard.press("Control+A");
  await page.keyboard.type("2h");
  await page.keyboard.press("Tab");
  await page.keyboard.type("disk swap on osd-" + run + " (keep)");
  await page.keyboard.press("Tab");
  check(await page.evaluate(() => document.activeElement.id) === "silence-create", "Tab goes to the create button");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("silence-result").textContent.includes("created"));
  await silenceRow(page, "osd-" + run + " (keep)").waitFor();
  const kept = await silenceRow(page, "osd-" + run + " (keep)").textContent();
  check(kept.includes("active") && kept.includes(operatorName) && kept.includes("host=\"osd-" + run + "\""),
    "the new silence's row: " + kept);
  check(await page.inputValue("#silence-matchers") === "", "the form was not cleared");
  console.log("ok - a silence made with the keyboard is listed as active, by " + operatorName);

  // another one, expired by clicking (after the confirmation)
  await page.fill("#silence-matchers", "host=\"gone-" + run + "\"");
  await page.fill("#silence-duration", "1h");
  await page.fill("#silence-comment", "expire me " + run);
  await page.click("#silence-create");
  const doomed = silenceRow(page, "expire me " + run);
  await doomed.locator("button.expire").waitFor();
  check((await doomed.textContent()).includes("active"), "the second silence is active");
  await doomed.locator("button.expire").click();
  await page.waitForFunction((word) => {
    const tr = [...document.querySelectorAll("#silence-rows tr")].find((r) => r.textContent.includes("expire me " + word));
    return tr && tr.querySelector(".badge").textContent === "expired" && !tr.querySelector("button");
  }, run);
  check(dialogs.some((d) => d.includes("gone-" + run)), "Expire asked first: " + dialogs);
  console.log("ok - Expire asks, then the silence shows as expired with no button");

  // every control is labelled and in the tab order
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("main button, main input, main textarea")]
    .filter((e) => !((e.labels && e.labels.length) || e.getAttribute("aria-label") || e.textContent.trim()) || e.tabIndex < 0)
    .map((e) => e.outerHTML));
  check(unlabelled.length === 0, "unlabelled or unreachable controls: " + unlabelled.join(" "));
  console.log("ok - every control on the page is labelled and reachable by keyboard");

  // a viewer sees the page, with the controls it may not use disabled and saying why
  const viewerContext = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const viewerPage = await viewerContext.newPage();
  const viewerProblems = [];
  watch(viewerPage, viewerProblems);
  viewerPage.on("dialog", (d) => { viewerProblems.push("a dialog opened: " + d.message()); d.dismiss(); });
  await login(viewerPage, viewer, viewerProblems);
  await card(viewerPage).waitFor({ timeout: 20000 });
  await silenceRow(viewerPage, "osd-" + run + " (keep)").waitFor();
  const viewerTest = card(viewerPage).locator("button.test-message");
  check(await viewerTest.isDisabled(), "a viewer's test button is enabled");
  check(/viewer.*operator/.test(await viewerTest.getAttribute("title")), "the test button says why: " + await viewerTest.getAttribute("title"));
  check(await viewerPage.locator("#silence-create").isDisabled(), "a viewer's create button is enabled");
  check(/viewer.*responder/.test(await viewerPage.locator("#silence-create").getAttribute("title")), "the create button says why");
  const viewerExpire = silenceRow(viewerPage, "osd-" + run + " (keep)").locator("button.expire");
  check(await viewerExpire.isDisabled(), "a viewer's Expire button is enabled");
  check(/viewer.*responder/.test(await viewerExpire.getAttribute("title")), "the Expire button says why");
  console.log("ok - a viewer's test, create and Expire buttons are disabled and say why: " + await viewerTest.getAttribute("title"));

  check(problems.length === 0, "the operator's page had trouble: " + problems.join("; "));
  check(viewerProblems.length === 0, "the viewer's page had trouble: " + viewerProblems.join("; "));
  console.log("ok - no console error and no failing request on the page");

  // what follows fails on purpose, so it comes after the check above
  // the server refuses a viewer's changes too, even made with the session's CSRF token
  const refused = await viewerPage.evaluate(async (word) => {
    const keep = (await valentia.api("GET", "/api/v1/silences")).body.find((s) => (s.comment || "").includes(word + " (keep)"));
    return [
      (await valentia.api("POST", "/api/v1/silences", { matchers: ["host=\"x\""], duration: "1h", comment: "viewer" })).status,
      (await valentia.api("DELETE", "/api/v1/silences/" + encodeURIComponent(keep.id))).status,
      (await valentia.api("POST", "/api/v1/notifications/test", { receiver: "team" })).status,
    ];
  }, run);
  check(refused.every((s) => s === 403), "a viewer's create, expire and test answered " + refused);
  console.log("ok - the server refuses a viewer's create, expire and test (403)");

  // every problem of a bad silence is shown
  await page.fill("#silence-matchers", "this is not a matcher");
  await page.fill("#silence-duration", "soon");
  await page.fill("#silence-comment", "bad " + run);
  await page.click("#silence-create");
  await page.waitForFunction(() => document.querySelectorAll("#silence-problems li").length >= 2);
  const shown = await page.locator("#silence-problems li").allTextContents();
  check(shown.some((p) => p.includes("duration")) && shown.some((p) => p.includes("matchers")),
    "the problems of the silence: " + JSON.stringify(shown));
  check(await silenceRow(page, "bad " + run).count() === 0, "a bad silence was listed");
  console.log("ok - a bad silence shows every problem the server found: " + JSON.stringify(shown));
} catch (e) {
  failed = true;
  console.log("not ok - " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
