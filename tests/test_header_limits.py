"""Headers cut to a sane size before anything parses them: a huge Accept-Language (gunicorn joins
repeated ones, 45 × 8 KB = 360 KB) is read as its first tags, and nothing keeps the whole value."""

import pytest

from safernights import header_limits, languages

HUGE = "pl-PL,pl;q=0.9," + "en;q=0.1," * 40_000  # 360 KB, as gunicorn hands over 45 joined lines


@pytest.mark.parametrize(
    ("value", "characters", "items", "kept"),
    [
        ("pl,en;q=0.5", 200, 16, "pl,en;q=0.5"),
        ("a," * 20, 200, 16, ",".join(["a"] * 16)),
        ("x" * 300, 200, 16, "x" * 200),
        ("gzip, deflate, br", 100, 8, "gzip, deflate, br"),
        ("Mozilla/5.0 (Linux, Android 14)" * 30, 512, None, ("Mozilla/5.0 (Linux, Android 14)" * 30)[:512]),
    ],
)
def test_a_value_is_cut_to_its_characters_and_items(value, characters, items, kept):
    assert header_limits.cut(value, characters, items) == kept


def test_a_huge_accept_language_is_read_as_its_first_tags(client):
    languages.best_language.cache_clear()
    response = client.get("/q/consent", headers={"Accept-Language": HUGE})
    assert response.headers["Location"] == "/pl/consent"
    # The one value kept is the cut one (asking for it again is a hit), never the 360 KB.
    assert languages.best_language.cache_info().currsize == 1
    hits = languages.best_language.cache_info().hits
    languages.best_language(header_limits.cut(HUGE, *header_limits.LIMITS["HTTP_ACCEPT_LANGUAGE"]))
    assert languages.best_language.cache_info().hits == hits + 1


@pytest.mark.parametrize(
    "headers",
    [
        {"If-None-Match": ", ".join(f'W/"{n:040x}"' for n in range(2000))},
        {"Accept-Encoding": "gzip, " + "identity;q=0, " * 5000},
        {"If-Modified-Since": "Tue, 01 Dec 2026 10:00:00 GMT" * 300},
        {"User-Agent": "WhatsApp/2 " + "x" * 20_000},
    ],
)
def test_other_huge_headers_get_the_normal_page(client, headers):
    response = client.get("/en/consent", headers=headers)
    assert response.status_code == 200
    assert response.get_data()
