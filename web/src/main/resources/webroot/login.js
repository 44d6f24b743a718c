"use strict";

document.getElementById("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  const token = document.getElementById("token").value;
  const response = await fetch("/api/v1/session", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ token }),
  });
  if (!response.ok) {
    let message = "login failed (" + response.status + ")";
    try { message = (await response.json()).error || message; } catch (e) { /* keep */ }
    document.getElementById("error").textContent = message;
    return;
  }
  const next = new URLSearchParams(location.search).get("next");
  // only same-site paths: never an absolute or protocol-relative address
  location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
});
