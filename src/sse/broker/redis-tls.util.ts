import type { ConnectionOptions } from 'node:tls';

/**
 * TLS settings for a managed Redis, applied to every connection of a `rediss…` target
 * (commands, subscribers, presence, rate counters; the nodes of a cluster; the Sentinels
 * and the master they name). Contents, not file paths: PEM text or its bytes.
 */
export interface RedisTlsOptions {
  /** CA certificate(s) the server's certificate must chain to (PEM); default: Node's bundled CAs. */
  readonly ca?: string | Buffer;
  /** Client certificate (PEM), for servers that require one (`tls-auth-clients yes`); needs `key`. */
  readonly cert?: string | Buffer;
  /** The client certificate's private key (PEM); needs `cert`. */
  readonly key?: string | Buffer;
  /**
   * Server name sent as SNI and checked against the server's certificate; default: the host
   * connected to (an IP address when a cluster or Sentinel hands out addresses, which a
   * certificate issued for a name does not match).
   */
  readonly servername?: string;
}

/** Node's TLS options for the settings: only what is set, so ioredis' defaults stay for the rest. */
export function redisTlsOptions(tls: RedisTlsOptions | undefined): ConnectionOptions {
  const options: ConnectionOptions = {};
  if (tls?.ca !== undefined) options.ca = tls.ca;
  if (tls?.cert !== undefined) options.cert = tls.cert;
  if (tls?.key !== undefined) options.key = tls.key;
  if (tls?.servername !== undefined) options.servername = tls.servername;
  return options;
}

// OpenSSL verification codes and Node's own, as they appear on a refused handshake.
const TLS_ERROR_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
]);

/** True for an error of a refused TLS handshake (certificate, CA, name, or TLS against a plain port). */
export function isTlsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (TLS_ERROR_CODES.has(code) || /^ERR_SSL_/.test(code));
}
