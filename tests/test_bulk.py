import pytest

from clients.models import Client
from spa.bulk import insert_rows, new_ids


@pytest.mark.django_db
def test_rows_are_written_with_reserved_ids_and_defaults_for_the_rest():
    ids = new_ids(Client)
    ada, mary = next(ids), next(ids)

    written = insert_rows(
        Client,
        ("id", "first_name", "last_name"),
        [(ada, "Ada", "Lovelace"), (mary, "Mary", "Shelley")],
    )

    assert written == 2
    client = Client.objects.get(pk=ada)
    assert (client.full_name, client.email, client.notes, client.erased_at) == (
        "Ada Lovelace",
        "",
        "",
        None,
    )
    assert client.created_at is not None
    assert client.updated_at is not None
    assert Client.objects.get(pk=mary).last_name == "Shelley"
    # The database's own ids carry on after the reserved ones.
    assert Client.objects.create(first_name="Next").pk > mary


@pytest.mark.django_db
def test_a_column_the_model_does_not_have_is_refused():
    with pytest.raises(ValueError, match="no fields"):
        insert_rows(Client, ("id", "nickname"), [])
