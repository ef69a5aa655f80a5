"""Wrapping and shrink-to-fit: Chinese per character, Latin per word, never overflowing the box."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from printers.graphics.fonts import find_cjk_font, ttf_advance
from printers.graphics.textfit import (
    block_height,
    fit_text,
    halfwidth_advance,
    size_steps,
    text_width,
    wrap_text,
)


def test_chinese_wraps_per_character() -> None:
    assert wrap_text("浙江省杭州市西湖区", 4, halfwidth_advance) == ["浙江省杭", "州市西湖", "区"]


def test_latin_wraps_per_word() -> None:
    assert wrap_text("Room 1203 Tower A", 4, halfwidth_advance) == ["Room", "1203", "Tower A"]
    assert wrap_text("abc defgh", 4, halfwidth_advance) == ["abc", "defgh"]


def test_long_word_breaks_per_character() -> None:
    assert wrap_text("ABCDEFGHIJ", 2, halfwidth_advance) == ["ABCD", "EFGH", "IJ"]


def test_mixed_text_and_newlines() -> None:
    assert wrap_text("文三路 478 号\n备注", 5, halfwidth_advance) == ["文三路 478", "号", "备注"]


def test_shrink_to_fit_picks_a_smaller_size() -> None:
    fitted = fit_text("浙江省杭州市西湖区文三路", 20, 4.5, [4.0, 3.0, 2.0], halfwidth_advance)
    assert fitted.size == 2.0 and not fitted.truncated
    assert fitted.lines == ("浙江省杭州市西湖区文", "三路")


def test_too_long_is_cut_with_an_ellipsis() -> None:
    fitted = fit_text("浙" * 100, 10, 2.5, [2.0], halfwidth_advance)
    assert fitted.truncated and fitted.lines == ("浙" * 4 + "…",)


_texts = st.text(
    alphabet=st.sampled_from(
        list("浙江省杭州市西湖区文三路号华星时代广场（）， ") + list("Room 1203 Tower-A/B .")
    ),
    min_size=0,
    max_size=120,
)


@settings(max_examples=150, deadline=None)
@given(text=_texts, width=st.floats(5, 90), height=st.floats(1, 40), size=st.floats(2, 8))
def test_never_overflows(text: str, width: float, height: float, size: float) -> None:
    for advance in (halfwidth_advance, ttf_advance(find_cjk_font())):
        fitted = fit_text(text, width, height, size_steps(size, 1.5), advance)
        assert block_height(len(fitted.lines), fitted.size, 1.15) <= height + 1e-6
        for line in fitted.lines:
            assert text_width(line, advance) * fitted.size <= width + 1e-6
        if not fitted.truncated:  # nothing lost but spaces at the breaks
            assert "".join(fitted.lines).replace(" ", "") == text.replace(" ", "")
