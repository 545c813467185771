"""Running many inputs: batches, worker processes, input order, resume."""
