"""The channels a notice goes by: email over SMTP, and text messages through a provider.

Every channel answers with a Delivery and never raises: an unreachable server, a timeout
or an error answer is a failed delivery, kept on the notice and retried later.
A text-message provider is one class with `send(to, message, kakao)`; PROVIDERS names them.
A channel's `send(member, sections, preference=...)` is given the member's choices when
the run has read them already.
"""

import hashlib
import hmac
import json
import secrets
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime

from app.models import Member, NoticePreference
from app.notices.preferences import preference_of
from app.notices.text import Section, TextMessage, compose_email, compose_text


@dataclass
class Delivery:
    """What a channel did with one message."""

    ok: bool
    answer: str
    sent_as: str = ""
    recipient: str = ""
    permanent: bool = False  # retrying cannot help (a number the provider refuses)


@dataclass
class KakaoTemplate:
    """An 알림톡 (KakaoTalk notice) by a registered template, with its variables."""

    pf_id: str
    template_id: str
    variables: dict


class EmailChannel:
    """Email over the configured SMTP server."""

    name = "email"

    def __init__(self, config: dict):
        self.config = config

    @staticmethod
    def available(config: dict) -> bool:
        return bool(config.get("MAIL_SERVER"))

    def send(self, member: Member, sections: list[Section], *,
             preference: NoticePreference | None = None) -> Delivery:
        config = self.config
        message = compose_email(member, sections, cafe_name=config["CAFE_NAME"],
                                sender=config["MAIL_FROM"])
        try:
            with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"],
                              timeout=config.get("NOTICES_TIMEOUT", 10)) as smtp:
                if config.get("MAIL_USE_TLS"):
                    smtp.starttls()
                if config.get("MAIL_USERNAME"):
                    smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
                refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as error:
            return Delivery(False, f"refused: {error}"[:500], "email", member.email,
                            permanent=True)
        except (smtplib.SMTPException, OSError) as error:
            return Delivery(False, f"{type(error).__name__}: {error}"[:500], "email",
                            member.email)
        if refused:
            return Delivery(False, f"refused: {refused}"[:500], "email", member.email,
                            permanent=True)
        return Delivery(True, "250 accepted", "email", member.email)


class SolapiProvider:
    """SOLAPI (solapi.com) REST API v4: POST /messages/v4/send, HMAC-SHA256 signed.

    An SMS/LMS carries our text; an 알림톡 (type ATA) names a template registered with
    Kakao and its variables, and falls back to SMS/LMS when the member has no KakaoTalk.
    """

    name = "solapi"

    def __init__(self, config: dict):
        self.url = config.get("SOLAPI_API_URL", "https://api.solapi.com").rstrip("/")
        self.key = config.get("SOLAPI_API_KEY", "")
        self.secret = config.get("SOLAPI_API_SECRET", "")
        self.sender = config.get("SOLAPI_SENDER", "")
        self.timeout = config.get("NOTICES_TIMEOUT", 10)

    @staticmethod
    def available(config: dict) -> bool:
        return all(config.get(k) for k in ("SOLAPI_API_KEY", "SOLAPI_API_SECRET",
                                           "SOLAPI_SENDER"))

    def authorization(self, now: datetime | None = None, salt: str | None = None) -> str:
        """The Authorization header: HMAC-SHA256 of date + salt with the API secret."""
        date = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        salt = salt or secrets.token_hex(16)
        signature = hmac.new(self.secret.encode(), (date + salt).encode(),
                             hashlib.sha256).hexdigest()
        return f"HMAC-SHA256 apiKey={self.key}, date={date}, salt={salt}, signature={signature}"

    def payload(self, to: str, message: TextMessage, kakao: KakaoTemplate | None) -> dict:
        body = {"to": to, "from": self.sender, "text": message.text, "type": message.type}
        if message.subject:
            body["subject"] = message.subject
        if kakao is not None:
            body["type"] = "ATA"
            body["kakaoOptions"] = {"pfId": kakao.pf_id, "templateId": kakao.template_id,
                                    "variables": kakao.variables, "disableSms": False}
        return {"message": body}

    def send(self, to: str, message: TextMessage, kakao: KakaoTemplate | None = None) -> Delivery:
        payload = self.payload(to, message, kakao)
        sent_as = payload["message"]["type"].lower()
        if not self.url.startswith(("https://", "http://")):
            return Delivery(False, "SOLAPI_API_URL is not an http(s) address", sent_as, to)
        request = urllib.request.Request(  # noqa: S310  # nosec B310 (the scheme is checked above)
            f"{self.url}/messages/v4/send", method="POST",
            data=json.dumps(payload, ensure_ascii=False).encode(),
            headers={"Authorization": self.authorization(),
                     "Content-Type": "application/json; charset=utf-8"},
        )
        try:
            # The scheme is checked above: http(s) only.
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                answer = _answer(response.read())
        except urllib.error.HTTPError as error:
            text = _answer(error.read())
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            return Delivery(False, f"HTTP {error.code} {text}"[:500], sent_as, to,
                            permanent=permanent)
        except (OSError, ValueError) as error:  # refused, unreachable, timed out, bad URL
            return Delivery(False, f"{type(error).__name__}: {error}"[:500], sent_as, to)
        status = str(answer.get("statusCode", "")) if isinstance(answer, dict) else ""
        if status and not status.startswith("2"):
            return Delivery(False, json.dumps(answer, ensure_ascii=False)[:500], sent_as, to,
                            permanent=True)
        return Delivery(True, json.dumps(answer, ensure_ascii=False)[:500], sent_as, to)


def _answer(raw: bytes):
    try:
        return json.loads(raw.decode("utf-8", "replace") or "{}")
    except ValueError:
        return {"raw": raw[:200].decode("utf-8", "replace")}


PROVIDERS = {"solapi": SolapiProvider}


def _kakao_templates(config: dict) -> dict[str, str]:
    """NOTICES_KAKAO_TEMPLATES="overdue=KA01TP...,hold_ready=KA01TP..." as a dict."""
    pairs = (part.split("=", 1) for part in config.get("NOTICES_KAKAO_TEMPLATES", "").split(",")
             if "=" in part)
    return {kind.strip(): code.strip() for kind, code in pairs if code.strip()}


class TextChannel:
    """Text messages through the configured provider (NOTICES_SMS_PROVIDER)."""

    name = "text"

    def __init__(self, config: dict):
        self.config = config
        self.provider = PROVIDERS[config["NOTICES_SMS_PROVIDER"]](config)
        self.templates = _kakao_templates(config)

    @staticmethod
    def available(config: dict) -> bool:
        provider = PROVIDERS.get(config.get("NOTICES_SMS_PROVIDER", ""))
        return provider is not None and provider.available(config)

    def kakao_for(self, member: Member, sections: list[Section]) -> KakaoTemplate | None:
        """An 알림톡 template fits a message of one kind whose template is configured."""
        pf_id = self.config.get("SOLAPI_KAKAO_PFID", "")
        if not pf_id or len(sections) != 1 or sections[0].kind not in self.templates:
            return None
        items = sections[0].items
        return KakaoTemplate(pf_id, self.templates[sections[0].kind], {
            "#{name}": member.name,
            "#{books}": ", ".join(item["title"] for item in items),
            "#{count}": str(len(items)),
            "#{date}": items[0].get("date") or "" if items else "",
        })

    def send(self, member: Member, sections: list[Section], *,
             preference: NoticePreference | None = None) -> Delivery:
        """Send by the member's mobile number (`preference`: their choices, if read)."""
        to = (preference or preference_of(member)).mobile
        if not to:
            return Delivery(False, "no mobile number", "", "", permanent=True)
        message = compose_text(member, sections, cafe_name=self.config["CAFE_NAME"])
        return self.provider.send(to, message, self.kakao_for(member, sections))


CHANNEL_CLASSES = {"email": EmailChannel, "text": TextChannel}


def configured_channels(config: dict) -> dict:
    """Return the channels this installation can send by, by name."""
    return {name: cls(config) for name, cls in CHANNEL_CLASSES.items() if cls.available(config)}
