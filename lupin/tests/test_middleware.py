from django.test import Client


def test_oversized_request_body_is_refused_before_it_is_read(db, settings):
    settings.LUPIN_UPLOAD_MAX_BYTES = 1024
    settings.LUPIN_TENDER_MAX_BYTES = 1024
    response = Client().post(
        "/accounts/login/", data=b"x" * (2 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_normal_requests_pass(db):
    response = Client().post("/accounts/login/", {"username": "a", "password": "b"})
    assert response.status_code == 200


def test_forwarded_proto_is_ignored_without_a_proxy(db, settings):
    # LUPIN_PROXY_COUNT is 0 here: a client's X-Forwarded-Proto must not make it "secure".
    assert settings.SECURE_PROXY_SSL_HEADER is None
