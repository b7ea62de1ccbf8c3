// Shared by both views: talking to the server, the message bar, and the tabs.
"use strict";

const lab = (window.lab = window.lab || {});

lab.api = async function (path, body) {
  // POST JSON (or GET without a body); resolves to the reply, or shows its error and resolves to null.
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  let reply;
  try {
    const response = await fetch(path, options);
    reply = await response.json();
  } catch (error) {
    lab.showMessage("The lab server did not answer (" + error + "). Is `advnets lab` still running?");
    return null;
  }
  if (!reply.ok) {
    lab.showMessage(reply.error || "the server refused the request");
    return null;
  }
  if (lab.messageSource === "request") lab.showMessage(null);  // a later success clears an old error
  return reply;
};

// source: "request" (a refused request: cleared by the next success) or "game" (the server's own message,
// shown while its frames carry it).
lab.showMessage = function (text, level, source) {
  const box = document.getElementById("message");
  lab.messageSource = text ? source || "request" : null;
  if (!text) { box.classList.add("hidden"); box.textContent = ""; return; }
  box.textContent = text;
  box.className = "message" + (level === "info" ? " info" : "");
};

lab.switchTab = function (name) {
  for (const button of document.querySelectorAll("nav .tab")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  document.getElementById("view-game").classList.toggle("hidden", name !== "game");
  document.getElementById("view-run").classList.toggle("hidden", name !== "run");
  lab.showMessage(null);
};

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("nav .tab")) {
    button.addEventListener("click", () => lab.switchTab(button.dataset.tab));
  }
});
