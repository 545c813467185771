"""Parquet inputs: one item per row, only the mapped columns read, a damaged row group its rows' error entries."""
from __future__ import annotations

from collections.abc import Iterator

from cleaners.core import Source
from cleaners.io.items import FieldMap, InputItem, record_item

PARQUET_SUFFIXES = (".parquet",)


def read_parquet(path: str, fields: FieldMap, batch_size: int = 256) -> Iterator[InputItem]:
    """One item per row, named `PATH:ROW` (1-based); only the mapped columns are read, batch by batch.

    Row groups are read one by one: the rows of a row group that cannot be read (corrupt pages, a bad checksum)
    are error entries, under the keys they would have had, and reading goes on with the next row group."""
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(path)
    names = pf.schema_arrow.names
    wanted = [c for c in dict.fromkeys((fields.page_field, fields.id_field, fields.url_field, *fields.keep_fields))
              if c in names]
    first = 0  # rows before this row group
    for group in range(pf.metadata.num_row_groups):
        rows = pf.metadata.row_group(group).num_rows
        row = first
        try:
            for batch in pf.iter_batches(batch_size=batch_size, row_groups=[group], columns=wanted):
                for obj in batch.to_pylist():
                    row += 1
                    item = record_item(obj, f"{path}:{row}", fields)
                    item.consumed = row
                    yield item
        except Exception as exc:  # pyarrow raises OSError, ArrowInvalid ... for a damaged row group
            detail = f"row group {group} (rows {first + 1}-{first + rows}) cannot be read: {exc}"
            for lost in range(row + 1, first + rows + 1):
                yield InputItem(Source(f"{path}:{lost}"), error=("unreadable", detail), consumed=lost)
        first += rows
