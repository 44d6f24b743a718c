// Browser test of the incident and postmortem pages against a real platform (web + postmortem
// roles on a real broker), started by the app module's RecordPagesBrowserIT with BASE_URL, TOKEN
// (a responder's), INCIDENT_ID and POSTMORTEM_ID. Prints "ok - name" per check and exits 1 on the
// first failure.
import { chromium } from "playwright-core";

const base = process.env.BASE_URL;
const token = process.env.TOKEN;
const incidentId = process.env.INCIDENT_ID;
const postmortemId = process.env.POSTMORTEM_ID;

function check(condition, message) {
  if (!condition) throw new Error(message);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
});
let failed = false;
let page = null;
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("dialog", (d) => { errors.push("a dialog opened: " + d.message()); d.dismiss(); });

  await page.goto(base + "/login?next=" + encodeURIComponent("/incidents"));
  await page.fill("#token", token);
  await page.click("#submit");
  await page.waitForURL(base + "/incidents");

  // the incident list, then the incident with its evidence drawn
  await page.waitForFunction((id) => [...document.querySelectorAll("#results li")].some((li) => li.textContent.includes("MTU")), incidentId);
  console.log("ok - the incident is listed");
  await page.goto(base + "/incidents?id=" + encodeURIComponent(incidentId));
  await page.waitForFunction(() => document.querySelectorAll("#timeline svg circle.mark").length >= 3, null, { timeout: 20000 });
  const marks = await page.locator("#timeline svg circle.mark").count();
  const listed = await page.locator("ol.evidence li").count();
  check(listed >= marks, "every drawn mark is listed: " + marks + " marks, " + listed + " rows");
  console.log("ok - the incident's evidence is drawn as a timeline (" + marks + " events)");
  await page.locator("#timeline svg circle.mark").first().click();
  await page.waitForFunction(() => document.getElementById("evidence-detail").textContent.includes("specversion"));
  console.log("ok - clicking a mark shows the raw CloudEvent");

  // to the postmortem
  await page.click("#to-postmortem");
  await page.waitForURL(/\/postmortems\?id=/);
  check(page.url().includes(encodeURIComponent(postmortemId)), "the incident leads to its postmortem, got " + page.url());
  await page.waitForFunction(() => document.querySelectorAll("#testimonies .testimony").length === 2);
  const headText = await page.locator(".pm-head").textContent();
  check(headText.includes("2026-11-29") && headText.includes("Ada, Brunel"),
    "the postmortem's date and authors are shown: " + headText);
  const items = await page.locator("table.items").textContent();
  check(items.includes("prevent") && items.includes("NET-4711"),
    "an action item's type and bug are shown: " + items);
  const pageText = await page.locator("#document").textContent();
  check(pageText.includes("Switch port counters, 09:00-10:00"), "supporting information is shown");
  console.log("ok - the date, authors, supporting information and action items' type and bug are shown");
  const boxes = await page.locator("#testimonies .testimony").evaluateAll((cards) => cards.map((c) => c.getBoundingClientRect().toJSON()));
  check(Math.abs(boxes[0].top - boxes[1].top) < 2 && boxes[1].left > boxes[0].right - 1,
    "the testimonies stand side by side: " + JSON.stringify(boxes));
  console.log("ok - testimonies are shown side by side");
  if (process.env.SCREENSHOTS) {
    // at 1280x800 for the docs (docs/api.md, "Pages"), then back to the size the checks above were made at
    await page.setViewportSize({ width: 1280, height: 800 });
    // the postmortem itself at the top, below its title, rather than the list above it
    await page.evaluate(() => { document.querySelector(".pm-head").scrollIntoView(); window.scrollBy(0, -50); });
    await page.screenshot({ path: process.env.SCREENSHOTS + "/postmortem.png" });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.setViewportSize({ width: 1400, height: 1000 });
  }

  const remark = await page.locator("#testimonies .remark").allTextContents();
  check(remark.some((t) => /human error/i.test(t)), "the blameless remark is beside the testimony: " + JSON.stringify(remark));
  console.log("ok - the blameless review's remark is shown inline");

  const hostile = await page.locator("#testimonies .testimony").nth(1).textContent();
  check(hostile.includes("<img src=x onerror="), "hostile statement shown as text: " + hostile);
  check(await page.locator("#testimonies img").count() === 0, "no element was made of a statement");
  check(await page.evaluate(() => window.__pwned === undefined), "no script ran");
  console.log("ok - a statement holding markup is shown as text and runs nothing");

  await page.waitForFunction(() => document.querySelectorAll("#timeline svg circle.mark").length >= 3);
  console.log("ok - the postmortem's drafted timeline is drawn");

  const revisions = await page.locator("ol.revisions li").count();
  check(revisions >= 2, "the revisions are listed: " + revisions);
  await page.fill("#compare-from", "1");
  await page.fill("#compare-to", String(revisions));
  await page.click("form.compare button");
  await page.waitForFunction(() => document.querySelectorAll("#diff .section-diff").length > 0);
  const sections = await page.locator("#diff .section-diff h4").allTextContents();
  check(sections.includes("testimonies"), "the comparison names the changed sections: " + sections);
  console.log("ok - two revisions are compared section by section");

  await page.locator("ol.revisions li a").first().click();
  await page.waitForFunction(() => document.querySelector(".pm-head") && document.querySelector(".pm-head").textContent.includes("revision 1 of"));
  check(await page.locator("#testimonies .testimony").count() === 0, "revision 1 had no testimony");
  console.log("ok - an earlier revision is shown as it was");

  // search with facets and highlights
  await page.fill("#q", "jumbo");
  await page.click("#search button");
  await page.waitForFunction(() => document.querySelectorAll("#results li mark").length > 0, null, { timeout: 20000 });
  check(await page.locator("#facets .chip").count() > 0, "facet counts are shown");
  console.log("ok - postmortem search shows highlighted snippets and facets");

  check(errors.length === 0, "no page errors: " + errors.join("; "));
  console.log("ok - no page errors");
} catch (e) {
  failed = true;
  console.log("not ok - " + e.message);
  if (page) {
    // what the page showed, to tell why
    const shown = await page.evaluate(() => (document.getElementById("notice") || {}).textContent + " | " +
      (document.getElementById("document") || {}).textContent).catch(() => "");
    console.log("# page at " + page.url() + ": " + String(shown).slice(0, 2000));
  }
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
