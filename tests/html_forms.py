"""Read a rendered form as a browser would: an element's classes by its id, and the text of an element."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, dict[str, str]] = {}
        self.texts: dict[str, list[str]] = {}
        self.open: list[tuple[str, str | None]] = []
        self.inputs: list[dict[str, str]] = []

    def handle_starttag(self, tag, attrs):
        values = {name: value or "" for name, value in attrs}
        if tag == "input":
            self.inputs.append(values)
        element_id = values.get("id")
        if element_id:
            self.attrs.setdefault(element_id, values)
            self.texts.setdefault(element_id, [])
        if tag not in VOID:
            self.open.append((tag, element_id))

    def handle_endtag(self, tag):
        while self.open:
            opened, _ = self.open.pop()
            if opened == tag:
                break

    def handle_data(self, data):
        for _tag, element_id in self.open:
            if element_id:
                self.texts[element_id].append(data)


def _read(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    return parser


def classes(html: str, element_id: str) -> set[str]:
    """The classes of the element with this id (KeyError when there is none)."""
    return set(_read(html).attrs[element_id].get("class", "").split())


def attribute(html: str, element_id: str, name: str) -> str | None:
    return _read(html).attrs[element_id].get(name)


def text(html: str, element_id: str) -> str:
    """The text inside the element with this id, whitespace collapsed."""
    return " ".join("".join(_read(html).texts[element_id]).split())


def has(html: str, element_id: str) -> bool:
    return element_id in _read(html).attrs


def inputs(html: str) -> list[dict[str, str]]:
    """The attributes of every <input>, in document order."""
    return _read(html).inputs
