// haproxy in the foreground with the configuration `mtls edge haproxy` writes, in front of server.mts (MTLS_EDGE=rfc9440).
import { proxySuite } from './proxy-suite';

// HAProxy (verify required) ends the handshake with the alert for each failure.
proxySuite({
  kind: 'haproxy',
  binary: 'haproxy',
  format: 'rfc9440',
  trustSource: true,
  forwardsChain: true,
  noCertificate: { curlExit: [56], error: /alert certificate required/ },
  otherCa: { curlExit: [56], error: /alert unknown ca/ },
  expired: { curlExit: [56], error: /alert certificate expired/ },
});
