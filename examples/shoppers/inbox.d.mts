// Types of inbox.mjs, for the TypeScript e2e tests.
import type { BrowserContext, Page } from 'playwright-core'

/** A mail the demo's SMTP server received, parsed from its raw MIME. */
export interface InboxMail {
  readonly n: number
  readonly raw: string
  readonly subject: string
  readonly html: string
  /** The List-Unsubscribe URL (RFC 2369), or null when the mail has none. */
  readonly unsubscribeUrl: string | null
}
export declare function waitForMail(
  baseUrl: string,
  email: string,
  options?: { subject?: string; timeoutMs?: number },
): Promise<InboxMail>
export declare function readMail(baseUrl: string, n: number): Promise<InboxMail>
export declare function openMail(context: BrowserContext, mail: InboxMail): Promise<Page>
export declare function clickMailLink(page: Page): Promise<string>
export declare function unsubscribeInBrowser(context: BrowserContext, mail: InboxMail): Promise<string>
export declare function unsubscribeOneClick(mail: InboxMail): Promise<number>
