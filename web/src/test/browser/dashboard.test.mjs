// Browser test of the dashboard and the event search page against a real platform (web, postmortem
// and chaos roles), started by the app module's DashboardPageIT with BASE_URL, OPERATOR_TOKEN, RUN
// (a word unique to this run), RUN_ID (a chaos run pausing the process SLEEPER_PID), INCIDENT_ID
// (the incidentid of a published seccomp denial), OPENED_INCIDENT (an incident the platform opened),
// WORD (in the two events with markup), PAGED_WORD and PAGED_EVENTS (that many events carry the
// word), SINCE (before the first of them) and SCREENSHOTS (a folder). Prints "ok - name" per check
// and exits 1 on the first failure.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const env = process.env;
const base = env.BASE_URL;
const pid = env.SLEEPER_PID;
const paged = Number(env.PAGED_EVENTS);

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// The state letter of /proc/PID/stat: S sleeping, T stopped (this script runs on the same machine).
function processState(p) {
  const stat = readFileSync("/proc/" + p + "/stat", "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
}

function watch(page, problems) {
  page.on("pageerror", (e) => problems.push("page error: " + e));
  page.on("console", (m) => { if (m.type() === "error") problems.push("console error: " + m.text() + " (" + (m.location() || {}).url + ")"); });
  page.on("requestfailed", (r) => {
    // a page left while its requests are in flight aborts them: that is not a failure of the page
    if ((r.failure() || {}).errorText !== "net::ERR_ABORTED") problems.push("request failed: " + r.method() + " " + r.url() + " " + (r.failure() || {}).errorText);
  });
  page.on("response", (r) => { if (r.status() >= 400) problems.push("HTTP " + r.status() + ": " + r.request().method() + " " + r.url()); });
}

// No element made from event data, and no script of it ran.
async function noMarkup(page, where) {
  check(await page.evaluate(() => window.__pwned === undefined), "hostile data ran on " + where);
  const made = await page.evaluate(() => [...document.querySelectorAll("main img, main script, main [onerror]")].map((e) => e.outerHTML));
  check(made.length === 0, "hostile data became elements on " + where + ": " + made.join(" "));
}

// Every control labelled (a <label>, aria-label or its text) and reachable by keyboard.
async function labelled(page, where) {
  const bad = await page.evaluate(() => [...document.querySelectorAll("main button, main input, main select, dialog input, dialog button")]
    .filter((e) => !e.hidden && (!((e.labels && e.labels.length) || e.getAttribute("aria-label") || e.textContent.trim()) || e.tabIndex < 0))
    .map((e) => e.outerHTML));
  check(bad.length === 0, "unlabelled or unreachable controls on " + where + ": " + bad.join(" "));
}

// A few seconds of a small cluster's traffic published through POST /api/v1/events, so that the
// live view's screenshot shows its list, detail pane and charts at work.
async function liveTraffic(page) {
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  // the publishing below is audited: leave those events out, as one would
  await page.fill("#filter", "!type.startsWith('io.valentia.audit.')");
  await page.click("#apply");
  await page.waitForFunction(() => document.getElementById("state").textContent === "live");
  const hosts = ["osd-1", "osd-2", "osd-3", "osd-4"];
  for (let round = 0; round < 8; round++) {
    const events = [];
    for (const from of hosts) {
      for (const peer of hosts) {
        if (from === peer) continue;
        const ok = !(from === "osd-3" && peer === "osd-1");
        events.push({ type: "io.valentia.probe.mtu.ping.v1", source: "/probes/mtu/" + from, subject: from + "->" + peer,
          data: ok ? { peer, sizeBytes: 8972, ok, rttMicros: 180 + round, direction: "both", mode: "udp" }
            : { peer, sizeBytes: 8972, ok, direction: "out", mode: "udp" } });
      }
    }
    const counts = Array(45).fill(0);
    counts[20] = 40 + round; counts[21] = 35; counts[22] = 12; counts[30] = round % 3; counts[44] = 1;
    events.push({ type: "io.valentia.probe.frame.stats.v1", source: "/probes/frames/hmd-0", subject: "hmd-0",
      data: { hz: 90, frames: 88, dropped: 1, fps: 88.0, p50Micros: 10400, p99Micros: 15200, maxMicros: 22400,
        intervalMillis: 1000, source: "loop", histogram: { bucketMicros: 500, counts } } });
    events.push({ type: "com.example.deploy.v1", source: "/deploy/ci", subject: "renderer", severity: round === 7 ? "warning" : "info",
      data: { version: "1.4." + round, step: round === 7 ? "canary slower than baseline" : "rolled out" } });
    const answers = await page.evaluate(async (batch) => {
      const out = [];
      for (const event of batch) {
        out.push((await valentia.api("POST", "/api/v1/events",
          { specversion: "1.0", id: crypto.randomUUID(), time: new Date().toISOString(), ...event })).status);
      }
      return out;
    }, events);
    check(answers.every((s) => s === 202), "publishing the live view's traffic answered " + answers.join(","));
    await page.waitForTimeout(400);
  }
  await page.waitForFunction(() => document.querySelectorAll("#frame-chart svg rect.bar").length > 0 &&
    document.querySelectorAll("#mtu td.fail").length > 0, null, { timeout: 10000 });
  await page.locator(".row.sev-warning").first().click();
  await page.evaluate(() => window.scrollTo(0, 170));
  await page.waitForTimeout(1200); // the charts redraw once a second
}

const browser = await chromium.launch({
  executablePath: env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  page.on("dialog", (d) => { problems.push("a browser dialog opened: " + d.message()); d.dismiss(); });

  await page.goto(base + "/login?next=/");
  await page.fill("#token", env.OPERATOR_TOKEN);
  await page.click("#submit");
  await page.waitForURL(base + "/");
  problems.length = 0; // what is watched is the dashboard, not the login page
  await page.reload();

  // the run and its fault, from the halt switch and the run's events
  await page.waitForFunction(([target]) => {
    const runs = document.getElementById("runs").textContent;
    return runs.includes("process-pause") && runs.includes(target);
  }, ["pid:" + pid], { timeout: 30000 });
  const runs = await page.textContent("#runs");
  check(runs.includes("pause the sleeper " + env.RUN) && runs.includes(env.RUN_ID) && runs.includes("reverts itself in"),
    "the run's title, id and remaining time: " + runs);
  check((await page.textContent("#chaos-state")).includes("1 active fault"), "the chaos state: " + await page.textContent("#chaos-state"));
  check((await page.textContent("#tile-faults")).trim() === "1", "the active-faults tile: " + await page.textContent("#tile-faults"));
  console.log("ok - the dashboard shows the run and its process-pause fault: " + runs.replace(/\s+/g, " ").trim());

  // the open incident, linked, with its severity, age and subject
  const incident = page.locator("#incidents tr", { has: page.locator("a[href='/incidents?id=" + env.OPENED_INCIDENT + "']") });
  await incident.waitFor({ timeout: 30000 });
  const incidentText = await incident.textContent();
  check(/SEV\d/.test(incidentText) && incidentText.includes("<img src=x") && /\d+[smhd]/.test(incidentText),
    "the incident row: " + incidentText);
  console.log("ok - the open incident is listed with severity, age and subject, linked: " + incidentText.replace(/\s+/g, " ").trim());

  // recent denials and revocations, with the markup in their data as text
  await page.waitForFunction((word) => document.getElementById("recent").textContent.includes(word), env.WORD, { timeout: 30000 });
  const recent = await page.textContent("#recent");
  check(recent.includes("lease revoked") && recent.includes("syscall denied") && recent.includes("ptrace"), "recent: " + recent);
  check(recent.includes("<img src=x onerror="), "the markup shows as text: " + recent);
  await noMarkup(page, "the dashboard");
  console.log("ok - markup in event data is text on the dashboard");

  // no card stretched past its content, no detail broken inside a word
  const stretched = await page.evaluate(() => [...document.querySelectorAll("main.dashboard section")].map((s) => {
    const last = [...s.children].filter((c) => c.offsetParent !== null && c.tagName !== "DIALOG").pop();
    const gap = s.getBoundingClientRect().bottom - last.getBoundingClientRect().bottom;
    return [s.querySelector("h2").textContent, Math.round(gap)];
  }).filter(([, gap]) => gap > 40));
  check(stretched.length === 0, "cards with empty space below their content: " + JSON.stringify(stretched));
  const breaking = await page.evaluate(() => [...document.querySelectorAll("main.dashboard *")]
    .filter((e) => ["break-all", "anywhere"].includes(getComputedStyle(e).wordBreak)).map((e) => e.className));
  check(breaking.length === 0, "text broken anywhere inside words: " + breaking.join(", "));
  await labelled(page, "the dashboard");
  await page.screenshot({ path: env.SCREENSHOTS + "/dashboard.png" });
  await page.screenshot({ path: env.SCREENSHOTS + "/dashboard-full.png", fullPage: true });
  console.log("ok - cards end with their content and words are not broken");

  // Halt all chaos: confirm with a reason, then the fault is reverted and the switch is on
  check(processState(pid) === "T", "the sleeper is not stopped before the halt: " + processState(pid));
  await page.click("#halt");
  await page.locator("#halt-dialog").waitFor({ state: "visible" });
  check(await page.evaluate(() => document.activeElement.id) === "halt-reason", "the reason box has the focus");
  await page.click("#halt-confirm"); // without a reason: refused by the form
  check(await page.locator("#halt-dialog").isVisible(), "a halt without a reason was sent");
  await page.screenshot({ path: env.SCREENSHOTS + "/dashboard-halt-dialog.png" });
  await page.keyboard.type("game day " + env.RUN + " is over");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.getElementById("halt-result").textContent.startsWith("Halted"), null, { timeout: 15000 });
  const result = await page.textContent("#halt-result");
  check(result.includes("1 fault reverted"), "the halt's result: " + result);
  const resumed = processState(pid);
  check(resumed === "S" || resumed === "R", "the sleeper is still stopped after the halt: " + resumed);
  const switchState = await page.evaluate(async () => (await valentia.api("GET", "/api/v1/halt")).body);
  check(switchState.halted === true && switchState.activeFaults === 0, "the halt switch: " + JSON.stringify(switchState));
  await page.waitForFunction(() => document.getElementById("chaos-state").textContent.startsWith("HALTED"));
  check(await page.locator("#release").isVisible(), "no Release control while halted");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: env.SCREENSHOTS + "/dashboard-halted.png" });
  console.log("ok - Halt all chaos reverted the fault: the sleeper runs again (state " + resumed + "), the switch is on: " + result);

  // Release, confirmed, lifts the halt
  await page.click("#release");
  await page.locator("#halt-dialog").waitFor({ state: "visible" });
  await page.click("#halt-confirm");
  await page.waitForFunction(() => document.getElementById("halt-result").textContent.startsWith("Released"), null, { timeout: 15000 });
  await page.waitForFunction(() => !document.getElementById("chaos-state").textContent.startsWith("HALTED"));
  check(await page.locator("#release").isHidden(), "Release is still offered after the release");
  const released = await page.evaluate(async () => (await valentia.api("GET", "/api/v1/halt")).body);
  check(released.halted === false, "the halt switch after Release: " + JSON.stringify(released));
  console.log("ok - Release lifts the halt");

  // the search page: find, facets, histogram, paging by cursor
  await page.click("header nav a[href='/search']");
  await page.waitForURL(base + "/search");
  await page.fill("#q", env.PAGED_WORD);
  await page.press("#q", "Enter");
  await page.waitForFunction((n) => document.getElementById("summary").textContent.startsWith(n + " events match"), paged, { timeout: 20000 });
  check(await page.locator("#results > li").count() === 20, "the first page holds 20");
  const firstPage = await page.locator("#results > li").allTextContents();
  check(await page.locator("#results mark").count() >= 20, "the word is highlighted in every hit");
  check((await page.locator("#results mark").first().textContent()).toLowerCase() === env.PAGED_WORD.toLowerCase(),
    "the highlight: " + await page.locator("#results mark").first().textContent());
  await page.waitForFunction(() => document.querySelectorAll("#histogram rect.bar").length === 24, null, { timeout: 20000 });
  const counted = await page.evaluate(() => [...document.querySelectorAll("#histogram rect.bar title")]
    .reduce((sum, t) => sum + Number(t.textContent.split(" ")[0]), 0));
  check(counted === paged, "the histogram counts " + counted + " of " + paged);
  await page.screenshot({ path: env.SCREENSHOTS + "/search.png" });
  await page.click("#next");
  await page.waitForFunction((n) => document.getElementById("page").textContent === "page 2" &&
    document.querySelectorAll("#results > li").length === n - 20, paged);
  const secondPage = await page.locator("#results > li").allTextContents();
  check(secondPage.every((t) => !firstPage.includes(t)), "the second page repeats the first");
  check(await page.locator("#next").isDisabled(), "a next page after the last");
  const numbers = [...firstPage, ...secondPage].map((t) => Number((t.match(/number (\d+)/) || [])[1]));
  check(new Set(numbers).size === paged, "pages hold every event once: " + numbers);
  await page.click("#prev");
  await page.waitForFunction(() => document.getElementById("page").textContent === "page 1");
  check(JSON.stringify(await page.locator("#results > li").allTextContents()) === JSON.stringify(firstPage), "back to page 1");
  console.log("ok - the search page pages through " + paged + " events by cursor, each once, and the histogram counts them all");

  // a bar of the histogram, chosen with the keyboard, searches its slice of time
  const bars = await page.evaluate(() => [...document.querySelectorAll("#histogram rect.bar title")].map((t) => Number(t.textContent.split(" ")[0])));
  const busy = bars.findIndex((c) => c > 0);
  await page.locator("#histogram rect.bar-target").nth(busy).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction((n) => document.getElementById("summary").textContent.startsWith(n + " event"), bars[busy]);
  check(await page.inputValue("#range") === "custom" && (await page.inputValue("#from")) !== "", "the slice's time is in the form");
  console.log("ok - a histogram bar chosen with the keyboard searches its slice: " + await page.textContent("#summary"));
  await page.selectOption("#range", "all");
  await page.waitForFunction((n) => document.getElementById("summary").textContent.startsWith(n + " events match"), paged);

  // a facet narrows the query
  const chip = page.locator("#facets button.chip", { hasText: "page-" + env.RUN + "-0" });
  await chip.click();
  await page.waitForFunction((run) => document.getElementById("q").value.includes("subject:\"page-" + run + "-0\""), env.RUN);
  await page.waitForFunction((n) => document.getElementById("summary").textContent.startsWith(n + " events match"), Math.ceil(paged / 3));
  console.log("ok - a facet adds its term: " + await page.inputValue("#q"));

  // the time range: events before SINCE are left out
  await page.fill("#q", env.PAGED_WORD);
  await page.selectOption("#range", "custom");
  await page.fill("#from", "");
  await page.fill("#to", await page.evaluate((iso) => searchPage.local(iso), env.SINCE));
  await page.press("#q", "Enter");
  await page.waitForFunction(() => document.getElementById("summary").textContent === "no events match");
  console.log("ok - a time range that ends before the events finds none");
  await page.selectOption("#range", "all");

  // markup in event data, and the link to the incident of an event
  await page.fill("#q", env.WORD);
  await page.press("#q", "Enter");
  await page.waitForFunction(() => document.getElementById("summary").textContent.startsWith("2 events match"));
  const hits = await page.textContent("#results");
  check(hits.includes("<img src=x onerror="), "the markup shows as text: " + hits);
  const link = page.locator("#results a.incident-link");
  check(await link.getAttribute("href") === "/incidents?id=" + encodeURIComponent(env.INCIDENT_ID), "the incident link: " + await link.getAttribute("href"));
  await page.locator("#results button.link-button").first().click();
  check((await page.textContent("#results pre")).includes("<img src=x"), "the event's JSON shows");
  await noMarkup(page, "the search page");
  await labelled(page, "the search page");
  console.log("ok - markup in event data is text on the search page, and a hit links to its incident");

  // from the dashboard's recent revocation to its event
  await page.click("header nav a[href='/']");
  await page.waitForURL(base + "/");
  await page.locator("#recent a", { hasText: "lease revoked" }).first().click();
  await page.waitForURL(/\/search\?q=id/);
  await page.waitForFunction(() => document.getElementById("summary").textContent.startsWith("1 event matches"));
  const revocation = await page.textContent("#results");
  check(revocation.includes("lease.revoked") && revocation.includes("hmd-" + env.RUN) && revocation.includes("lessor-revoke"),
    "the revocation: " + revocation);
  console.log("ok - a recent revocation on the dashboard links to its event on the search page");

  check(problems.length === 0, "the pages had trouble: " + problems.join("; "));
  console.log("ok - no console error and no failing request (the favicon included)");

  // a query that does not parse says why (its 400 comes after the check above)
  await page.fill("#q", "type:(");
  await page.press("#q", "Enter");
  await page.waitForFunction(() => document.getElementById("notice").textContent.includes("does not parse"));
  check(await page.locator("#results > li").count() === 0, "results of a bad query");
  console.log("ok - a query that does not parse shows the server's reason: " + await page.textContent("#notice"));

  // at phone width both pages fit the screen: nothing scrolls sideways but inside its card
  await page.setViewportSize({ width: 390, height: 800 });
  for (const [path, name] of [["/", "dashboard"], ["/search?q=" + encodeURIComponent(env.PAGED_WORD), "search"]]) {
    await page.goto(base + path);
    await page.waitForFunction(() => document.getElementById("who").textContent.length > 0);
    await page.waitForTimeout(1000);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    check(wide <= 391, "the " + name + " page is " + wide + " px wide at 390 px");
    await page.screenshot({ path: env.SCREENSHOTS + "/" + name + "-phone.png", fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  console.log("ok - the dashboard and the search page fit a phone-width screen");

  // the other pages, for a reviewer to look at
  for (const name of ["incidents", "postmortems", "live", "notifications"]) {
    await page.goto(base + "/" + name);
    if (name === "live") {
      await liveTraffic(page);
    } else {
      await page.waitForTimeout(1500);
    }
    await page.screenshot({ path: env.SCREENSHOTS + "/" + name + ".png" });
  }
  await page.goto(base + "/incidents?id=" + encodeURIComponent(env.OPENED_INCIDENT));
  await page.locator("#timeline svg").waitFor({ timeout: 20000 });
  await page.screenshot({ path: env.SCREENSHOTS + "/incident.png" });
  console.log("ok - screenshots of every page are in " + env.SCREENSHOTS);
} catch (e) {
  failed = true;
  console.log("not ok - " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
