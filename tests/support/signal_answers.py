"""A Signal user answering whatever they are asked, the way a hurried client would: used by
the in-process journeys and the real-process ones alike."""

from __future__ import annotations

import re

from tests.support.fake_signal_cli import FakeSignalUser, ShownMessage


async def answer_every_question(
    user: FakeSignalUser,
    until: str,
    *,
    quote: bool = False,
    words: str = "some words",
    timeout: float = 5.0,  # noqa: ASYNC109
) -> list[str]:
    """Answer each question as it comes (a scale: its middle; choices: the first, then the
    word "done"; text: ``words``), quoting it when ``quote``; returns the prompts seen."""
    seen: list[str] = []
    for _ in range(30):
        try:
            [question] = await user.expect(timeout=timeout)
        except AssertionError:
            raise AssertionError(f"stuck after {seen}: {[m.text for m in user.messages()][-3:]}") from None
        text = question.text
        seen.append(text.splitlines()[0])
        if until in text:
            return seen
        if "  (type" not in text:
            continue  # a note, not a question
        scale = re.search(r"type a number from (\d+) to (\d+)", text)
        if scale:
            answers = [str((int(scale.group(1)) + int(scale.group(2))) // 2 // 10 * 10)]
        elif "1) " in text and "Done" in text:
            answers = ["1", "done"]
        elif "1) " in text:
            answers = ["1"]
        else:
            answers = [words]
        for answer in answers:
            if quote:
                await user.quote_reply(question.timestamp, answer)
            else:
                await user.send(answer)
            if answer == "1" and len(answers) > 1:
                await user.wait_until(lambda q=question: "✓" in user.message(q.timestamp).text, timeout)
    raise AssertionError(f"never reached {until!r}; saw {seen}")  # pragma: no cover


async def pick_language(
    user: FakeSignalUser,
    answer: str = "English",
    timeout: float = 5.0,  # noqa: ASYNC109
) -> ShownMessage:
    """A newcomer's first question on Signal (it sends no language: ``start CODE`` asks which
    they read), answered by ``answer`` (a number or a language's own name); the question."""
    question = await user.expect_text("Which language should I write in?", timeout=timeout)
    await user.send(answer)
    return question


async def converse(
    user: FakeSignalUser,
    *exchanges: tuple[str, str],
    timeout: float = 5.0,  # noqa: ASYNC109
) -> ShownMessage:
    """Send each text and wait for a message containing what should come back; the last one."""
    shown = None
    for text, reply in exchanges:
        await user.send(text)
        shown = await user.expect_text(reply, timeout=timeout)
    assert shown is not None, "nothing said"
    return shown


BREATHING_BOX_MINUTE = (("breathe", "1) Box · 4-4-4-4"), ("1", "1) 1 minute"), ("1", "from 0 to 10"))
"""Choosing box breathing for a minute: then the calm before is asked."""
