import type { Type } from '@nestjs/common';
import type { KeyObject } from 'node:crypto';
import type { ChannelAuthorizer } from '../auth/channel-authorizer.interface.js';

/**
 * The HTTP API the module mounts in the host application (README: HTTP API): streams,
 * JSON history, REST publish and the sync handshake, under `prefix`.
 */
export interface SseHttpOptions {
  /** Path prefix of every route, e.g. `sse` gives `/sse/channels/:channel/events`; default: none. */
  readonly prefix?: string;
  /**
   * Authorization by JSON Web Tokens (README: Security). Set this, or `authorizer`, or
   * neither: then everyone may publish to and subscribe to every channel (logged loudly).
   */
  readonly jwt?: JwtAuthorizationOptions;
  /**
   * An authorizer of the application's own (its session, its Passport strategy): an
   * instance, or a class the module instantiates (its constructor may inject global providers).
   */
  readonly authorizer?: ChannelAuthorizer | Type<ChannelAuthorizer>;
  /** Per-client limits (README: Abuse limits); each is off until set. */
  readonly limits?: ClientLimitsOptions;
}

/** How JWTs are verified: exactly one of `secret`, `publicKey`, `jwksUrl`. */
export interface JwtAuthorizationOptions {
  /** HS256 key, at least 32 bytes. */
  readonly secret?: string | Uint8Array;
  /** RS256 (RSA, 2048 bits or more) or ES256 (P-256) public key, as PEM or a `KeyObject`. */
  readonly publicKey?: string | KeyObject;
  /** Keys from a JWKS url (RS256/ES256, chosen by `kid`); `https`, or `http` for localhost only. */
  readonly jwksUrl?: string;
  /** `aud` every token must carry. */
  readonly audience?: string;
  /** `iss` every token must carry. */
  readonly issuer?: string;
  /** Clock skew allowed on `exp` / `nbf`, seconds (default 5). */
  readonly clockToleranceS?: number;
  /** Channel patterns anyone may subscribe to without a token. */
  readonly publicChannels?: readonly string[];
  /**
   * Key of the stream tokens `POST /sync` issues, at least 32 bytes, the same on every
   * instance. Default: derived (HKDF) from `secret`; without a secret, a random key (one
   * instance only, with a warning).
   */
  readonly streamTokenSecret?: string | Uint8Array;
  /** Seconds a sync-issued stream url can be opened within (default 60). */
  readonly streamTokenTtlS?: number;
}

/** Abuse limits of the HTTP API. */
export interface ClientLimitsOptions {
  /** Addresses and CIDR ranges of proxies whose `X-Forwarded-For` is believed. */
  readonly trustedProxies?: readonly string[];
  /** Streams one client address may hold on an instance; more get 429. */
  readonly maxConnectionsPerIp?: number;
  /** Publishes per window per token subject (else client address); more get 429. */
  readonly publishRateLimit?: number;
  /** The rate limit's fixed window, ms (default 10000). */
  readonly publishRateWindowMs?: number;
}

/** How tokens are verified: a shared HS256 secret, a public key (RS256/ES256) or a JWKS URL. */
export type JwtKey =
  | { readonly kind: 'secret'; readonly secret: Uint8Array }
  | { readonly kind: 'public-key'; readonly key: KeyObject; readonly algorithm: 'RS256' | 'ES256' }
  | { readonly kind: 'jwks'; readonly url: string };

/** `JwtAuthorizationOptions` checked, with keys made and defaults filled in. */
export interface ResolvedJwtOptions {
  readonly key: JwtKey;
  readonly audience: string | undefined;
  readonly issuer: string | undefined;
  readonly clockToleranceS: number;
  readonly publicChannels: readonly string[];
  /** HS256 key of the stream tokens `POST /sync` issues. */
  readonly streamTokenSecret: Uint8Array;
  /** Where that key came from: set, derived from the secret, or random (one instance only). */
  readonly streamTokenSecretSource: 'set' | 'derived' | 'random';
  readonly streamTokenTtlS: number;
}

/** `ClientLimitsOptions` with defaults filled in. */
export interface ResolvedClientLimits {
  readonly trustedProxies: readonly string[];
  readonly maxConnectionsPerIp: number | undefined;
  readonly publishRateLimit: number | undefined;
  readonly publishRateWindowMs: number;
}

/** `SseHttpOptions` checked, with defaults filled in. */
export interface ResolvedHttpOptions {
  /** Without slashes at the ends; '' at the root. */
  readonly prefix: string;
  readonly jwt: ResolvedJwtOptions | undefined;
  readonly authorizer: ChannelAuthorizer | Type<ChannelAuthorizer> | undefined;
  readonly limits: ResolvedClientLimits;
}
