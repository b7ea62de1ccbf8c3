from advnets.runs.trainer import TrainResult


def test_tiny_run_writes_checkpoint_and_grid(tiny_run: TrainResult) -> None:
    assert tiny_run.status == "finished"
    assert tiny_run.checkpoint is not None and tiny_run.checkpoint.is_file()
    assert tiny_run.last_grid is not None and tiny_run.last_grid.is_file()
