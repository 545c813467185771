"""Normalisation: widths, CJK punctuation, invisible characters, mojibake, script conversion."""
from cleaners.decode.normalize import convert_script, fix_mojibake, normalize_line, normalize_text


def test_fullwidth_letters_and_digits_become_halfwidth():
    assert normalize_line("ＡＢＣ１２３ｘｙｚ") == "ABC123xyz"


def test_cjk_punctuation_is_kept_fullwidth():
    line = "“一体两翼”：职业教育，产教融合。（完）"
    assert normalize_line(line) == line


def test_ascii_punctuation_between_cjk_becomes_fullwidth():
    assert normalize_line("聚智提升新动能。11月16日,京津冀") == "聚智提升新动能。11月16日，京津冀"
    assert normalize_line("技能:让生活更美好") == "技能：让生活更美好"
    assert normalize_line("服务(集团)有限公司") == "服务（集团）有限公司"


def test_parenthesised_aside_is_converted_as_a_pair():
    assert normalize_line("北京5月27日电 (记者 杜燕)今天") == "北京5月27日电 （记者 杜燕）今天"


def test_ascii_punctuation_outside_cjk_is_untouched():
    assert normalize_line("Hello, world (test): ok!") == "Hello, world (test): ok!"
    assert normalize_line("协议(2021-2025)》") == "协议(2021-2025)》"


def test_invisible_and_control_characters_removed():
    assert normalize_line("职业\u200b教育\u202e\u0007\ufeff") == "职业教育"


def test_whitespace_collapsed_and_blank_lines_dropped():
    assert normalize_text("  职业   教育 \n\n\t\n　　产教\u3000融合  ") == "职业 教育\n产教 融合"


def test_nfc_not_nfkc():
    # NFKC would turn the full-width comma into ',' and the ideographic space away; NFC keeps them
    assert normalize_text("甲，乙") == "甲，乙"
    assert normalize_text("e\u0301") == "\u00e9"


def test_utf8_latin1_mojibake_fixed_without_uncurling_quotes():
    broken = "他说：“产教融合”".encode().decode("latin-1")
    assert fix_mojibake(broken) == "他说：“产教融合”"
    assert fix_mojibake("他说：“你好”") == "他说：“你好”"


def test_gbk_read_as_latin1_is_repaired():
    broken = "艺术史研究是一门学问".encode("gbk").decode("latin-1")
    assert fix_mojibake(broken) == "艺术史研究是一门学问"


def test_traditional_to_simplified():
    assert convert_script("樹立示范 打造樣板") == "树立示范 打造样板"
