import { defineRule } from '@ecrm/core'
import type { RuleDefinition } from '@ecrm/core'

/** Windows of the demo's rules, in ms (short, so a visitor sees them fire). */
export interface DemoRuleWindows {
  /** "Product Added, then no Order Completed" for this long fires cart_abandoned. @default 20_000 */
  readonly abandonMs: number
  /** An order, then no other order for this long fires win_back. @default 120_000 */
  readonly winBackMs: number
  /** The shop's origin, which the emails link to (`firing.event.properties.shop_url` in the templates). @default "http://127.0.0.1:8787" */
  readonly shopUrl?: string
}

const DEFAULT_SHOP_URL = 'http://127.0.0.1:8787'

/**
 * The rules that follow a browser's cart. The cart lives in the browser (localStorage), so its
 * engine keys customers by anonymous id: an order placed after signing in still cancels the
 * reminder armed while the visitor was anonymous.
 */
export function cartRules({ abandonMs, shopUrl = DEFAULT_SHOP_URL }: DemoRuleWindows): RuleDefinition[] {
  return [
    defineRule({
      id: 'cart_abandoned',
      description: 'Product Added, then no Order Completed within the window (1 h in production)',
      when: 'Product Added',
      unless: 'Order Completed',
      within: abandonMs,
      cooldown: abandonMs,
      // A visitor who never gave an email gets the message recorded as suppressed (no_recipient).
      then: {
        event: 'Cart Abandoned',
        properties: { campaign: 'cart_reminder_email', shop_url: shopUrl },
        send: [{ channel: 'email', template: 'cart_reminder', campaign: 'cart_reminder_email' }],
      },
    }),
  ]
}

/**
 * The rules that follow a person (their user id, the email in this shop), wherever they shop from.
 * In production win-back is a schedule (`{ inactiveDays: 60 }`); the demo uses the same idea on a
 * timer: an order, then no repeat order within the window. Each rule sends its email through the
 * demo's `email` channel with the template of the same idea in ./templates.
 */
export function customerRules({ winBackMs, shopUrl = DEFAULT_SHOP_URL }: DemoRuleWindows): RuleDefinition[] {
  return [
    defineRule({
      id: 'welcome',
      description: 'The first identify of a person: send the welcome email',
      when: 'Identify',
      maxFirings: 1,
      then: {
        event: 'Rule Fired',
        properties: { campaign: 'welcome_email', shop_url: shopUrl },
        send: [{ channel: 'email', template: 'welcome', category: 'transactional', campaign: 'welcome_email' }],
      },
    }),
    defineRule({
      id: 'win_back',
      description: 'A buyer who has not ordered again within the window: send a win-back offer',
      when: 'Order Completed',
      unless: 'Order Completed',
      within: winBackMs,
      then: {
        event: 'Rule Fired',
        properties: { campaign: 'win_back_offer', shop_url: shopUrl },
        send: [{ channel: 'email', template: 'win_back', campaign: 'win_back_offer' }],
      },
    }),
    defineRule({
      id: 'birthday',
      description: "On the customer's birthday (traits.birthday, their time zone): a gift code",
      // From midnight (09:00 by default), so the demo sends it as soon as a birthday customer is checked.
      schedule: { birthday: 'traits.birthday', at: '00:00' },
      then: {
        event: 'Rule Fired',
        properties: { campaign: 'birthday_gift', shop_url: shopUrl },
        send: [{ channel: 'email', template: 'birthday', campaign: 'birthday_gift' }],
      },
    }),
  ]
}
