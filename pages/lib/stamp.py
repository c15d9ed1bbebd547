"""What an exported chart or briefing says about itself: its source and when its data was built."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Stamp:
    """What an image says about itself, outside the plot: its source and when its data was built."""

    source: str = ""
    built: str = ""

    def footer(self) -> str:
        built = f"Data built {self.built} · " if self.built else ""
        return f"{built}vn-kh-monitor: figures as the articles report them; check the quote before citing."
