// Line charts on a canvas: a few series over a shared x axis, with optional reference lines.
"use strict";

(function () {
  const lab = (window.lab = window.lab || {});

  function finite(values) { return values.filter((v) => v !== null && Number.isFinite(v)); }

  function niceNumber(v) {
    const a = Math.abs(v);
    if (a === 0) return "0";
    if (a >= 1000) return v.toFixed(0);
    if (a >= 10) return v.toFixed(1);
    return v.toPrecision(2);
  }

  // series: [{x: [...], y: [...], color, label}]; options: {ymin, ymax, lines: [{y, label, color}], xlabel}
  lab.drawChart = function (canvas, series, options) {
    options = options || {};
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
      return;
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
    for (let i = 0; i <= 4; i++) {
      const y = y0 + (i / 4) * (y1 - y0);
      ctx.beginPath(); ctx.moveTo(L, py(y)); ctx.lineTo(W - R, py(y)); ctx.stroke();
      ctx.fillText(niceNumber(y), 2, py(y) + 3);
    }
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
  };
})();
