"""The citizen portal's menu: services that later issues register, shown only once their pages exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class PortalService:
    """One entry of the portal menu and of the service cards on the portal home."""

    label: str | Promise
    url_name: str
    description: str | Promise
    show_card: bool = True


@dataclass(frozen=True)
class MenuLink:
    label: str | Promise
    url: str
    description: str | Promise
    show_card: bool
    current: bool


# In menu order. An app that builds one of these pages registers the URL name below; until then the entry
# is left out, so a citizen never lands on a page that does not exist.
PORTAL_SERVICES: tuple[PortalService, ...] = (
    PortalService(
        _("민원·제안 신청"),
        "cases:portal_submit",
        _("불편한 점이나 구정에 대한 제안을 신청합니다. 비슷한 민원을 먼저 보여 드립니다."),
    ),
    PortalService(
        _("신청 내역 조회"),
        "cases:portal_lookup",
        _("접수번호로 처리 단계와 답변을 확인하고 만족도를 평가합니다."),
    ),
    PortalService(
        _("전자소통 가입"),
        "people:signup",
        _(
            "구정 소식과 정책 의견 조사를 문자·전자우편으로 받습니다. 받을 내용과 방법은 언제든 바꿀 수 있습니다."
        ),
    ),
    PortalService(
        _("정책 참여"),
        "engagement:portal_index",
        _("정책 공론화에 의견을 내고 주민참여예산 투표에 참여합니다."),
    ),
    PortalService(
        _("개인정보 처리방침"),
        "portal:privacy",
        _("개인정보를 처리하는 목적, 항목, 보유 기간과 정보주체의 권리를 안내합니다."),
    ),
)


def build_portal_menu(
    current_path: str = "", services: tuple[PortalService, ...] = PORTAL_SERVICES
) -> list[MenuLink]:
    """The portal entries whose pages exist, the one at `current_path` marked current."""
    links = []
    for service in services:
        try:
            url = reverse(service.url_name)
        except NoReverseMatch:
            continue
        links.append(
            MenuLink(
                label=service.label,
                url=url,
                description=service.description,
                show_card=service.show_card,
                current=bool(current_path) and current_path == url,
            )
        )
    return links
