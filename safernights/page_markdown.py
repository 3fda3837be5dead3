"""Markdown for the campaign's pages: [[0808 500 2222]] becomes a tel: link, and web addresses and
phone numbers are kept left-to-right.

Writing a number once, in one form, means the number people read is always the number that dials,
and it stays left-to-right inside right-to-left text (dir="ltr" also isolates it).
"""

import re
from xml.etree import ElementTree

import markdown
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

NUMBER = r"\+?[0-9][0-9 ]*[0-9]"
TEL = rf"\[\[({NUMBER})\]\]"
ADDRESS = re.compile(r"[\w.-]+\.[a-z]{2,}(/\S*)?")
# What a reader takes as a figure: digits, with the : . / , inside times, dates and "24/7".
FIGURE = re.compile(r"\d+(?:[:./,]\d+)*")
NOT_READ = re.compile(r"^\s*\d+[.)]\s|\]\([^)]*\)")  # list numbers and link targets


def numbers_shown(line):
    """(phone numbers, other figures) a reader sees in one line of Markdown."""
    return re.findall(TEL, line), FIGURE.findall(NOT_READ.sub(" ", re.sub(TEL, " ", line)))


def tel_href(number):
    """The tel: URL for a number as people write it ("0808 500 2222" -> "tel:08085002222")."""
    return "tel:" + re.sub(r"[^0-9+]", "", number)


class TelPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        link = ElementTree.Element("a", {"href": tel_href(m.group(1)), "class": "tel", "dir": "ltr"})
        link.text = m.group(1)
        return link, m.start(0), m.end(0)


class AddressesLeftToRight(Treeprocessor):
    """A link whose text is a web address (nhs.uk/sarcs) reads left-to-right in any language."""

    def run(self, root):
        for link in root.iter("a"):
            if link.text and ADDRESS.fullmatch(link.text):
                link.set("dir", "ltr")


class SiteExtension(Extension):
    def extendMarkdown(self, md):  # noqa: N802 - Python-Markdown's name
        # Above the link pattern (160), which would otherwise read [[…]] as a reference link.
        md.inlinePatterns.register(TelPattern(TEL, md), "tel", 175)
        md.treeprocessors.register(AddressesLeftToRight(md), "addresses-ltr", 0)


def renderer():
    """A Markdown renderer for page bodies; call .reset() between documents."""
    return markdown.Markdown(extensions=[SiteExtension(), "sane_lists"], output_format="html")
