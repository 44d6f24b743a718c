// Browser test of the experiments page against a real platform (web + chaos roles), started by the
// app module's ExperimentsPageIT with BASE_URL, OPERATOR_TOKEN, VIEWER_TOKEN, SHORT_PID and
// LONG_PID (sleep processes on the chaos allow-list), STRANGER_PID (a sleep process that is not),
// RUN (a word unique to this run) and SCREENSHOTS (a folder). The processes' state is read from
// /proc: the fault is checked on the machine, not only on the page. Prints "ok - name" per check
// and exits 1 on the first failure.
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const base = process.env.BASE_URL;
const operator = process.env.OPERATOR_TOKEN;
const viewer = process.env.VIEWER_TOKEN;
const shortPid = process.env.SHORT_PID;
const longPid = process.env.LONG_PID;
const strangerPid = process.env.STRANGER_PID;
const run = process.env.RUN;
const screenshots = process.env.SCREENSHOTS;

const HOSTILE = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script> & 'quotes' " + run;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

// S sleeping, T stopped (SIGSTOP), "gone" when the process is no more.
function procState(pid) {
  try {
    const stat = readFileSync("/proc/" + pid + "/stat", "utf8");
    return stat.charAt(stat.lastIndexOf(")") + 2);
  } catch (e) {
    return "gone";
  }
}

async function until(what, condition, timeoutMs) {
  const deadline = Date.now() + (timeoutMs || 30000);
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting until " + what);
}

function watch(page, problems) {
  page.on("pageerror", (e) => problems.push("page error: " + e));
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = (m.location() || {}).url || "";
    // Chromium logs every 4xx; a 422 is the expected answer to a broken experiment
    if (m.text().includes("status of 422") && /experiments\/(validate|plan)$/.test(url)) return;
    problems.push("console error: " + m.text() + " (" + url + ")");
  });
  page.on("requestfailed", (r) => {
    // an event stream closed by the page (the run ended) or by leaving it is not a failure
    if (r.url().includes("/api/v1/events/stream") && (r.failure() || {}).errorText === "net::ERR_ABORTED") return;
    problems.push("request failed: " + r.method() + " " + r.url() + " " + (r.failure() || {}).errorText);
  });
  page.on("response", (r) => {
    // 422 is the expected answer to a broken experiment; anything else at or above 400 is trouble
    if (r.status() >= 400 && !(r.status() === 422 && /experiments\/(validate|plan)$/.test(r.url()))) {
      problems.push("HTTP " + r.status() + ": " + r.request().method() + " " + r.url());
    }
  });
}

async function login(page, token, problems) {
  await page.goto(base + "/login?next=" + encodeURIComponent("/experiments"));
  await page.fill("#token", token);
  await page.click("#submit");
  await page.waitForURL(base + "/experiments");
  problems.length = 0;
  await page.reload();
  await page.waitForFunction(() => document.getElementById("who").textContent !== "");
}

async function paste(page, text, format) {
  await page.selectOption("#experiment-format", format);
  await page.fill("#experiment-source", text);
}

const BROKEN = `{
  "title": "broken ${run}",
  "method": [
    {"type": "action", "name": "pause", "provider": {"type": "valentia", "fault": "no-such-fault", "arguments": {}}}
  ]
}`;

const REFUSED = `title: refused ${run}
method:
  - type: action
    name: pause-allowed
    provider: {type: valentia, fault: process-pause, arguments: {pid: ${shortPid}, duration: 2s}}
  - type: action
    name: pause-stranger
    provider: {type: valentia, fault: process-pause, arguments: {pid: ${strangerPid}, duration: 2s}}
`;

const GOOD = `title: ${JSON.stringify(HOSTILE)}
description: pause a sleep process for a few seconds
steady-state-hypothesis:
  title: nothing odd
  probes:
    - type: probe
      name: quiet
      tolerance: {type: range, range: [0, 1000000]}
      provider: {type: valentia, probe: event-count, arguments: {type: io.valentia.test.none, window: 10s}}
method:
  - type: action
    name: pause-sleeper
    provider: {type: valentia, fault: process-pause, arguments: {pid: ${shortPid}, duration: 6s}}
rollbacks:
  - type: probe
    name: count-after
    provider: {type: valentia, probe: event-count, arguments: {type: io.valentia.test.none, window: 10s}}
`;

const LONG = JSON.stringify({
  title: "a long pause " + run,
  method: [{ type: "action", name: "pause-long", provider: { type: "valentia", fault: "process-pause", arguments: { pid: Number(longPid), duration: "10m" } } }],
}, null, 2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = [];
  watch(page, problems);
  const dialogs = [];
  page.on("dialog", (d) => { dialogs.push(d.message()); d.accept(); });
  await login(page, operator, problems);
  check(await page.locator("header nav a", { hasText: "Experiments" }).getAttribute("aria-current") === "page", "the nav link");
  console.log("ok - the header links to the experiments page");

  // a broken experiment: the problem is listed with its line, and that line is marked
  await paste(page, BROKEN, "auto");
  await page.click("#validate");
  await page.waitForFunction(() => document.querySelectorAll("#problems li").length > 0);
  const listed = await page.locator("#problems li").allTextContents();
  const atLine4 = await page.locator("#problems li[data-line='4']").count();
  check(atLine4 > 0, "no problem at line 4: " + JSON.stringify(listed));
  check(listed.some((p) => p.includes("no-such-fault")), "the problem names the fault: " + JSON.stringify(listed));
  check(await page.locator("#gutter .line.bad[data-line='4']").count() === 1, "line 4 is not marked in the gutter");
  await page.locator("#problems li[data-line='4'] button.go-to-line").first().click();
  const selected = await page.evaluate(() => {
    const a = document.getElementById("experiment-source");
    return a.value.substring(a.selectionStart, a.selectionEnd);
  });
  check(selected.length > 0 && BROKEN.split("\n")[3].includes(selected), "go to line selects line 4: " + selected);
  await page.screenshot({ path: screenshots + "/experiments-problems.png" });
  console.log("ok - a broken experiment shows its problem at line 4: " + listed[0]);

  // a YAML syntax error also has its line
  await paste(page, "title: x\nmethod:\n  - type: action\n   name: bad-indent\n", "yaml");
  await page.click("#validate");
  await page.waitForFunction(() => document.querySelectorAll("#problems li[data-line]").length > 0);
  console.log("ok - a YAML syntax error is shown at line " + await page.locator("#problems li[data-line]").first().getAttribute("data-line"));

  // the dry run of an uploaded file: the stranger is refused, nothing is paused
  await page.fill("#experiment-source", "");
  await page.selectOption("#experiment-format", "auto");
  await page.setInputFiles("#experiment-file", { name: "refused.yaml", mimeType: "application/yaml", buffer: Buffer.from(REFUSED) });
  await page.waitForFunction(() => document.getElementById("experiment-source").value.startsWith("title: refused"));
  check(await page.inputValue("#experiment-format") === "yaml", "a .yaml file is read as YAML");
  console.log("ok - an uploaded file fills the editor");
  await page.click("#plan");
  await page.waitForFunction(() => !document.getElementById("plan-section").hidden && document.querySelectorAll("#plan-rows tr").length === 2);
  const refused = await page.locator("#plan-refused li").allTextContents();
  check(refused.length === 1 && refused[0].includes("pause-stranger") && refused[0].includes("pid:" + strangerPid), "refused: " + JSON.stringify(refused));
  check(await page.locator("#plan-rows tr.refused").count() === 1, "the refused step is marked");
  const timeline = await page.locator("#plan-timeline li").allTextContents();
  check(timeline.length === 2 && timeline[0].includes("pid:" + shortPid), "the timeline: " + JSON.stringify(timeline));
  check(procState(shortPid) === "S" && procState(strangerPid) === "S", "a dry run paused something");
  console.log("ok - the dry run names what the allow-list refuses: " + refused[0]);

  // a good experiment with a hostile title: valid, planned, run
  await paste(page, GOOD, "auto");
  await page.click("#validate");
  await page.waitForFunction(() => document.getElementById("editor-result").textContent === "valid");
  await page.click("#plan");
  await page.waitForFunction(() => document.getElementById("editor-result").textContent.startsWith("planned"));
  check((await page.textContent("#plan-heading")).includes(HOSTILE), "the plan shows the title");
  console.log("ok - a good experiment is valid and its plan allows every target");

  await page.click("#run");
  await page.waitForFunction(() => location.hash.startsWith("#run="));
  await page.locator("#run-section").waitFor();
  // live: the fault appears with its target and a remaining time while the process is stopped
  await page.waitForFunction((pid) => [...document.querySelectorAll("#fault-rows tr.fault")]
    .some((tr) => tr.textContent.includes("pid:" + pid) && / s$/.test(tr.querySelector(".remaining").textContent)), shortPid, { timeout: 30000 });
  const stoppedDuring = procState(shortPid);
  const during = (await page.locator("#fault-rows tr.fault").first().textContent()).replace(/\s+/g, " ");
  check(await page.locator("#phase-steady-state-before li", { hasText: "quiet" }).count() === 1, "the steady state before is shown");
  check(await page.locator("#phase-method li", { hasText: "pause-sleeper" }).count() === 1, "the method step is shown");
  check((await page.textContent("#run-status")) === "running", "the run is shown running");
  await page.screenshot({ path: screenshots + "/experiments-running.png" });
  console.log("ok - the run's steps appear live: " + during);
  await page.waitForFunction(() => document.getElementById("run-status").textContent === "completed", null, { timeout: 60000 });
  await page.locator("#phase-rollback li", { hasText: "count-after" }).waitFor();
  const stateAfter = procState(shortPid);
  check(stoppedDuring === "T", "the process was " + stoppedDuring + " while the page showed the fault");
  check(stateAfter === "S" || stateAfter === "R", "the process was " + stateAfter + " after the run");
  check((await page.textContent("#fault-rows")).includes("reverted"), "the fault shows reverted");
  await page.waitForFunction(() => document.getElementById("journal").textContent.includes("\"status\": \"completed\""), null, { timeout: 30000 });
  console.log("ok - the process was stopped during the fault and continued after it (" + stoppedDuring + " then " + stateAfter + ")");

  // the hostile title is text everywhere it shows
  const runRow = page.locator("#run-rows tr", { hasText: run });
  await runRow.first().waitFor();
  check((await page.textContent("#run-name")) === HOSTILE, "the run's name: " + await page.textContent("#run-name"));
  check(await page.locator("main img, main script").count() === 0, "an element was made from the title");
  check(await page.evaluate(() => window.pwned === undefined), "the title's script ran");
  await page.locator("#run-section").scrollIntoViewIfNeeded();
  await page.screenshot({ path: screenshots + "/experiments.png" });
  console.log("ok - the hostile title is shown as text");

  // a long run, aborted from the page
  await paste(page, LONG, "json");
  await page.click("#run");
  await page.waitForFunction((word) => location.hash.startsWith("#run=") && document.getElementById("run-name").textContent.includes("a long pause " + word), run, { timeout: 30000 });
  await page.waitForFunction((pid) => document.getElementById("fault-rows").textContent.includes("pid:" + pid), longPid, { timeout: 30000 });
  await until("the long sleeper is stopped", () => procState(longPid) === "T");
  await page.fill("#abort-reason", "page test " + run);
  await page.click("#abort");
  await page.waitForFunction(() => document.getElementById("run-status").textContent === "aborted", null, { timeout: 30000 });
  await until("the long sleeper is continued", () => ["S", "R"].includes(procState(longPid)), 10000);
  check(dialogs.some((d) => d.startsWith("Abort the run")), "Abort asked first: " + dialogs);
  check((await page.textContent("#run-reason")).includes("page test " + run), "the reason: " + await page.textContent("#run-reason"));
  check(await page.locator("#abort").isDisabled(), "Abort stays enabled after the run ended");
  console.log("ok - the long run was aborted from the page and the process continued: " + await page.textContent("#run-reason"));

  // schedules: create two from the editor, delete one
  await paste(page, GOOD, "auto");
  for (const [id, jitter] of [["gone-" + run, ""], ["keep-" + run, "1m"]]) {
    await page.fill("#schedule-id", id);
    await page.fill("#schedule-spec", "every 6h");
    await page.fill("#schedule-jitter", jitter);
    await page.fill("#schedule-blackouts", "02:00-03:00");
    await page.selectOption("#schedule-concurrency", "forbid");
    await page.click("#schedule-create");
    await page.waitForFunction((want) => document.getElementById("schedule-result").textContent.startsWith("created " + want), id, { timeout: 30000 });
    await page.locator("#schedule-rows tr[data-schedule='" + id + "']").waitFor();
  }
  const kept = (await page.locator("#schedule-rows tr[data-schedule='keep-" + run + "']").textContent()).replace(/\s+/g, " ");
  check(kept.includes("every 6h") && kept.includes("02:00-03:00") && kept.includes("forbid") && kept.includes("never fired"), "the schedule's row: " + kept);
  check(/\d{4}-\d\d-\d\d \d\d:\d\d/.test(await page.locator("#schedule-rows tr[data-schedule='keep-" + run + "'] td").nth(3).textContent()), "the next firing is shown");
  const firings = await page.locator("#schedule-rows tr[data-schedule='keep-" + run + "'] td:nth-child(4) li").count();
  check(firings === 5, "the next five firings are listed: " + firings);
  console.log("ok - a schedule was created and is listed with its next firings: " + kept);

  // pause, resume, pause again
  const keepRow = () => page.locator("#schedule-rows tr[data-schedule='keep-" + run + "']");
  for (const [button, paused] of [["pause", true], ["resume", false], ["pause", true]]) {
    await keepRow().locator("button." + button).click();
    await page.waitForFunction(([id, want]) => {
      const tr = document.querySelector("#schedule-rows tr[data-schedule='" + id + "']");
      return tr && !!tr.querySelector(".schedule-paused") === want && tr.querySelector(want ? "button.resume" : "button.pause");
    }, ["keep-" + run, paused], { timeout: 30000 });
    const text = (await keepRow().textContent()).replace(/\s+/g, " ");
    check(paused ? text.includes("none while paused") : /\d{4}-\d\d-\d\d \d\d:\d\d/.test(text), "after " + button + ": " + text);
  }
  console.log("ok - a schedule was paused (no next firing), resumed and paused again");
  await page.click("#schedule-rows tr[data-schedule='gone-" + run + "'] button.delete");
  await page.waitForFunction((id) => !document.querySelector("#schedule-rows tr[data-schedule='" + id + "']"), "gone-" + run, { timeout: 30000 });
  check(dialogs.some((d) => d.includes("gone-" + run)), "Delete asked first");
  console.log("ok - a schedule was deleted after the confirmation");

  // every control is labelled and reachable by keyboard
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("main button, main input, main textarea, main select")]
    .filter((e) => !((e.labels && e.labels.length) || e.getAttribute("aria-label") || e.textContent.trim()) || e.tabIndex < 0)
    .map((e) => e.outerHTML));
  check(unlabelled.length === 0, "unlabelled or unreachable controls: " + unlabelled.join(" "));
  console.log("ok - every control on the page is labelled and reachable by keyboard");

  // a viewer sees runs and schedules, with every control disabled and saying why
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewerPage = await viewerContext.newPage();
  const viewerProblems = [];
  watch(viewerPage, viewerProblems);
  viewerPage.on("dialog", (d) => { viewerProblems.push("a dialog opened: " + d.message()); d.dismiss(); });
  await login(viewerPage, viewer, viewerProblems);
  await viewerPage.locator("#schedule-rows tr[data-schedule='keep-" + run + "']").waitFor();
  await viewerPage.locator("#run-rows tr", { hasText: "a long pause " + run }).waitFor();
  for (const id of ["validate", "plan", "run", "schedule-create"]) {
    const control = viewerPage.locator("#" + id);
    check(await control.isDisabled(), "a viewer's " + id + " is enabled");
    check(/viewer.*operator/.test(await control.getAttribute("title")), "the " + id + " button says why");
  }
  const viewerDelete = viewerPage.locator("#schedule-rows tr[data-schedule='keep-" + run + "'] button.delete");
  check(await viewerDelete.isDisabled(), "a viewer's Delete is enabled");
  const viewerResume = viewerPage.locator("#schedule-rows tr[data-schedule='keep-" + run + "'] button.resume");
  check(await viewerResume.isDisabled() && /viewer.*operator/.test(await viewerResume.getAttribute("title")), "a viewer's Resume is enabled or says nothing");
  await viewerPage.click("#run-rows tr a >> nth=0");
  await viewerPage.locator("#run-section").waitFor();
  await viewerPage.waitForFunction(() => document.getElementById("run-status").textContent !== "");
  check(await viewerPage.locator("#abort").isDisabled(), "a viewer's Abort is enabled");
  console.log("ok - a viewer's controls are disabled and say why: " + await viewerPage.locator("#run").getAttribute("title"));
  await viewerPage.screenshot({ path: screenshots + "/experiments-viewer.png" });

  check(problems.length === 0, "the operator's page had trouble: " + problems.join("; "));
  check(viewerProblems.length === 0, "the viewer's page had trouble: " + viewerProblems.join("; "));
  console.log("ok - no console error and no failing request on the page");

  // what follows fails on purpose, so it comes after the check above
  // a bad schedule shows every problem
  await page.fill("#schedule-id", "bad-" + run);
  await page.fill("#schedule-spec", "at noon");
  await page.fill("#schedule-jitter", "soon");
  await page.click("#schedule-create");
  await page.waitForFunction(() => document.querySelectorAll("#schedule-problems li").length >= 2, null, { timeout: 30000 });
  console.log("ok - a bad schedule shows every problem: " + JSON.stringify(await page.locator("#schedule-problems li").allTextContents()));

} catch (e) {
  failed = true;
  console.log("not ok - " + (e && e.stack ? e.stack : e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
