import { DAY_MS, HOUR_MS, defineRule } from '@ecrm/core'

/**
 * @typedef {object} RuleWindows
 * @property {number} cartAbandonMs How long after the last "Product Added" without an
 *   "Order Completed" the cart counts as abandoned, in ms. 1 h in a real shop.
 * @property {number} winBackMs How long after an order without another one the customer gets a
 *   win-back offer, in ms. 60 days in a real shop.
 */

/** The windows a real shop would use. */
export const productionWindows = Object.freeze({ cartAbandonMs: HOUR_MS, winBackMs: 60 * DAY_MS })

/**
 * The three automations of the shop, as rule JSON checked by `defineRule` (zod). The same JSON
 * runs in the browser client and could be stored in a database and loaded at start.
 *
 * Each rule's `then.properties.template` names the email the outbox sends.
 *
 * @param {RuleWindows} windows
 */
export function shopRules({ cartAbandonMs, winBackMs }) {
  return [
    // The rule runner (@ecrm/node) hands an `identify` call to the rules as an "Identify" event.
    defineRule({
      id: 'welcome',
      description: 'First identify of a customer: send the welcome email, once per customer',
      when: 'Identify',
      maxFirings: 1,
      then: { event: 'Rule Fired', properties: { template: 'welcome' } },
    }),
    defineRule({
      id: 'cart_abandoned',
      description: 'Product Added, then no Order Completed within the window (restarted by each addition)',
      when: 'Product Added',
      unless: 'Order Completed',
      within: cartAbandonMs,
      cooldown: '1d',
      then: { event: 'Cart Abandoned', properties: { template: 'cart_reminder' } },
    }),
    defineRule({
      id: 'win_back',
      description: 'An order, then no other order within the window: send a win-back offer',
      when: 'Order Completed',
      unless: 'Order Completed',
      within: winBackMs,
      then: { event: 'Rule Fired', properties: { template: 'win_back' } },
    }),
  ]
}
