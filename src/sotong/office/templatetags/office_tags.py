from django import template

from sotong.office.navigation import OfficeMenuLink, build_office_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def office_menu(context: template.Context) -> list[OfficeMenuLink]:
    request = context.get("request")
    if request is None:
        return []
    return build_office_menu(request.user, request.path)
