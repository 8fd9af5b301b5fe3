// Types of visits.mjs, for the TypeScript e2e tests.
import type { Browser, BrowserContext, Page } from 'playwright-core'

export declare const CHROMIUM_PATH: string
export declare const CHROMIUM_ARGS: string[]
export declare function launchBrowser(): Promise<Browser>
export interface Visit {
  readonly context: BrowserContext
  readonly page: Page
}
export declare function openShop(browser: Browser, baseUrl: string): Promise<Visit>
export declare function viewProduct(page: Page, sku: string): Promise<void>
export declare function addToCart(page: Page, sku: string): Promise<void>
export declare function goHome(page: Page): Promise<void>
export declare function openCart(page: Page): Promise<void>
export declare function checkout(page: Page, who: { email: string; name: string }): Promise<void>
export declare function fillLeadForm(
  page: Page,
  lead: { email: string; company?: string; title?: string },
): Promise<void>
export declare function leave(visit: Visit): Promise<void>
export declare function abandonCart(
  browser: Browser,
  baseUrl: string,
  sku?: string,
): Promise<{ anonymousId: string | null }>
export declare function shopOffline(page: Page, context: BrowserContext, sku: string): Promise<void>
