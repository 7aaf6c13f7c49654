"""Markup nested deeper than a parser can hold, made shallow with its text kept.

libxml2 (under lxml and so trafilatura) stops building the tree at 255 levels and drops what lies
below: a page of 300 nested `<div>`s already reads as empty. `flatten` re-emits the markup as
written but leaves out the tags below `MAX_DEPTH`, so their text joins the deepest kept element.
It uses the standard library's tokenizer, which keeps no stack of its own and so has no depth
limit; the page is only re-read this way when trafilatura found no text in it.
"""

from __future__ import annotations

from html.parser import HTMLParser

MAX_DEPTH = 200
# elements without an end tag never open a level
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
        "wbr", "keygen", "command"}
# an element whose start tag closes an open one of the same kind (HTML's optional end tags), so a page
# of unclosed <p>s or <li>s does not look deep
SELF_CLOSING = {"p": {"p", "div", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
                      "section", "article", "header", "footer", "form", "hr"},
                "li": {"li"}, "td": {"td", "th", "tr"}, "th": {"td", "th", "tr"}, "tr": {"tr"},
                "option": {"option"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}}


class _Flattener(HTMLParser):
    def __init__(self, max_depth: int):
        super().__init__(convert_charrefs=False)
        self.max_depth = max_depth
        self.out: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, emitted)
        self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        raw = self.get_starttag_text() or f"<{tag}>"
        if tag in VOID:
            self.out.append(raw)
            return
        if self.stack and tag in SELF_CLOSING.get(self.stack[-1][0], ()):
            self.handle_endtag(self.stack[-1][0])
        keep = len(self.stack) < self.max_depth
        self.stack.append((tag, keep))
        self.deepest = max(self.deepest, len(self.stack))
        if keep:
            self.out.append(raw)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.out.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        # close up to the matching open element, as a browser would; a stray end tag is dropped
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                for t, emitted in reversed(self.stack[i:]):
                    if emitted:
                        self.out.append(f"</{t}>")
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def flatten(html: str, max_depth: int = MAX_DEPTH) -> tuple[str, int]:
    """(the markup with no element deeper than `max_depth`, the deepest nesting found)."""
    parser = _Flattener(max_depth)
    parser.feed(html)
    parser.close()
    for tag, emitted in reversed(parser.stack):
        if emitted:
            parser.out.append(f"</{tag}>")
    return "".join(parser.out), parser.deepest
