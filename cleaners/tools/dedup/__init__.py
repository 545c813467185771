"""Near-duplicate detection across a corpus (`newsclean dedup`): MinHash over character shingles, banded LSH.

A run flows through the modules in this order: `read` cuts the inputs into pieces (the same in both passes),
`hashing` turns each piece into signature rows (`minhash`), kept in an `index.SignatureIndex`; `cluster` joins
the records whose signatures agree on `config.DedupConfig.threshold` of their positions; `output` writes each
record again with its cluster; `run` drives the two passes over files.
"""
