// The toy game view: settings, play/step controls, the live frame stream, and the charts.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});
  const FIELDS = ["data", "g_layers", "g_width", "noise", "noise_dim", "g_optimizer", "g_lr", "d_layers", "d_width",
    "d_optimizer", "d_lr", "loss", "update", "k", "g_steps", "batch", "seed"];
  const RATES = new Set(["g_lr", "d_lr"]);
  const INTEGER = new Set(["g_layers", "g_width", "d_layers", "d_width", "k", "g_steps", "batch", "seed"]);
  const game = (lab.game = { frame: null, frames: 0, drawn: [] });
  const $ = (id) => document.getElementById(id);

  function readSettings() {
    const settings = {};
    for (const name of FIELDS) {
      const raw = $(name).value.trim();
      // Numbers go as numbers when they parse; otherwise as typed, so the server can say what is wrong.
      settings[name] = (INTEGER.has(name) || RATES.has(name)) && raw !== "" && !isNaN(Number(raw)) ? Number(raw) : raw;
    }
    if (settings.data === "drawn-2d") settings.points = game.drawn;
    return settings;
  }

  function fillSettings(settings) {
    for (const name of FIELDS) if (settings[name] !== undefined) $(name).value = settings[name];
    updateDrawHint();
    syncK();
  }

  // k and the G steps are Algorithm 1's: the simultaneous update (one minibatch moves both players) has
  // neither, and the engine refuses any other value there, so the fields are held at 1 and disabled.
  function syncK() {
    const simultaneous = $("update").value === "simultaneous";
    for (const name of ["k", "g_steps"]) {
      $(name).disabled = simultaneous;
      if (simultaneous) $(name).value = 1;
    }
  }

  function updateDrawHint() {
    $("data-about").textContent = (game.about || {})[$("data").value] || "";
    $("draw-hint").classList.toggle("hidden", $("data").value !== "drawn-2d");
    $("point-count").textContent = game.drawn.length + " points";
  }

  async function apply() {
    const reply = await lab.api("/api/game/configure", readSettings());
    if (reply) lab.showMessage(null);
  }

  async function command(action) {
    const reply = await lab.api("/api/game/command", { action: action, speed: $("speed").value });
    if (reply && action !== "play") lab.showMessage(null);
  }

  function lightOverview(frame) {
    const lit = new Set();
    const phase = frame.phase;
    if (frame.running) ["node-z", "node-G", "node-fake", "node-real", "node-D", "node-loss", "node-grad"].forEach((n) => lit.add(n));
    else if (phase) {
      const byStage = {
        sample: phase.player === "D" ? ["node-z", "node-G", "node-fake", "node-real"] : ["node-z", "node-G", "node-fake"],
        classify: ["node-D"], loss: ["node-loss"], gradient: ["node-grad"],
        step: [phase.player === "D" ? "node-D" : "node-G"],
      };
      (byStage[phase.stage] || []).forEach((n) => lit.add(n));
    }
    for (const node of document.querySelectorAll("#overview .node")) node.classList.toggle("lit", lit.has(node.id));
    const back = phase && !frame.running && (phase.stage === "gradient" || phase.stage === "step");
    $("edge-back-D").classList.toggle("lit", Boolean(back && phase.player === "D") || frame.running);
    $("edge-back-G").classList.toggle("lit", Boolean(back && phase.player === "G") || frame.running);
  }

  function numbersTable(frame) {
    const s = frame.stats || {};
    const rows = [
      ["JSD(p_data ‖ p_g)", frame.jsd], ["C(G) = −log 4 + 2 JSD", frame.c_of_g], ["V(G, D) for this D", frame.value],
      ["D's loss", s.d_loss], ["G's loss", s.g_loss], ["mean D(x)", s.d_real], ["mean D(G(z))", s.d_fake],
    ];
    const cell = (v) => (v === undefined || v === null ? "–" : typeof v === "string" ? v : Number(v).toFixed(4));
    // The engine's own optimisers, read from the game: what each player is really stepped with.
    for (const [player, o] of Object.entries(frame.optimizers || {})) {
      rows.push([`${player}'s optimiser`, `${o.name === "sgd" ? "SGD" : "Adam"}, lr ${Number(o.lr.toPrecision(4))}`]);
    }
    $("numbers").innerHTML = rows.map(([k, v]) => `<tr><td>${k}</td><td>${cell(v)}</td></tr>`).join("");
  }

  // D's loss at the equilibrium D = 1/2 everywhere: log 2 in the log game, 1/4 under least squares.
  const LOG_HINT = "D's loss −½[log D(x) + log(1 − D(G(z)))] and G's loss, per iteration. At the game's " +
    "equilibrium D(x) = ½ everywhere and D's loss is log 2 ≈ 0.693.";
  const LEAST_SQUARES_HINT = "D's loss ½[(D(x) − 1)² + D(G(z))²] and G's loss ½(D(G(z)) − 1)² (least squares, " +
    "LSGAN, on D's raw output), per iteration. At the equilibrium D(x) = ½ everywhere and both are ¼ = 0.25.";
  function equilibrium(frame) {
    return frame.loss === "least-squares" ? { y: 0.25, label: "¼ (LSGAN)", color: "#90a4ae" }
      : { y: Math.log(2), label: "log 2", color: "#90a4ae" };
  }

  // What went wrong: the server's diagnosis of this frame (advnets.lab.diagnosis), with its numbers. Built
  // with textContent: the texts hold "<".
  function diagnosisPanel(frame) {
    const d = frame.diagnosis || { problems: [], measured: {} };
    const list = $("diagnosis");
    list.replaceChildren(...(d.problems.length ? d.problems : [null]).map((p) => {
      const item = document.createElement("li");
      if (!p) { item.className = "ok"; item.textContent = "Nothing detected in this frame."; return item; }
      item.dataset.problem = p.problem;
      const title = document.createElement("b");
      title.textContent = p.title + ": ";
      item.append(title, p.text);
      return item;
    }));
    const m = d.measured, show = (v) => (v === null || v === undefined ? "–" : Number(v.toPrecision(3)));
    $("diagnosis-measured").textContent = `now: mean D(G(z)) ${show(m.d_fake)} · mean |grad| ${show(m.mean_grad)}` +
      (m.modes >= 2 ? ` · modes with no G mass ${m.dropped} of ${m.modes}` : "");
  }

  // The engine's moves of one iteration, "D → D → G"; a run of 4 or more of one player as "D ×20".
  game.iterationText = iterationText;
  function iterationText(moves) {
    const runs = [];
    for (const player of moves) {
      const last = runs[runs.length - 1];
      if (last && last[0] === player) last[1] += 1; else runs.push([player, 1]);
    }
    return runs.map(([p, n]) => (n >= 4 ? `${p} ×${n}` : Array(n).fill(p).join(" → "))).join(" → ");
  }

  function render(frame) {
    game.frame = frame; game.frames += 1;
    const drawing = $("data").value === "drawn-2d";
    if (drawing && frame.dim !== 2) lab.drawDrawing($("plane"), game.drawn);
    else lab.drawPlane($("plane"), frame, { drawn: drawing ? game.drawn : [] });
    $("legend").textContent = lab.legendText(frame);
    const h = frame.history;
    lab.drawChart($("chart-loss"), [
      { x: h.step, y: h.d_loss, color: "#1565c0", label: "D's loss" },
      { x: h.step, y: h.g_loss, color: "#7b1fa2", label: "G's loss" },
    ], { lines: [equilibrium(frame)], xlabel: "iteration", log: $("loss-log").checked });
    $("loss-hint").textContent = frame.loss === "least-squares" ? LEAST_SQUARES_HINT : LOG_HINT;
    lab.drawChart($("chart-jsd"), [{ x: h.step, y: h.jsd, color: "#e65100", label: "JSD" }],
      { ymin: 0, lines: [{ y: Math.log(2), label: "log 2 (disjoint)", color: "#90a4ae" }], xlabel: "iteration" });
    numbersTable(frame);
    diagnosisPanel(frame);
    // No epoch: the toy game's data is a density, and passes over the sample drawn from it mean nothing here.
    $("step-count").textContent = frame.step;
    $("play").textContent = frame.running ? "❚❚ Pause" : "▶ Play";
    const manual = frame.alternating;
    $("step-d").disabled = !manual || frame.next_player !== "D";
    $("step-g").disabled = !manual || frame.next_player !== "G";
    $("substep").disabled = !manual;
    $("phase").textContent = frame.running ? (manual ? "Playing: each frame shows the game after a few iterations of Algorithm 1."
      : "Playing: each frame shows the game after a few simultaneous updates (both players from one minibatch).")
      : frame.phase ? `${frame.phase.explanation}${frame.phase.loss !== null ? ` (loss ${frame.phase.loss.toFixed(4)})` : ""}`
      : "Paused. Press Play, or step through Algorithm 1." + (manual ? ` Next: ${frame.next_player}. One iteration: ${iterationText(frame.moves)}.` : "");
    lightOverview(frame);
    if (frame.message) lab.showMessage(frame.message.text, frame.message.level, "game");
    else if (lab.messageSource === "game") lab.showMessage(null);
  }

  function connect() {
    const source = new EventSource("/api/game/stream");
    source.onmessage = (event) => render(JSON.parse(event.data));
    source.onerror = () => { /* EventSource reconnects by itself */ };
    game.source = source;
  }

  function addPoint(event) {
    if ($("data").value !== "drawn-2d") return;
    const canvas = $("plane"), box = canvas.getBoundingClientRect();
    const cx = ((event.clientX - box.left) / box.width) * canvas.width;
    const cy = ((event.clientY - box.top) / box.height) * canvas.height;
    game.drawn.push(lab.canvasToPlane(canvas, cx, cy).map((v) => Math.round(v * 1000) / 1000));
    updateDrawHint();
    if (game.frame) render(game.frame);
  }

  async function init() {
    const options = await lab.api("/api/game/options");
    if (!options) return;
    game.about = options.about;
    $("data").innerHTML = Object.entries(options.targets).map(([k, v]) => `<option value="${k}">${v}</option>`).join("");
    // The server's game, not the defaults: after a reload the page must show what is being played.
    const current = options.current || options.defaults;
    game.drawn = (current.points || []).slice();
    fillSettings(current);
    $("speed").value = options.speed || "normal";
    $("data").addEventListener("change", () => { updateDrawHint(); if (game.frame) render(game.frame); });
    $("apply").addEventListener("click", apply);
    $("play").addEventListener("click", () => command(game.frame && game.frame.running ? "pause" : "play"));
    $("step-iter").addEventListener("click", () => command("iteration"));
    $("step-d").addEventListener("click", () => command("d_update"));
    $("step-g").addEventListener("click", () => command("g_update"));
    $("substep").addEventListener("click", () => command("substep"));
    $("speed").addEventListener("change", () => game.frame && game.frame.running && command("play"));
    $("update").addEventListener("change", syncK);
    $("loss-log").addEventListener("change", () => game.frame && render(game.frame));
    $("clear-points").addEventListener("click", () => { game.drawn = []; updateDrawHint(); if (game.frame) render(game.frame); });
    let drawing = false;
    $("plane").addEventListener("mousedown", (e) => { drawing = true; addPoint(e); });
    $("plane").addEventListener("mousemove", (e) => { if (drawing && e.buttons) addPoint(e); });
    window.addEventListener("mouseup", () => { drawing = false; });
    for (const box of document.querySelectorAll(".layers input")) box.addEventListener("change", () => game.frame && render(game.frame));
    connect();
  }

  document.addEventListener("DOMContentLoaded", init);
})();
