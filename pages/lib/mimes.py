"""The media types of the files the dashboard offers for download, named once (no heavy import, so a
page that only offers a button does not load the module that draws the file)."""

from __future__ import annotations

CSV = "text/csv"
HTML = "text/html"
PDF = "application/pdf"
ZIP = "application/zip"
#: Chart images, by file extension (``pages.lib.images`` draws them).
IMAGES = {"png": "image/png", "svg": "image/svg+xml", "pdf": PDF}
