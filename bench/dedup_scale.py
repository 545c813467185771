"""Dedup at corpus scale: wall time, documents/s, speed-up from 1 to 2 jobs and peak memory, against a baseline.

    .venv/bin/python bench/dedup_scale.py [--docs 10000,100000] [--repeat 3] [--baseline-docs 10000,100000]
                                          [--max-other 0.15] [--patience 600] [--readme README.md]

A runnable script, not a test (pytest does not collect it). It builds JSON Lines of synthetic Chinese news in a
temporary directory: stories of about 1,500 characters made of sentences drawn from a generated vocabulary, a
share of them reposted (a portal's header line such as `来源：…` or `（记者 …）`, a footer such as
`（责任编辑：…）`, a line or two edited, the published date a little later). Each record carries its `story`,
so the clusters found are scored against the truth: pairs of reposts joined (recall) and pairs of different
stories joined (false merges).

Each run is a whole command in a subprocess, timed from start to exit: `newsclean dedup IN -o OUT -j N -q` with
1 and 2 jobs, alternating, `--repeat` times (the median is reported), and the baseline, the implementation
this one replaced (datasketch `MinHash` per record and `MinHashLSH` query-then-insert, all in one process,
copied below as it was), once per size. Peak memory is the largest sum of the proportional set size (PSS) of
the process and its workers, sampled every second with psutil (more often would slow the 2-job runs). CPU the
rest of the machine used meanwhile
("others") comes from /proc/stat less the run's own. Before each pair the script waits (up to `--patience`
seconds) for other processes to use under `--max-other` cores; a pair during which they used more is run again
(at most `--retries` times), and the load average before each pair is reported. Each run starts with the
previous output removed and the disks synced.

At the largest size the steps are also timed one by one (`--phases-run`, in-process, `--repeat` times, medians):
the hashing pass with 1 and 2 jobs, and what runs in one process whatever the number of jobs (starting Python
with newsclean's imports, clustering, writing), which bounds the speed-up of the whole command.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- dedup-bench:start -->", "<!-- dedup-bench:end -->"
# Reading PSS walks each process's page tables (milliseconds for a process holding 160 MiB): sampled every 0.2 s
# it takes a tenth of a core from a 2-job run (both cores busy) and nothing from a 1-job one. Once a second.
SAMPLING = 1.0

# ---- synthetic news ------------------------------------------------------------------------------------------

SUBJECTS = ["记者", "市政府", "国家统计局", "省教育厅", "交通运输部", "气象部门", "有关专家", "业内人士", "该公司",
            "市民", "研究团队", "区卫健委", "当地警方", "文旅部门", "商务部", "生态环境局", "农业农村部", "街道办事处",
            "消防救援支队", "人民法院", "发改委", "市场监管局", "自然资源厅", "科技局", "住建委", "水利局"]
VERBS = ["表示", "介绍", "指出", "透露", "强调", "发布", "启动", "推进", "完成", "部署", "召开", "公布", "印发",
         "开展", "实施", "提出", "落实", "加强", "组织", "举办", "建设", "改造", "投入", "签署", "审议", "通报"]
OBJECTS = ["城市更新项目", "防汛应急预案", "职业教育改革", "乡村振兴示范区", "新能源汽车推广", "老旧小区改造",
           "公共文化服务", "营商环境优化", "食品安全专项检查", "数字经济发展规划", "高标准农田建设", "轨道交通线路",
           "中小学课后服务", "养老服务体系", "生态保护修复工程", "文化旅游消费季", "科技创新平台", "就业帮扶行动",
           "医疗保障政策", "垃圾分类工作", "冬季供暖保障", "跨境电商试点", "人才引进计划", "河道综合治理"]
DETAILS = ["总投资约{n}亿元", "覆盖{n}个街道", "惠及{n}万余人", "同比增长{n}.{m}%", "预计{mo}月底前完工",
           "涉及{n}个重点项目", "累计受理{n}件", "新增就业岗位{n}个", "较去年同期提高{m}个百分点",
           "共有{n}家企业参与", "完成率达到{p}%", "计划分{m}个阶段实施", "设立{n}个服务站点"]
CLAUSES = ["进一步提升群众的获得感和幸福感", "切实保障人民群众生命财产安全", "推动经济社会高质量发展",
           "为下一步工作打下坚实基础", "确保各项措施落到实处", "更好满足市民多样化需求", "形成可复制可推广的经验",
           "着力解决群众急难愁盼问题", "持续释放消费潜力", "加快构建现代化产业体系", "筑牢安全发展底线",
           "营造良好的社会氛围", "让改革成果更多惠及全体人民", "不断增强城市综合竞争力"]
PLACES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "天津", "长沙", "郑州",
          "济南", "沈阳", "昆明", "福州", "合肥", "南宁", "兰州", "太原", "石家庄", "哈尔滨", "贵阳"]
PORTALS = ["新华网", "人民网", "央视新闻", "中国新闻网", "澎湃新闻", "新浪新闻", "网易新闻", "腾讯新闻", "凤凰网",
           "搜狐新闻", "环球网", "光明网", "中国日报网", "北青网", "南方网", "大众网", "东方网", "红网"]
NAMES = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨帆", "赵敏", "黄磊", "周杰", "吴霞", "徐亮", "孙丽", "马超",
         "朱琳", "胡斌", "郭颖", "何涛", "林峰", "罗欣", "高翔"]
FOOTERS = ["（责任编辑：{name}）", "【编辑：{name}】", "更多精彩内容请关注{portal}官方账号，获取第一手资讯。",
           "本文来源于{portal}，转载请注明出处。", "（完）", "原标题：{title}", "免责声明：本文仅代表作者观点。",
           "扫码下载{portal}客户端，阅读更多深度报道。"]


def _sentence(rng: random.Random) -> str:
    detail = rng.choice(DETAILS).format(n=rng.randint(2, 980), m=rng.randint(1, 9), mo=rng.randint(1, 12),
                                       p=rng.randint(60, 100))
    return (f"{rng.choice(PLACES)}{rng.choice(SUBJECTS)}{rng.choice(VERBS)}，{rng.choice(OBJECTS)}{detail}，"
            f"{rng.choice(CLAUSES)}。")


def sentence_pool(rng: random.Random, size: int) -> list[str]:
    """Distinct sentences: stories drawn from them share words and phrases as real news does, rarely sentences."""
    pool = set()
    while len(pool) < size:
        pool.add(_sentence(rng))
    return sorted(pool)


def story(rng: random.Random, pool: list[str], chars: int = 1500) -> list[str]:
    """Paragraphs of about `chars` characters."""
    paras, total = [], 0
    while total < chars:
        para = "".join(rng.choices(pool, k=rng.randint(3, 6)))
        paras.append(para)
        total += len(para)
    return paras


def repost(rng: random.Random, paras: list[str], pool: list[str], title: str) -> list[str]:
    """The story as another portal runs it: its own header line, a footer, and a line or two edited."""
    portal, name = rng.choice(PORTALS), rng.choice(NAMES)
    out = list(paras)
    for _ in range(rng.randint(0, 2)):  # an edited line: one sentence of a paragraph replaced
        i = rng.randrange(len(out))
        sentences = out[i].split("。")[:-1]
        if sentences:
            sentences[rng.randrange(len(sentences))] = rng.choice(pool).rstrip("。")
            out[i] = "。".join(sentences) + "。"
    header = rng.choice([f"来源：{portal}", f"{rng.choice(PLACES)}讯（记者 {name}）", f"{portal}讯",
                         f"作者：{name}　来源：{portal}"])
    footers = [f.format(name=name, portal=portal, title=title) for f in rng.sample(FOOTERS, rng.randint(1, 2))]
    return [header, *out, *footers]


def build(path: Path, n: int, share: float = 0.3, seed: int = 14) -> None:
    """`n` records, about `share` of them reposts of an earlier story (each story reposted 1 to 4 times)."""
    rng = random.Random(seed)
    pool = sentence_pool(rng, 40_000)
    stories: list[tuple[int, list[str], str, dt.datetime]] = []
    t0 = dt.datetime(2024, 1, 1)
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            if stories and rng.random() < share:
                sid, paras, title, when = rng.choice(stories[-5000:])
                text = repost(rng, paras, pool, title)
                when = when + dt.timedelta(minutes=rng.randint(5, 3000))
            else:
                sid = len(stories)
                paras = story(rng, pool)
                title = paras[0][:18]
                when = t0 + dt.timedelta(minutes=7 * i)
                stories.append((sid, paras, title, when))
                text = paras
            rec = {"id": f"doc-{i:07d}", "url": f"https://news.example.com/{i}.html", "title": title,
                   "published": when.isoformat(), "story": sid, "text": "\n".join(text)}
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def score(path: Path) -> dict:
    """Pairs of records of one story in one cluster (recall) and pairs of different stories in one (false)."""
    by_cluster: dict[str, list[int]] = defaultdict(list)
    by_story: dict[int, int] = defaultdict(int)
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            by_cluster[rec["dup_cluster"]].append(rec["story"])
            by_story[rec["story"]] += 1
    truth = sum(k * (k - 1) // 2 for k in by_story.values())
    joined = right = 0
    for members in by_cluster.values():
        joined += len(members) * (len(members) - 1) // 2
        counts: dict[int, int] = defaultdict(int)
        for s in members:
            counts[s] += 1
        right += sum(k * (k - 1) // 2 for k in counts.values())
    return {"recall": right / truth if truth else 1.0, "false_pairs": joined - right, "clusters": len(by_cluster)}


# ---- the baseline: the implementation this one replaced --------------------------------------------------------

_SPACE = re.compile(r"\s+")


def baseline(inputs: list[str], output: str, threshold: float = 0.8) -> None:
    """The previous `newsclean dedup`, as it was: a datasketch MinHash per record (SHA-1 per shingle),
    MinHashLSH query-then-insert, every MinHash kept; then the inputs read again and every record re-encoded."""
    from datasketch import MinHash, MinHashLSH

    from cleaners.io.outputs import iter_records
    from cleaners.io.writers import RecordWriter

    def shingles(text: str, k: int = 5) -> set[bytes]:
        s = _SPACE.sub("", text or "")
        if len(s) <= k:
            return {s.encode("utf-8")} if s else set()
        return {s[i:i + k].encode("utf-8") for i in range(len(s) - k + 1)}

    template = MinHash(num_perm=128, seed=1)
    reuse = {"permutations": template.permutations}
    if getattr(template, "scheme", None) is not None:
        reuse["scheme"] = template.scheme
    lsh = MinHashLSH(threshold=threshold, num_perm=128)
    sigs, ids, parent = [], [], []

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for n, rec in enumerate(r for p in inputs for r in iter_records(p, strict=True)):
        parent.append(n)
        ids.append(str(rec.get("id")) if rec.get("id") is not None else f"#{n}")
        grams = shingles(rec.get("text") or "")
        if not grams:
            sigs.append(None)
            continue
        m = MinHash(num_perm=128, seed=1, **reuse)
        m.update_batch(list(grams))
        for j in lsh.query(m):
            if sigs[j] is not None and m.jaccard(sigs[j]) >= threshold:
                ra, rb = find(n), find(j)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
        lsh.insert(n, m)
        sigs.append(m)
    roots = [find(i) for i in range(len(ids))]
    with RecordWriter(output) as out:
        for i, rec in enumerate(r for p in inputs for r in iter_records(p, strict=True)):
            rec["dup_cluster"] = ids[roots[i]]
            out.write(rec)


# ---- where the time goes -------------------------------------------------------------------------------------


STARTUP = "import cleaners.cli, cleaners.commands.dedup, cleaners.tools.dedup.run, cleaners.run.chunkpool"


def startup() -> float:
    """Wall seconds of a process that starts and imports what `newsclean dedup` imports, then exits (best of 3)."""
    times = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", STARTUP], check=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return min(times)


def phases(inp: str, jobs: int) -> dict:
    """The command's steps timed one by one in this process (wall seconds): hashing (pass one, with `jobs`
    processes), clustering, writing (pass two, with the final fsync)."""
    sys.path.insert(0, str(ROOT))
    from cleaners.tools.dedup import run as dedup_run
    from cleaners.tools.dedup.cluster import cluster
    from cleaners.tools.dedup.config import DedupConfig
    from cleaners.tools.dedup.hashing import SignTask
    from cleaners.tools.dedup.output import PlainOutput
    from cleaners.tools.dedup.read import DedupFields

    class Drop:
        def write(self, entry: dict) -> None:
            raise SystemExit(f"unexpected error entry {entry}")

    t1 = time.perf_counter()
    config = DedupConfig()
    task = SignTask(DedupFields(), config.hasher(), config.keep)
    summary = dedup_run.DedupSummary()
    index, layout = dedup_run._first_pass([inp], task, jobs, Drop(), summary, True)
    t2 = time.perf_counter()
    grouping = cluster(index, config, task.hasher)
    t3 = time.perf_counter()
    out = inp + f".phases-{jobs}.jsonl"
    with PlainOutput(out) as w:
        dedup_run._second_pass([inp], index, grouping, layout, w, Drop(), False, summary, True)
    t4 = time.perf_counter()
    os.unlink(out)
    return {"hashing": t2 - t1, "clustering": t3 - t2, "writing": t4 - t3}


# ---- running and measuring -----------------------------------------------------------------------------------


def machine_busy() -> float:
    """CPU-seconds the whole machine has been busy (from /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as fh:
        fields = [int(x) for x in fh.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def others_now(seconds: float = 3.0) -> float:
    """Cores the machine is busy with over the next `seconds` (this script sleeping meanwhile)."""
    busy = machine_busy()
    time.sleep(seconds)
    return (machine_busy() - busy) / seconds


def wait_quiet(limit: float, patience: float) -> float:
    """Wait (at most `patience` seconds) until other processes use fewer than `limit` cores; the cores they use."""
    deadline = time.monotonic() + patience
    while (others := others_now()) >= limit and time.monotonic() < deadline:
        time.sleep(10)
    return others


def _pss(p: psutil.Process) -> int:
    try:
        return p.memory_full_info().pss
    except (AttributeError, psutil.Error):
        return p.memory_info().rss


def run(cmd: list[str], label: str, out: Path | None = None) -> dict:
    """One whole command: wall seconds, CPU of it and its workers, CPU others used meanwhile, peak PSS. The
    previous output is removed and the disks synced first, so that no run pays for the one before it."""
    if out is not None and out.exists():
        out.unlink()
    os.sync()
    busy0 = machine_busy()
    cpu0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT)
    ps = psutil.Process(proc.pid)
    peak, due = 0, start
    while os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.perf_counter() >= due:
            due += SAMPLING
            try:
                peak = max(peak, sum(_pss(p) for p in [ps, *ps.children(recursive=True)]))
            except psutil.Error:
                pass
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    busy = machine_busy() - busy0
    proc.wait()
    cpu1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{shlex.join(cmd)} failed with {proc.returncode}")
    cpu = (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)
    other = max(0.0, busy - cpu)
    r = {"label": label, "seconds": seconds, "cpu": cpu, "other_cores": other / seconds, "peak_mib": peak / 2**20}
    print(f"  {label}: {seconds:.1f} s, CPU {cpu:.1f} s, others {r['other_cores']:.2f} cores, "
          f"peak {r['peak_mib']:.0f} MiB", file=sys.stderr)
    return r


def newsclean(inp: Path, out: Path, jobs: int) -> list[str]:
    exe = ROOT / ".venv" / "bin" / "newsclean"
    head = [str(exe)] if exe.exists() else [sys.executable, "-m", "cleaners.cli"]
    return [*head, "dedup", str(inp), "-o", str(out), "-j", str(jobs), "-q"]


def median(runs: list[dict]) -> dict:
    keys = ("seconds", "cpu", "other_cores", "peak_mib")
    return {**runs[0], **{k: statistics.median(r[k] for r in runs) for k in keys}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", default="10000,100000", help="document counts (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3, help="1-/2-job pairs per size; the median is reported")
    ap.add_argument("--baseline-docs", default="10000,100000", help="sizes the baseline runs on ('' for none)")
    ap.add_argument("--max-other", type=float, default=0.15,
                    help="a pair during which other processes used more cores than this is run again")
    ap.add_argument("--retries", type=int, default=6, help="reruns of a pair with others busy, at most")
    ap.add_argument("--patience", type=float, default=600,
                    help="seconds to wait, before each pair, for other processes to use under --max-other cores")
    ap.add_argument("--readme", type=Path, help="write the figures into this README's dedup-bench block")
    ap.add_argument("--baseline-run", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    ap.add_argument("--phases-run", nargs=2, metavar=("IN", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.baseline_run:
        sys.path.insert(0, str(ROOT))
        baseline([args.baseline_run[0]], args.baseline_run[1])
        return
    if args.phases_run:
        print(json.dumps(phases(args.phases_run[0], int(args.phases_run[1]))))
        return

    sizes = [int(x) for x in args.docs.split(",") if x.strip()]
    base_sizes = {int(x) for x in args.baseline_docs.split(",") if x.strip()}
    rows, notes, loads = [], [], []
    results: dict[int, dict[int, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="dedup-bench-") as tmp:
        t = Path(tmp)
        for n in sizes:
            inp = t / f"news-{n}.jsonl"
            build(inp, n)
            mb = inp.stat().st_size / 2**20
            print(f"{n:,} documents ({mb:.0f} MiB):", file=sys.stderr)
            runs: dict[int, list[dict]] = {1: [], 2: []}
            tries = 0
            while len(runs[2]) < args.repeat:
                wait_quiet(args.max_other, args.patience)
                load = os.getloadavg()[0]
                pair = {j: run(newsclean(inp, t / f"out-{j}.jsonl", j), f"jobs {j}", t / f"out-{j}.jsonl")
                        for j in (1, 2)}
                tries += 1
                if max(r["other_cores"] for r in pair.values()) > args.max_other and tries <= args.retries:
                    print(f"  others busy: pair run again (load average was {load:.2f})", file=sys.stderr)
                    continue
                loads.append(load)
                for j in (1, 2):
                    runs[j].append(pair[j])
            same = (t / "out-1.jsonl").read_bytes() == (t / "out-2.jsonl").read_bytes()
            quality = score(t / "out-2.jsonl")
            med = {j: median(runs[j]) for j in (1, 2)}
            results[n] = med
            for j in (1, 2):
                r = med[j]
                rows.append(f"| newsclean dedup, {j} job{'s' if j > 1 else ''} | {n:,} | {r['seconds']:.1f} "
                            f"| {n / r['seconds']:,.0f} | {r['cpu']:.1f} | {r['other_cores']:.2f} "
                            f"| {r['peak_mib']:.0f} | {quality['recall']:.3f} | {quality['false_pairs']} |")
            notes.append(f"{n:,}: speed-up **{med[1]['seconds'] / med[2]['seconds']:.2f}x**, output of 1 and 2 "
                         f"jobs {'identical' if same else 'DIFFERENT'}")
            if n in base_sizes:
                wait_quiet(args.max_other, args.patience)
                b = run([sys.executable, str(Path(__file__).resolve()), "--baseline-run", str(inp),
                         str(t / "base.jsonl")], "baseline", t / "base.jsonl")
                bq = score(t / "base.jsonl")
                rows.append(f"| baseline (datasketch MinHashLSH, 1 process) | {n:,} | {b['seconds']:.1f} "
                            f"| {n / b['seconds']:,.0f} | {b['cpu']:.1f} | {b['other_cores']:.2f} "
                            f"| {b['peak_mib']:.0f} | {bq['recall']:.3f} | {bq['false_pairs']} |")
                notes.append(f"{n:,}: 1 job is {b['seconds'] / med[1]['seconds']:.1f}x faster than the baseline")
            if n == sizes[-1]:
                steps: dict[int, dict] = {}
                started = startup()
                tried: dict[int, list[dict]] = {1: [], 2: []}
                for _ in range(args.repeat):  # alternating, as the whole commands
                    for j in (1, 2):
                        os.sync()
                        wait_quiet(args.max_other, args.patience)
                        got = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--phases-run",
                                              str(inp), str(j)], capture_output=True, text=True, check=True, cwd=ROOT)
                        tried[j].append(json.loads(got.stdout))
                        print(f"  steps, jobs {j}: " + ", ".join(f"{k} {v:.2f} s" for k, v in tried[j][-1].items()),
                              file=sys.stderr)
                steps = {j: {k: statistics.median(r[k] for r in tried[j]) for k in tried[j][0]} for j in (1, 2)}
                serial = started + steps[1]["clustering"] + steps[1]["writing"]
                hashing = steps[1]["hashing"] / steps[2]["hashing"]
                notes.append(f"{n:,}, step by step: hashing takes {steps[1]['hashing']:.1f} s with 1 job and "
                             f"{steps[2]['hashing']:.1f} s with 2 (**{hashing:.2f}x**); "
                             f"what runs in one process whatever the jobs, starting (Python and newsclean's "
                             f"imports) {started:.1f} s, clustering {steps[1]['clustering']:.1f} s and writing "
                             f"{steps[1]['writing']:.1f} s, is {serial:.1f} s, "
                             f"{serial / (serial + steps[1]['hashing']):.0%} of the 1-job time")
            for f in t.glob("out-*"):
                f.unlink()
            inp.unlink()
    if len(sizes) > 1:
        lo, hi = results[sizes[0]], results[sizes[-1]]
        notes.append(f"peak memory for {sizes[-1]:,} documents is **{hi[2]['peak_mib'] / lo[2]['peak_mib']:.2f}x** "
                     f"that for {sizes[0]:,} (2 jobs; 1 job: {hi[1]['peak_mib'] / lo[1]['peak_mib']:.2f}x)")
    block = "\n".join([
        START,
        f"Measured {dt.date.today().isoformat()} on {psutil.cpu_count()} cores shared with other work by "
        f"`python bench/dedup_scale.py {' '.join(shlex.quote(a) for a in sys.argv[1:])}` "
        f"(median of {args.repeat} alternating 1-/2-job runs; load average before each pair "
        f"{min(loads):.2f} to {max(loads):.2f}):",
        "",
        "| run | documents | seconds | documents/s | CPU seconds | others' cores | peak MiB (PSS) "
        "| repost pairs found | false pairs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        "; ".join(notes) + ".",
        END,
    ])
    print(block)
    if args.readme:
        text = args.readme.read_text("utf-8")
        if START in text and END in text:
            text = re.sub(re.escape(START) + ".*?" + re.escape(END), lambda _: block, text, flags=re.S)
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        args.readme.write_text(text, "utf-8")


if __name__ == "__main__":
    main()
