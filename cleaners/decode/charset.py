"""Bytes to text: BOM, then a declared charset, then detection.

Chinese legacy charsets are decoded by their supersets: gb2312/gbk as gb18030 (pages labelled gb2312 routinely
contain GBK-only characters) and big5 as big5hkscs.
"""
from __future__ import annotations

import codecs
import re
import zlib
from dataclasses import dataclass

from cleaners import regexcache, tuning

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Superset codecs for labels that real pages under-declare.
_SUPERSETS = {
    "gb2312": "gb18030", "gbk": "gb18030", "gb18030": "gb18030", "cp936": "gb18030", "euc-cn": "gb18030",
    "x-gbk": "gb18030", "hz": "gb18030", "big5": "big5hkscs", "big5-tw": "big5hkscs", "cp950": "big5hkscs",
    "big5hkscs": "big5hkscs", "x-big5": "big5hkscs", "ascii": "utf-8", "us-ascii": "utf-8",
    "iso-8859-1": "cp1252", "latin-1": "cp1252", "latin1": "cp1252",
}
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_\-]+)""", re.I)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_\-]+)""", re.I)
_GZIP_MAGIC = b"\x1f\x8b"
# A compressed page may expand to at most this much (gzip bombs expand a thousandfold).
MAX_DECOMPRESSED = 64 * 1024 * 1024
_ANY_HAN = regexcache.compile(r"\p{Han}")
# Frequent Han characters (Simplified and Traditional forms): text decoded with the wrong Chinese codec is
# made of rare characters, text decoded with the right one is full of these.
_COMMON_HAN = frozenset(
    "的一是不了在人有我他这個个们們中来來上大为為和国國地到以说說时時要就出会會可也你对對生能而子那得于於"
    "着著下自之年过過发發后後作里裡用道行所然家种種事成方多经經么麼去法学學如都同现現当當没沒动動面起看定天"
    "分还還进進好小部其些主样樣理心她本前开開但因只从從想实實日军軍者意无無力它与與长長把机機十民第公此已工"
    "使情明性知全三又关關点點正业業外将將两兩高间間由问問很最重并並物手应應战戰向头頭文体體政美相见見被利什"
    "二等产產或新己制製身果加西斯月话話合回特代内內信表化老给給世位次度门門任常先海通教儿兒原东東声聲提立及"
    "比员員解水名真论論处處走义義各入几幾口认認条條平系氣气题題活尔爾更别別打女变變四神总總何电電数數安少報报"
    "才结結反受目太量再感建务務做接必场場件计計管期市直德资資命山金指克许許统統区區保至队隊形社便空决決治展"
    "马馬科司五基眼书書非则則听聽白却界达達光放强強即像难難且权權思王象完设設式色路记記南品住告类類求据據程"
    "北边邊死张張该該交规規万萬取拉格望觉覺术術领領共确確传傳师師观觀清今切院让讓识識候带帶导導争爭运運笑飞飛"
    "风風步改收根干幹造言联聯持组組每济濟车車亲親极極林服快办辦议議往元英士证證近失转轉夫令准準布始怎呢存未远遠"
    "叫台单單影具罗羅字爱愛击擊流备備兵连連调調深商算质質团團集百需价價花党黨华華城石级級整府离離况況亚亞请請技"
    "际際约約示复復病息究线線似官火断斷精满滿支视視消越器容照须須九增研写寫称稱企八功吗嗎包片史委乎查轻輕易早"
    "曾除农農找装裝广廣显顯吧阿李标標谈談吃图圖念六引历歷首医醫局突专專费費号號尽盡另周较較注语語仅僅考落青"
    "随隨选選列武红紅响響虽雖推势勢参參希古众眾构構房半节節土投某案黑维維革划劃敌敵致陈陳律足态態护護七兴興派"
    "孩验驗责責营營星够夠章音跟志底站严嚴巴例防族供效续續施留讲講型料终終答紧緊黄黃绝絕奇察母京段依批群项項"
    "故按河米围圍江织織害斗鬥双雙境客纪紀采採举舉杀殺攻父苏蘇密低朝友诉訴止细細愿願千值仍男钱錢破网網热熱助倒"
    "育属屬坐帝限船脸臉职職速刻乐樂否刚剛威毛状狀率甚独獨球般普怕弹彈校苦创創假久错錯承印晚兰蘭试試股拿脑腦预預"
    "谁誰益阳陽若哪微尼继繼送急血惊驚伤傷素药藥适適波夜省初喜卫衛源食险險待述陆陸习習置居劳勞财財环環排福纳納"
    "欢歡雷警获獲模充负負云雲停木游遊龙龍树樹疑层層冷洲冲衝射略范範竟句室异異激汉漢村哈策演简簡卡罪判担擔州静"
    "靜退既衣您宗积積余餘痛检檢差富灵靈协協角占配征修皮挥揮胜勝降阶階审審沉坚堅善妈媽刘劉读讀啊超免压壓银銀买"
    "買皇养養伊怀懷执執副乱亂抗犯追帮幫宣佛岁歲航优優怪香著田铁鐵控税稅左右份穿艺藝背阵陣草脚腳概恶惡块塊顿頓"
    "敢守酒岛島托央户戶烈洋哥索胡款靠评評版宝寶座释釋景顾顧弟登货貨互付伯慢欧歐换換闻聞危忙核暗姐介坏壞讨討丽"
    "麗良序升监監临臨亮露永呼味野架域沙掉括舰艦鱼魚杂雜误誤湾灣吉减減编編楚肯测測败敗屋跑梦夢散温溫困剑劍渐漸"
    "封救贵貴枪槍缺楼樓县縣尚毫移娘朋画畫班智亦耳恩短掌恐遗遺固席松秘谢謝鲁魯遇康虑慮幸均销銷钟鐘诗詩藏赶趕剧"
    "劇票损損忽巨炮旧舊端探湖录錄叶葉春乡鄉附吸予礼禮港雨呀板庭妇婦归歸睛饭飯额額含顺順输輸摇搖招婚脱脫补補谓"
    "謂督毒油疗療旅泽澤材灭滅逐莫笔筆亡鲜鮮词詞圣聖择擇寻尋厂廠睡博勒烟煙授诺諾伦倫岸奥奧唐卖賣俄炸载載洛健堂"
    "旁宫宮喝借君禁阴陰园園谋謀宋避抓荣榮姑孙孫逃牙束跳顶頂玉镇鎮雪午练練迫爷爺篇肉嘴馆館遍凡础礎洞卷坦牛宁寧"
    "纸紙诸諸训訓私庄莊祖丝絲翻暴森塔默握戏戲隐隱熟骨访訪弱蒙歌店鬼软軟典欲萨薩伙夥遭盘盤爸扩擴盖蓋弄雄稳穩忘"
    "亿億刺拥擁徒姆杨楊齐齊赛賽趣曲刀床迎冰虚虛玩析窗醒妻透购購替塞努休虎扬揚途侵刑绿綠兄迅套贸貿毕畢唯谷轮輪"
    "库庫迹跡尤竞競街促延震弃棄甲伟偉麻川申缓緩潜潛闪閃售灯燈针針哲络絡抵朱埃抱鼓植纯純夏忍页頁杰傑筑築折郑鄭"
    "贝貝尊吴吳秀混臣雅振染盛怒舞圆圓搞狂措姓残殘秋培迷诚誠宽寬宇猛摆擺梅毁毀伸摩盟末乃悲拍丁赵趙"
    "北京电電年月日省市县區区镇鎮村校企合作产產教育职職业業"
)


class DecodeError(ValueError):
    """The bytes are not text in any charset we can recognise."""


def gunzip(raw: bytes, limit: int = MAX_DECOMPRESSED) -> bytes:
    """The content of gzip-compressed bytes (pages saved as served, `Content-Encoding: gzip`).

    Expansion is bounded (a gzip bomb raises DecodeError); a truncated stream yields what it holds.
    """
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(raw, limit + 1)
    except zlib.error as exc:
        raise DecodeError(f"corrupt gzip data: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise DecodeError(f"gzip data expands beyond {limit // (1024 * 1024)} MiB")
    return out


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec actually used, e.g. "utf-8", "gb18030", "big5hkscs"
    method: str  # "bom", "declared", "http", "utf-8", "detected", or "repaired" (Chinese once misread as Latin-1)


def canonical_codec(label: str | None) -> str | None:
    """Map a charset label to the codec we decode it with, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def parse_content_type(value: str | None) -> tuple[str, str | None]:
    """`text/html; charset=GBK` -> ("text/html", "GBK"): the one reading of an HTTP Content-Type, for WARC
    records and the crawler's responses alike. A header naming two charsets gives the first (as browsers do)."""
    mime, *params = (value or "").split(";")
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            return mime.strip().lower(), val.strip().strip("\"'")
    return mime.strip().lower(), None


def declared_charset(raw: bytes) -> str | None:
    """The charset a page declares in a meta tag or XML declaration (first 4 KiB only)."""
    head = raw[:4096]
    m = _XML_DECL.search(head) or _META_CHARSET.search(head)
    return m.group(1).decode("ascii", "ignore") if m else None


def _strict(raw: bytes, codec: str) -> str | None:
    try:
        return _gbk_space(raw.decode(codec), codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _gbk_space(text: str, codec: str) -> str:
    """GBK's A3A0, which many pages use as a full-width space, is a private-use code point in GB18030."""
    return text.replace("\ue5e5", "\u3000") if codec == "gb18030" else text


def decode_bytes(raw: bytes, http_charset: str | None = None) -> Decoded:
    """Decode page bytes: BOM, then the HTTP charset, then the page's own declaration, then detection.

    A declaration that does not decode cleanly is ignored (pages lie about their charset); detection runs
    on what is left. Raises DecodeError for binary data.
    """
    if raw.startswith(_GZIP_MAGIC):
        raw = gunzip(raw)
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            return Decoded(raw[len(bom):].decode(codec, "replace"), _SUPERSETS.get(codec, codec), "bom")
    if b"\x00" in raw[:4096] and not _looks_utf16(raw):
        # stray NULs in a UTF-8 page (a bad export) are dropped; anything else with NULs is binary
        text = _utf8(raw.replace(b"\x00", b""))
        if text is None or not text.strip() or _control_share(text) > tuning.active.nul_control_share:
            raise DecodeError("binary content (NUL bytes)")
        return Decoded(text, "utf-8", "utf-8")
    for label, method in ((http_charset, "http"), (declared_charset(raw), "declared")):
        codec = canonical_codec(label)
        if codec and codec != "utf-8" and (text := _strict(raw, codec)) is not None and _plausible(text):
            return _better_chinese(raw, text, codec, method)
        if codec == "utf-8" and (text := _utf8(raw)) is not None:
            return Decoded(text, "utf-8", method)
    if (text := _utf8(raw)) is not None:
        return Decoded(text, "utf-8", "utf-8")
    return _detect(raw)


def _utf8(raw: bytes) -> str | None:
    """Strict UTF-8, also when the bytes were cut inside the last character (a truncated download)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(raw) - 3:
            return _strict(raw[: exc.start], "utf-8")
        return None


def _control_share(text: str) -> float:
    sample = text[:20000]
    return sum(1 for c in sample if c < " " and c not in "\t\n\r\f") / max(1, len(sample))


def _common_han_share(text: str) -> float:
    han = _ANY_HAN.findall(text[:20000])
    return sum(1 for c in han if c in _COMMON_HAN) / len(han) if len(han) >= tuning.active.common_han_min else 0.0


def _better_chinese(raw: bytes, text: str, codec: str, method: str) -> Decoded:
    """GBK bytes often decode without error as Big5 and the reverse: keep the reading with common characters."""
    other, t = {"gb18030": "big5hkscs", "big5hkscs": "gb18030"}.get(codec), tuning.active
    if other is not None and _common_han_share(text) < t.other_reading_share:
        alt = _strict(raw, other)
        if alt is not None and _plausible(alt) \
                and _common_han_share(alt) > t.other_reading_ratio * _common_han_share(text) + t.other_reading_margin:
            return Decoded(alt, other, "detected")
    return Decoded(text, codec, method)


def _looks_utf16(raw: bytes) -> bool:
    head = raw[:200]
    return head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4


def _plausible(text: str) -> bool:
    """A legacy decode is plausible when it yields few private-use or control characters."""
    sample = text[:20000]
    bad = sum(1 for c in sample if "\ue000" <= c <= "\uf8ff" or (c < " " and c not in "\t\n\r\f"))
    return bad <= max(2, len(sample) // 500)


def _detect(raw: bytes) -> Decoded:
    # Chinese legacy codecs first: a reading that is (nearly) error-free and full of common characters is
    # right, and costs one C-level decode instead of a statistical detector over the whole page. A few bad
    # bytes are tolerated: real GBK pages carry stray bytes from truncated ads and mixed templates.
    for codec in ("gb18030", "big5hkscs"):
        text = _gbk_space(raw.decode(codec, "replace"), codec)
        if text.count("\ufffd") <= max(2, len(text) // 1000) and _plausible(text) \
                and _common_han_share(text) >= tuning.active.common_share_min:
            return Decoded(text, codec, "detected")
    from charset_normalizer import from_bytes  # a page that needs the statistical detector pays for its import

    best = from_bytes(raw[:200_000], cp_isolation=None).best()
    if best is None:
        raise DecodeError("undecodable bytes: no charset fits")
    codec = canonical_codec(best.encoding) or best.encoding
    text = raw.decode(codec, "replace")
    if not _plausible(text):
        raise DecodeError(f"binary content (detected {codec} yields control characters)")
    return Decoded(text, codec, "detected")


# A page whose Chinese bytes were once decoded as Latin-1 and saved again (`ÒÕÊõÊ·` for `艺术史`): tuning's
# misread_min_chars and misread_share.
_LATIN1_HIGH = re.compile(r"[\u0080-\u00ff]")
# (the regex module scans a string for one class of characters several times faster than re)
_MISREAD_PAIR = regexcache.compile(r"[\u0080-\u009f\u00a1-\u00ff]{2}")  # not-break spaces come in pairs in any page
# UTF-8 writes U+0080..U+00FF, and nothing else, with these lead bytes: a text whose encoding holds neither has no
# Latin-1 character, hence no misread pair (a C-speed test that most English pages pass)
_LATIN1_LEADS = (b"\xc2", b"\xc3")
MISREAD_SAMPLE = 50_000
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _holds_latin1(text: str) -> bool:
    encoded = text.encode("utf-8", "surrogatepass")
    return any(lead in encoded for lead in _LATIN1_LEADS)


def repair_misread_chinese(text: str) -> str | None:
    """The page as it was written, when its GBK or Big5 bytes were read as Latin-1 (or cp1252) and saved again;
    None when the text does not look like that or the repair does not give common Chinese.

    Runs on the whole page before parsing: the markup is ASCII and survives the round trip, and the article's
    lines cannot be judged as prose while they are mojibake. A French or German page fails the check (its
    accented letters re-read as GBK give rare characters, not common ones).

    Its twin for one field of text is decode.normalize.fix_legacy_chinese. They stay two: a whole page is judged
    by its non-ASCII characters (markup is most of it) and by common characters, a short field (a title, a line)
    by all its non-space characters, with a lower bar, since it has too few ideographs for a common-character
    share to mean anything."""
    head = text[:MISREAD_SAMPLE]  # a misread page is misread throughout: its head tells
    # GBK and Big5 characters misread come in pairs
    if _ANY_HAN.search(head) or not _holds_latin1(head) or not _MISREAD_PAIR.search(head):
        return None
    if _ANY_HAN.search(text):
        return None
    high, t = len(_LATIN1_HIGH.findall(text)), tuning.active
    if high < t.misread_min_chars or high < t.misread_share * len(_NON_ASCII.findall(text)):
        return None
    for source in ("latin-1", "cp1252"):
        try:
            raw = text.encode(source)
        except UnicodeEncodeError:
            continue
        for codec in ("gb18030", "big5hkscs"):
            fixed = _gbk_space(raw.decode(codec, "replace"), codec)
            if fixed.count("\ufffd") <= max(2, high // 100) and _common_han_share(fixed) >= t.common_share_min:
                return fixed
    return None

