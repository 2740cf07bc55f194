"""The foundation: schema from migrations, access declared everywhere, security headers."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from matchmaker.access import ACCESS_ATTR
from matchmaker.database import managed_by_models
from matchmaker.extensions import db as _db
from tests.conftest import htmx_headers


def test_models_and_migrations_agree(app):
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": managed_by_models}
        )
        diff = compare_metadata(context, _db.metadata)
    assert diff == []


def test_every_route_declares_who_may_use_it(app):
    undeclared = [
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        and getattr(app.view_functions[rule.endpoint], ACCESS_ATTR, None) is None
    ]
    assert undeclared == []


def test_security_headers_and_strict_csp(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "HX-Request" in response.headers.get("Vary", "")


def test_pages_have_no_inline_script_or_style(client):
    html = client.get("/register").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert "/static/js/htmx.min.js" in html


def test_htmx_version_is_vendored_2x(client):
    response = client.get("/static/js/htmx.min.js")
    js = response.get_data(as_text=True)
    response.close()
    assert 'version:"2.' in js


def test_csrf_is_enforced(app, db, make_user):
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        user = make_user()
        response = client.post("/login", data={"email": user.email, "password": "x" * 10})
        assert response.status_code == 400
        assert "form expired" in response.get_data(as_text=True)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_htmx_errors_come_back_as_fragments(client):
    response = client.get("/events/no-such-event", headers=htmx_headers())
    assert response.status_code == 404
    assert "<html" not in response.get_data(as_text=True)
    page = client.get("/events/no-such-event")
    assert "<html" in page.get_data(as_text=True)
