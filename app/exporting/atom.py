"""Atom feeds (RFC 4287), written with the standard library's ElementTree, which escapes
every text; characters XML cannot hold at all are left out."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # noqa: S405 - writing, never parsing
from dataclasses import dataclass

ATOM = "http://www.w3.org/2005/Atom"
#: Characters XML 1.0 has no place for (C0 controls but tab, newline, carriage return).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Entry:
    id: str  #: a URI that never changes (a tag: URI)
    title: str
    updated: dt.datetime
    link: str
    summary: str
    category: str  #: "invoice", "contract", "amendment" or "flag"


def _text(value: str) -> str:
    return _NOT_XML.sub("", value or "")


def _time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def atom(
    feed_id: str,
    title: str,
    self_url: str,
    page_url: str,
    author: str,
    updated: dt.datetime,
    entries: list[Entry],
) -> bytes:
    """The feed as UTF-8 XML."""
    ET.register_namespace("", ATOM)

    def sub(parent, tag: str, text: str | None = None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        if text is not None:
            element.text = _text(text)
        return element

    feed = ET.Element(f"{{{ATOM}}}feed")
    sub(feed, "id", feed_id)
    sub(feed, "title", title)
    sub(feed, "updated", _time(updated))
    sub(feed, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(feed, "link", rel="alternate", type="text/html", href=page_url)
    sub(sub(feed, "author"), "name", author)
    sub(feed, "generator", "Insyn")
    for entry in entries:
        item = sub(feed, "entry")
        sub(item, "id", entry.id)
        sub(item, "title", entry.title)
        sub(item, "updated", _time(entry.updated))
        sub(item, "link", rel="alternate", type="text/html", href=entry.link)
        sub(item, "category", term=entry.category)
        sub(item, "summary", entry.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
