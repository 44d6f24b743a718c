// Browser test of writing a postmortem in the page against a real platform (web + postmortem roles),
// started by the app module's PostmortemAuthoringPageIT with BASE_URL, WRITER_TOKEN and
// OTHER_TOKEN (two responders), VIEWER_TOKEN, INCIDENT_ID (an incident with evidence), RUN (a word
// unique to this run) and SCREENSHOTS (a folder). A postmortem is written entirely in the page,
// two people edit it at once and merge, it passes the review and becomes final; hostile text in
// every field stays text. Prints "ok - name" per check, "# written: JSON" with what was written
// (the IT compares the Markdown export with it), and exits 1 on the first failure.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const writerToken = process.env.WRITER_TOKEN;
const otherToken = process.env.OTHER_TOKEN;
const viewerToken = process.env.VIEWER_TOKEN;
const incidentId = process.env.INCIDENT_ID;
const run = process.env.RUN;
const screenshots = process.env.SCREENSHOTS;

const HOSTILE = "<img src=x onerror=\"window.__pwned=1\"></textarea><script>window.__pwned=2</script>&lt;b&gt; " + run;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

async function until(what, condition, timeoutMs) {
  const deadline = Date.now() + (timeoutMs || 30000);
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("timed out waiting until " + what);
}

// A 409 on saving a postmortem is the conflict the test provokes; anything else at or above 400 is trouble.
const expected409 = (status, url) => status === 409 && /\/api\/v1\/postmortems\/[^/]+(\/status)?$/.test(url);

function watch(page, problems) {
  page.on("pageerror", (e) => problems.push("page error: " + e));
  page.on("dialog", (d) => { problems.push("a dialog opened: " + d.message()); d.dismiss(); });
  page.on("console", (m) => {
    if (m.type() !== "error") return;
    const url = (m.location() || {}).url || "";
    if (m.text().includes("status of 409") && expected409(409, url)) return;
    problems.push("console error: " + m.text() + " (" + url + ")");
  });
  page.on("requestfailed", (r) => problems.push("request failed: " + r.method() + " " + r.url() + " " + (r.failure() || {}).errorText));
  page.on("response", (r) => {
    if (r.status() >= 400 && !expected409(r.status(), r.url())) {
      problems.push("HTTP " + r.status() + ": " + r.request().method() + " " + r.url());
    }
  });
}

async function login(page, token) {
  await page.goto(base + "/login?next=" + encodeURIComponent("/postmortems"));
  await page.fill("#token", token);
  await page.click("#submit");
  await page.waitForURL(base + "/postmortems");
  await page.waitForFunction(() => document.getElementById("who").textContent !== "");
}

async function saved(page, revision) {
  await page.waitForFunction((r) => document.getElementById("pm-state").textContent.includes("saved as revision " + r), revision);
}

async function apiGet(page, path) {
  return page.evaluate(async (p) => {
    const r = await fetch(p, { cache: "no-store" });
    return { status: r.status, text: await r.text() };
  }, path);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
let page = null;
const problems = [];
try {
  const writerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await writerContext.newPage();
  watch(page, problems);
  await login(page, writerToken);
  const writer = (await page.textContent("#who")).split(" ")[0];

  // ---- a new postmortem for the incident -----------------------------------------------------------
  await page.waitForFunction((id) => [...document.querySelectorAll("#pm-new-incident option")].some((o) => o.value === id), incidentId);
  check(await page.isVisible("#authoring"), "a responder sees the form for a new postmortem");
  const title = "Jumbo frames dropped between storage hosts " + run;
  await page.fill("#pm-new-title", title);
  await page.selectOption("#pm-new-incident", incidentId);
  await page.click("#pm-create");
  await page.waitForFunction(() => !document.getElementById("editor").hidden && document.querySelectorAll("#pm-timeline li.pm-entry").length >= 3, null, { timeout: 30000 });
  const id = new URL(page.url()).searchParams.get("id");
  check(id, "the page shows the new postmortem's id: " + page.url());
  check(await page.inputValue("#pm-title") === title, "the title is the one typed");
  console.log("ok - a postmortem was created for the incident with its timeline drafted from the evidence (" + id + ")");

  // ---- the sections, the review as one types ---------------------------------------------------------
  await page.fill("#pm-date", "2026-11-29");
  await page.fill("#pm-authors", "Ada, Brunel");
  await page.fill("#pm-summary", "Dave forgot to raise the MTU on the switch port.");
  await page.waitForFunction(() => [...document.querySelectorAll("[data-remarks='summary'] .remark")].some((r) => r.textContent.includes("person-blame")), null, { timeout: 15000 });
  console.log("ok - the blameless review's remark shows beside the summary as it is typed");
  const summary = "Jumbo frames between two storage hosts were **dropped** at a switch port that kept MTU 1500.";
  await page.fill("#pm-summary", summary);
  await page.waitForFunction(() => document.querySelectorAll("[data-remarks='summary'] .remark").length === 0, null, { timeout: 15000 });
  check(await page.textContent("#pm-summary-preview strong") === "dropped", "the preview renders the Markdown");
  console.log("ok - the remark goes once the summary is reworded, and the preview renders Markdown");
  const written = {
    id, title, date: "2026-11-29", authors: ["Ada", "Brunel"],
    summary,
    impact: "Ceph heartbeats between osd-3 and osd-7 were slow for 41 minutes.",
    trigger: "The host MTU was raised to 9000 during maintenance.",
    detection: "The MTU probe reported a mismatch two minutes after the change.",
    resolution: "The switch port MTU was raised to 9000.",
    contributingFactors: ["The switch port kept the default MTU", "The change checklist has no MTU step"],
    wentWell: ["The probe named the pair of hosts"],
    wentWrong: ["Heartbeat timeouts looked like a disk problem at first"],
    gotLucky: ["No client traffic used jumbo frames yet"],
    recommendations: ["Probe MTU after every network change"],
    supportingInformation: ["Switch port counters, 09:00-10:00"],
  };
  for (const key of ["impact", "trigger", "detection", "resolution"]) await page.fill("#pm-" + key, written[key]);
  for (const key of ["contributingFactors", "wentWell", "wentWrong", "gotLucky", "recommendations", "supportingInformation"]) {
    await page.fill("#pm-" + key, written[key].join("\n"));
  }
  await page.click("#pm-save");
  await saved(page, 2);
  console.log("ok - every section was written in the page and saved");

  // ---- two people edit at once ------------------------------------------------------------------------
  const otherContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const other = await otherContext.newPage();
  watch(other, problems);
  await login(other, otherToken);
  await other.goto(base + "/postmortems?id=" + encodeURIComponent(id) + "&edit=1");
  await other.waitForFunction((s) => document.getElementById("pm-summary") && document.getElementById("pm-summary").value === s, summary);

  const summaryA = "Jumbo frames between two storage hosts were dropped at a switch port left at MTU 1500.";
  const impactA = "Heartbeats were slow for 41 minutes.";
  await page.fill("#pm-summary", summaryA);
  await page.fill("#pm-impact", impactA);
  await page.click("#pm-save");
  await saved(page, 3);

  const impactB = "Ceph heartbeats between osd-3 and osd-7 were slow for 41 minutes; no data was lost.";
  const detectionB = "The MTU probe reported the mismatch two minutes after the change; the on-call engineer was paged.";
  await other.fill("#pm-impact", impactB);
  await other.fill("#pm-detection", detectionB);
  await other.click("#pm-save");
  await other.waitForFunction(() => !document.getElementById("pm-conflict").hidden && document.querySelectorAll("#pm-conflict fieldset.pm-merge").length > 0);
  const conflicting = await other.locator("#pm-conflict fieldset.pm-merge").evaluateAll((f) => f.map((x) => x.dataset.section));
  check(JSON.stringify(conflicting) === JSON.stringify(["impact"]), "only the section both changed is offered to merge: " + conflicting);
  check((await other.textContent("#pm-conflict fieldset[data-section='impact'] .pm-theirs pre")) === impactA, "theirs is shown");
  check((await other.textContent("#pm-conflict fieldset[data-section='impact'] .pm-yours pre")) === impactB, "yours is shown");
  check((await other.textContent("#pm-conflict")).includes("Only they changed Summary"), "what only they changed is named: " + await other.textContent("#pm-conflict"));
  const meanwhile = JSON.parse((await apiGet(other, "/api/v1/postmortems/" + encodeURIComponent(id))).text);
  check(meanwhile.document.impact === impactA && meanwhile.revision === 3, "nothing was overwritten by the refused save");
  console.log("ok - a save based on an old revision is refused and shows theirs beside yours for the section both changed");
  // take theirs by keyboard, then change one's mind and keep yours with a click
  await other.focus("#pm-conflict fieldset[data-section='impact'] .pm-yours input");
  await other.keyboard.press("ArrowRight");
  check(await other.isChecked("#pm-conflict fieldset[data-section='impact'] .pm-theirs input"), "the radio buttons are usable by keyboard");
  await other.click("#pm-conflict fieldset[data-section='impact'] .pm-yours label");
  await other.click("#pm-merge-save");
  await saved(other, 4);
  check(await other.inputValue("#pm-summary") === summaryA, "their summary was kept");
  check(await other.inputValue("#pm-impact") === impactB, "my impact was kept");
  check(await other.inputValue("#pm-detection") === detectionB, "my detection was kept");
  console.log("ok - the conflict was resolved by merging: their summary, my impact and detection, saved as revision 4");
  written.summary = summaryA;
  written.impact = impactB;
  written.detection = detectionB;

  // ---- testimony, finding, timeline, action items (by the first writer, still on revision 3) ---------
  await page.focus("#pm-add-testimony");
  await page.keyboard.press("Enter");
  const testimony = page.locator("#pm-testimonies .pm-testimony").last();
  await testimony.locator(".pm-t-who").fill("Ada");
  await testimony.locator(".pm-t-role").fill("storage on-call");
  await testimony.locator(".pm-t-given").fill("2026-11-29");
  const statement = "I saw the OSD heartbeats slow down and paged the network team.";
  await testimony.locator("textarea.pm-t-statement").fill(statement);
  await testimony.locator("details.pm-evidence summary").press("Enter");
  const mismatch = testimony.locator(".pm-cite").filter({ hasText: "probe.mtu.mismatch" }).first();
  const evidence = (await mismatch.locator("input").getAttribute("value")).split(",");
  await mismatch.locator("input").press("Space");
  check(await mismatch.locator("input").isChecked(), "the evidence was picked by keyboard");

  await page.click("#pm-add-finding");
  const finding = page.locator("#pm-findings .pm-finding").last();
  const findingText = "The switch port kept MTU 1500 after the hosts moved to 9000, so jumbo frames were dropped.";
  await finding.locator("textarea.pm-f-text").fill(findingText);
  await finding.locator("details.pm-evidence summary").click();
  await finding.locator(".pm-cite").filter({ hasText: "probe.mtu.mismatch" }).first().locator("input").check();

  const firstEntry = page.locator("#pm-timeline li.pm-entry").first();
  const entryId = await firstEntry.getAttribute("data-id");
  const entryTime = await firstEntry.locator(".pm-entry-time").inputValue();
  check(await firstEntry.locator(".pm-entry-time").getAttribute("readonly") !== null, "an entry drafted from the evidence keeps its time");
  const entryBefore = await firstEntry.locator(".pm-entry-text").inputValue();
  const entryText = "The MTU probe first saw jumbo frames dropped between the hosts";
  await firstEntry.locator(".pm-entry-text").fill(entryText);
  await page.fill("#pm-new-time", entryTime);
  await page.fill("#pm-new-text", "Network team raised the switch port MTU");
  await page.click("#pm-add-entry");

  const actionItems = [
    { action: "Check MTU on every switch port after a change", type: "prevent", owner: "network", due: "2026-12-15", status: "open", bug: "NET-4711" },
    { action: "Alert on MTU probe mismatches", type: "detect", owner: "storage", due: "2026-12-20", status: "done", bug: "" },
  ];
  for (const item of actionItems) {
    await page.click("#pm-add-action");
    const row = page.locator("#pm-actions .pm-action").last();
    for (const [key, value] of Object.entries(item)) await row.locator(".pm-a-" + key).fill(value);
  }
  await page.click("#pm-save");
  // the other writer saved revision 4 meanwhile: nothing they changed is changed here, so it merges
  await page.waitForFunction(() => !document.getElementById("pm-conflict").hidden);
  check(await page.locator("#pm-conflict fieldset.pm-merge").count() === 0, "no section to choose when the changes do not overlap");
  await page.click("#pm-merge-save");
  await saved(page, 5);
  check(await page.inputValue("#pm-impact") === impactB, "the other writer's impact is kept after merging");
  console.log("ok - a testimony and a finding cite evidence picked from the timeline; action items added; merged with the other writer's revision");

  const edited = page.locator("#pm-timeline li.pm-entry").first();
  check(await edited.getAttribute("data-id") === entryId, "the edited entry keeps its id");
  check(await edited.locator(".pm-entry-time").inputValue() === entryTime, "the edited entry keeps its original time");
  const trail = await edited.locator(".pm-trail").textContent();
  check(trail.includes("text edited by " + writer) && trail.includes(entryBefore) && trail.includes(entryText), "the edit trail says who changed what: " + trail);
  check(await page.locator("#pm-timeline li.pm-entry").filter({ hasText: "added by " + writer }).count() === 1, "the new annotation names who added it");
  console.log("ok - an edited timeline entry keeps its time and shows its trail: " + trail);

  await page.waitForFunction(() => document.getElementById("pm-review-state").textContent.includes("no remarks"), null, { timeout: 15000 });
  await page.screenshot({ path: screenshots + "/postmortem-authoring.png" });
  await page.click("#pm-to-review");
  await page.waitForFunction(() => document.getElementById("pm-status").textContent === "in-review");
  check(await page.isVisible("#pm-to-final") && await page.isEnabled("#pm-to-final"), "final is offered once the review passes");
  await page.click("#pm-to-final");
  await page.waitForFunction(() => document.getElementById("pm-status").textContent === "final");
  console.log("ok - the postmortem passed the review and moved from draft to in review to final");

  // the second writer, still on revision 4, saves again: refused; reloading drops the change
  await other.fill("#pm-resolution", "The switch port was replaced.");
  await other.click("#pm-save");
  await other.waitForFunction(() => !document.getElementById("pm-conflict").hidden);
  await other.click("#pm-reload");
  await other.waitForFunction(() => document.getElementById("pm-status").textContent === "final");
  check(await other.inputValue("#pm-resolution") === written.resolution, "reloading shows their text");
  check(await other.isHidden("#pm-conflict"), "the merge panel goes after reloading");
  console.log("ok - a refused save can be dropped by reloading theirs");

  const markdown = await apiGet(page, "/api/v1/postmortems/" + encodeURIComponent(id) + "/export?format=markdown");
  check(markdown.status === 200, "the export answers: " + markdown.status);
  for (const text of [title, summaryA, impactB, detectionB, statement, findingText, entryText, "NET-4711", "Status: final"]) {
    check(markdown.text.includes(text), "the export holds " + text);
  }
  written.testimony = { who: "Ada", role: "storage on-call", given: "2026-11-29", statement, evidence };
  written.finding = { text: findingText, evidence };
  written.entry = { id: entryId, time: entryTime, before: entryBefore, text: entryText };
  written.actionItems = actionItems;
  written.writer = writer;
  console.log("# written: " + JSON.stringify(written));
  console.log("ok - the Markdown export holds what was written");

  // ---- hostile text in every field -------------------------------------------------------------------
  await page.click("#pm-close");
  await page.waitForFunction(() => !document.getElementById("document").hidden && document.querySelector(".pm-head"));
  await page.fill("#pm-new-title", "hostile " + run);
  await page.click("#pm-create");
  await page.waitForFunction((t) => !document.getElementById("editor").hidden && document.getElementById("pm-title").value === t, "hostile " + run);
  const hostileId = new URL(page.url()).searchParams.get("id");
  await page.click("#pm-add-testimony");
  await page.click("#pm-add-finding");
  await page.click("#pm-add-action");
  await page.fill("#pm-new-time", "04:05");
  await page.fill("#pm-new-text", "entry");
  await page.click("#pm-add-entry");
  const fields = page.locator("#pm-form input:not([readonly]):not([type=date]):not([type=checkbox]):not(#pm-incidentId), #pm-form textarea");
  const count = await fields.count();
  for (let i = 0; i < count; i++) await fields.nth(i).fill(HOSTILE);
  await page.click("#pm-save");
  await saved(page, 2);
  await page.goto(base + "/postmortems?id=" + encodeURIComponent(hostileId) + "&edit=1");
  await page.waitForFunction((h) => document.getElementById("pm-summary") && document.getElementById("pm-summary").value === h, HOSTILE);
  const values = await page.locator("#pm-form textarea").evaluateAll((all) => all.map((t) => t.value));
  check(values.length >= 13 && values.every((v) => v === HOSTILE), "every text area holds the hostile text as typed: " + values.length);
  check((await page.textContent("#pm-summary-preview")).includes("<img src=x onerror="), "the preview shows the markup as text");
  check(await page.locator("#editor img, #editor script, #editor iframe").count() === 0, "no element was made of the text in the editor");
  await page.click("#pm-close");
  await page.waitForFunction(() => !document.getElementById("document").hidden && document.querySelector(".pm-head"));
  check((await page.textContent("#document")).includes("</textarea><script>"), "the document shows the markup as text");
  check(await page.locator("#document img, #document script, #document iframe").count() === 0, "no element was made of the text in the document");
  check(await page.evaluate(() => window.__pwned === undefined), "no script ran");
  console.log("ok - hostile text in every field renders as text in the editor, its preview and the document");

  // ---- a viewer, a phone ---------------------------------------------------------------------------
  const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const viewer = await viewerContext.newPage();
  watch(viewer, problems);
  await login(viewer, viewerToken);
  await viewer.goto(base + "/postmortems?id=" + encodeURIComponent(id) + "&edit=1");
  await viewer.waitForFunction(() => document.querySelector(".pm-head"));
  check(await viewer.locator("#pm-edit").count() === 0, "a viewer gets no Edit button");
  check(!(await viewer.isVisible("#authoring")) && !(await viewer.isVisible("#editor")), "a viewer gets no editor");
  console.log("ok - a viewer gets no editing controls");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(base + "/postmortems?id=" + encodeURIComponent(id) + "&edit=1");
  await page.waitForFunction(() => document.getElementById("pm-summary") && !document.getElementById("editor").hidden);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  const over = await page.evaluate(() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > 392 && [...e.children].every((c) => c.getBoundingClientRect().right <= 392))
    .slice(0, 5).map((e) => e.tagName + "#" + e.id + "." + e.className + " " + Math.round(e.getBoundingClientRect().right)));
  check(wide <= 391, "the editor fits a phone-width screen: " + wide + " px wide, beyond it: " + over.join(", "));
  await page.screenshot({ path: screenshots + "/postmortem-authoring-phone.png" });
  console.log("ok - the editor fits a 390 px wide screen");

  // every control in the editor has a label
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll("#editor input, #editor textarea, #editor select, #authoring input, #authoring select")]
    .filter((c) => c.labels === null || (c.labels.length === 0 && !c.getAttribute("aria-label"))).map((c) => c.id || c.className));
  check(unlabelled.length === 0, "every control is labelled: " + unlabelled);
  console.log("ok - every control of the editor is labelled");

  check(problems.length === 0, problems.join("; "));
  console.log("ok - no console error and no failing request on the pages");
} catch (e) {
  failed = true;
  console.log("not ok - " + e.message);
  if (problems.length) console.log("# problems: " + problems.join("; "));
  if (page) {
    const shown = await page.evaluate(() => (document.getElementById("pm-state") || {}).textContent + " | " +
      (document.getElementById("notice") || {}).textContent + " | " + (document.getElementById("pm-conflict") || {}).textContent).catch(() => "");
    console.log("# page at " + page.url() + ": " + String(shown).slice(0, 2000));
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
