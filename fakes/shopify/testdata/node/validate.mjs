// Validates what the chatsim Shopify fake sends with Shopify's own library,
// @shopify/shopify-api on its node adapter.
//
// stdin: one JSON object, or an array of them:
//   {"secret": "<app secret>", "headers": {"X-Shopify-Topic": "…", …}, "body": "<raw body>"}
//     → shopifyApi(...).webhooks.validate(...) on that delivery
//   {"secret": "<app secret>", "oauth_query": {"code": "…", "hmac": "…", …}}
//     → shopifyApi(...).utils.validateHmac(query) on an OAuth callback
// stdout: one JSON result per input, one per line, in order.
import '@shopify/shopify-api/adapters/node';
import {shopifyApi, ApiVersion, LogSeverity} from '@shopify/shopify-api';
import http from 'node:http';
import net from 'node:net';

function api(secret) {
  return shopifyApi({
    apiKey: 'chatsim-validate',
    apiSecretKey: secret,
    apiVersion: ApiVersion.January25,
    hostName: 'localhost',
    isEmbeddedApp: false,
    logger: {level: LogSeverity.Error, log: async () => {}},
  });
}

async function validateOne(input) {
  const shopify = api(input.secret);
  if (input.oauth_query) {
    try {
      return {valid: await shopify.utils.validateHmac(input.oauth_query)};
    } catch (e) {
      return {valid: false, error: String(e && e.message || e)};
    }
  }
  const req = new http.IncomingMessage(new net.Socket());
  req.method = 'POST';
  req.url = '/webhooks';
  req.headers = {};
  for (const [k, v] of Object.entries(input.headers || {})) {
    req.headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  const res = new http.ServerResponse(req);
  return shopify.webhooks.validate({rawBody: input.body, rawRequest: req, rawResponse: res});
}

let raw = '';
process.stdin.setEncoding('utf8');
for await (const chunk of process.stdin) raw += chunk;
const parsed = JSON.parse(raw);
const inputs = Array.isArray(parsed) ? parsed : [parsed];
for (const input of inputs) {
  process.stdout.write(JSON.stringify(await validateOne(input)) + '\n');
}
