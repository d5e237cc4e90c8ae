"""Small builders shared by the cards, over ``slack_sdk.models`` typed Block Kit objects."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

# Slack's limits (https://api.slack.com/reference/block-kit/blocks).
MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
CONTEXT_ELEMENT_LIMIT = 10


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis, so Slack never rejects a card."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# mrkdwn has no escape for its formatting marks; Slack only decodes &amp; &lt; &gt;. People's
# text gets look-alike characters instead, so "*Acme* _x_ ~y~" reads as typed, never as
# bold, italic, strike-through or code (and cannot close a card's own formatting early).
_INERT_MARKS = str.maketrans(
    {
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "*": "\u2217",  # ASTERISK OPERATOR
        "_": "\u02cd",  # MODIFIER LETTER LOW MACRON
        "~": "\u223c",  # TILDE OPERATOR
        "`": "\u02cb",  # MODIFIER LETTER GRAVE ACCENT
    }
)


def escape_mrkdwn(text: str) -> str:
    """Make user-entered text inert in mrkdwn: no mentions, links or channel-wide pings, and
    no formatting (bold, italic, strike-through, code) it was not meant to have."""
    return text.translate(_INERT_MARKS)


def header(text: str) -> HeaderBlock:
    """A header line (plain text, at most 150 characters)."""
    return HeaderBlock(text=PlainTextObject(text=clip(text, HEADER_TEXT_LIMIT), emoji=True))


def section(markdown: str) -> SectionBlock:
    """A section of mrkdwn text, clipped to Slack's limit."""
    return SectionBlock(text=MarkdownTextObject(text=clip(markdown, SECTION_TEXT_LIMIT)))


def sections_of_lines(lines: list[str], *, most: int | None = None) -> list[Block]:
    """``lines`` in sections within Slack's 3,000 characters (and of at most ``most`` lines), a
    line never split between two sections (``section`` would cut a full one mid-line and lose
    the lines after the cut); only a line longer than a whole section is clipped."""
    sections: list[Block] = []
    group: list[str] = []
    for line in lines:
        joined = "\n".join([*group, line])
        if group and (len(group) == most or len(joined) > SECTION_TEXT_LIMIT):
            sections.append(section("\n".join(group)))
            group = []
        group.append(line)
    if group:
        sections.append(section("\n".join(group)))
    return sections


def context(*markdown: str) -> ContextBlock:
    """Small grey text lines."""
    return ContextBlock(
        elements=[
            MarkdownTextObject(text=clip(m, SECTION_TEXT_LIMIT))
            for m in markdown[:CONTEXT_ELEMENT_LIMIT]
        ]
    )


def divider() -> DividerBlock:
    return DividerBlock()
