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

Webhooks: after the bot's ``setWebhook``, ``api.route_webhook("http://127.0.0.1:8443")`` makes
the server POST queued updates there one at a time (see webhook.py)::

    api.route_webhook(f"http://127.0.0.1:{port}")
    await alex.send("/mood")  # POSTed to the bot; dropped from the queue on its 200
    assert api.webhook.posts[-1].status == 200

Groups and channels (``api.group``/``api.channel``) track whether the bot is in them::

    digests = api.channel(-1001234567890, "Digests")
    await digests.post("/link 4711")  # a channel_post, signed by the channel
    [confirmation] = await digests.expect()
    await digests.remove_bot()  # my_chat_member; later sends there answer 403
"""

from .driver import FakeChannel, FakeGroup, FakeUser
from .models import ApiCall, ApiError, BotMessage, CallbackAnswer, UploadedFile
from .server import FakeBotApi
from .webhook import WebhookPost

__all__ = [
    "ApiCall",
    "ApiError",
    "BotMessage",
    "CallbackAnswer",
    "FakeBotApi",
    "FakeChannel",
    "FakeGroup",
    "FakeUser",
    "UploadedFile",
    "WebhookPost",
]
