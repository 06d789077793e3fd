"""An optional second factor: a time-based one-time code (TOTP) from an authenticator app.

One device per user (django-otp's ``TOTPDevice``). Setting up keeps an unconfirmed device whose
secret the page shows; the first right code confirms it. From then on logging in asks for a
code after the password. Turning it off takes a code too, so a borrowed open session alone
cannot remove it. API tokens never ask for a code: a machine has no authenticator app.
"""

from __future__ import annotations

import re
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from everytouch.accounts.access import MANAGER_ROLES, role_of

DEVICE_NAME = "Authenticator app"
CODE_PATTERN = re.compile(r"^\d{6}$")


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the set-up page shows, made on first need.

    Kept rather than made anew on each visit, so reloading the page does not change the secret
    someone has just scanned; an unconfirmed device logs nobody in and asks for nothing.
    """
    device: TOTPDevice | None = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_text(device: TOTPDevice) -> str:
    """The secret as an app's "enter a key" field takes it: base32 in groups of four."""
    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def setup_uri(device: TOTPDevice) -> str:
    return str(device.config_url)


def qr_svg(uri: str) -> str:
    """The otpauth:// URI as an inline SVG QR code: markup only, nothing for a CSP to block."""
    code = segno.make(uri, error="m")
    return str(code.svg_inline(scale=4, border=4, light="#fff", svgclass="qr", title="QR code"))


def clean_code(code: str) -> str:
    """Spaces and dashes some apps show inside the code dropped."""
    return re.sub(r"[\s-]", "", code)


def verify(device: TOTPDevice, code: str) -> bool:
    """Whether ``code`` is the device's current code (each code works once; wrong ones slow
    further tries down, as django-otp does)."""
    code = clean_code(code)
    return bool(CODE_PATTERN.match(code)) and bool(device.verify_token(code))


class SecondFactorError(ValueError):
    """Why the second factor was not changed, in words for the person."""


WRONG_CODE = "That code is not right (or was already used). Enter the current code from your app."


# The code is checked outside the transaction that changes the device: a refusal raised inside
# it would roll back django-otp's count of wrong codes, and with it the slow-down.


def confirm(device: TOTPDevice, code: str) -> TOTPDevice:
    """Turn the second factor on with the first right code from the app."""
    if device.confirmed:
        raise SecondFactorError("The second factor is already on.")
    if not verify(device, code):
        raise SecondFactorError(WRONG_CODE)
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def disable(user: User, code: str) -> None:
    """Turn the second factor off; it takes a current code."""
    device = confirmed_device(user)
    if device is None:
        raise SecondFactorError("The second factor is not on.")
    if not verify(device, code):
        raise SecondFactorError(WRONG_CODE)
    remove(user)


@transaction.atomic
def remove(user: User) -> None:
    """Take the second factor away without a code: for someone who lost their phone, done by
    whoever runs the app (``everytouch users two-factor-off``)."""
    TOTPDevice.objects.filter(user=user).delete()


def required_for(user: User) -> bool:
    """Whether this user must set up a second factor before using the app."""
    required: bool = settings.EVERYTOUCH_REQUIRE_2FA_FOR_MANAGERS
    return required and role_of(user) in MANAGER_ROLES
