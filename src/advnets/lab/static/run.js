// The trained-run view: open a run directory, sample with a seed, walk between two z, inpaint a test image
// under a painted mask, show its curves.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});
  const view = (lab.run = { info: null, samples: 0 });
  // The painting canvas: one mask value per pixel of the test image (1 = hidden from G).
  const paint = (view.paint = { mask: null, width: 0, height: 0, image: null, fills: 0, stroke: null });
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
    const reply = await lab.api("/api/run/open", { path: $("run-path").value, data_dir: $("run-data-dir").value });
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
    if (info.inpainting) {
      $("inpaint-preset").innerHTML = '<option value="">(paint your own)</option>' +
        info.masks.map((name) => `<option>${name}</option>`).join("");
      paint.mask = null;
      $("inpaint-result").removeAttribute("src");
      await loadTestImage();
    }
  }

  async function loadTestImage() {
    const reply = await lab.api("/api/run/test-image", { index: $("inpaint-index").value });
    if (!reply) return;
    $("inpaint-index").value = reply.index;
    lab.run.testCount = reply.count;
    $("inpaint-count").textContent = `of ${reply.count} (0 to ${reply.count - 1})`;
    const image = new Image();
    image.onload = () => {
      paint.image = image;
      paint.width = image.naturalWidth;
      paint.height = image.naturalHeight;
      if (!paint.mask || paint.mask.length !== paint.width * paint.height) clearMask();
      drawPaint();
    };
    image.src = "data:image/png;base64," + reply.png;
  }

  function clearMask() {
    paint.mask = new Array(paint.width * paint.height).fill(0);
    $("inpaint-preset").value = "";
    drawPaint();
  }

  function drawPaint() {
    const canvas = $("inpaint-canvas");
    const context = canvas.getContext("2d");
    context.imageSmoothingEnabled = false;
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (!paint.image) return;
    context.drawImage(paint.image, 0, 0, canvas.width, canvas.height);
    const cellW = canvas.width / paint.width, cellH = canvas.height / paint.height;
    context.fillStyle = "rgba(229, 57, 53, 0.6)";
    let hidden = 0;
    paint.mask.forEach((value, i) => {
      if (!value) return;
      hidden += 1;
      context.fillRect((i % paint.width) * cellW, Math.floor(i / paint.width) * cellH, cellW, cellH);
    });
    $("inpaint-hidden").textContent = `${hidden} of ${paint.mask.length} pixels hidden (red)`;
  }

  function paintAt(event) {
    if (!paint.stroke || !paint.mask) return;
    const box = $("inpaint-canvas").getBoundingClientRect();
    const column = Math.floor(((event.clientX - box.left) / box.width) * paint.width);
    const row = Math.floor(((event.clientY - box.top) / box.height) * paint.height);
    const radius = Number($("inpaint-brush").value);
    for (let dy = -radius; dy <= radius; dy++) {
      for (let dx = -radius; dx <= radius; dx++) {
        const r = row + dy, c = column + dx;
        if (r >= 0 && r < paint.height && c >= 0 && c < paint.width) paint.mask[r * paint.width + c] = paint.stroke.value;
      }
    }
    drawPaint();
  }

  async function presetMask() {
    const name = $("inpaint-preset").value;
    if (!name) return;
    const reply = await lab.api("/api/run/mask", { name });
    if (!reply) return;
    paint.mask = reply.mask;
    drawPaint();
  }

  async function fillIn() {
    if (!paint.mask) return;
    const reply = await lab.api("/api/run/inpaint", {
      index: $("inpaint-index").value, mask: paint.mask, completions: $("inpaint-k").value, seed: $("inpaint-seed").value,
    });
    if (!reply) return;
    lab.showMessage(null);
    $("inpaint-result").src = "data:image/png;base64," + reply.png;
    paint.fills += 1;
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
    const canvas = $("inpaint-canvas");
    canvas.addEventListener("contextmenu", (e) => e.preventDefault());
    canvas.addEventListener("pointerdown", (e) => {
      paint.stroke = { value: e.button === 2 || e.shiftKey ? 0 : 1 };
      $("inpaint-preset").value = "";
      paintAt(e);
    });
    canvas.addEventListener("pointermove", paintAt);
    window.addEventListener("pointerup", () => { paint.stroke = null; });
    $("inpaint-index").addEventListener("change", loadTestImage);
    $("inpaint-next").addEventListener("click", () => {
      // The next one, back to the first after the last (the server refuses an index it does not have).
      const count = lab.run.testCount || Infinity, next = Number($("inpaint-index").value) + 1;
      $("inpaint-index").value = next < count ? next : 0;
      loadTestImage();
    });
    $("inpaint-clear").addEventListener("click", clearMask);
    $("inpaint-preset").addEventListener("change", presetMask);
    $("inpaint-run").addEventListener("click", fillIn);
  });
})();
