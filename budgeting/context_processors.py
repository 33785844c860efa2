from django.conf import settings


def site(request):
    return {
        "CHAMYEO_DEMO_MODE": settings.CHAMYEO_DEMO_MODE,
        "CHAMYEO_CITY_NAME": settings.CHAMYEO_CITY_NAME,
    }
