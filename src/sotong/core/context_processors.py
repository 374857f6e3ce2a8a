from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_OPERATOR": settings.SITE_OPERATOR,
        "SOTONG_OFFICIAL_SITE": settings.SOTONG_OFFICIAL_SITE,
        "SOTONG_DEMO": settings.SOTONG_DEMO,
        "SESSION_COOKIE_AGE": settings.SESSION_COOKIE_AGE,
        "SESSION_WARNING_SECONDS": settings.SESSION_WARNING_SECONDS,
    }
