// caddy in the foreground with the configuration `mtls edge caddy` writes, in front of server.mts (MTLS_EDGE=rfc9440).
import { proxySuite } from './proxy-suite';

// Caddy (Go, TLS 1.3) ends the handshake with an alert and closes: curl reports the alert or the reset.
proxySuite({
  kind: 'caddy',
  binary: 'caddy',
  format: 'rfc9440',
  trustSource: false,
  noCertificate: {
    curlExit: [16, 35, 55, 56],
    error:
      /alert certificate required|alert bad certificate|Connection reset by peer|Transport endpoint is not connected/,
  },
  otherCa: {
    curlExit: [16, 35, 55, 56],
    error: /alert bad certificate|alert unknown ca|Connection reset by peer|Transport endpoint is not connected/,
  },
  expired: {
    curlExit: [16, 35, 55, 56],
    error:
      /alert bad certificate|alert certificate expired|Connection reset by peer|Transport endpoint is not connected/,
  },
});
