"""Bytes to text: BOM, declarations, detection; Chinese legacy charsets decode by their supersets."""
import pytest

from cleaners.decode.charset import DecodeError, canonical_codec, decode_bytes, parse_content_type

ARTICLE = "北京市职业教育产教融合推进会暨2023年职业教育宣传月今天启动，现场发布“入学即入职”项目。" * 3
TRAD = "京津冀汽車產業園區市域產教聯合體啟動大會在北京隆重舉行，攜手打造首家京津冀協同的產教聯合體。" * 3


def page(body: str, meta: str = "", title: str = "职教") -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body><p>{body}</p></body></html>"


def test_labels_map_to_supersets():
    assert canonical_codec("GB2312") == "gb18030"
    assert canonical_codec("gbk") == "gb18030"
    assert canonical_codec("big5") == "big5hkscs"
    assert canonical_codec("no-such-charset") is None


def test_utf8_with_and_without_bom():
    assert decode_bytes(ARTICLE.encode("utf-8")).text == ARTICLE
    d = decode_bytes(ARTICLE.encode("utf-8-sig"))
    assert (d.text, d.method) == (ARTICLE, "bom")


def test_gbk_declared_in_meta():
    raw = page(ARTICLE, '<meta charset="gb2312">').encode("gbk")
    d = decode_bytes(raw)
    assert d.encoding == "gb18030" and d.method == "declared" and ARTICLE in d.text


def test_gbk_only_characters_under_a_gb2312_label():
    # 镕 is in GBK but not in GB2312: the page lies, the superset decodes it
    body = ARTICLE + "朱镕基"
    raw = page(body, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk")
    assert "朱镕基" in decode_bytes(raw).text


def test_gbk_undeclared_is_detected():
    d = decode_bytes(page(ARTICLE).encode("gbk"))
    assert d.encoding == "gb18030" and d.method == "detected" and ARTICLE in d.text


def test_big5_declared_and_undeclared():
    raw = page(TRAD, '<meta charset="big5">', "職教").encode("big5")
    assert decode_bytes(raw).encoding == "big5hkscs"
    assert TRAD in decode_bytes(raw).text
    d = decode_bytes(page(TRAD, title="職教").encode("big5"))
    assert TRAD in d.text


def test_http_charset_wins_over_meta():
    raw = page(ARTICLE, '<meta charset="utf-8">').encode("gbk")
    d = decode_bytes(raw, http_charset="GBK")
    assert d.method == "http" and ARTICLE in d.text


def test_wrong_declaration_falls_back_to_detection():
    raw = page(ARTICLE, '<meta charset="utf-8">').encode("gbk")
    d = decode_bytes(raw)
    assert ARTICLE in d.text


def test_binary_is_an_error():
    with pytest.raises(DecodeError):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)


@pytest.mark.parametrize(("value", "expected"), [
    ("text/html; charset=GBK", ("text/html", "GBK")),
    ('Text/HTML ; Charset="big5"', ("text/html", "big5")),
    ("text/html; charset=gb2312; charset=utf-8", ("text/html", "gb2312")),  # the first, as browsers read it
    ("text/html; charset=", ("text/html", None)),
    ("text/html; boundary=x", ("text/html", None)),
    ("", ("", None)),
    (None, ("", None)),
])
def test_content_type_is_read_once_for_every_caller(value, expected):
    assert parse_content_type(value) == expected
