// Line charts on a canvas: a few series over a shared x axis, with optional reference lines.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});

  function finite(values) { return values.filter((v) => v !== null && Number.isFinite(v)); }

  // A tick step of 1, 2 or 5 times a power of ten, about `span / count`.
  function niceStep(span, count) {
    const raw = span / count, power = Math.pow(10, Math.floor(Math.log10(raw)));
    const unit = raw / power;
    return (unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 5 ? 5 : 10) * power;
  }

  // A tick label rounded to its step: "0.25", "1200", "1.3e+28"; never a float's full expansion.
  function tickLabel(v, step) {
    if (Math.abs(v) < step / 2) return "0";
    if (Math.abs(v) >= 1e5 || step < 1e-3) return v.toExponential(1);
    return v.toFixed(Math.max(0, -Math.floor(Math.log10(step))));
  }

  function niceNumber(v) {
    const a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1e5 || a < 1e-3) return v.toExponential(1);
    if (a >= 10) return v.toFixed(0);
    return v.toPrecision(2);
  }

  // series: [{x: [...], y: [...], color, label}]; options: {ymin, ymax, lines: [{y, label, color}], xlabel,
  // log}. With `log`, y is drawn as log10 |y| (values of 0 are left out) and ticks are powers of ten.
  // Returns the tick labels drawn (also kept in canvas.dataset.ticks, for tests).
  lab.drawChart = function (canvas, series, options) {
    options = options || {};
    if (options.log) {
      const toLog = (y) => (y === null || !Number.isFinite(y) || y === 0 ? null : Math.log10(Math.abs(y)));
      series = series.map((s) => ({ ...s, y: s.y.map(toLog) }));
      options = { ...options, ymin: undefined, ymax: undefined,
        lines: (options.lines || []).map((l) => ({ ...l, y: Math.log10(Math.abs(l.y)) })) };
    }
    const ctx = canvas.getContext("2d");
    const W = canvas.width, H = canvas.height, L = 44, R = 8, T = 18, B = 24;
    ctx.clearRect(0, 0, W, H);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, W, H);
    const xs = finite(series.flatMap((s) => s.x));
    let ys = finite(series.flatMap((s) => s.y));
    for (const line of options.lines || []) ys.push(line.y);
    if (xs.length === 0 || ys.length === 0) {
      ctx.fillStyle = "#90a4ae"; ctx.font = "12px sans-serif";
      ctx.fillText("no data yet", W / 2 - 30, H / 2);
      return [];
    }
    let x0 = Math.min(...xs), x1 = Math.max(...xs);
    let y0 = options.ymin !== undefined ? options.ymin : Math.min(...ys);
    let y1 = options.ymax !== undefined ? options.ymax : Math.max(...ys);
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { y1 += 0.5; y0 -= 0.5; }
    const pad = (y1 - y0) * 0.05; y0 -= options.ymin !== undefined ? 0 : pad; y1 += pad;
    const px = (x) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
    const py = (y) => T + (1 - (y - y0) / (y1 - y0)) * (H - T - B);
    ctx.strokeStyle = "#cfd8dc"; ctx.lineWidth = 1; ctx.font = "10px sans-serif"; ctx.fillStyle = "#607d8b";
    // [position, label] pairs. On a log scale: powers of ten, or within a decade 1, 2 and 5 (else 1..9)
    // times them.
    let marks = [];
    if (options.log) {
      const step = Math.max(1, Math.round(niceStep(y1 - y0, 4)));
      for (let y = Math.ceil(y0 / step) * step; y <= y1 + 1e-9; y += step) marks.push([y, "1e" + Math.round(y)]);
      for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
        if (marks.length >= 2) break;
        marks = [];
        for (let k = Math.floor(y0); k <= Math.ceil(y1); k++) {
          for (const m of mantissas) {
            const y = k + Math.log10(m);
            if (y >= y0 && y <= y1) marks.push([y, Number((m * Math.pow(10, k)).toPrecision(1)).toString()]);
          }
        }
      }
    } else {
      const step = niceStep(y1 - y0, 4);
      for (let y = Math.ceil(y0 / step) * step; y <= y1 + step * 1e-9; y += step) marks.push([y, tickLabel(y, step)]);
    }
    const ticks = [];
    for (const [y, label] of marks) {
      ctx.beginPath(); ctx.moveTo(L, py(y)); ctx.lineTo(W - R, py(y)); ctx.stroke();
      ctx.fillText(label, 2, py(y) + 3);
      ticks.push(label);
    }
    canvas.dataset.ticks = JSON.stringify(ticks);
    canvas.dataset.scale = options.log ? "log" : "linear";
    canvas.dataset.lines = JSON.stringify((options.lines || []).map((l) => l.label));
    const xText = (x) => (Number.isInteger(x) ? String(x) : niceNumber(x));
    ctx.fillText(xText(x0), L, H - 8);
    ctx.fillText(xText(x1), W - R - 30, H - 8);
    if (options.xlabel) ctx.fillText(options.xlabel, W / 2 - 20, H - 8);
    for (const line of options.lines || []) {
      ctx.strokeStyle = line.color || "#999"; ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(L, py(line.y)); ctx.lineTo(W - R, py(line.y)); ctx.stroke();
      ctx.setLineDash([]); ctx.fillStyle = line.color || "#999";
      ctx.fillText(line.label, W - R - 80, py(line.y) - 3);
    }
    let legendX = L;
    for (const s of series) {
      ctx.strokeStyle = s.color; ctx.lineWidth = 1.6; ctx.beginPath();
      let started = false;
      for (let i = 0; i < s.x.length; i++) {
        const y = s.y[i];
        if (y === null || !Number.isFinite(y)) { started = false; continue; }
        if (!started) { ctx.moveTo(px(s.x[i]), py(y)); started = true; } else ctx.lineTo(px(s.x[i]), py(y));
      }
      ctx.stroke();
      ctx.fillStyle = s.color; ctx.font = "11px sans-serif";
      ctx.fillText(s.label, legendX, 12); legendX += ctx.measureText(s.label).width + 14;
    }
    return ticks;
  };
})();
