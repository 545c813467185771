"""News pages whose metadata differs from page to page, for the schema tests: an author or none, a full date-time
with its UTC offset, a date alone or none, categories and tags or none. Two outputs cleaned from different
mixes of them hold different types wherever a writer types columns from the values it sees."""
from __future__ import annotations

from pathlib import Path

PARAS = [
    "记者从市教育局获悉，今年本市将新建和改扩建中小学校二十所，新增学位约三万个，缓解城区入学压力。",
    "据介绍，新建学校将优先布局在人口导入较快的区域，同时配套建设体育场馆和图书馆，向社区开放。",
    "市教育局有关负责人表示，将加快推进项目建设进度，确保新学校按期投入使用，让更多孩子就近入学。",
    "此外，本市还将实施教师队伍建设工程，面向全国招聘优秀教师，并加强对新入职教师的培训和指导。",
]


def varied_page(n: int, *, author: str | None = None, published: str | None = None,
                section: str | None = None, keywords: str | None = None) -> str:
    """A Chinese news page with only the metadata asked for (each one a meta tag), a menu and a footer."""
    metas = "".join(f'<meta {attr}="{name}" content="{value}">' for attr, name, value in (
        ("name", "author", author), ("property", "article:published_time", published),
        ("property", "article:section", section), ("name", "keywords", keywords)) if value)
    body = "".join(f"<p>{p.replace('二十所', f'{20 + n}所')}</p>" for p in PARAS)
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>本市新建学校{n}_教育频道</title>{metas}</head>'
        '<body><div class="nav"><a href="/">首页</a> | <a href="/edu">教育</a> | <a href="/city">城市</a></div>'
        f"<article><h1>本市新建学校{n}</h1>{body}</article>"
        '<div class="footer">版权所有 示例新闻网 京ICP备00000000号</div></body></html>'
    )


# Output A: every kind of metadata present, dates to the second with an offset
RICH = [
    dict(author="王小明", published="2024-05-10T08:30:00+08:00", section="教育", keywords="学校,学位"),
    dict(author="李华", published="2024-05-11T09:00:00Z", section="城市", keywords="教师"),
]
# Output B: no author, a date alone or none, no categories or tags
SPARSE = [
    dict(published="2024-05-12"),
    dict(),
]


def write_pages(folder: Path, specs: list[dict], start: int = 0) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, spec in enumerate(specs, start):
        (folder / f"page{i}.html").write_text(varied_page(i, **spec), encoding="utf-8")
    return folder


NOT_ARTICLE = ('<html><head><meta charset="utf-8"><title>栏目</title></head><body>'
               + "".join(f'<p><a href="/a/{i}.html">本市新闻标题第{i}条</a></p>' for i in range(30)) + "</body></html>")
