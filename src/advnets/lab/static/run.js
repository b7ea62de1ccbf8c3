// The trained-run view: open a run directory, sample with a seed, walk between two z, show its curves.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});
  const view = (lab.run = { info: null, samples: 0 });
  const $ = (id) => document.getElementById(id);

  function label() {
    return view.info && view.info.conditional ? Number($("run-label").value) : null;
  }

  function infoTable(info) {
    const rows = [
      ["checkpoint", info.checkpoint], ["iteration", info.step], ["data", info.dataset],
      ["sample shape", info.sample_shape.join(" × ")], ["variant", info.variant], ["noise dim", info.noise_dim],
    ];
    $("run-info").innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td>${v}</td></tr>`).join("");
  }

  function curves(info) {
    const rows = info.metrics.filter((r) => r.step !== undefined);
    const pick = (key) => rows.map((r) => (r[key] === undefined ? null : r[key]));
    const steps = pick("step");
    lab.drawChart($("run-chart"), [
      { x: steps, y: pick("d_loss"), color: "#1565c0", label: "D's loss" },
      { x: steps, y: pick("g_loss"), color: "#7b1fa2", label: "G's loss" },
      { x: steps, y: pick("d_real"), color: "#1b8a3a", label: "D(x)" },
      { x: steps, y: pick("d_fake"), color: "#e65100", label: "D(G(z))" },
    ], { xlabel: "iteration" });
    const epochs = info.last_epochs;
    if (!epochs.length) { $("run-epochs").innerHTML = "<tr><td>no epoch rows logged</td></tr>"; return; }
    const first = ["epoch", "step", "d_loss", "g_loss", "d_real", "d_fake"];
    const seen = Object.keys(epochs[epochs.length - 1]).filter((k) => k !== "time");
    const keys = [...first.filter((k) => seen.includes(k)), ...seen.filter((k) => !first.includes(k))];
    const cell = (v) => (typeof v === "number" ? (Number.isInteger(v) ? v : v.toPrecision(4)) : v === undefined ? "–" : v);
    $("run-epochs").innerHTML = `<tr>${keys.map((k) => `<th>${k}</th>`).join("")}</tr>` +
      epochs.map((r) => `<tr>${keys.map((k) => `<td>${cell(r[k])}</td>`).join("")}</tr>`).join("");
  }

  async function open() {
    const reply = await lab.api("/api/run/open", { path: $("run-path").value });
    if (!reply) return;
    lab.showMessage(null);
    const info = (view.info = reply.run);
    infoTable(info);
    $("run-label-box").classList.toggle("hidden", !info.conditional);
    if (info.conditional) {
      $("run-label").innerHTML = Array.from({ length: info.num_classes || 0 }, (_, i) => `<option>${i}</option>`).join("");
    }
    $("run-inpaint-box").classList.toggle("hidden", !info.inpainting);
    curves(info);
    await sample();
    await interpolate();
  }

  async function sample() {
    const reply = await lab.api("/api/run/sample", { n: $("run-n").value, seed: $("run-seed").value, label: label() });
    if (!reply) return;
    $("run-grid").src = "data:image/png;base64," + reply.png;
    view.samples += 1;
  }

  let pending = null;
  async function interpolate() {
    $("interp-t-value").textContent = Number($("interp-t").value).toFixed(2);
    if (!view.info) return;
    if (pending) { pending.again = true; return; }  // one request in flight; the latest slider value wins
    pending = { again: false };
    const reply = await lab.api("/api/run/interpolate", {
      seed_a: $("interp-a").value, seed_b: $("interp-b").value, t: $("interp-t").value,
      mode: $("interp-mode").value, label: label(),
    });
    if (reply) {
      $("interp-current").src = "data:image/png;base64," + reply.current;
      $("interp-strip").src = "data:image/png;base64," + reply.strip;
    }
    const again = pending.again;
    pending = null;
    if (again) interpolate();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("run-open").addEventListener("click", open);
    $("run-path").addEventListener("keydown", (e) => { if (e.key === "Enter") open(); });
    $("run-sample").addEventListener("click", sample);
    $("run-label").addEventListener("change", () => { sample(); interpolate(); });
    for (const id of ["interp-t", "interp-a", "interp-b", "interp-mode"]) $(id).addEventListener("input", interpolate);
  });
})();
