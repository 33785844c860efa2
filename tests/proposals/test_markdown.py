"""Markdown with raw HTML off, then nh3: nothing a resident writes can run in a browser."""

import pytest

from proposals.markdown import render_markdown


@pytest.mark.parametrize(
    ("_case", "text", "expected"),
    [
        (
            "bold and list",
            "**굵게**\n\n- 하나\n- 둘",
            "<p><strong>굵게</strong></p>\n<ul>\n<li>하나</li>\n<li>둘</li>\n</ul>\n",
        ),
        (
            "raw script is text",
            "<script>alert(1)</script>",
            "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n",
        ),
        (
            "javascript link dropped",
            "[click](javascript:alert(1))",
            "<p>[click](javascript:alert(1))</p>\n",
        ),
        (
            "http link gets rel",
            "[구청](https://example.kr)",
            '<p><a href="https://example.kr" rel="nofollow noopener noreferrer ugc">구청</a></p>\n',
        ),
        ("images are dropped", "![x](https://evil.example/x.png)", "<p></p>\n"),
        (
            "inline event handler is text",
            '<img src=x onerror="alert(1)">',
            '<p>&lt;img src=x onerror="alert(1)"&gt;</p>\n',
        ),
    ],
)
def test_render_markdown(_case, text, expected):
    assert str(render_markdown(text)) == expected
