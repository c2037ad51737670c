import base64
import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client

from gonghui.audit.models import AuditEntry
from gonghui.core import crypto
from gonghui.core.fields import hash_for, mask
from gonghui.members.models import Worker


def raw_row(worker):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_hash FROM members_worker WHERE id = %s", [worker.pk]
        )
        return cursor.fetchone()


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@pytest.mark.django_db
def test_personal_data_is_stored_encrypted_and_read_back_plain(world):
    worker = Worker.objects.get(pk=world.worker_a.pk)
    id_cipher, phone_cipher, id_hash = raw_row(worker)
    assert worker.id_number not in id_cipher and worker.phone not in phone_cipher
    assert id_cipher.startswith(crypto.keyring().primary_id + "$")
    assert worker.id_number == world.worker_a.id_number
    assert id_hash == hash_for("id_number", worker.id_number)


@pytest.mark.django_db
def test_exact_search_by_keyed_hash_finds_the_person_and_normalizes_input(world):
    spaced = " ".join(world.worker_a.id_number[i : i + 6] for i in range(0, 18, 6)).lower()
    assert (
        Worker.objects.filter(id_number_hash=hash_for("id_number", spaced)).get() == world.worker_a
    )
    assert (
        Worker.objects.filter(phone_hash=hash_for("phone", "+86 138-0000-0011")).get()
        == world.worker_a
    )


@pytest.mark.django_db
def test_filtering_the_encrypted_column_itself_is_refused(world):
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError, match="encrypted"):
        list(Worker.objects.filter(id_number__startswith="3604"))


def test_masks_show_only_the_ends():
    assert mask("id_number", "360428199001010071") == "3604**********0071"
    assert mask("phone", "13812345678") == "138****5678"
    assert mask("id_number", "") == ""


@pytest.mark.django_db
def test_key_rotation_reencrypts_every_value_and_the_old_key_can_go(world, settings):
    old = settings.FIELD_ENCRYPTION_KEYS
    settings.FIELD_ENCRYPTION_KEYS = f"k9:{new_key()},{old}"
    call_command("rotate_keys", stdout=open(os.devnull, "w"))
    assert raw_row(world.worker_a)[0].startswith("k9$")
    settings.FIELD_ENCRYPTION_KEYS = settings.FIELD_ENCRYPTION_KEYS.split(",")[0]
    assert Worker.objects.get(pk=world.worker_a.pk).id_number == world.worker_a.id_number


@pytest.mark.django_db
def test_hash_key_rotation_recomputes_the_keyed_hashes(world, settings):
    settings.FIELD_HASH_KEY = new_key()
    assert not Worker.objects.filter(
        id_number_hash=hash_for("id_number", world.worker_a.id_number)
    ).exists()
    call_command("rotate_keys", stdout=open(os.devnull, "w"))
    assert (
        Worker.objects.filter(id_number_hash=hash_for("id_number", world.worker_a.id_number)).get()
        == world.worker_a
    )


@pytest.mark.django_db
def test_a_value_no_configured_key_opens_is_an_error_not_garbage(world, settings):
    settings.FIELD_ENCRYPTION_KEYS = f"k7:{new_key()}"
    with pytest.raises(crypto.DecryptionError):
        Worker.objects.get(pk=world.worker_a.pk)


@pytest.mark.django_db
def test_pages_show_personal_data_masked(world):
    client = Client()
    client.force_login(world.township_staff)
    body = client.get(f"/workers/{world.worker_a.pk}/").content.decode()
    assert world.worker_a.id_number not in body
    assert mask("id_number", world.worker_a.id_number) in body
    assert world.worker_a.phone not in body


@pytest.mark.django_db
def test_revealing_needs_the_permission_and_is_audited(world):
    url = f"/reveal/members.worker/{world.worker_a.pk}/id_number/"
    auditor = Client()
    auditor.force_login(world.auditor)
    assert auditor.post(url).status_code == 403
    assert not AuditEntry.objects.filter(action="reveal").exists()

    staff = Client()
    staff.force_login(world.township_staff)
    response = staff.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert world.worker_a.id_number in response.content.decode()
    entry = AuditEntry.objects.get(action="reveal")
    assert (entry.actor_username, entry.object_type, entry.object_id, entry.detail) == (
        "township_staff",
        "members.worker",
        str(world.worker_a.pk),
        "id_number",
    )
    assert entry.organization_path == world.union_a.path


@pytest.mark.django_db
def test_revealing_a_field_that_is_not_personal_data_is_refused(world):
    staff = Client()
    staff.force_login(world.township_staff)
    assert staff.post(f"/reveal/members.worker/{world.worker_a.pk}/name/").status_code == 403
