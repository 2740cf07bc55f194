"""Building a message: text with simple formatting, its HTML twin (sanitised), the MIME
message with both parts and, for optional mail, the unsubscribe headers. No Flask."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import make_msgid

import nh3
from markupsafe import escape

from ..singleline import one_line

_LINK = re.compile(r"\[([^\]\n]{1,200})\]\((https?://[^\s)]{1,2000})\)")
_URL = re.compile(r"(?<![\"'>=])(https?://[^\s<]{1,2000}[^\s<.,;:!?)\]'\"])")
_BOLD = re.compile(r"\*\*([^*\n]{1,500})\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*([^*\n]{1,500})\*(?![*\w])")
ALLOWED_TAGS = {"p", "br", "strong", "em", "a", "ul", "li", "h2"}


def _inline(line: str) -> str:
    """One escaped line with **bold**, *italic*, [text](https://...) and bare links."""
    html = str(escape(line))
    links: list[str] = []

    def keep(markup: str) -> str:  # links leave the line, so no later rule rewrites them
        links.append(markup)
        return f"\x00{len(links) - 1}\x00"

    html = _LINK.sub(lambda m: keep(f'<a href="{m[2]}">{m[1]}</a>'), html)
    html = _URL.sub(lambda m: keep(f'<a href="{m[1]}">{m[1]}</a>'), html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _ITALIC.sub(r"<em>\1</em>", html)
    return re.sub("\x00(\\d+)\x00", lambda m: links[int(m[1])], html)


def to_html(text: str) -> str:
    """Markdown-lite to HTML: paragraphs (a blank line), line breaks, "- " lists,
    "## " headings, bold, italic and links. Whatever was typed is escaped first and the
    result is cleaned by nh3 with a short allow-list: no script, style or attribute
    other than a link's address reaches a mail client or the preview."""
    blocks = re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n").strip())
    parts = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.lstrip().startswith(("- ", "* ")) for line in lines):
            items = "".join(f"<li>{_inline(line.lstrip()[2:])}</li>" for line in lines)
            parts.append(f"<ul>{items}</ul>")
        elif len(lines) == 1 and lines[0].startswith("## "):
            parts.append(f"<h2>{_inline(lines[0][3:])}</h2>")
        else:
            parts.append("<p>" + "<br>".join(_inline(line) for line in lines) + "</p>")
    return nh3.clean(
        "\n".join(parts),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def to_text(text: str) -> str:
    """The plain-text part: the same text, its link syntax spelt out."""
    text = _LINK.sub(r"\1 (\2)", (text or "").replace("\r\n", "\n"))
    return _BOLD.sub(r"\1", text)


def html_document(body_html: str, footer_html: str = "") -> str:
    footer = f'<hr><p style="color:#555;font-size:small">{footer_html}</p>' if footer_html else ""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
        f'<body style="font-family:sans-serif;line-height:1.5">{body_html}{footer}</body></html>'
    )


def build_message(
    *,
    sender: str,
    to: str,
    subject: str,
    text: str,
    html: str,
    unsubscribe_url: str | None = None,
    attachment: tuple[str, str] | None = None,
) -> EmailMessage:
    """The MIME message: text and HTML alternatives (and an .ics file when given).

    ``unsubscribe_url`` (optional mail only) becomes RFC 2369 ``List-Unsubscribe`` with
    RFC 8058 one-click ``List-Unsubscribe-Post``, and a line at the foot of both parts.
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = one_line(subject)  # a line break would make EmailMessage raise
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    footer_html = ""
    if unsubscribe_url:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        text = f"{text.rstrip()}\n\n--\nChoose which mail you receive: {unsubscribe_url}\n"
        footer_html = f'<a href="{escape(unsubscribe_url)}">Choose which mail you receive</a>'
    message.set_content(text)
    message.add_alternative(html_document(html, footer_html), subtype="html")
    if attachment:
        name, content = attachment
        # An agenda's .ics, or a person's data as .json ("download my data", by mail).
        maintype, subtype = (
            ("application", "json") if name.endswith(".json") else ("text", "calendar")
        )
        message.add_attachment(
            content.encode("utf-8"), maintype=maintype, subtype=subtype, filename=name
        )
    return message
