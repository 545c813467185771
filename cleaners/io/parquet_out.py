"""Parquet outputs: rows buffered into row groups with the record schema, and read back (Parquet inputs are read by
`cleaners.io.parquet`).

Parquet needs the record dicts (not encoded lines) and is readable only once closed. Fields a record carries
beyond the record schema (--keep-fields, dup_cluster) are typed from the first row group; nested ones are
stored as JSON strings and listed in the schema metadata, so that `iter_parquet` decodes them again.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

ROW_GROUP = 1000  # Parquet rows buffered before a row group is written


class ParquetFile:
    """Rows buffered into row groups, written with the record schema (cleaners.schema); fields a record carries
    beyond it (--keep-fields, dup_cluster) are typed from the first row group (see `extra_fields`)."""

    takes_lines = False  # Parquet needs the record dicts

    def __init__(self, path: str) -> None:
        self.path = path
        self._rows: list[dict[str, Any]] = []
        self._writer = None
        self._schema = None

    def write(self, record: dict[str, Any]) -> None:
        self._rows.append(record)
        if len(self._rows) >= ROW_GROUP:
            self._write_group()

    def flush(self) -> None:  # Parquet is readable only once closed: rows wait for their row group
        return None

    def _write_group(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not self._rows:
            return
        if self._schema is None:
            self._schema = record_schema(self._rows)
            self._writer = pq.ParquetWriter(self.path, self._schema, compression="zstd")
        columns = {f.name: [_coerce(r.get(f.name), f.type) for r in self._rows] for f in self._schema}
        self._writer.write_table(pa.Table.from_pydict(columns, schema=self._schema))
        self._rows = []

    def close(self, sync: bool = True) -> None:
        self._write_group()
        if self._writer is None:  # an empty shard still gets a valid (empty) file, with the record's columns
            import pyarrow.parquet as pq

            from cleaners.schema import arrow_schema

            pq.write_table(arrow_schema().empty_table(), self.path)
        else:
            self._writer.close()


def record_schema(rows: list[dict[str, Any]]):
    """The record schema, with the fields the rows carry beyond it appended (see `extra_fields`)."""
    from cleaners.schema import arrow_schema, field_names

    extra, json_cols = extra_fields(rows, set(field_names()))
    return arrow_schema(extra, tuple(json_cols))


def extra_fields(rows: list[dict[str, Any]], known: set[str]) -> tuple[dict[str, Any], list[str]]:
    """Types of the fields outside the record schema, from the first rows: scalars as they are, lists of strings
    as lists, anything nested (dicts, other lists) as a JSON string, listed so that readers decode it."""
    import pyarrow as pa

    names = [k for k in dict.fromkeys(k for r in rows for k in r) if k not in known]
    fields, json_cols = {}, []
    for name in names:
        sample = next((r[name] for r in rows if r.get(name) is not None), None)
        if isinstance(sample, bool):
            typ = pa.bool_()
        elif isinstance(sample, int):
            typ = pa.int64()
        elif isinstance(sample, float):
            typ = pa.float64()
        elif isinstance(sample, list) and all(isinstance(x, str) for x in sample):
            typ = pa.list_(pa.string())
        elif isinstance(sample, dict | list):
            typ = pa.string()
            json_cols.append(name)
        else:
            typ = pa.string()
        fields[name] = typ
    return fields, json_cols


def _coerce(value: Any, typ) -> Any:
    """A value as its column's type takes it; nested values of the record schema are passed on as they are."""
    import pyarrow as pa

    if value is None or pa.types.is_struct(typ):
        return value
    if pa.types.is_string(typ):
        return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    if pa.types.is_list(typ):
        if not pa.types.is_string(typ.value_type):
            return value
        return [str(x) for x in value] if isinstance(value, list) else [str(value)]
    if pa.types.is_floating(typ):
        return float(value) if isinstance(value, int | float) else None
    if pa.types.is_boolean(typ):
        return value if isinstance(value, bool) else None
    if pa.types.is_integer(typ):
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return value


def iter_parquet(path: str, strict: bool = False) -> Iterator[dict[str, Any]]:
    import pyarrow.parquet as pq

    try:
        pf = pq.ParquetFile(path)
    except Exception:  # a .part without its footer: nothing in it can be read
        if strict:
            raise
        return
    json_cols = set(pf.schema_arrow.metadata.get(b"newsclean_json", b"").decode().split(",")) \
        if pf.schema_arrow.metadata else set()
    for batch in pf.iter_batches(batch_size=ROW_GROUP):
        for row in batch.to_pylist():
            for col in json_cols & row.keys():
                if isinstance(row[col], str):
                    row[col] = json.loads(row[col])
            yield row
