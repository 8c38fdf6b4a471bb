// nginx in the foreground with the configuration `mtls edge nginx` writes, in front of server.mts (MTLS_EDGE=nginx).
import { proxySuite } from './edge-proxy-suite';

// nginx finishes the handshake and answers 400 itself when the certificate is missing or does not verify.
proxySuite({
  kind: 'nginx',
  binary: 'nginx',
  format: 'nginx',
  trustSource: true,
  noCertificate: { status: 400, body: /No required SSL certificate was sent/ },
  otherCa: { status: 400, body: /The SSL certificate error/ },
  expired: { status: 400, body: /The SSL certificate error/ },
});
