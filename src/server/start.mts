// Starting the server: settings, credentials and the public-root pin checked before anything listens; the
// TLS server that requires and verifies client certificates at the handshake (or, behind an edge that
// terminates TLS, a plain HTTP or HTTPS server whose requests pass the edge checks); its timeouts and
// connection cap; one start-up line tools wait for; a graceful stop on SIGINT/SIGTERM.
import * as http from 'node:http';
import * as https from 'node:https';
import * as path from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { printableConfig, resolveSettings, type ServerConfigInput, type Settings } from './config.mts';
import { loadCaBundle, loadCredentials, type Credentials } from './credentials.mts';
import { requirePinForPublicRoots } from './publicRootPin.mts';
import { authRequirement, checkAuthSetting, idTokenVerifierFor } from './auth.mts';
import { refusedHandshakeLine } from './caller.mts';
import { budgetHandshakes, sourceOf } from './handshakeBudget.mts';
import { earlyAnswered, onRequest, type RequestContext, type RequestHandlers } from './http.mts';
import { platformsOf } from './platforms.mts';
import { edgeNotes, prepareEdge } from './edge.mts';
import { edgeHeaders } from './edgeHeaders.mts';
import { fail, limitedLog, log } from './log.mts';

/** The whole server: your config, your handlers, your routes and hooks. */
export interface WebhookApp extends RequestHandlers {
  config: ServerConfigInput;
}

/**
 * Runs the server described by `app`. With `--print-config` it prints the settings in force as JSON and exits
 * (tools read them this way); with `--print-authorization` it prints the auth value for a local client.
 */
export function startWebhookServer(app: WebhookApp): void {
  // process.argv[1] is the user's file when run with node / mtls serve.
  const settings = resolveSettings(app.config, path.resolve(process.argv[1] ?? 'server.mts'));
  // Exit once the line is out: a timer or a connection the user's own code opened must not keep the tool waiting.
  if (process.argv.includes('--print-config')) {
    process.stdout.write(
      JSON.stringify(printableConfig(settings, platformsOf(app), Object.keys(app.routes ?? {}))) + '\n',
      () => process.exit(0),
    );
    return;
  }
  if (process.argv.includes('--print-authorization')) {
    process.stdout.write(settings.auth + '\n', () => process.exit(0));
    return;
  }
  listen(app, settings);
}

function listen(app: WebhookApp, settings: Settings): void {
  checkAuthSetting(settings);
  // Plain HTTP behind an edge needs no key or certificate of the server's own: only the CA bundle.
  const plainHttp = settings.edge !== '' && settings.edgeListen === 'http';
  const creds: Partial<Credentials> & { ca: Buffer } = plainHttp
    ? { ca: loadCaBundle(settings) }
    : loadCredentials(settings);
  requirePinForPublicRoots(
    settings.caPath,
    creds.ca.toString('latin1'),
    settings.allowedClients,
    settings.acceptAnyPublicClient,
  );
  const edge = settings.edge !== '' ? prepareEdge(settings, creds.ca.toString('latin1')) : undefined;
  const rc: RequestContext = {
    settings,
    app,
    verifier: idTokenVerifierFor(settings),
    ...(edge !== undefined ? { edge } : {}),
  };
  const httpOptions = {
    requestTimeout: settings.requestTimeoutMs,
    headersTimeout: Math.min(4000, settings.requestTimeoutMs),
    // Node checks both timeouts only this often (30 s by default): a stalled client would hold its connection that long.
    connectionsCheckingInterval: 1000,
    keepAliveTimeout: 5000,
    // Behind an edge a forwarded certificate chain travels in the headers: room for a few URL-escaped RSA certificates.
    ...(edge !== undefined ? { maxHeaderSize: 64 * 1024 } : {}),
  };
  const tlsOptions = {
    key: creds.key,
    passphrase: settings.passphrase,
    cert: creds.cert,
    minVersion: 'TLSv1.2' as const,
    // curl --http1.0 offers 'http/1.0' by ALPN; without it here the handshake fails with no_application_protocol.
    ALPNProtocols: ['http/1.1', 'http/1.0'],
    // Node's default holds a connection that never starts TLS for 120 s.
    handshakeTimeout: settings.handshakeTimeoutMs,
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => onRequest(rc, req, res);
  // Behind an edge the client certificate is the edge's business; the edge's own connection is plain HTTP, or
  // HTTPS with this server's certificate (edgeListen), and no client certificate is asked for.
  // An http.Server emits the same connection events as an https.Server, except tlsClientError.
  const server =
    edge === undefined
      ? https.createServer(
          {
            ...tlsOptions,
            ...httpOptions,
            ca: creds.ca, // replaces Node's default roots: only these CAs may issue client certificates
            requestCert: true,
            rejectUnauthorized: true,
            // OpenSSL's default verify depth (100) already allows leaf + intermediate(s), as Dialogflow sends.
          },
          handler,
        )
      : settings.edgeListen === 'https'
        ? https.createServer({ ...tlsOptions, ...httpOptions }, handler)
        : (http.createServer(httpOptions, handler) as unknown as https.Server);
  // Plain HTTP behind an edge has no handshake to budget.
  watchConnections(server, settings, !plainHttp);
  server.once('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EADDRINUSE')
      fail(
        'EADDRINUSE',
        'port ' +
          settings.port +
          ' on ' +
          settings.host +
          ' is already in use (stop the other server or set MTLS_PORT)',
      );
    if (e.code === 'EACCES')
      fail(
        'EACCES',
        'not allowed to listen on port ' + settings.port + ' (ports below 1024 need privileges; set MTLS_PORT)',
      );
    if (e.code === 'EADDRNOTAVAIL')
      fail('EADDRNOTAVAIL', 'address ' + settings.host + ' is not on this machine (MTLS_HOST)');
    fail(e.code ?? 'LISTEN', 'cannot listen on ' + settings.host + ':' + settings.port + ': ' + e.message);
  });
  server.listen(settings.port, settings.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : settings.port;
    const shownHost = settings.host.includes(':') ? '[' + settings.host + ']' : settings.host;
    // Exactly one startup line, at the start of a line: tools wait for it (serverReadyLine).
    if (edge === undefined) {
      process.stdout.write(
        'mTLS webhook listening on https://' +
          shownHost +
          ':' +
          port +
          ' (client certificates required; CA: ' +
          settings.caPath +
          ')\n',
      );
    } else {
      const scheme = settings.edgeListen === 'https' ? 'https' : 'http';
      process.stdout.write(
        'mTLS webhook listening on ' +
          scheme +
          '://' +
          shownHost +
          ':' +
          port +
          ' (behind an edge: ' +
          edge.kind +
          '; client certificates verified from ' +
          edgeHeaders[edge.kind].label +
          '; CA: ' +
          settings.caPath +
          ')\n',
      );
      for (const note of edgeNotes(settings)) log(note);
    }
    if (settings.allowedClients.length > 0) log('allowed clients: ' + settings.allowedClients.join(', '));
    if (settings.auth !== '') log('authorization required: ' + authRequirement(settings.auth));
    const routes = Object.keys(app.routes ?? {});
    if (routes.length > 0) log('routes: ' + routes.join(', '));
    if (rc.verifier !== undefined) {
      const t = settings.idToken;
      log(
        'ID token: aud=' +
          JSON.stringify(t.audience) +
          (t.email !== '' ? ' email=' + JSON.stringify(t.email) : '') +
          (t.subject !== '' ? ' sub=' + JSON.stringify(t.subject) : ''),
      );
      // Load the keys now so the first call does not wait; until they load, requests are refused.
      void rc.verifier.warmUp().then(
        (what) => log('ID token keys: ' + what),
        (e: Error) => log('warning: ID token keys not loaded (requests are refused until they load): ' + e.message),
      );
    }
  });
  stopOnSignals(server);
}

type Peer = Duplex & { remoteAddress?: string; remotePort?: number };

/**
 * The connection cap, the budget of connections still in the TLS handshake, HTTP-level client errors (408/431/400)
 * and refused handshakes, each logged; a flood of refusals or drops is logged as a few lines and a count.
 */
function watchConnections(server: https.Server, settings: Settings, tls: boolean): void {
  // Beyond the cap Node closes new connections at once; say so once, then count them.
  server.maxConnections = settings.maxConnections;
  const capLog = limitedLog({
    perWindow: 1,
    windowMs: 10_000,
    summary: (_key, held, seconds) =>
      '… and ' +
      held +
      ' more connections dropped at the connection cap (maxConnections ' +
      settings.maxConnections +
      ') in the last ' +
      seconds +
      's',
  });
  server.on('drop', (d?: { remoteAddress?: string; remotePort?: number }) => {
    capLog(
      'cap',
      'connection cap reached (maxConnections ' +
        settings.maxConnections +
        ', MTLS_MAX_CONNECTIONS): dropped ' +
        (d?.remoteAddress ?? '?') +
        ':' +
        (d?.remotePort ?? '?'),
    );
  });
  // Per source: a genuine refusal is logged at once with its reason, a client aborting thousands of connections
  // costs a few lines.
  const refusalLog = limitedLog({
    perWindow: 20,
    windowMs: 10_000,
    summary: (source, held, seconds) =>
      '… and ' + held + ' more refused handshakes from ' + source + ' in the last ' + seconds + 's',
  });
  const budget = tls ? budgetHandshakes(server, settings, refusalLog) : undefined;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Peer) => {
    const code = err.code ?? 'CLIENT_ERROR';
    const who = (socket.remoteAddress ?? '?') + ':' + (socket.remotePort ?? '?');
    if (code === 'ERR_HTTP_REQUEST_TIMEOUT' && earlyAnswered.has(socket)) {
      log(
        'closed the connection from ' +
          who +
          ' [' +
          code +
          ']: still sending a request body ' +
          settings.requestTimeoutMs +
          ' ms after it was answered',
      );
      socket.destroy();
      return;
    }
    // Only HTTP-level failures are answered here; a TLS failure (logged by tlsClientError) just ends the socket.
    if (!(code === 'ERR_HTTP_REQUEST_TIMEOUT' || code.startsWith('HPE_')) || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const why =
      status === 408
        ? 'the request was not complete in time (requestTimeoutMs): a stalled or slow client'
        : status === 431
          ? 'request headers too large'
          : 'malformed HTTP request';
    log('closed the connection from ' + who + ' with ' + status + ' [' + code + ']: ' + why);
    socket.end(
      'HTTP/1.1 ' +
        status +
        ' ' +
        (status === 408 ? 'Request Timeout' : status === 431 ? 'Request Header Fields Too Large' : 'Bad Request') +
        '\r\nconnection: close\r\ncontent-length: 0\r\n\r\n',
    );
  });
  server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
    const parent = (socket as TLSSocket & { _parent?: object })._parent;
    if (parent !== undefined && budget?.closed(parent) === true) return;
    // The remote address is gone once a refused socket is destroyed: the budget took it at the TCP level.
    const remote = parent !== undefined ? budget?.peer(parent) : undefined;
    const address = socket.remoteAddress;
    const who = remote?.who ?? address ?? 'unknown client';
    refusalLog(
      remote?.source ?? (address !== undefined ? sourceOf(address) : who),
      refusedHandshakeLine(err, socket, who),
    );
  });
}

function stopOnSignals(server: https.Server): void {
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    log(signal + ': closing (waiting for requests in flight)');
    server.close(() => {
      log('stopped');
      process.exit(0);
    });
    server.closeIdleConnections();
    // Keep-alive clients that never go idle must not hold the shutdown forever.
    setTimeout(() => {
      server.closeAllConnections();
      process.exit(0);
    }, 3000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
