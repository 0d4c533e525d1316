from django.template import Context, Template
from django.urls import reverse

from spa.addresses import Numbered, numbered


def test_a_numbered_address_is_the_page_reverse_gives_for_that_number():
    for name in ("session_detail", "session_check_in", "client_intake_link", "calendar_move"):
        assert Numbered.of(name).at(1234) == reverse(name, args=[1234])


def test_templates_put_the_number_in_with_the_numbered_filter():
    rendered = Template("{{ to.session|numbered:pk }}").render(
        Context({"to": numbered(session="session_detail"), "pk": 7})
    )
    assert rendered == reverse("session_detail", args=[7])
