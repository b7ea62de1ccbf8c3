"""`advnets report`: one page per run (HTML with embedded images, and Markdown beside it).

It shows the resolved config, the eval table (eval.json), the Parzen curve (parzen_curve.json), the
training curves and every figure in RUN_DIR/figures/.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path
from typing import Any

import advnets
from advnets.errors import AdvnetsError
from advnets.files import atomic_write_text, read_bytes, read_json, read_text
from advnets.reporting.curve import read_curve
from advnets.runs.rundir import RESULTS_HINT, RunDir

CAPTIONS = {
    "curves.png": "Training curves: losses, mean D(x) and D(G(z)), Parzen log-likelihood over epochs.",
    "fig2_samples_nearest.png": "Figure 2: samples from G; the yellow column is the nearest training example "
    "(Euclidean, over the full training set) of the sample beside it.",
    "fig3_interpolation.png": "Figure 3: linear and spherical interpolation between points in z space.",
    "saturation.png": "Why the non-saturating G loss: gradient against D(G(z)), closed form and observed.",
    "fig1_panels.png": "Figure 1: p_data (dots), p_g (green), D (dashed) and x = G(z), over training.",
    "fig1.gif": "Figure 1, animated over the run.",
    "jsd.png": "JSD(p_data || p_g) over the run.",
}


def eval_rows(record: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    sources = record["protocol"]["sources"]
    header = ["metric", *sources.values()]
    rows = []
    for row in record["metrics"]:
        cells = [row["metric"]]
        for source in sources:
            value, error = row["values"].get(source), row["errors"].get(source)
            cells.append("-" if value is None else f"{value:.1f}" + (f" ± {error:.1f}" if error else ""))
        rows.append(cells)
    return header, rows


def curve_rows(points: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    header = ["step", "epoch", "sigma", "validation (nats)", "test (nats)"]
    rows = [
        [
            str(p["step"]),
            str(p["epoch"]),
            f"{p['sigma']:.3f}",
            f"{p['valid_ll']:.1f}",
            f"{p['test_ll']:.1f} ± {p['test_stderr']:.1f}" if "test_ll" in p else "-",
        ]
        for p in points
    ]
    return header, rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def html_table(header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def eval_section(path: Path) -> tuple[str, tuple[list[str], list[list[str]]]]:
    """The eval table from eval.json; a file that is empty, cut short or not eval's is one line."""
    fix = f"run `advnets eval {path.parent}` again to rewrite it"
    record = read_json(path, fix)
    try:
        title = f"Evaluation: {record['checkpoint']} (epoch {record['epoch']}), {record['dataset']}"
        return title, eval_rows(record)
    # Any of these means the JSON is not what `advnets eval` writes (a key missing, a list for a dict ...).
    except (KeyError, TypeError, AttributeError, ValueError) as error:
        raise AdvnetsError(f"{path} is not an eval record ({type(error).__name__}: {error}); {fix}") from None


def sections(run_dir: Path) -> list[tuple[str, tuple[list[str], list[list[str]]] | None]]:
    found: list[tuple[str, tuple[list[str], list[list[str]]] | None]] = []
    eval_file = run_dir / "eval.json"
    if eval_file.is_file():
        found.append(eval_section(eval_file))
    points = read_curve(run_dir)
    if points:
        found.append(("Parzen log-likelihood over checkpoints", curve_rows(points)))
    return found


STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
    "table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
    "img{max-width:100%;border:1px solid #eee}"
    "pre{background:#f6f6f6;padding:1em;overflow:auto;font-size:12px}"
)


def write_report(run_dir: Path) -> tuple[Path, Path]:
    """report.md (images beside it, in figures/) and report.html (images embedded: one file to share)."""
    run_dir = Path(run_dir)
    run = RunDir(run_dir)
    run.load_config()  # an empty or broken config.yaml is refused in one line, not shown as the run's
    config = read_text(run.config_file, "pass the directory of a run that advnets trained")
    figures = sorted(
        (run_dir / "figures").glob("*.*"),
        key=lambda p: list(CAPTIONS).index(p.name) if p.name in CAPTIONS else 99,
    )
    title = f"advnets report: {run_dir.name}"
    md = [f"# {title}", f"advnets {advnets.__version__}; run directory `{run_dir.name}`."]
    page = [
        f"<h1>{html.escape(title)}</h1><p>advnets {advnets.__version__}; "
        f"run directory <code>{html.escape(run_dir.name)}</code>.</p>"
    ]
    for heading, table in sections(run_dir):
        md += [f"## {heading}", markdown_table(*table) if table else ""]
        page += [f"<h2>{html.escape(heading)}</h2>", html_table(*table) if table else ""]
    md.append("## Figures")
    page.append("<h2>Figures</h2>")
    for figure in figures:
        caption = CAPTIONS.get(figure.name, figure.name)
        md += [f"![{figure.name}](figures/{figure.name})", f"*{caption}*"]
        kind = "gif" if figure.suffix == ".gif" else "png"
        data = base64.b64encode(read_bytes(figure, "run `advnets figures` to redraw it")).decode()
        page.append(
            f'<figure><img alt="{figure.name}" src="data:image/{kind};base64,{data}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    md += ["## Configuration", "```yaml", config.rstrip(), "```"]
    page += ["<h2>Configuration</h2>", f"<pre>{html.escape(config)}</pre>"]
    md_path, html_path = run_dir / "report.md", run_dir / "report.html"
    atomic_write_text(md_path, "\n\n".join(md) + "\n", RESULTS_HINT)
    atomic_write_text(
        html_path,
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{''.join(page)}</body></html>\n",
        RESULTS_HINT,
    )
    return md_path, html_path
