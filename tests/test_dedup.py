"""Near-duplicates: syndicated copies (new header and footer, a line edited) join one cluster; others stay apart."""
from __future__ import annotations

import json

from test_readers_pages import write_jsonl

from cleaners.cli import main
from cleaners.tools.dedup.cluster import find_clusters
from cleaners.tools.dedup.config import DedupConfig
from cleaners.tools.dedup.minhash import shingles

BASE = [
    "新华社北京5月10日电 记者从国家气象中心获悉，今年入汛以来南方地区降雨偏多，多条河流出现超警戒水位。",
    "气象专家提醒，未来一周江南、华南等地仍有较强降雨过程，需防范强降雨引发的中小河流洪水和山洪地质灾害。",
    "水利部门已启动防汛四级应急响应，派出多个工作组赴重点地区指导防汛工作，督促落实各项防御措施。",
    "各地也加强了值班值守，提前转移危险区域群众，确保人民群众生命财产安全，最大限度减少灾害损失。",
    "专家同时建议公众关注最新天气预报预警信息，尽量避免在强降雨时段外出，遇到险情及时拨打求助电话。",
]
OTHER = [
    "本报讯 市图书馆新馆今天正式开放，新馆建筑面积约三万平方米，设有少儿阅览区、数字阅读区和古籍阅览室。",
    "开馆首日，不少市民一早就在门口排起了长队。馆方介绍，新馆藏书量达到一百二十万册，并将逐步增加。",
    "图书馆还推出了线上预约借阅服务，读者可以通过手机小程序查询馆藏、预约图书并选择到馆自取时间。",
]


def _records() -> list[dict]:
    text = "\n".join(BASE)
    return [
        {"id": "portal-b", "published": "2024-05-10T12:00:00",
         "text": "来源：某门户网\n" + text.replace("多个工作组", "五个工作组") + "\n（责任编辑：张三）"},
        {"id": "other", "text": "\n".join(OTHER), "published": "2024-05-10T09:00:00"},
        {"id": "xinhua", "text": text, "published": "2024-05-10T08:00:00"},
        {"id": "portal-c", "text": text + "\n更多精彩内容请关注我们的官方账号，获取第一手资讯与深度报道。",
         "published": None},
        {"id": "short", "text": "", "published": None},
    ]


def test_shingles_ignore_whitespace():
    assert shingles("新 闻\n报道", 3) == shingles("新闻报道", 3) == {"新闻报".encode(), "闻报道".encode()}


def test_planted_near_duplicates_form_one_cluster():
    clusters = find_clusters(_records(), DedupConfig(threshold=0.7))
    assert clusters.cluster == ["portal-b", "other", "portal-b", "portal-b", "short"]
    assert clusters.keep == [False, True, True, False, True]  # earliest published: xinhua
    longest = find_clusters(_records(), DedupConfig(threshold=0.7, keep="longest"))
    assert longest.keep == [False, True, False, True, True]  # portal-c has the longest text


def test_dedup_command_marks_and_drops(tmp_path):
    src = write_jsonl(tmp_path / "in.jsonl", _records())
    out = tmp_path / "marked.jsonl"
    assert main(["dedup", str(src), "-o", str(out), "--threshold", "0.7", "-q"]) == 0
    marked = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [r["dup_cluster"] for r in marked] == ["portal-b", "other", "portal-b", "portal-b", "short"]
    dropped = tmp_path / "kept.parquet"
    assert main(["dedup", str(src), "-o", str(dropped), "--threshold", "0.7", "--drop", "-q"]) == 0
    from cleaners.io.outputs import iter_records

    assert [r["id"] for r in iter_records(str(dropped))] == ["other", "xinhua", "short"]
    assert main(["dedup", str(tmp_path / "missing.jsonl"), "-o", str(out)]) == 2
    assert main(["dedup", str(src), "-o", str(out), "--threshold", "1.5"]) == 2


def test_dedup_never_writes_over_its_input_or_a_directory(tmp_path, capsys):
    src = write_jsonl(tmp_path / "in.jsonl", _records())
    before = src.read_bytes()
    alias = tmp_path / "alias.jsonl"
    alias.symlink_to(src)
    for target in (src, alias, tmp_path):
        assert main(["dedup", str(src), "-o", str(target), "-q"]) == 2
    assert src.read_bytes() == before
    assert "would replace the input" in capsys.readouterr().err
