/** The platforms that call webhooks, and their limits (Dialogflow docs, checked 2026-11). */
export type Platform = 'cx' | 'es' | 'kore';

/** Every platform, in the fixed order files, menus and the scaffold's template line list them. */
export const allPlatforms: readonly Platform[] = ['cx', 'es', 'kore'];

/** Display names. */
export const platformLabel: Record<Platform, string> = { cx: 'Dialogflow CX', es: 'Dialogflow ES', kore: 'Kore.ai' };

/** Largest response Dialogflow accepts (64 KiB). */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** ES answers must arrive within 5 s; CX uses the agent's webhook timeout, 5 s unless configured. */
export const DEFAULT_TIMEOUT_MS = 5_000;
/** CX allows at most 30 s. */
export const CX_MAX_TIMEOUT_MS = 30_000;

/** Checks a platform name from user input. */
export function isPlatform(v: unknown): v is Platform {
  return v === 'cx' || v === 'es' || v === 'kore';
}

/** Which platform a request body looks like it came from (CX, ES, or an arbitrary object → kore). */
export function detectPlatform(body: unknown): Platform | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const b = body as Record<string, unknown>;
  if ('detectIntentResponseId' in b || 'fulfillmentInfo' in b) return 'cx';
  if ('queryResult' in b && ('responseId' in b || 'session' in b)) return 'es';
  return 'kore';
}
