"""Syntax codecs: text formats ⇄ generic lxml element trees (no meaning, see ``xlate/xslt``)."""
