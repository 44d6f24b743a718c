// Browser tests of the web UI in headless Chromium (Debian's /usr/bin/chromium, driven by
// playwright-core; nothing downloads a browser). Started by BrowserIT with BASE_URL, the tokens and
// EMIT_TOKEN for the test-only emit route. Prints "ok - name" per check and exits 1 on the first
// failure.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const viewer = process.env.VIEWER_TOKEN;
const operator = process.env.OPERATOR_TOKEN;
const admin = process.env.EMIT_TOKEN;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function emit(event) {
  const response = await fetch(base + "/api/v1/test-emit", {
    method: "POST",
    headers: { "Authorization": "Bearer " + admin, "Content-Type": "application/json" },
    body: JSON.stringify(event),
  });
  check(response.status === 202, "emit answered " + response.status + " " + (await response.text()));
}

async function login(page, token, next) {
  await page.goto(base + "/login?next=" + encodeURIComponent(next));
  await page.fill("#token", token);
  await page.click("#submit");
  await page.waitForURL(base + next);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
const errors = [];
try {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => d.accept());

  // login is required: /live sends an anonymous visitor to the login page
  await page.goto(base + "/live");
  await page.waitForURL(/\/login/);
  console.log("ok - an anonymous visitor is sent to the login page");

  await page.fill("#token", "vt_wrong");
  await page.click("#submit");
  await page.waitForFunction(() => document.getElementById("error").textContent.length > 0);
  console.log("ok - a wrong token is refused with a message");

  await login(page, viewer, "/live");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");

  // an event appears within 1 s, its hostile data as text
  const subject = "xss-" + Date.now();
  const hostile = { note: "<script>window.__pwned = 1</script>", img: "<img src=x onerror=\"window.__pwned = 2\">" };
  await emit({ type: "com.example.ui.test.v1", subject, severity: "critical", data: hostile });
  const started = Date.now(); // the event is in Kafka now
  await page.locator(".row", { hasText: subject }).first().waitFor({ timeout: 1000 });
  console.log("ok - an emitted event appears in the live view within 1 s (" + (Date.now() - started) + " ms after Kafka stored it)");
  const rowText = await page.locator(".row", { hasText: subject }).first().textContent();
  check(rowText.includes("<script>") && rowText.includes("<img"), "the row shows the markup as text: " + rowText);
  check(await page.evaluate(() => window.__pwned === undefined), "hostile data ran");
  check(await page.locator("#list img, #list script").count() === 0, "hostile data became elements");
  check(await page.locator(".row.sev-critical", { hasText: subject }).count() === 1, "critical rows are coloured");
  await page.locator(".row", { hasText: subject }).first().click();
  const detail = await page.textContent("#detail");
  check(detail.includes("\"subject\": \"" + subject + "\"") && detail.includes("<img src=x"), "detail pane: " + detail);
  check(await page.locator("#detail img").count() === 0, "the detail pane made elements");
  console.log("ok - event data with <script> and <img onerror> shows as text and runs nothing");

  // the filter works: at once on what is here, then on the server
  const keep = "keep-" + Date.now();
  await emit({ type: "com.example.ui.test.v1", subject: keep, data: { n: 1 } });
  await page.locator(".row", { hasText: keep }).first().waitFor({ timeout: 5000 });
  await page.fill("#filter", "subject == '" + keep + "'");
  // Apply clicked in the page: what the list holds is read in the same task, before the server
  // could have answered anything
  const atOnce = await page.evaluate(async () => {
    document.getElementById("apply").click();
    const state = document.getElementById("state").textContent;
    const subjects = events.map((e) => e.subject);
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { state, subjects, rows: [...document.querySelectorAll(".row")].map((r) => r.textContent) };
  });
  check(atOnce.state === "connecting", "the stream was not restarting: " + atOnce.state);
  check(atOnce.subjects.length === 1 && atOnce.subjects[0] === keep, "the list right after Apply: " + JSON.stringify(atOnce));
  check(atOnce.rows.length === 1 && atOnce.rows[0].includes(keep), "the rows right after Apply: " + JSON.stringify(atOnce));
  check(await page.locator(".row", { hasText: subject }).count() === 0, "the filtered-out event is still shown");
  console.log("ok - a new filter applies at once to the events already received, before the stream restarted");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  await emit({ type: "com.example.ui.test.v1", subject: "other-" + Date.now(), data: { n: 1 } });
  await emit({ type: "com.example.ui.test.v1", subject: keep, data: { n: 2 } });
  await page.locator(".row", { hasText: "\"n\":2" }).first().waitFor({ timeout: 5000 });
  check(await page.locator(".row", { hasText: keep }).count() === 2, "rows: " + await page.locator(".row").allTextContents());
  // an event a stream sends again (as a reconnection may) is recognised by its id
  const again = await page.evaluate(async () => {
    for (const event of events.slice()) take(JSON.parse(JSON.stringify(event)));
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
    return { rows: document.querySelectorAll(".row").length, ids: new Set(events.map((e) => e.id)).size, shown: events.length };
  });
  check(again.rows === 2 && again.ids === again.shown, "after the same events came again: " + JSON.stringify(again));
  console.log("ok - the restarted stream adds the new events, and an event sent again is shown once");
  // back to no filter: everything received is there again, without waiting for the server
  await page.fill("#filter", "");
  await page.click("#apply");
  await page.waitForFunction((s) => [...document.querySelectorAll(".row")].some((r) => r.textContent.includes(s)), subject, { timeout: 500 });
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  await page.fill("#filter", "subject == '" + keep + "'");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  check(await page.locator(".row").count() === 2, "the filter let another event through");
  console.log("ok - the filter box selects events on the server and in the page");

  await page.fill("#filter", "subject = 'x'");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("filter-error").textContent.includes("column"));
  console.log("ok - a bad filter shows the server's error");

  // pause keeps the list still, buffers what arrives and says how much; resume shows it
  await page.fill("#filter", "subject == '" + keep + "'");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  await page.click("#pause");
  check(await page.getAttribute("#pause", "aria-pressed") === "true", "the pause button's state");
  for (const n of [3, 4, 5]) await emit({ type: "com.example.ui.test.v1", subject: keep, data: { n } });
  await page.waitForFunction(() => document.getElementById("state").textContent === "paused — 3 new", null, { timeout: 5000 });
  check(await page.locator(".row").count() === 2, "a paused list grew");
  await page.click("#pause");
  await page.waitForFunction(() => document.querySelectorAll(".row").length === 5);
  check(await page.textContent("#state") === "live", "after resume: " + await page.textContent("#state"));
  check((await page.locator(".row").first().textContent()).includes("\"n\":5"), "the newest buffered event is on top");
  console.log("ok - pause holds the list, shows \"paused — 3 new\" and resume shows the buffered events");

  // the frame-time distribution sums the stats events' histograms, late frames marked
  const hmd = "hmd-" + Date.now();
  await page.fill("#filter", "subject == '" + hmd + "'");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  const buckets = Array(45).fill(0);
  buckets[22] = 85;
  buckets[44] = 3;
  await emit({
    type: "io.valentia.probe.frame.stats.v1", subject: hmd,
    data: { hz: 90, frames: 88, dropped: 3, fps: 88.0, p50Micros: 11100, p99Micros: 22300, maxMicros: 22400,
      intervalMillis: 1000, source: "loop", histogram: { bucketMicros: 500, counts: buckets } },
  });
  await page.waitForFunction(() => document.querySelectorAll("#frame-chart svg rect.bar").length === 2, null, { timeout: 5000 });
  check(await page.locator("#frame-chart svg rect.bar.late").count() === 1, "the late frames' bar is marked");
  const frameSummary = await page.textContent("#frame-summary");
  check(frameSummary.includes("88 frames") && frameSummary.includes("3 over the budget"), "frame summary: " + frameSummary);
  console.log("ok - the frame-time distribution shows the frames and those over the budget");

  // a busy stream: the list gets a sample and says so, the rate chart counts every event
  await page.goto(base + "/live?sample=2");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  const busy = "busy-" + Date.now();
  await page.fill("#filter", "subject == '" + busy + "'");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  await Promise.all(Array.from({ length: 12 }, (_, n) => emit({ type: "com.example.ui.busy.v1", subject: busy, data: { n } })));
  await page.waitForFunction(() => /showing \d+ of \d+ per second/.test(document.getElementById("sampling").textContent), null, { timeout: 5000 });
  await page.waitForFunction(() => rateChart && rateChart.data[1] && rateChart.data[1].reduce((a, b) => a + b, 0) === 12, null, { timeout: 5000 });
  const shown = await page.evaluate(() => Number(/(\d+) received/.exec(document.getElementById("counts").textContent)[1]));
  check(shown >= 2 && shown < 12, "the sampled list received " + shown + " of 12 events");
  console.log("ok - a busy stream's list is sampled with a notice while the rate chart counts all " + 12 + " events");

  // axis labels: none touches its neighbour, at 1280 px and at phone width
  await emit({
    type: "io.valentia.probe.frame.stats.v1", subject: busy,
    data: { hz: 90, frames: 88, dropped: 3, fps: 88.0, p50Micros: 11100, p99Micros: 22300, maxMicros: 22400,
      intervalMillis: 1000, source: "loop", histogram: { bucketMicros: 250, counts: Array.from({ length: 160 }, (_, i) => (i % 7 === 0 ? 5 : 0)) } },
  });
  await page.waitForFunction(() => document.querySelectorAll("#frame-chart svg rect.bar").length > 0, null, { timeout: 5000 });
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    await page.waitForTimeout(1200); // the charts redraw once a second
    const overlaps = await page.evaluate(() => {
      const bad = [];
      const apart = (boxes, what) => {
        boxes.sort((a, b) => a.x - b.x || a.y - b.y);
        for (let i = 1; i < boxes.length; i++) {
          const a = boxes[i - 1], b = boxes[i];
          const disjoint = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
          if (!disjoint) bad.push(what + ": " + a.text + " / " + b.text);
        }
      };
      // uPlot draws on a canvas: measure each tick label as it draws it
      const ctx = document.createElement("canvas").getContext("2d");
      rateChart.axes.forEach((axis, i) => {
        const scale = i === 0 ? "x" : "y";
        ctx.font = axis.font[0];
        const size = axis.font[1];
        const boxes = [];
        axis._splits.forEach((split, n) => {
          const text = axis._values[n];
          if (text === null || text === undefined || text === "") return;
          const pos = rateChart.valToPos(i === 0 ? split : split, scale);
          const w = ctx.measureText(String(text)).width;
          boxes.push(i === 0 ? { x: pos - w / 2, y: 0, w, h: size, text } : { x: 0, y: pos - size / 2, w, h: size, text });
        });
        apart(boxes, "rate chart " + scale + " axis");
      });
      const chart = document.querySelector("#rate-chart .uplot");
      if (chart.getBoundingClientRect().right > document.documentElement.clientWidth + 1) bad.push("the rate chart is wider than the screen");
      const labels = [...document.querySelectorAll("#frame-chart svg text.axis-label")].map((t) => {
        const r = t.getBoundingClientRect();
        return { x: r.left, y: r.top, w: r.width, h: r.height, text: t.textContent };
      });
      apart(labels, "frame-time histogram");
      const svg = document.querySelector("#frame-chart svg").getBoundingClientRect();
      for (const l of labels) if (l.x < svg.left - 0.5 || l.x + l.w > svg.right + 0.5) bad.push("outside the histogram: " + l.text);
      return bad;
    });
    check(overlaps.length === 0, "axis labels at " + width + " px: " + overlaps.join("; "));
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  console.log("ok - the charts' axis labels do not overlap at 1280 px nor at phone width");

  // a viewer cannot halt: the button is disabled and says why, and the server refuses anyway
  await page.goto(base + "/");
  await page.waitForFunction(() => document.getElementById("chaos-state").textContent.startsWith("armed"));
  check(await page.locator("#halt").isDisabled(), "a viewer's halt button is enabled");
  check(/viewer.*operator/.test(await page.getAttribute("#halt", "title")), "the halt button says why: " + await page.getAttribute("#halt", "title"));
  const refused = await page.evaluate(async () => (await valentia.api("POST", "/api/v1/halt", { reason: "viewer" })).status);
  check(refused === 403, "a viewer's halt answered " + refused);
  console.log("ok - a viewer's halt-all is refused (403)");

  // a health check's detail: the first lines shown, the rest folded, no word broken across lines
  await page.waitForFunction(() => document.querySelectorAll("#checks li.check").length === 1);
  check(await page.locator("#checks li.check > ul.check-detail > li").count() === 5, "five detail lines shown");
  check((await page.textContent("#checks details.check-more summary")) === "2 more detail lines", "the folded lines");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    const split = await page.evaluate(() => {
      const bad = [];
      for (const node of document.querySelectorAll("#checks .check-summary, #checks li.check > ul.check-detail > li")) {
        const text = node.firstChild;
        const words = /\S+/g;
        let m;
        while ((m = words.exec(text.data))) {
          const range = document.createRange();
          range.setStart(text, m.index);
          range.setEnd(text, m.index + m[0].length);
          if (new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size > 1) bad.push(m[0]);
        }
      }
      return bad;
    });
    check(split.length === 0, "words broken across lines at " + width + " px: " + split.join(" "));
  }
  await page.setViewportSize({ width: 1280, height: 720 });
  console.log("ok - a health check's detail lines break between words only, also at phone width");

  // CSRF: a change made with the session but without the token is refused
  const forged = await page.evaluate(async () => (await fetch("/api/v1/halt", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" })).status);
  check(forged === 403, "a change without the CSRF token answered " + forged);
  console.log("ok - a change without the CSRF token is refused");

  // logout, then an operator may halt
  await page.click("#logout");
  await page.waitForURL(/\/login/);
  const after = await page.evaluate(async () => (await fetch("/api/v1/whoami")).status);
  check(after === 401, "after logout the session still answered " + after);
  console.log("ok - logout ends the session");
  await login(page, operator, "/");
  await page.waitForFunction(() => !document.getElementById("halt").disabled);
  await page.click("#halt");
  await page.fill("#halt-reason", "browser test");
  await page.click("#halt-confirm");
  await page.waitForFunction(() => document.getElementById("halt-result").textContent.startsWith("Halted"));
  console.log("ok - an operator's halt-all works");

  // the record pages say when the postmortem service is absent
  await page.goto(base + "/incidents");
  await page.waitForFunction(() => document.getElementById("notice").textContent.includes("postmortem service not running"));
  console.log("ok - /incidents says the postmortem service is not running");

  check(errors.length === 0, "page errors: " + errors.join("; "));
  console.log("ok - no script errors (CSP let every page script run)");
} catch (e) {
  failed = true;
  try {
    const pages = browser.contexts().flatMap((c) => c.pages());
    for (const p of pages) {
      console.log("# " + p.url() + " state=" + await p.evaluate(() => (document.getElementById("state") || {}).textContent) +
        " counts=" + await p.evaluate(() => (document.getElementById("counts") || {}).textContent));
    }
  } catch (x) { /* best effort */ }
  if (errors.length) console.log("# page errors: " + errors.join("; "));
  console.log("not ok - " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
