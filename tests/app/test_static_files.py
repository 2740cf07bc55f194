"""Stylesheets and scripts are fetched once, not revalidated on every page view: pages
link them with their version, and that version may be kept for a year."""

import os
import re

from matchmaker.static_files import static_version


def test_pages_link_static_files_with_their_version_which_browsers_keep_a_year(client, app):
    html = client.get("/login").get_data(as_text=True)
    links = re.findall(r'"(/static/[^"?]+)\?v=([0-9a-f]+)"', html)
    assert ("/static/css/app.css", static_version(app.static_folder, "css/app.css")) in links
    assert any(path == "/static/js/htmx.min.js" for path, _ in links)
    for path, version in links:
        with client.get(f"{path}?v={version}") as response:
            assert response.status_code == 200
            cache = response.headers["Cache-Control"]
            assert "max-age=31536000" in cache and "immutable" in cache
            assert "no-cache" not in cache
            with open(os.path.join(app.static_folder, path.removeprefix("/static/")), "rb") as f:
                assert response.get_data() == f.read()


def test_a_static_file_asked_without_its_current_version_is_revalidated(client):
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789ab"):
        with client.get(url) as response:
            assert response.status_code == 200
            assert "no-cache" in response.headers["Cache-Control"], url
            assert "max-age=31536000" not in response.headers["Cache-Control"], url
            etag = response.headers["ETag"]
        with client.get(url, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304


def test_a_changed_file_gets_a_new_version(tmp_path):
    path = tmp_path / "site.css"
    path.write_text("body { color: black }")
    first = static_version(str(tmp_path), "site.css")
    assert first == static_version(str(tmp_path), "site.css")
    path.write_text("body { color: navy; }")
    os.utime(path, ns=(1, 1))  # another time as well as another size
    assert static_version(str(tmp_path), "site.css") not in ("", first)
    assert static_version(str(tmp_path), "missing.css") == ""
