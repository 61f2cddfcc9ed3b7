// A Telegram integration written with the official Botpress SDK
// (@botpress/sdk 5.4.3), run unchanged under chatsim: the SDK's own HTTP
// server parses the platform's operations, and its client (@botpress/client)
// calls chatsim's Runtime API at BP_API_URL. It is plain JavaScript so that
// no build step stands between `npm ci` and `node index.mjs`.
//
// Environment (what chatsim's exec launcher, like `bp dev`, provides):
//   PORT                   where to listen (127.0.0.1)
//   BP_API_URL, BP_TOKEN   the Runtime API, read by @botpress/client itself
//   SECRET_WEBHOOK_SECRET  the secret Telegram echoes in X-Telegram-Bot-Api-Secret-Token
//   TELEGRAM_API_URL       the Bot API base (default https://api.telegram.org)
// Configuration: {"botToken": "…"}.
import * as sdk from '@botpress/sdk'

const telegramURL = (process.env.TELEGRAM_API_URL || 'https://api.telegram.org').replace(/\/$/, '')
const secret = process.env.SECRET_WEBHOOK_SECRET
if (!secret) {
  console.error('SECRET_WEBHOOK_SECRET is not set')
  process.exit(2)
}

// callTelegram calls one Bot API method and returns its result, or throws
// the Telegram error as a RuntimeError the platform shows as it is.
async function callTelegram(ctx, method, params) {
  const res = await fetch(`${telegramURL}/bot${ctx.configuration.botToken}/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  })
  const body = await res.json()
  if (!body.ok) {
    throw new sdk.RuntimeError(`telegram ${method}: ${body.error_code} ${body.description}`)
  }
  return body.result
}

const fullName = (u) => [u.first_name, u.last_name].filter(Boolean).join(' ')

// send renders a bot message, sends it, and acks it with Telegram's ids.
async function send({ ctx, conversation, ack }, params) {
  const sent = await callTelegram(ctx, params.photo ? 'sendPhoto' : 'sendMessage', {
    chat_id: Number(conversation.tags.id),
    ...params,
  })
  await ack({ tags: { id: String(sent.message_id), chatId: String(sent.chat.id) } })
}

const keyboard = (options) => ({
  inline_keyboard: options.map((o) => [{ text: o.label, callback_data: o.value }]),
})

const integration = new sdk.Integration({
  register: async ({ ctx, webhookUrl, client }) => {
    const me = await callTelegram(ctx, 'getMe', {})
    await callTelegram(ctx, 'setWebhook', {
      url: webhookUrl,
      secret_token: secret,
      allowed_updates: ['message', 'edited_message', 'callback_query'],
    })
    await client.configureIntegration({ identifier: String(me.id) })
  },
  unregister: async ({ ctx }) => {
    await callTelegram(ctx, 'deleteWebhook', {})
  },
  handler: async ({ req, client }) => {
    if (req.headers['x-telegram-bot-api-secret-token'] !== secret) {
      return { status: 401, body: 'invalid secret token' }
    }
    const update = JSON.parse(req.body ?? '{}')
    const message = update.message
    const callback = update.callback_query
    const from = message?.from ?? callback?.from
    const chat = message?.chat ?? callback?.message?.chat
    if (!from || !chat) {
      return // not something this integration handles; Telegram still gets 200
    }
    const { conversation } = await client.getOrCreateConversation({
      channel: 'channel',
      tags: { id: String(chat.id) },
      discriminateByTags: ['id'],
    })
    const userTags = { id: String(from.id) }
    if (from.username) userTags.username = from.username
    const { user } = await client.getOrCreateUser({ tags: userTags, name: fullName(from), discriminateByTags: ['id'] })
    if (callback) {
      await client.getOrCreateMessage({
        type: 'text',
        payload: { text: callback.data },
        tags: { id: `callback:${callback.id}`, chatId: String(chat.id) },
        userId: user.id,
        conversationId: conversation.id,
        discriminateByTags: ['id', 'chatId'],
      })
      return
    }
    if (typeof message.text !== 'string') {
      return
    }
    await client.getOrCreateMessage({
      type: 'text',
      payload: { text: message.text },
      tags: { id: String(message.message_id), chatId: String(chat.id) },
      userId: user.id,
      conversationId: conversation.id,
      discriminateByTags: ['id', 'chatId'],
    })
  },
  actions: {
    startTypingIndicator: async ({ ctx, input, client }) => {
      const { conversation } = await client.getConversation({ id: input.conversationId })
      await callTelegram(ctx, 'sendChatAction', { chat_id: Number(conversation.tags.id), action: 'typing' })
      return {}
    },
    stopTypingIndicator: async () => ({}),
  },
  channels: {
    channel: {
      messages: {
        text: async (props) => send(props, { text: props.payload.text }),
        image: async (props) => send(props, { photo: props.payload.imageUrl, caption: props.payload.caption }),
        choice: async (props) => send(props, { text: props.payload.text, reply_markup: keyboard(props.payload.options) }),
        dropdown: async (props) => send(props, { text: props.payload.text, reply_markup: keyboard(props.payload.options) }),
        card: async (props) =>
          send(props, {
            text: [props.payload.title, props.payload.subtitle].filter(Boolean).join('\n'),
            reply_markup: { inline_keyboard: props.payload.actions.map((a) => [{ text: a.label, callback_data: a.value }]) },
          }),
      },
    },
  },
})

const port = Number(process.env.PORT || 8072)
await integration.start(port)
