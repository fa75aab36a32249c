"""Steps people take in Telegram, over the fake Bot API (``FakeUser``'s send, press, expect):
a therapist registers and invites, a client joins and agrees, anyone asks and hears back.

Each step checks what the person sees on the way, so a test that uses it also tests it; the
whole of joining is tested step by step in tests/practice/test_practice_telegram.py.
"""

from __future__ import annotations

import re

from bot.chat import texts
from bot.core.i18n import _, reading
from bot.practice import texts as ptexts
from bot.transports.telegram.texts import PRIVACY_NOTE
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.support.running_bot import RunningBot

CODE = re.compile(r"[A-Za-z0-9_-]{43}")
"""A one-time code as the bot hands it out."""

RISKY = "honestly I want to kill myself"
"""Words the bot must answer with the crisis message, wherever they come."""


async def register(
    bot: RunningBot, api: FakeBotApi, user_id: int, name: str, language_code: str = "en"
) -> FakeUser:
    """A therapist, registered with a code from the admin; welcomed (in the language their
    Telegram is set to, where Between has it) and shown their commands."""
    assert bot.runtime is not None
    code = await bot.runtime.practice.issue_registration(name, bot.clock())
    therapist = api.user(user_id, first_name="Therapist", language_code=language_code)
    await therapist.send(f"/start {code}")
    welcome, help_text = await therapist.expect(2)
    with reading(language_code):
        assert welcome.text == _(ptexts.REGISTERED).format(name=name)
    assert "/invite" in (help_text.text or "")
    return therapist


async def choose_language(person: FakeUser, button: str) -> None:
    """They choose their language with /language and its button ("Deutsch")."""
    await person.send("/language")
    await person.expect(1)
    await person.press(button)
    await person.expect(1)


async def invite(therapist: FakeUser, alias: str, language: str | None = None) -> str:
    """The therapist invites a client they will call ``alias``; returns the invitation code.
    ``language``: the one the therapist reads (by default, their Telegram's)."""
    await therapist.send(f"/invite {alias}")
    invitation, code_message = await therapist.expect(2)
    code = code_message.text or ""
    assert CODE.fullmatch(code)
    assert f"https://t.me/between_test_bot?start={code}" in (invitation.text or "")
    with reading(language or therapist.language_code):
        invitation_for = _(ptexts.INVITATION).split("{alias}")[0]
    assert f"{invitation_for}{alias}" in (invitation.text or "")
    return code


async def join(bot: RunningBot, api: FakeBotApi, user_id: int, code: str, first_name: str) -> FakeUser:
    """A client follows the invitation and agrees to the consent text (in the language their
    Telegram is set to, where Between has it)."""
    client = api.user(user_id, first_name=first_name)
    await client.send(f"/start {code}")
    (consent,) = await client.expect(1)
    with reading(client.language_code):
        agree, not_now = _(texts.BUTTON_AGREE), _(texts.BUTTON_NOT_NOW)
        privacy, connected = _(PRIVACY_NOTE).strip(), _(texts.JOINED).split("{therapist}")[0]
        fixed_lines = [line for line in _(texts.CONSENT).splitlines() if "{" not in line]
    assert consent.labels() == [agree, not_now]
    assert privacy in (consent.text or "")  # in English: "not end-to-end encrypted"
    assert all(line in (consent.text or "") for line in fixed_lines)  # "Not an emergency service" …
    if client.language_code == "en":
        assert "not end-to-end encrypted" in (consent.text or "") and "emergency" in (consent.text or "")
    await client.press(agree)
    joined, _welcome = await client.expect(2)
    assert (joined.text or "").startswith(connected)  # "Thank you — you're connected with"
    return client


async def therapist_and_client(bot: RunningBot, api: FakeBotApi, base: int) -> tuple[FakeUser, FakeUser]:
    """Therapist Ana (user ``base``) and her client Sam (``base + 1``, "Samantha" in Telegram),
    with the therapist's "Sam accepted" already read."""
    therapist = await register(bot, api, base, "Ana")
    client = await join(bot, api, base + 1, await invite(therapist, "Sam"), "Samantha")
    await bot.tick()
    therapist.mark_read()
    return therapist, client


async def ask(user: FakeUser, text: str) -> str:
    """Send ``text`` and return the one reply (whatever came before is skipped)."""
    user.mark_read()
    await user.send(text)
    (reply,) = await user.expect(1)
    return reply.text or ""


async def digest_now(bot: RunningBot, therapist: FakeUser, alias: str = "Sam") -> str:
    """The therapist asks for ``alias``'s digest now; the text of the digest that comes."""
    therapist.mark_read()
    await therapist.send(f"/digest {alias}")
    await therapist.expect(1)
    await bot.tick()
    return (await therapist.expect_text(f"Pre-session digest: {alias}")).text or ""


async def settle(user: FakeUser) -> None:
    """Updates are handled in order: once /help is answered, everything before it was handled."""
    await user.send("/help")
    await user.expect_text(texts.HELP_HEADER)


async def answer(user: FakeUser, *steps: str) -> None:
    """Type or press each step, waiting for the bot's reply every time.

    ``"press:Done"`` presses a button; ``"toggle:Calm"`` ticks a choice (the question changes in
    place: no new message); ``"stop"`` stops a live timer with its Stop button, whatever its
    language (it becomes the next question);
    anything else is typed.
    """
    for step in steps:
        if step.startswith("toggle:"):
            label = step.removeprefix("toggle:")
            await user.press(label)
            await user.api.wait_until(lambda label=label: f"✓ {label}" in user.last_message().labels())
            continue
        if step == "stop":  # (Stop is a live timer's last button, in any language)
            await user.press(user.last_message().labels()[-1])
            await user.api.wait_until(lambda: "0" in user.last_message().labels())
            continue
        if step.startswith("press:"):
            await user.press(step.removeprefix("press:"))
        else:
            await user.send(step)
        await user.expect(1)
