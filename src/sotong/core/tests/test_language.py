import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_korean_even_when_the_browser_asks_for_english(client):
    response = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert response["Content-Language"] == "ko"
    assert "개인정보 처리방침" in response.content.decode()


def test_the_language_switch_turns_pages_english_and_back(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/privacy/")

    client.post("/i18n/setlang/", {"language": "ko", "next": "/"})
    korean = client.get("/privacy/")

    assert english["Content-Language"] == "en"
    assert "Privacy policy" in english.content.decode()
    assert korean["Content-Language"] == "ko"


def test_an_unknown_language_cookie_falls_back_to_korean(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    assert client.get("/")["Content-Language"] == "ko"
