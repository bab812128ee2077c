; go.sum has no blocks: each line is one checksum, so nothing folds.
