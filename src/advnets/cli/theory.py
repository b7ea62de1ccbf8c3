"""`advnets theory`: the paper's Proposition 1 and Theorem 1, checked on 1-D densities with exact pdfs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from advnets.cli import options
from advnets.cli.app import app, out


@app.command()
def theory(
    out_dir: Annotated[Path, typer.Option("--out", help="where theory.json and the figures go")] = Path(
        "runs/theory"
    ),
    gan_steps: Annotated[int, options.count(help="iterations of the 1-D GAN")] = 2000,
    d_steps: Annotated[int, options.count(help="D steps with G fixed")] = 3000,
    seed: Annotated[int, options.seed("seed of the nets and the data")] = 0,
    threads: Annotated[
        int, options.threads("CPU threads (0: one per core); these nets are tiny, so 1 is fastest")
    ] = 1,
) -> None:
    """C(G) = -log 4 + 2 JSD, D -> D* with G fixed, JSD falling over a real 1-D GAN run; Figure 1."""
    from advnets.reporting.theory import TheoryOptions, run_theory
    from advnets.runs.device import set_threads

    set_threads(threads)

    run_theory(out_dir, TheoryOptions(gan_steps=gan_steps, d_steps=d_steps, seed=seed), show_record)
    out.print(f"wrote {out_dir}/theory.json, fig1_panels.png, fig1.gif, jsd.png, dstar.png")


def show_record(record: dict[str, Any]) -> None:
    table = Table(title="Theorem 1 on p_data = N(4, 0.5^2): C(G) = V(G, D*) vs -log 4 + 2 JSD")
    for column in ("p_g", "C(G) = V(G, D*)", "-log 4 + 2 JSD", "difference", "C(G) + log 4"):
        table.add_column(column, justify="right")
    for row in record["theorem_1"]:
        table.add_row(
            f"N({row['mean']}, {row['std']}^2)",
            f"{row['C_direct']:.9f}",
            f"{row['C_from_jsd']:.9f}",
            f"{row['difference']:.1e}",
            f"{row['C_plus_log4']:.6f}",
        )
    out.print(table)
    prop = record["proposition_1"]
    out.print(
        f"Proposition 1: after {prop['steps']} D steps with p_g = {prop['fixed_p_g']} fixed, "
        f"max |D - D*| = {prop['max_abs_error']:.4f} where p_data + p_g >= 1e-3"
    )
    jsd = [p["jsd"] for p in record["gan_jsd"]]
    out.print(
        f"1-D GAN: JSD(p_data || p_g) {jsd[0]:.3f} at step 0 -> min {min(jsd):.3f}, "
        f"{jsd[-1]:.3f} at step {record['gan_jsd'][-1]['step']}"
    )
