from django import template

from sotong.portal.navigation import MenuLink, build_portal_menu

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_menu(context: template.Context) -> list[MenuLink]:
    request = context.get("request")
    return build_portal_menu(request.path if request else "")
