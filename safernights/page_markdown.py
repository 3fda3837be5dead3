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
# What a UK phone number or short code looks like in running text (one definition: pages must write
# one as [[…]], templates and translated sentences must not type one); "55" alone is too common.
PHONE_SHAPED = r"0\d(?: ?\d){8,10}|999|101|111|112|18000|18001|116 ?\d{3}"
# [[0808 500 2222]] dials; [[sms:999]] opens a text message to the number (emergencySMS);
# [[=18000]] shows a number that must not be tapped to dial (18000 works from the Relay UK app or
# a textphone). Group 1 is how it is used, group 2 the number.
TEL = rf"\[\[(sms:|=)?({NUMBER})\]\]"
ADDRESS = re.compile(r"[\w.-]+\.[a-z]{2,}(/\S*)?")
# What a reader takes as a figure: digits, with the : . / , inside times, dates and "24/7".
FIGURE = re.compile(r"\d+(?:[:./,]\d+)*")
NOT_READ = re.compile(r"^\s*\d+[.)]\s|\]\([^)]*\)")  # list numbers and link targets


def numbers_shown(line):
    """(phone numbers, other figures) a reader sees in one line of Markdown."""
    return numbers_in(line), FIGURE.findall(NOT_READ.sub(" ", re.sub(TEL, " ", line)))


def numbers_in(text):
    """Every [[number]] written in the text, however it is used."""
    return [number for _, number in re.findall(TEL, text)]


def tel_href(number):
    """The tel: URL for a number as people write it ("0808 500 2222" -> "tel:08085002222")."""
    return "tel:" + re.sub(r"[^0-9+]", "", number)


class TelPattern(InlineProcessor):
    def handleMatch(self, m, data):  # noqa: N802 - Python-Markdown's name
        use, number = m.group(1), m.group(2)
        if use == "=":
            element = ElementTree.Element("span", {"class": "number", "dir": "ltr"})
        else:
            href = "sms:" + tel_href(number)[4:] if use == "sms:" else tel_href(number)
            element = ElementTree.Element("a", {"href": href, "class": "tel", "dir": "ltr"})
        element.text = number
        return element, m.start(0), m.end(0)


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
