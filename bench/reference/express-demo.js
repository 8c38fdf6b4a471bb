// Reference for bench/server.bench.ts: the widely copied Dialogflow mTLS demo webhook — express over
// node:https, requestCert, logs the client certificate, answers a CX WebhookResponse. As in the demo,
// rejectUnauthorized is false and the 401 for unauthorized clients is commented out; the bench only sends
// valid client certificates, so both servers do the same TLS verification work.
// Usage: PORT=0 KEY=… CERT=… CA=… node bench/reference/express-demo.js   (prints "listening on https://…")
const fs = require('fs');
const https = require('https');
const express = require('express');

const app = express();
app.use(express.json());

app.post('/webhook', (req, res) => {
  const cert = req.socket.getPeerCertificate();
  // if (!req.client.authorized) return res.status(401).send('Invalid client certificate');
  // One log line per request, like ours: who connected.
  console.log(
    `${new Date().toISOString()} ${req.method} ${req.url} client CN=${cert.subject && cert.subject.CN} O=${cert.subject && cert.subject.O} ` +
      `issuer=${cert.issuer && cert.issuer.CN} serial=${cert.serialNumber} valid=${cert.valid_from} .. ${cert.valid_to} sha256=${cert.fingerprint256}`,
  );
  const tag = (req.body.fulfillmentInfo && req.body.fulfillmentInfo.tag) || '';
  res.json({ fulfillmentResponse: { messages: [{ text: { text: [`Hello from the express demo (tag ${tag})`] } }] } });
});

const server = https.createServer(
  {
    key: fs.readFileSync(process.env.KEY),
    cert: fs.readFileSync(process.env.CERT),
    ca: fs.readFileSync(process.env.CA),
    requestCert: true,
    rejectUnauthorized: false,
  },
  app,
);
server.listen(Number(process.env.PORT || 8443), '127.0.0.1', () => {
  console.log(`listening on https://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => process.exit(0));
