"""A fake Telegram Bot API server plus user drivers, for testing the bot with real PTB.

Typical use::

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token(api.token)
            .base_url(api.base_url).base_file_url(api.base_file_url).build()
        )
        ...  # initialize/start app, start_polling(poll_interval=0, timeout=1)
        alex = api.user(42)
        await alex.send("/start")
        [welcome] = await alex.expect()
        await alex.press("Begin")
"""

from .driver import FakeGroup, FakeUser
from .models import ApiCall, ApiError, BotMessage, CallbackAnswer, UploadedFile
from .server import FakeBotApi

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "FakeBotApi",
    "FakeGroup",
    "FakeUser",
    "UploadedFile",
]
