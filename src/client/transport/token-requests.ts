import { NO_GET_TOKEN, TAB_GONE, TOKEN_NOT_ANSWERED } from '../client.messages.js';
import type { GetToken } from '../client.types.js';
import { errorMessage } from '../errors/error-message.util.js';

/** How long a hub waits for a tab to answer a token request, ms: a frozen tab must not hold a stream up. */
export const TOKEN_ANSWER_TIMEOUT_MS = 10_000;

/** A token, or why there is none, as it crosses from a tab to the hub that asked. */
export type TokenAnswer = { readonly token: string } | { readonly error: string };

/** What a tab answers when its hub asks for a token: its own `getToken`'s result, or the failure's text. */
export async function answerToken(getToken: GetToken | undefined): Promise<TokenAnswer> {
  if (!getToken) return { error: NO_GET_TOKEN };
  try {
    return { token: await getToken() };
  } catch (error) {
    return { error: errorMessage(error) };
  }
}

interface Pending {
  readonly resolve: (token: string) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  readonly owner: string | undefined;
}

/**
 * The hub's side of token round trips. A SharedWorker or a leader tab cannot be handed a
 * function (postMessage clones data only), and should not hold the app's token either: the
 * app refreshes it in its own page (its auth library, refresh token or cookie live there).
 * So when a stream needs a token (each `POST /sync`) the hub asks the tab that subscribed,
 * by message, and that tab answers with what its `getToken` gives at that moment: always
 * fresh, never stored in the hub. Each request is numbered; an answer that never comes
 * (a frozen or closed tab) fails after `timeoutMs`, so the hub can ask another tab.
 */
export class TokenRequests {
  private readonly pending = new Map<number, Pending>();
  private next = 1;

  constructor(private readonly timeoutMs = TOKEN_ANSWER_TIMEOUT_MS) {}

  /** Sends a request with `send(req)` and resolves with the answer to `req`; `owner` names the tab asked. */
  ask(send: (req: number) => void, owner?: string): Promise<string> {
    const req = this.next++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(req, TOKEN_NOT_ANSWERED), this.timeoutMs);
      this.pending.set(req, { resolve, reject, timer, owner });
      try {
        send(req);
      } catch (error) {
        this.fail(req, errorMessage(error));
      }
    });
  }

  /** An answer arrived (one for an unknown or settled request is ignored). */
  settle(req: number, answer: TokenAnswer): void {
    const pending = this.pending.get(req);
    if (!pending) return;
    this.pending.delete(req);
    clearTimeout(pending.timer);
    if ('token' in answer) pending.resolve(answer.token);
    else pending.reject(new Error(answer.error));
  }

  /** The tab `owner` is gone (every request when `owner` is undefined): its requests fail now rather than at the timeout. */
  abandon(owner?: string): void {
    for (const [req, pending] of [...this.pending]) {
      if (owner === undefined || pending.owner === owner) this.fail(req, TAB_GONE);
    }
  }

  private fail(req: number, reason: string): void {
    const pending = this.pending.get(req);
    if (!pending) return;
    this.pending.delete(req);
    clearTimeout(pending.timer);
    pending.reject(new Error(reason));
  }
}
