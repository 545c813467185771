"""The one record schema (cleaners.schema): the record dataclasses hold exactly its fields, outputs round-trip
through JSON Lines and Parquet unchanged, two outputs with different metadata load together with `datasets`,
date-times have one form, and the README's table of fields is the declaration's."""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from schema_pages import RICH, SPARSE, write_pages

from cleaners.io.items import FieldMap
from cleaners.io.outputs import iter_records
from cleaners.record import Document, Provenance, Quality
from cleaners.run.batch import clean_inputs
from cleaners.schema import PROVENANCE, QUALITY, RECORD, arrow_schema, field_names, iso_datetime, markdown_table

ROOT = Path(__file__).resolve().parent.parent


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def two_outputs(tmp_path_factory) -> tuple[Path, Path]:
    """Output A: rich metadata, removed spans kept; output B: sparse metadata (no author, a date alone or none,
    empty lists) and `removed: counts`, so that its `removed` is null in every record."""
    from cleaners.config import CleanerConfig

    tmp = tmp_path_factory.mktemp("outputs")
    a, b = tmp / "a.jsonl", tmp / "b.jsonl"
    clean_inputs([str(write_pages(tmp / "rich", RICH))], str(a))
    clean_inputs([str(write_pages(tmp / "sparse", SPARSE, start=10))], str(b), CleanerConfig(removed="counts"))
    return a, b


def test_the_dataclasses_hold_exactly_the_schema_fields_in_order():
    """A field added to the record without the schema (or the reverse) fails here, not in a user's Parquet file."""
    assert [f.name for f in dataclasses.fields(Document)] == field_names(RECORD)
    assert [f.name for f in dataclasses.fields(Provenance)] == field_names(PROVENANCE.fields)
    assert [f.name for f in dataclasses.fields(Quality)] == field_names(QUALITY.fields)


def test_every_record_has_every_field_typed_as_the_schema_says(two_outputs):
    import pyarrow as pa

    schema = arrow_schema()
    for rec in _records(two_outputs[0]) + _records(two_outputs[1]):
        assert list(rec) == schema.names
        pa.Table.from_pylist([rec], schema=schema).validate(full=True)  # a wrong type raises
        assert isinstance(rec["categories"], list) and isinstance(rec["tags"], list)


def test_the_two_outputs_differ_where_writers_used_to_disagree(two_outputs):
    """The fixture covers what broke before: a null author, a date alone, empty lists, null removed spans."""
    a, b = (_records(p) for p in two_outputs)
    assert all(r["author"] for r in a) and not any(r["author"] for r in b)
    assert [r["published_precision"] for r in a + b] == ["second", "second", "day", None]
    assert all(r["categories"] for r in a) and not any(r["categories"] or r["tags"] for r in b)
    assert all(r["provenance"]["removed"] for r in a) and all(r["provenance"]["removed"] is None for r in b)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet"])
def test_round_trip_write_and_read_back_equal(two_outputs, tmp_path, suffix):
    """The records of both outputs written together to one file of each format come back equal, nulls, empty
    lists and nested structs included."""
    from cleaners.io.writers import RecordWriter

    records = _records(two_outputs[0]) + _records(two_outputs[1])
    target = tmp_path / f"out{suffix}"
    with RecordWriter(str(target)) as w:
        for rec in records:
            w.write(rec)
    assert list(iter_records(str(target))) == records


def test_parquet_output_has_the_record_schema_whatever_the_first_rows(tmp_path):
    """Cleaning the sparse pages alone (the first row group has no author, no lists, no removed spans) writes the
    same column types as cleaning the rich ones: both files read as one table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from cleaners.config import CleanerConfig

    outs = []
    for name, specs, config in (("rich", RICH, CleanerConfig()), ("sparse", SPARSE, CleanerConfig(removed="none"))):
        out = tmp_path / f"{name}.parquet"
        clean_inputs([str(write_pages(tmp_path / name, specs))], str(out), config)
        outs.append(out)
    schemas = [pq.read_schema(p) for p in outs]
    assert schemas[0] == schemas[1] and schemas[0].remove_metadata() == arrow_schema().remove_metadata()
    assert schemas[0].metadata[b"newsclean_schema"] == b"1"
    table = pa.concat_tables([pq.read_table(p) for p in outs])
    assert table.num_rows == 4 and table.column("author").to_pylist()[2:] == [None, None]


def test_carried_fields_come_after_the_record_fields(tmp_path):
    """--keep-fields: the input's fields are top-level columns after the schema's, typed from the data."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from schema_pages import varied_page
    from test_readers_pages import write_jsonl

    rows = [{"id": f"d{i}", "html": varied_page(i, **spec), "crawl": "CC-2024", "score": i / 4,
             "labels": {"k": i}} for i, spec in enumerate(RICH + SPARSE)]
    src = write_jsonl(tmp_path / "in.jsonl", rows)
    out = tmp_path / "out.parquet"
    clean_inputs([str(src)], str(out), field_map=FieldMap(html_field="html", keep_fields=("crawl", "score", "labels")))
    schema = pq.read_schema(out)
    assert schema.names == [*field_names(), "crawl", "score", "labels"]
    assert schema.field("score").type == pa.float64() and schema.field("labels").type == pa.string()
    recs = list(iter_records(str(out)))
    assert [r["labels"] for r in recs] == [{"k": i} for i in range(4)]  # nested values as JSON, decoded back
    assert [r["id"] for r in recs] == ["d0", "d1", "d2", "d3"]


def test_datasets_loads_two_outputs_with_different_metadata(two_outputs):
    """`datasets.load_dataset("json", data_files=[a, b], features=features())`: one table, every value as written
    (the date-times stay text in their one form: no timestamp inference, no offset lost)."""
    datasets = pytest.importorskip("datasets")
    from cleaners.schema import features

    a, b = two_outputs
    ds = datasets.load_dataset("json", data_files=[str(a), str(b)], features=features(), split="train")
    assert ds.features == features()
    expected = _records(a) + _records(b)
    assert ds.to_list() == expected
    assert ds[0]["published"] == "2024-05-10T08:30:00.000000+08:00"


def test_features_are_built_from_the_same_declaration_as_the_arrow_schema():
    pytest.importorskip("datasets")
    from cleaners.schema import features

    assert features().arrow_schema.remove_metadata() == arrow_schema().remove_metadata()


@pytest.mark.parametrize("value, iso, precision", [
    ("2024-05-02", "2024-05-02T00:00:00.000000", "day"),
    ("2024-05", "2024-05-01T00:00:00.000000", "month"),
    ("2024", "2024-01-01T00:00:00.000000", "year"),
    ("2024-05-02T08:00:00", "2024-05-02T08:00:00.000000", "second"),
    ("2024-05-02T08:00:00+08:00", "2024-05-02T08:00:00.000000+08:00", "second"),
    ("2024-05-02T08:00:00Z", "2024-05-02T08:00:00.000000+00:00", "second"),
    ("2015-03-27T13:07:55.096000+00:00", "2015-03-27T13:07:55.096000+00:00", "second"),
    ("yesterday", None, None),
    (None, None, None),
])
def test_iso_datetime_one_form(value, iso, precision):
    assert iso_datetime(value) == (iso, precision)


def test_fetch_times_take_the_same_form_and_other_text_stays():
    from cleaners.schema import timestamp

    assert timestamp("2024-05-10T12:00:00Z") == "2024-05-10T12:00:00.000000+00:00"  # a WARC-Date
    assert timestamp("2024") == "2024" and timestamp("2024-05-10") == "2024-05-10" and timestamp(None) is None


def test_pyarrow_json_keeps_the_date_time_form_as_text():
    """Why the microseconds are always written: pyarrow's JSON reader (datasets' too) reads `2024-05-02` and
    `…T08:00:00+08:00` as timestamps, the offset converted away, and keeps this form as a string."""
    import io

    import pyarrow as pa
    import pyarrow.json as paj

    lines = b"".join(json.dumps({"p": iso_datetime(v)[0]}).encode() + b"\n"
                     for v in ("2024-05-02", "2024-05-02T08:00:00+08:00"))
    table = paj.read_json(io.BytesIO(lines))
    assert table.column("p").to_pylist() == ["2024-05-02T00:00:00.000000", "2024-05-02T08:00:00.000000+08:00"]
    plain = paj.read_json(io.BytesIO(b'{"p": "2024-05-02T08:00:00+08:00"}\n'))  # the form this replaces
    assert pa.types.is_timestamp(plain.schema.field("p").type)


def test_readme_documents_the_schema_as_declared():
    """The README's field table is `markdown_table()`, so the docs cannot drift from the schema."""
    assert markdown_table() in (ROOT / "README.md").read_text("utf-8")
