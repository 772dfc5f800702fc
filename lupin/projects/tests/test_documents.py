"""Project documents: what may be uploaded, who may download, who may delete."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lupin import uploads
from lupin.projects import actions
from lupin.projects.models import ProjectDocument

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"})
PLAIN_ZIP = _zip({"readme.txt": b"hello"})


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _stored_files(media):
    return [path for path in media.rglob("*") if path.is_file()]


def _upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def _post(client, project, upload, title="Markedsanalyse", step="market_survey"):
    prefix = f"doc-{step}" if step else "doc"
    return client.post(
        reverse("projects:document_add", args=[project.pk]),
        {"step": step, f"{prefix}-title": title, f"{prefix}-file": upload},
    )


@pytest.fixture
def document(buyer, draft_project):
    step = draft_project.steps.get(key="market_survey")
    upload = _upload("analyse.pdf", PDF, "application/pdf")
    return actions.add_document(buyer, draft_project, title="Analyse", upload=upload, step=step)


@pytest.fixture
def accepted_cobuyer(buyer, cobuyer, draft_project):
    invitation = actions.invite_cobuyer(buyer, draft_project, cobuyer.organisation)
    actions.answer_invitation(cobuyer, invitation, accept=True)
    return cobuyer


# Upload -------------------------------------------------------------------------------------


def test_buyer_uploads_a_pdf_to_a_step(login, buyer, draft_project, media):
    response = _post(login(buyer), draft_project, _upload("analyse.pdf", PDF, "text/html"))
    assert response.status_code == 302
    assert response.url.endswith("#step-market_survey")
    document = ProjectDocument.objects.get()
    assert document.step is not None
    assert document.step.key == "market_survey"
    assert document.title == "Markedsanalyse"
    # The type we verified, not the browser's claim.
    assert document.content_type == "application/pdf"
    assert document.size == len(PDF)
    assert len(_stored_files(media)) == 1
    assert document.uploaded_by == buyer


def test_a_document_for_the_whole_project_needs_no_step(login, buyer_colleague, draft_project):
    response = _post(login(buyer_colleague), draft_project, _upload("plan.txt", b"Plan"), step="")
    assert response.status_code == 302
    assert response.url.endswith("#documents")
    assert ProjectDocument.objects.get().step is None


def test_empty_title_falls_back_to_the_file_name(login, buyer, draft_project):
    _post(login(buyer), draft_project, _upload("kravspesifikasjon.docx", DOCX), title="")
    assert ProjectDocument.objects.get().title == "kravspesifikasjon.docx"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("a.pdf", PDF),
        ("a.docx", DOCX),
        ("a.xlsx", XLSX),
        ("a.odt", ODT),
        ("a.txt", "Behov: trygghet om natten, æøå".encode()),
        ("a.csv", b"kode;verdi\n1;2\n"),
        ("a.png", PNG),
        ("a.JPG", JPEG),
        ("a.jpeg", JPEG),
    ],
)
def test_allowed_types_pass(name, content):
    assert uploads.validate_upload(_upload(name, content))


def test_oversized_upload_is_refused_with_the_limit_and_nothing_stored(
    login, buyer, draft_project, settings, media
):
    settings.LUPIN_UPLOAD_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)
    response = _post(login(buyer), draft_project, _upload("stor.pdf", big))
    assert response.status_code == 200
    form = next(
        item.document_form
        for group in response.context["groups"]
        for item in group["items"]
        if item.step.key == "market_survey"
    )
    assert form.errors["file"] == ["The file is too large: the limit is 1 MB."]
    html = response.content.decode()
    assert 'id="id_doc-market_survey-file-error"' in html
    assert "Markedsanalyse" in html  # the typed title is kept
    assert not ProjectDocument.objects.exists()
    assert _stored_files(media) == []


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "cannot be uploaded"),
        ("side.html", b"<html><script>alert(1)</script></html>", "cannot be uploaded"),
        ("uten-endelse", PDF, "cannot be uploaded"),
        ("falsk.pdf", b"<html>not a pdf</html>", "not a valid .pdf file"),
        ("falsk.docx", PLAIN_ZIP, "not a valid .docx file"),
        ("falsk.xlsx", DOCX, "not a valid .xlsx file"),
        ("falsk.odt", DOCX, "not a valid .odt file"),
        ("falsk.png", JPEG, "not a valid .png file"),
        ("falsk.txt", b"\xff\xfe\x00b\x00i\x00n", "not a valid .txt file"),
        ("falsk.csv", b"a,b\n\x00\x01", "not a valid .csv file"),
        ("tom.pdf", b"", "empty"),
    ],
)
def test_forbidden_type_is_refused_next_to_the_field_and_nothing_stored(
    login, buyer, draft_project, media, name, content, message
):
    response = _post(login(buyer), draft_project, _upload(name, content, "application/pdf"))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["error_anchor"] == "step-market_survey"
    assert not ProjectDocument.objects.exists()
    assert _stored_files(media) == []


def test_limit_in_mb_reads_well():
    assert uploads.limit_in_mb(20 * 1024 * 1024) == "20"
    assert uploads.limit_in_mb(1024 * 1024 + 512 * 1024) in ("1.5", "1,5")


def test_validate_upload_names_the_allowed_types():
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(_upload("x.exe", b"MZ"))
    assert "pdf" in error.value.messages[0]
    assert error.value.code == "forbidden_type"


def test_unknown_step_on_upload_is_404(login, buyer, draft_project):
    response = _post(login(buyer), draft_project, _upload("a.pdf", PDF), step="nope")
    assert response.status_code == 404


def test_upload_link_without_post_leads_to_the_roadmap(login, buyer, draft_project):
    response = login(buyer).get(reverse("projects:document_add", args=[draft_project.pk]))
    assert response.status_code == 302
    assert response.url == reverse("projects:roadmap", args=[draft_project.pk]) + "#documents"


@pytest.mark.parametrize("who", ["evaluator", "accepted_cobuyer", "advisor", "supplier", "rival"])
def test_only_the_lead_buyers_may_upload(request, login, draft_project, media, who):
    client = login(request.getfixturevalue(who))
    assert _post(client, draft_project, _upload("a.pdf", PDF)).status_code == 404
    assert not ProjectDocument.objects.exists()
    assert _stored_files(media) == []


# Download -----------------------------------------------------------------------------------


def _download(project, document):
    return reverse("projects:document_download", args=[project.pk, document.pk])


@pytest.mark.parametrize("who", ["buyer", "buyer_colleague", "accepted_cobuyer", "advisor"])
def test_insiders_download_as_an_attachment(request, login, draft_project, document, who):
    response = login(request.getfixturevalue(who)).get(_download(draft_project, document))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="analyse.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["supplier", "rival", "cobuyer"])
def test_outsiders_cannot_download_even_from_a_published_project(
    request, login, buyer, draft_project, document, who
):
    actions.publish_project(buyer, draft_project)
    response = login(request.getfixturevalue(who)).get(_download(draft_project, document))
    assert response.status_code == 404


def test_anonymous_download_is_sent_to_login(login, draft_project, document):
    response = login(None).get(_download(draft_project, document))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_document_of_another_project_is_404(login, buyer, published_project, document):
    assert login(buyer).get(_download(published_project, document)).status_code == 404


def test_document_whose_file_is_gone_is_404(login, buyer, draft_project, document, media):
    for path in _stored_files(media):
        path.unlink()
    assert login(buyer).get(_download(draft_project, document)).status_code == 404


def test_documents_are_never_under_a_public_media_url(login, buyer, draft_project, document):
    html = login(buyer).get(reverse("projects:roadmap", args=[draft_project.pk])).content
    assert b"/media/" not in html
    assert _download(draft_project, document).encode() in html


# Delete -------------------------------------------------------------------------------------


def test_editor_deletes_a_document_and_its_file(
    login, buyer_colleague, draft_project, document, media, django_capture_on_commit_callbacks
):
    url = reverse("projects:document_delete", args=[draft_project.pk, document.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = login(buyer_colleague).post(url)
    assert response.status_code == 302
    assert response.url.endswith("#step-market_survey")
    assert not ProjectDocument.objects.exists()
    assert _stored_files(media) == []


def test_delete_needs_post(login, buyer, draft_project, document):
    url = reverse("projects:document_delete", args=[draft_project.pk, document.pk])
    assert login(buyer).get(url).status_code == 405
    assert ProjectDocument.objects.exists()


@pytest.mark.parametrize("who", ["evaluator", "accepted_cobuyer", "advisor", "supplier"])
def test_non_editors_cannot_delete(request, login, draft_project, document, who):
    url = reverse("projects:document_delete", args=[draft_project.pk, document.pk])
    assert login(request.getfixturevalue(who)).post(url).status_code == 404
    assert ProjectDocument.objects.exists()
