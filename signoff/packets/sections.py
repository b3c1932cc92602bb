"""Sections an app above sign-off adds to every packet, without sign-off knowing it (running governance's).

An app registers from its AppConfig.ready() a function of the approved request that returns the section
(its anchor, title, template and context) or None. Like the rest of the packet, a section says how things
stood at the approval, never how they stand at render time, so that a packet renders to the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from signoff.models import ReadinessRequest


@dataclass(frozen=True)
class PacketSection:
    anchor: str
    title: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


PacketSectionSource = Callable[[ReadinessRequest], PacketSection | None]

PACKET_SECTIONS: list[PacketSectionSource] = []


def packet_section(source: PacketSectionSource) -> PacketSectionSource:
    if source not in PACKET_SECTIONS:
        PACKET_SECTIONS.append(source)
    return source


def packet_sections_for(request: ReadinessRequest) -> list[PacketSection]:
    return [section for source in PACKET_SECTIONS if (section := source(request)) is not None]
