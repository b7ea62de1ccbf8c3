// Draws one frame of the toy game: D as a heat map (2-D) or a curve (1-D), samples, G's map, gradients.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});
  const REAL = "#1b8a3a", FAKE = "#7b1fa2", D_COLOUR = "#1565c0", MAP = "rgba(69, 90, 100, 0.55)";

  // D in [0, 1] -> purple (0, "fake") through white (0.5) to green (1, "real").
  function heatColour(v) {
    const t = Math.max(0, Math.min(1, v));
    const fake = [123, 31, 162], mid = [255, 255, 255], real = [27, 138, 58];
    const [a, b, s] = t < 0.5 ? [fake, mid, t / 0.5] : [mid, real, (t - 0.5) / 0.5];
    return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * s));
  }

  // G's gradient arrows on one fixed scale, the same in every frame and for both losses, so that their
  // length can be compared over time (they shrink near equilibrium) and between the saturating and the
  // non-saturating loss. Longer arrows are cut at ARROW_CAP pixels and drawn dashed.
  const ARROW_PIXELS_PER_UNIT = 25, ARROW_CAP = 70;
  lab.arrowScale = { pixelsPerUnit: ARROW_PIXELS_PER_UNIT, cap: ARROW_CAP };

  // (dx, dy) in canvas pixels for a gradient (gx, gy), capped; records the longest uncapped length drawn.
  function scaledArrow(canvas, gx, gy) {
    let dx = gx * ARROW_PIXELS_PER_UNIT, dy = gy * ARROW_PIXELS_PER_UNIT;
    const len = Math.hypot(dx, dy);
    canvas.longestArrow = Math.max(canvas.longestArrow || 0, len);
    const capped = len > ARROW_CAP;
    if (capped) { dx *= ARROW_CAP / len; dy *= ARROW_CAP / len; }
    return [dx, dy, capped];
  }

  function gradientArrow(ctx, canvas, x, y, gx, gy) {
    const [dx, dy, capped] = scaledArrow(canvas, gx, gy);
    if (capped) ctx.setLineDash([3, 2]);
    arrow(ctx, x, y, dx, dy);
    ctx.setLineDash([]);
  }

  function toggled(id) { const box = document.getElementById(id); return !box || box.checked; }

  function arrow(ctx, x, y, dx, dy) {
    const len = Math.hypot(dx, dy);
    if (len < 0.5) return;
    ctx.beginPath(); ctx.moveTo(x, y); ctx.lineTo(x + dx, y + dy); ctx.stroke();
    const ux = dx / len, uy = dy / len, head = Math.min(5, len / 2);
    ctx.beginPath();
    ctx.moveTo(x + dx, y + dy);
    ctx.lineTo(x + dx - head * (ux + uy * 0.5), y + dy - head * (uy - ux * 0.5));
    ctx.lineTo(x + dx - head * (ux - uy * 0.5), y + dy - head * (uy + ux * 0.5));
    ctx.closePath(); ctx.fill();
  }

  function dots(ctx, points, colour, px, py, radius) {
    ctx.fillStyle = colour;
    for (const p of points) { ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), radius, 0, 2 * Math.PI); ctx.fill(); }
  }

  function heatImage(values, n) {
    // values[ix * n + iy]: x to the right, y upwards (row 0 of the image is the top).
    const image = new ImageData(n, n);
    for (let ix = 0; ix < n; ix++) {
      for (let iy = 0; iy < n; iy++) {
        const v = values[ix * n + iy], o = 4 * ((n - 1 - iy) * n + ix);
        // null: undefined here (D* where neither density is present): left light grey.
        const [r, g, b] = v === null ? [236, 239, 241] : heatColour(v);
        image.data[o] = r; image.data[o + 1] = g; image.data[o + 2] = b; image.data[o + 3] = 255;
      }
    }
    const off = document.createElement("canvas");
    off.width = n; off.height = n;
    off.getContext("2d").putImageData(image, 0, 0);
    return off;
  }

  function draw2d(canvas, f, extras) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    const [lo, hi] = f.window;
    const px = (x) => ((x - lo) / (hi - lo)) * W, py = (y) => H - ((y - lo) / (hi - lo)) * H;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    const background = toggled("show-dstar") ? f.heat.d_star : toggled("show-d") ? f.heat.d : null;
    if (background) {
      ctx.imageSmoothingEnabled = true;
      ctx.globalAlpha = 0.75; ctx.drawImage(heatImage(background, f.heat.n), 0, 0, W, H); ctx.globalAlpha = 1;
    }
    if (toggled("show-map")) {
      ctx.strokeStyle = MAP; ctx.lineWidth = 1;
      for (const line of f.warp) {
        ctx.beginPath();
        line.forEach((p, i) => (i ? ctx.lineTo(px(p[0]), py(p[1])) : ctx.moveTo(px(p[0]), py(p[1]))));
        ctx.stroke();
      }
    }
    if (toggled("show-real")) dots(ctx, f.real, REAL, px, py, 2.2);
    if (toggled("show-fake")) dots(ctx, f.fake, FAKE, px, py, 2.2);
    if (toggled("show-grad")) {
      canvas.longestArrow = 0;
      ctx.strokeStyle = "rgba(230, 81, 0, 0.8)"; ctx.fillStyle = "rgba(230, 81, 0, 0.8)"; ctx.lineWidth = 1;
      f.fake.forEach((p, i) => gradientArrow(ctx, canvas, px(p[0]), py(p[1]), f.grad[i][0], -f.grad[i][1]));
      arrowLegend(ctx, canvas);
    }
    if (f.phase) {
      ctx.lineWidth = 1.5;
      for (const [points, colour] of [[f.phase.batch_real, REAL], [f.phase.batch_fake, FAKE]]) {
        ctx.strokeStyle = colour;
        for (const p of points) { ctx.beginPath(); ctx.arc(px(p[0]), py(p[1]), 5, 0, 2 * Math.PI); ctx.stroke(); }
      }
    }
    crosses(ctx, extras.drawn || [], px, py);
  }

  function crosses(ctx, points, px, py) {
    ctx.strokeStyle = "#000"; ctx.lineWidth = 1.5;
    for (const p of points) {
      const x = px(p[0]), y = py(p[1]);
      ctx.beginPath(); ctx.moveTo(x - 4, y); ctx.lineTo(x + 4, y); ctx.moveTo(x, y - 4); ctx.lineTo(x, y + 4); ctx.stroke();
    }
  }

  // Drawn points live in the square [-PLANE, PLANE]^2 (advnets.lab.targets.PLANE), whatever is shown.
  const PLANE = 3;
  lab.canvasToPlane = function (canvas, cx, cy) {
    return [-PLANE + (cx / canvas.width) * 2 * PLANE, -PLANE + ((canvas.height - cy) / canvas.height) * 2 * PLANE];
  };

  // Drawing mode before a 2-D game on the drawing exists: an empty square with the points so far.
  lab.drawDrawing = function (canvas, points) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    ctx.fillStyle = "#90a4ae"; ctx.font = "14px sans-serif";
    ctx.fillText("Draw p_data here: click or drag, then press Apply", 20, 24);
    crosses(ctx, points, (x) => ((x + PLANE) / (2 * PLANE)) * W, (y) => H - ((y + PLANE) / (2 * PLANE)) * H);
  };

  function curve(ctx, xs, ys, px, py, colour, dashed) {
    ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.setLineDash(dashed ? [6, 4] : []);
    ctx.beginPath();
    let drawing = false;  // a null value breaks the line: the quantity is not defined there
    xs.forEach((x, i) => {
      if (ys[i] === null) { drawing = false; return; }
      if (drawing) ctx.lineTo(px(x), py(ys[i])); else ctx.moveTo(px(x), py(ys[i]));
      drawing = true;
    });
    ctx.stroke(); ctx.setLineDash([]);
  }

  function draw1d(canvas, f) {
    const ctx = canvas.getContext("2d"), W = canvas.width, H = canvas.height;
    const [lo, hi] = f.window, c = f.curves;
    const px = (x) => 40 + ((x - lo) / (hi - lo)) * (W - 50);  // room on the left for D's axis
    const top = 20, base = 300, xLine = 380, zLine = 480;
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    // Scale to p_data so it stays readable; a sharply peaked p_g is clipped at the top.
    const peak = Math.max(1e-9, Math.min(1.6 * Math.max(...c.p_data), Math.max(...c.p_data, ...c.p_g)));
    const pyDensity = (v) => base - (Math.min(v, peak) / peak) * (base - top);
    const pyD = (v) => base - Math.max(-0.05, Math.min(1.05, v)) * (base - top);  // LSGAN's raw D may stray
    ctx.strokeStyle = "#cfd8dc"; ctx.beginPath(); ctx.moveTo(0, base); ctx.lineTo(W, base); ctx.stroke();
    // D's axis (left): D(x) and D*(x) are probabilities, drawn on 0..1; D = 1/2 is the equilibrium.
    ctx.strokeStyle = "#78909c"; ctx.beginPath(); ctx.moveTo(34, top); ctx.lineTo(34, base); ctx.stroke();
    ctx.fillStyle = "#455a64"; ctx.font = "11px sans-serif";
    const axis = [["0", 0], ["½", 0.5], ["1", 1]];
    for (const [label, v] of axis) {
      ctx.beginPath(); ctx.moveTo(30, pyD(v)); ctx.lineTo(34, pyD(v)); ctx.stroke();
      ctx.fillText(label, 20, pyD(v) + 4);
    }
    ctx.fillText("D", 4, top + 14);
    canvas.dataset.yAxis = JSON.stringify(axis.map(([label]) => label));
    ctx.strokeStyle = "#607d8b"; ctx.setLineDash([6, 4]); ctx.lineWidth = 1.2;
    ctx.beginPath(); ctx.moveTo(34, pyD(0.5)); ctx.lineTo(W, pyD(0.5)); ctx.stroke();
    ctx.setLineDash([]); ctx.lineWidth = 1;
    ctx.fillText("D = ½", W - 44, pyD(0.5) - 4);
    ctx.fillText("densities: scaled to the plot", 44, top - 8);
    if (toggled("show-real")) curve(ctx, c.x, c.p_data, px, pyDensity, REAL, false);
    if (toggled("show-fake")) curve(ctx, c.x, c.p_g, px, pyDensity, FAKE, false);
    if (toggled("show-d")) curve(ctx, c.x, c.d, px, pyD, D_COLOUR, true);
    if (toggled("show-dstar")) curve(ctx, c.x, c.d_star, px, pyD, "#00acc1", false);
    // The paper's Figure 1: the z line below, the x line above, and lines from z to x = G(z).
    const zpx = (z) => W / 2 + (z / 2.5) * (W / 2 - 20);
    ctx.strokeStyle = "#90a4ae"; ctx.lineWidth = 1;
    for (const y of [xLine, zLine]) { ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(W, y); ctx.stroke(); }
    if (toggled("show-map") && f.mapping) {  // none for a 2-D z: Figure 1's lines need a 1-D one
      ctx.strokeStyle = MAP;
      f.mapping.z.forEach((z, i) => {
        ctx.beginPath(); ctx.moveTo(zpx(z), zLine); ctx.lineTo(px(f.mapping.x[i]), xLine); ctx.stroke();
      });
    }
    ctx.lineWidth = 1;
    if (toggled("show-real")) {
      ctx.strokeStyle = REAL;
      for (const p of f.real) { ctx.beginPath(); ctx.moveTo(px(p[0]), xLine - 12); ctx.lineTo(px(p[0]), xLine - 2); ctx.stroke(); }
    }
    if (toggled("show-fake")) {
      ctx.strokeStyle = FAKE;
      for (const p of f.fake) { ctx.beginPath(); ctx.moveTo(px(p[0]), xLine + 2); ctx.lineTo(px(p[0]), xLine + 12); ctx.stroke(); }
    }
    if (toggled("show-grad")) {
      canvas.longestArrow = 0;
      ctx.strokeStyle = "rgba(230, 81, 0, 0.7)"; ctx.fillStyle = "rgba(230, 81, 0, 0.7)";
      f.fake.forEach((p, i) => {
        if (i % 6 === 0) gradientArrow(ctx, canvas, px(p[0]), xLine + 24 + (i % 5) * 4, f.grad[i][0], 0);
      });
      arrowLegend(ctx, canvas);
    }
    ctx.fillStyle = "#455a64"; ctx.font = "12px sans-serif";
    ctx.fillText("x", 4, xLine - 16); ctx.fillText("z", 4, zLine - 6);
    ctx.fillText(lo.toFixed(1), 4, base + 14); ctx.fillText(hi.toFixed(1), W - 30, base + 14);
  }

  // The scale bar: an arrow of gradient 1, bottom right.
  function arrowLegend(ctx, canvas) {
    const x = canvas.width - ARROW_PIXELS_PER_UNIT - 12, y = canvas.height - 12;
    ctx.fillStyle = "rgba(255, 255, 255, 0.8)"; ctx.fillRect(x - 100, y - 14, ARROW_PIXELS_PER_UNIT + 108, 22);
    ctx.strokeStyle = "rgba(230, 81, 0, 0.9)"; ctx.fillStyle = "rgba(230, 81, 0, 0.9)";
    arrow(ctx, x, y, ARROW_PIXELS_PER_UNIT, 0);
    ctx.fillStyle = "#455a64"; ctx.font = "11px sans-serif";
    ctx.fillText("|grad| = 1:", x - 96, y + 4);
    canvas.dataset.arrowScale = String(ARROW_PIXELS_PER_UNIT);
  }

  lab.drawPlane = function (canvas, frame, extras) {
    return frame.dim === 1 ? draw1d(canvas, frame) : draw2d(canvas, frame, extras || {});
  };

  lab.legendText = function (frame) {
    return legend(frame) + (frame.loss === "least-squares" ? " · least squares: D(x) is D's raw output " +
      "(pulled to 1 on data, 0 on G's samples; its optimum is the same D*)" : "");
  };

  function legend(frame) {
    const z = frame.noise || { dim: frame.dim, kind: "gaussian" };
    const noise = `z: ${z.dim}-D ${z.kind} · `;
    if (frame.dim === 1 && !frame.mapping) {
      return noise + "green: p_data (exact) and real samples · purple: p_g and G's samples · dashed blue: D(x) · " +
        "cyan: D*(x) · G's map is not drawn: Figure 1's lines from z to x = G(z) need a 1-D z · orange " +
        "arrows: G's gradient, on the fixed scale of the bar (dashed: cut short)";
    }
    if (frame.dim === 2 && z.dim === 1) {
      return noise + "background: D(x) (green ≈ real, purple ≈ fake; D* when ticked) · green dots: real · " +
        "purple dots: G(z) · grey curve: the z line from −2 to 2 bent by G (G's image is a curve) · orange " +
        "arrows: G's gradient on the fixed scale of the bar (dashed: cut short)";
    }
    return noise + legendFor(frame);
  }

  function legendFor(frame) {
    if (frame.dim === 1) {
      return "green: p_data (exact) and real samples · purple: p_g and G's samples · dashed blue: D(x) · " +
        "cyan: D*(x) (p_g smoothed over 2 grid cells; absent where neither density is present) · lines: z mapped to x = G(z) (Figure 1) · orange arrows: G's gradient, on the fixed scale " +
        "of the bar (dashed: cut short)";
    }
    return "background: D(x) (green ≈ real, purple ≈ fake; D* when ticked, from p_g smoothed over 2 grid cells, " +
      "grey where neither density is present) · green dots: real · purple dots: " +
      "G(z) · grey grid: a grid of z bent by G · orange arrows: G's gradient on the fixed scale of the bar " +
      "(dashed: cut short; circles: the current minibatch)";
  }
})();
