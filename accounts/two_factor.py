"""Two-factor sign-in with an authenticator app (TOTP): enrolment, confirmation, removal.

After the password, a user with a confirmed device is asked for a code before any page; with
REQUIRE_MANAGER_2FA, a manager without one sets one up first. Which of the two a sign-in
still owes is decided once, at sign-in, and kept in the session, so pages ask no more.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from spa.access import is_manager

# The session key holding what a sign-in still owes: VERIFY, ENROL, or nothing.
SECOND_STEP = "spa_second_step"
VERIFY = "verify"
ENROL = "enrol"
DEVICE_NAME = "Authenticator app"


class CodeRefused(Exception):
    """A code that was wrong, or tried too soon after wrong ones; the message says which."""


def confirmed_device(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's authenticator app, once a code from it has been confirmed."""
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def second_step_for(user: AbstractBaseUser) -> str:
    """What a fresh sign-in of `user` must do after the password: VERIFY, ENROL or ""."""
    if confirmed_device(user) is not None:
        return VERIFY
    if settings.REQUIRE_MANAGER_2FA and is_manager(user):
        return ENROL
    return ""


def pending_device(user: AbstractBaseUser) -> TOTPDevice:
    """The device being set up: the same key on every visit until a code confirms it."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def code_check(device: TOTPDevice, code: str) -> None:
    """Accept a current code from the device or raise CodeRefused; wrong codes slow it down."""
    allowed, _ = device.verify_is_allowed()
    if not allowed:
        raise CodeRefused(
            "Too many wrong codes in a row. Wait a minute, then type the code your app shows."
        )
    if not device.verify_token("".join(code.split())):
        raise CodeRefused("That code is not right. Type the 6 digits your app shows now.")


def signed_in_with(request: HttpRequest, device: TOTPDevice) -> None:
    """Mark this sign-in as confirmed by the device: every page opens."""
    otp_login(request, device)
    request.session.pop(SECOND_STEP, None)


def device_confirm(*, request: HttpRequest, device: TOTPDevice, code: str) -> None:
    """Turn two-factor sign-in on: a code proves the app holds the key; other devices go."""
    # Checked outside the transaction: a wrong code's count must outlive the refusal.
    code_check(device, code)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    signed_in_with(request, device)


def devices_remove(*, user: AbstractBaseUser, code: str) -> None:
    """Turn two-factor sign-in off, on a current code from the app."""
    device = confirmed_device(user)
    if device is None:
        return
    code_check(device, code)
    TOTPDevice.objects.filter(user=user).delete()


def secret_in_groups(device: TOTPDevice) -> str:
    """The key as an app asks for it when typed by hand: base32, in groups of four."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice) -> SafeString:
    """The device's otpauth address as an inline SVG QR code (no style attributes: CSP)."""
    image = qrcode.make(
        device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2
    )
    # Our own drawing of a URL we built: nothing a visitor typed is in it.
    return mark_safe(image.to_string(encoding="unicode"))
