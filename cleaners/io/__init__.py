"""Inputs and outputs: page files, JSON Lines, Parquet and WARC readers; atomic, resumable writers."""
