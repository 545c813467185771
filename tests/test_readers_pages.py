"""Small news pages and containers built by the corpus tests (written here, not copied from anywhere)."""
from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

_PARAS = [
    "本报讯 昨天上午，市交通运输局召开新闻发布会，介绍今年城市公共交通建设的最新进展。",
    "据介绍，全市今年新开通公交线路十二条，优化调整线路三十五条，新增公交专用道约四十公里。",
    "与此同时，地铁三号线二期工程已完成主体结构施工，预计明年年底前具备开通运营条件。",
    "发布会上，相关负责人表示，下一步将继续加密社区微循环线路，方便市民最后一公里出行。",
    "市民王女士告诉记者，家门口新开的公交线路让她每天上班的通勤时间缩短了将近二十分钟。",
    "交通部门提醒，部分线路调整期间站点位置有所变化，请市民出行前通过官方渠道查询最新信息。",
]
TOPICS = ["公交", "地铁", "学校", "医院", "公园", "图书馆", "菜市场", "体育馆"]


def article_html(n: int = 0, charset: str = "utf-8", declare: bool = True) -> str:
    """A plausible Chinese news page: navigation, title, dateline, paragraphs, a footer."""
    topic = TOPICS[n % len(TOPICS)]
    paras = [p.replace("公共交通建设", f"{topic}建设") for p in _PARAS]
    paras.append(f"这是第{n}号测试稿件，用于检验语料读取与写出的一致性，内容涉及{topic}相关的民生话题。")
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    meta = f'<meta charset="{charset}">' if declare else ""
    return (
        f"<!DOCTYPE html><html><head>{meta}<title>本市{topic}建设取得新进展_新闻中心</title></head><body>"
        '<div class="nav"><a href="/">首页</a> | <a href="/news">新闻</a> | <a href="/sports">体育</a></div>'
        f"<article><h1>本市{topic}建设取得新进展</h1>"
        '<div class="info">2024-05-1' + str(n % 10) + " 09:30 来源：本地日报</div>"
        f"{body}</article>"
        '<div class="footer">版权所有 2024 示例新闻网 京ICP备00000000号</div></body></html>'
    )


def write_jsonl(path: Path, rows: list[dict], compression: str | None = None) -> Path:
    data = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    if compression == "gz":
        data = gzip.compress(data)
    elif compression == "zst":
        import zstandard

        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def write_warc(path: Path, pages: list[tuple[str, bytes, str]], extras: bool = True) -> Path:
    """A WARC (gzip when the name ends in .gz) with one response per (url, body, content type); `extras` adds a
    request record and a non-HTML (image) response, which readers must skip."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=str(path).endswith(".gz"))
        for url, body, ctype in pages:
            if extras:
                req = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
                writer.write_record(writer.create_warc_record(url, "request", http_headers=req))
            headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
        if extras:
            img = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record("http://example.com/logo.png", "response",
                                                          payload=io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(64)),
                                                          http_headers=img))
    return path
