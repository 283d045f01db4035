"""A drafted message as a ready-to-send plain-text email (.eml), built with the standard library."""

from __future__ import annotations

from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from keepword.domain.communications import Communication
from keepword.drafts.render import plain_text


def email_message(
    message: Communication,
    *,
    sender: Address | None,
    to: Address | None,
    date: datetime,
) -> EmailMessage:
    """``message`` as an email: From the lead, To the client's contact, plain text only.

    A missing address leaves its header out, so that the mail client asks for one rather
    than sending to a made-up address.
    """
    email = EmailMessage()
    if sender is not None:
        email["From"] = sender
    if to is not None:
        email["To"] = to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(date)
    email["Message-ID"] = make_msgid(domain=sender.domain if sender else None)
    email["X-Keepword-Message"] = message.id
    email.set_content(plain_text(message.body))
    return email
