"""Serves the Arabic font from its PyPI package, so no font service and no binary in the repo.

``fontpkg-noto-sans-arabic`` ships Noto Sans Arabic (SIL Open Font Licence) as a variable
font; this finder exposes it to collectstatic as ``fonts/NotoSansArabic.ttf``
(``mowakaba/app.css`` asks for ``../fonts/``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

PREFIX = "fonts"
PUBLIC_NAME = "NotoSansArabic.ttf"


def _font_file() -> Path | None:
    try:
        import fontpkg_noto_sans_arabic as pkg
    except ImportError:  # pragma: no cover - the dependency is pinned; keep pages working without it
        return None
    found = sorted(Path(pkg.ROOT, "files").glob("NotoSansArabic*.ttf"))
    return found[0] if found else None


class _FontStorage(FileSystemStorage):
    def __init__(self, font: Path) -> None:
        super().__init__(location=str(font.parent))
        self.font = font
        self.prefix = PREFIX

    def path(self, name: str) -> str:
        return str(self.font) if name == PUBLIC_NAME else super().path(name)


class FontFinder(BaseFinder):
    def check(self, **kwargs: Any) -> list[Any]:
        return []

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        font = _font_file()
        if font is not None and path == f"{PREFIX}/{PUBLIC_NAME}":
            return [str(font)] if (find_all or kwargs.get("all")) else str(font)
        return [] if (find_all or kwargs.get("all")) else None

    def list(self, ignore_patterns: Any) -> Any:
        font = _font_file()
        if font is not None:
            yield PUBLIC_NAME, _FontStorage(font)
