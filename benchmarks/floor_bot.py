"""The floor for the throughput benchmark: a minimal python-telegram-bot mood check, in memory.

It makes the same Bot API calls per step as Between (answer the button, close the answered
question, send the next one; edit in place for a toggle) but keeps its state in a
``ConversationHandler`` in memory, with no database and no outbox. Between's durability costs
whatever Between is slower than this.

Run: ``TELEGRAM_BOT_TOKEN=… TELEGRAM_API_BASE_URL=… python -m benchmarks.floor_bot``
"""

from __future__ import annotations

import os

from telegram import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    filters,
)

from flows.common import OBSTACLES_PROMPT
from flows.mood_check import FEELINGS, FEELINGS_PROMPT, INTRO, MOOD_PROMPT, NOTE_PROMPT

MOOD, PICK_FEELINGS, NOTE, OBSTACLES = range(4)


def _scale() -> InlineKeyboardMarkup:
    values = [InlineKeyboardButton(str(n), callback_data=f"tok:p{n}") for n in range(11)]
    return InlineKeyboardMarkup([values[:6], values[6:]])


def _feelings(selected: set[str]) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(("✓ " if o.id in selected else "") + o.label, callback_data=f"tok:t{o.id}")
        for o in FEELINGS
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append(
        [
            InlineKeyboardButton("Done", callback_data="tok:d"),
            InlineKeyboardButton("Skip", callback_data="tok:s"),
        ]
    )
    return InlineKeyboardMarkup(rows)


async def on_mood(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    await context.bot.send_message(update.effective_chat.id, INTRO)
    await context.bot.send_message(update.effective_chat.id, MOOD_PROMPT, reply_markup=_scale())
    return MOOD


async def on_rating(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    value = query.data.split(":p", 1)[1]
    context.user_data["mood"] = int(value)
    context.user_data["selected"] = set()
    await query.edit_message_text(f"{MOOD_PROMPT}\n\n✓ {value}")
    assert query.message is not None
    await context.bot.send_message(query.message.chat.id, FEELINGS_PROMPT, reply_markup=_feelings(set()))
    return PICK_FEELINGS


async def on_feeling(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    query = update.callback_query
    assert query is not None and query.data is not None and context.user_data is not None
    await query.answer()
    selected: set[str] = context.user_data["selected"]
    code = query.data.split(":", 1)[1]
    if code.startswith("t"):
        selected ^= {code[1:]}
        await query.edit_message_text(FEELINGS_PROMPT, reply_markup=_feelings(selected))
        return PICK_FEELINGS
    labels = ", ".join(o.label for o in FEELINGS if o.id in selected)
    await query.edit_message_text(f"{FEELINGS_PROMPT}\n\n✓ {labels or 'Skip'}")
    assert query.message is not None
    sent = await context.bot.send_message(
        query.message.chat.id,
        NOTE_PROMPT,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Skip", callback_data="tok:s")]]),
    )
    context.user_data["note_prompt"] = sent.message_id
    return NOTE


async def on_note(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    chat = update.effective_chat.id
    await context.bot.edit_message_reply_markup(chat, context.user_data["note_prompt"], reply_markup=None)
    sent = await context.bot.send_message(
        chat,
        OBSTACLES_PROMPT,
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Skip", callback_data="tok:s")]]),
    )
    context.user_data["note_prompt"] = sent.message_id
    return OBSTACLES


async def on_obstacles(update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
    assert update.effective_chat is not None and context.user_data is not None
    chat = update.effective_chat.id
    await context.bot.edit_message_reply_markup(chat, context.user_data["note_prompt"], reply_markup=None)
    words = ", ".join(o.label.lower() for o in FEELINGS if o.id in context.user_data["selected"])
    await context.bot.send_message(
        chat,
        f"Thank you for checking in. Mood {context.user_data['mood']}/10 — {words}. "
        "It's saved in your journal.\nYour note is saved too.",
    )
    return ConversationHandler.END


def build(token: str, base_url: str) -> Application:  # type: ignore[type-arg]
    application = ApplicationBuilder().token(token).base_url(base_url).build()
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("mood", on_mood)],
            states={
                MOOD: [CallbackQueryHandler(on_rating)],
                PICK_FEELINGS: [CallbackQueryHandler(on_feeling)],
                NOTE: [MessageHandler(filters.TEXT & ~filters.COMMAND, on_note)],
                OBSTACLES: [MessageHandler(filters.TEXT & ~filters.COMMAND, on_obstacles)],
            },
            fallbacks=[],
        )
    )

    async def post_init(app: Application) -> None:  # type: ignore[type-arg]
        await app.bot.set_my_commands([BotCommand("mood", "A quick mood check-in")])

    application.post_init = post_init
    return application


def main() -> None:
    build(os.environ["TELEGRAM_BOT_TOKEN"], os.environ["TELEGRAM_API_BASE_URL"]).run_polling(
        poll_interval=0.0, timeout=10, allowed_updates=["message", "callback_query", "edited_message"]
    )


if __name__ == "__main__":
    main()
