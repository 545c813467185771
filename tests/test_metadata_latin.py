"""Metadata of pages in languages that separate words: JSON-LD, meta tags, printed bylines and dates, titles.

Small synthetic pages, one convention each (English, French, Spanish, German)."""
import pytest

from cleaners.core import clean_html
from cleaners.html.meta import extract_meta
from cleaners.html.parse import parse_html
from cleaners.text.metadata import TEXT_DATE, find_text_date, is_handle, parse_date, plausible_author, printed_byline

PROSE = ("<p>The council met on Thursday evening to decide the future of the old market hall, which has stood empty "
         "since the spring floods.</p><p>Residents spoke for two hours, most of them in favour of reopening it as "
         "a covered market with stalls for local growers.</p><p>A decision is expected next month, after the "
         "engineers report on the state of the roof.</p>")


def page(head: str = "", body: str = "", title: str = "Market hall to reopen | Valley Courier") -> str:
    return f"<html><head><title>{title}</title>{head}</head><body>{body}</body></html>"


@pytest.mark.parametrize("line, iso", [
    ("May 2, 2024", "2024-05-02"),
    ("2 May 2024", "2024-05-02"),
    ("Published on May 02, 2024 07:44 PM IST", "2024-05-02"),
    ("Updated Jan. 27, 2026", "2026-01-27"),
    ("December 2nd, 2025", "2025-12-02"),
    ("1 de diciembre de 2017", "2017-12-01"),  # Spanish
    ("Publicado el 5 de sept. de 2019", "2019-09-05"),
    ("30 avril 2015", "2015-04-30"),  # French
    ("le 1er mars 2020", "2020-03-01"),
    ("3. März 2020", "2020-03-03"),  # German
    ("12 de março de 2020", "2020-03-12"),  # Portuguese
    ("30 aprile 2015", "2015-04-30"),  # Italian
    ("3 maart 2020", "2020-03-03"),  # Dutch
    ("Posted on the 15/12/2025 at 19:00", "2025-12-15"),  # day above 12: the order is certain
    ("3.5.2020", "2020-05-03"),  # dots: day first
    ("2023-05-27 21:07", "2023-05-27T21:07:00"),
])
def test_text_dates(line, iso):
    assert find_text_date(line) == iso


@pytest.mark.parametrize("line", ["02/05/2024", "31 April 2020", "Top 10 out of 2020", "in May 2020", "no date"])
def test_text_dates_that_are_not_read(line):
    assert find_text_date(line) is None


def test_text_date_pattern_is_reusable_and_bounded():
    m = TEXT_DATE.search("Der Artikel vom 3. März 2020 wurde")
    assert m and (m["d"], m["mon"], m["y"]) == ("3", "März", "2020")
    assert TEXT_DATE.search("May " * 5000 + "x") is None  # no catastrophic backtracking on a long line
    assert parse_date("Feb 08, 2022") == "2022-02-08"  # JSON-LD that prints its date for people


def test_plausible_author_refuses_urls_handles_and_labels():
    assert plausible_author("Jane Smith") == "Jane Smith"
    assert plausible_author("Camphouse Team") == "Camphouse Team"  # pages credit teams; kept
    several = "Nicholas Collins, Scott Munro, Matt De La O"
    assert plausible_author(several) == several
    for value in ("https://www.facebook.com/janesmith", "@ACLU", "jane@example.com", "Written By", "The Author",
                  "in", "Updated January", "admin", "10 mins read"):
        assert plausible_author(value) is None, value
    assert is_handle("@ACLU") and is_handle("jane@example.com") and not is_handle("Jane Smith")


@pytest.mark.parametrize("line, name", [
    ("By Jane Smith | May 2, 2024", "Jane Smith"),
    ("Written by Moses Kim and Kate Shokurova", "Moses Kim and Kate Shokurova"),
    ("By: A. J. Neal", "A. J. Neal"),
    ("Par Jean Dupont, le 30 avril 2015", "Jean Dupont"),
    ("Von Hans Müller am 3. März 2020", "Hans Müller"),
    ("Por Juan Pérez", "Juan Pérez"),
])
def test_printed_bylines(line, name):
    assert printed_byline(line) == name


@pytest.mark.parametrize("line", ["By 2025 the market will double", "By Using This Site You Agree",
                                  "Reviewed by Jane Smith", "Photo by Jane Smith"])
def test_lines_that_are_not_bylines(line):
    assert printed_byline(line) is None


def test_json_ld_graph_with_author_by_id_and_the_article_date_first():
    ld = ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
          '{"@type": "WebPage", "@id": "#page", "datePublished": "2020-01-01T00:00:00Z", "name": "Market hall"},'
          '{"@type": "NewsArticle", "headline": "Market hall to reopen", "datePublished": "2024-05-02T08:00:00Z",'
          ' "author": [{"@id": "#jane"}, {"@type": "Person", "name": "Tom Lee"}]},'
          '{"@type": "Person", "@id": "#jane", "name": "Jane Smith"}]}</script>')
    meta = extract_meta(parse_html(page(ld, "<h1>Market hall to reopen</h1>" + PROSE)))
    assert meta.author == "Jane Smith, Tom Lee"
    assert meta.published.startswith("2024-05-02")
    assert meta.title == "Market hall to reopen"


def test_meta_tags_several_citation_authors_and_a_url_article_author():
    head = ('<meta property="article:author" content="https://www.facebook.com/valleycourier">'
            '<meta name="citation_author" content="Smith, Jane"><meta name="citation_author" content="Lee, Tom">'
            '<meta name="citation_publication_date" content="2019/01/22">')
    meta = extract_meta(parse_html(page(head, PROSE)))
    assert meta.author == "Smith, Jane, Lee, Tom" and meta.published == "2019-01-22"


def test_wordpress_written_by_label_and_twitter_handle_as_last_resort():
    head = ('<meta name="twitter:creator" content="@valleycourier">'
            '<meta name="twitter:label1" content="Written by"><meta name="twitter:data1" content="Jane Smith">')
    assert extract_meta(parse_html(page(head, PROSE))).author == "Jane Smith"
    only_handle = extract_meta(parse_html(page('<meta name="twitter:creator" content="@valleycourier">', PROSE)))
    assert only_handle.author is None and only_handle.handle == "@valleycourier"


def test_the_site_name_as_author_gives_way_to_the_printed_byline():
    head = '<meta property="og:site_name" content="Valley Courier"><meta name="author" content="Valley Courier">'
    body = '<h1>Market hall to reopen</h1><div class="byline">By Jane Smith</div>' + PROSE
    doc = clean_html(page(head, body))
    assert doc.author == "Jane Smith"


def test_microdata_author_and_date():
    body = ('<article><h1 itemprop="headline">Market hall to reopen</h1>'
            '<span itemprop="author" itemscope><span itemprop="name">Jane Smith</span></span>'
            '<time itemprop="datePublished" datetime="2024-05-02">2 May</time>' + PROSE + '</article>')
    meta = extract_meta(parse_html(page("", body)))
    assert meta.author == "Jane Smith" and meta.published == "2024-05-02"


def test_english_byline_element_and_printed_date():
    body = ('<h1>Market hall to reopen</h1><div class="post-meta"><span class="author-name">Jane Smith</span>'
            '<span class="post-date">Published May 2, 2024</span></div>' + PROSE)
    doc = clean_html(page("", body))
    assert doc.author == "Jane Smith"
    assert (doc.published, doc.published_precision) == ("2024-05-02T00:00:00.000000", "day")
    assert doc.title == "Market hall to reopen"


def test_by_label_before_a_link():
    body = '<h1>Market hall to reopen</h1><p>By <a href="/staff/jane">Jane Smith</a> <a href="/print">Print</a></p>'
    assert clean_html(page("", body + PROSE)).author == "Jane Smith"


def test_a_comment_author_and_a_testimonial_are_not_the_author():
    body = ('<h1>Market hall to reopen</h1>' + PROSE +
            '<div class="testimonial-author">Happy Customer</div>'
            '<div class="comments"><div class="comment-author">Bob Reader</div></div>')
    assert clean_html(page("", body)).author is None


def test_french_page():
    body = ('<h1>La halle du marché va rouvrir</h1><p class="signature">Par Jean Dupont, le 30 avril 2015</p>'
            '<p>Le conseil municipal a décidé jeudi soir de rouvrir la vieille halle du marché, fermée depuis les '
            'inondations du printemps.</p><p>Les habitants ont parlé pendant deux heures, la plupart en faveur '
            'd’un marché couvert pour les producteurs locaux.</p>')
    doc = clean_html(page("", body, title="La halle du marché va rouvrir - Le Courrier"))
    assert doc.author == "Jean Dupont"
    assert (doc.published, doc.published_precision) == ("2015-04-30T00:00:00.000000", "day")
    assert doc.title == "La halle du marché va rouvrir"


def test_spanish_page():
    body = ('<h1>El mercado vuelve a abrir</h1><div class="autor">Por Juan Pérez</div>'
            '<div class="fecha">1 de diciembre de 2017</div>'
            '<p>El ayuntamiento decidió el jueves por la noche reabrir el viejo mercado, cerrado desde las '
            'inundaciones de la primavera.</p><p>Los vecinos hablaron durante dos horas, casi todos a favor de un '
            'mercado cubierto para los productores locales.</p>')
    doc = clean_html(page("", body, title="El mercado vuelve a abrir | El Correo"))
    assert doc.author == "Juan Pérez"
    assert (doc.published, doc.published_precision) == ("2017-12-01T00:00:00.000000", "day")


def test_german_page():
    body = ('<h1>Die Markthalle öffnet wieder</h1><p>Von Hans Müller</p><p class="datum">3. März 2020</p>'
            '<p>Der Stadtrat hat am Donnerstagabend beschlossen, die alte Markthalle wieder zu öffnen, die seit dem '
            'Hochwasser im Frühjahr leer steht.</p><p>Die Anwohner sprachen zwei Stunden lang, die meisten für eine '
            'überdachte Markthalle mit Ständen für Erzeuger aus der Region.</p>')
    doc = clean_html(page("", body, title="Die Markthalle öffnet wieder - Der Bote"))
    assert doc.author == "Hans Müller"
    assert (doc.published, doc.published_precision) == ("2020-03-03T00:00:00.000000", "day")


def test_the_site_logo_h1_is_not_the_headline():
    body = ('<header><h1 class="site-title"><a href="https://courier.example/" rel="home">Valley Courier</a></h1>'
            '</header><h1>Market hall to reopen after the floods</h1>' + PROSE)
    head = '<meta property="og:site_name" content="Valley Courier"><meta property="og:title" content="Market hall">'
    assert extract_meta(parse_html(page(head, body))).title == "Market hall to reopen after the floods"


def test_title_site_suffix_splits():
    for title in ("Market hall to reopen | Valley Courier", "Market hall to reopen - Valley Courier"):
        meta = extract_meta(parse_html(page("", PROSE, title=title)))
        assert meta.title == "Market hall to reopen" and meta.site == "Valley Courier"
