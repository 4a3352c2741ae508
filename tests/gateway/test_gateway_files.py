"""GET /files/{token}: a generated document downloads by its token only."""

from __future__ import annotations

import secrets

import pytest

from knowledge.settings import get_settings as knowledge_settings


@pytest.fixture
def exports(tmp_path, monkeypatch):
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    knowledge_settings.cache_clear()
    yield knowledge_settings().exports_dir
    knowledge_settings.cache_clear()


def test_a_document_downloads_with_its_chinese_filename(client, exports):
    token = secrets.token_urlsafe(24)
    (exports / token).mkdir(parents=True)
    (exports / token / "上海市5G+医疗健康应用试点项目申报书.docx").write_bytes(b"PK\x03\x04 docx bytes")

    response = client.get(f"/files/{token}")

    assert response.status_code == 200
    assert response.content == b"PK\x03\x04 docx bytes"
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "filename*=utf-8''" in response.headers["content-disposition"]


@pytest.mark.parametrize("token", ["x" * 32, "short", "a" * 31 + "-.docx"])
def test_unknown_or_malformed_tokens_get_a_chinese_404(client, exports, token):
    response = client.get(f"/files/{token}")

    assert response.status_code == 404
    assert "文件不存在" in response.json()["detail"]


def test_path_tricks_never_reach_a_file_outside_the_exports(client, exports):
    response = client.get("/files/..%2F..%2F..%2Fetc%2Fpasswd")

    assert response.status_code == 404
    assert "root:" not in response.text
