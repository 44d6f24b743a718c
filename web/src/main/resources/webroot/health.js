// Renders GET /health. Everything from the server is inserted as text, never as HTML.
"use strict";

function item(list, text, cls) {
  const li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  list.appendChild(li);
}

async function refresh() {
  let report;
  try {
    const response = await fetch("/health", { cache: "no-store" });
    report = await response.json();
  } catch (e) {
    document.getElementById("status").textContent = "unreachable";
    return;
  }
  const status = document.getElementById("status");
  status.textContent = report.status;
  status.className = "status " + report.status;
  const checks = document.getElementById("checks");
  checks.replaceChildren();
  const names = Object.keys(report.checks);
  if (names.length === 0) item(checks, "all checks pass");
  for (const name of names) {
    const check = report.checks[name];
    item(checks, "[" + check.severity + "] " + name + ": " + check.summary, check.severity);
    for (const line of check.detail) item(checks, "    " + line, "detail");
  }
  const services = document.getElementById("services");
  services.replaceChildren();
  for (const [name, service] of Object.entries(report.services)) {
    item(services, name + ": " + service.state + (service.detail ? " (" + service.detail + ")" : ""));
  }
  const kafka = report.kafka;
  document.getElementById("kafka").textContent =
    kafka.bootstrap + (kafka.embedded ? " (embedded)" : "") + (kafka.reachable ? "" : " — unreachable");
  const topics = document.getElementById("topics");
  topics.replaceChildren();
  for (const [name, topic] of Object.entries(kafka.topics)) {
    item(topics, name + ": " + topic.partitions + " partitions, replication " +
      topic.replicationFactor + (topic.records >= 0 ? ", " + topic.records + " records" : ""));
  }
}

refresh();
setInterval(refresh, 5000);
