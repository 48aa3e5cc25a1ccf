"""Customer e-mails, rendered from the Jinja templates in ``shop/templates/``."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Optional

from jinja2 import Environment, PackageLoader, select_autoescape

from shop.models import Order
from shop.settings import Settings

_env = Environment(
    loader=PackageLoader("shop", "templates"),
    autoescape=select_autoescape(["html", "j2"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: object) -> str:
    """Render ``template`` (a path below ``shop/templates/``) with ``context``."""
    return _env.get_template(template).render(**context)


def order_confirmation(order: Order, email: str, settings: Settings) -> EmailMessage:
    """The confirmation e-mail for a freshly placed ``order``, HTML with a text fallback."""
    message = EmailMessage()
    message["Subject"] = f"Your order #{order.id}"
    message["From"] = settings.mail_sender
    message["To"] = email
    message.set_content(render("emails/order_confirmation.txt.j2", order=order))
    message.add_alternative(
        render("emails/order_confirmation.html.j2", order=order, currency=settings.currency),
        subtype="html",
    )
    return message


def send(message: EmailMessage, settings: Settings, client: Optional[smtplib.SMTP] = None) -> None:
    """Deliver ``message`` through the configured SMTP relay."""
    smtp = client or smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10)
    try:
        smtp.send_message(message)
    finally:
        if client is None:
            smtp.quit()
